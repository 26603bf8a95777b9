package regression

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error that Fit, Check and LeastSquares return wraps
// one of them (or is a *DivergedError, which matches ErrDiverged), so that a
// caller can tell the cases apart with errors.Is.
var (
	// ErrShape means the data and the model do not fit together: x and y
	// with different numbers of rows, x with a column count other than W's
	// row count, y or B with a column count other than W's, or a tensor of
	// the wrong rank.
	ErrShape = errors.New("regression: shapes do not match")

	// ErrEmpty means there is no data to learn from: no rows, no feature
	// columns or no outputs.
	ErrEmpty = errors.New("regression: no data")

	// ErrNonFinite means x, y, W or B holds a NaN or an infinity, or that
	// the data are so large that the cost itself overflows.
	ErrNonFinite = errors.New("regression: value is not finite")

	// ErrConfig means a Config field is out of range, such as a learning
	// rate that is not positive.
	ErrConfig = errors.New("regression: bad config")

	// ErrDiverged is matched (through errors.Is) by every *DivergedError.
	ErrDiverged = errors.New("regression: fit diverged")

	// ErrRankDeficient means the least-squares problem has no unique
	// solution: some feature column is (numerically) a combination of the
	// others or of the bias column, or there are fewer rows than parameters.
	ErrRankDeficient = errors.New("regression: data are rank deficient")
)

// Stop is returned by a Config.Callback to end a fit early on purpose. Fit
// then returns a nil error, as filepath.SkipAll ends a walk.
var Stop = errors.New("regression: stop requested by callback")

// DivergedError reports a gradient descent that ran away: its cost became
// NaN or infinite, or grew without bound (see Fit for the exact rule). When
// Fit returns it, the model's W and B have been put back to the last
// parameters whose cost was finite and normal, and their cost is LastCost.
type DivergedError struct {
	Step         int     // the step at whose start the divergence showed
	Cost         float64 // the cost at that step: NaN, ±Inf or far too large
	LastCost     float64 // the cost of the restored W and B (step Step−1)
	LearningRate float64 // the learning rate that was used
}

// Error says at which step the fit diverged and that the learning rate is
// the likely culprit.
func (e *DivergedError) Error() string {
	return fmt.Sprintf("regression: fit diverged at step %d (cost %g, last good cost %g): "+
		"learning rate %g is likely too large", e.Step, e.Cost, e.LastCost, e.LearningRate)
}

// Is reports whether target is ErrDiverged, so that errors.Is(err,
// ErrDiverged) holds for every *DivergedError.
func (e *DivergedError) Is(target error) bool { return target == ErrDiverged }
