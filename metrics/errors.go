package metrics

import "errors"

// Sentinel errors. Every error that NewConfusion, Confusion.Add and
// NewRegression return wraps one of them, so that a caller can tell the
// cases apart with errors.Is; the message around it says where.
var (
	// ErrLabel means a true or predicted class label lies outside
	// [0, classes). The error names the sample and the label.
	ErrLabel = errors.New("metrics: label out of range")

	// ErrShape means predictions and targets do not fit together: their
	// shapes differ, or one is not (n) or (n, k).
	ErrShape = errors.New("metrics: shapes do not match")

	// ErrEmpty means there is nothing to measure: no samples or no outputs.
	ErrEmpty = errors.New("metrics: no data")

	// ErrNonFinite means a prediction or a target is NaN or infinite.
	ErrNonFinite = errors.New("metrics: value is not finite")
)
