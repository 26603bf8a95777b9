package regression

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/numlearn/numlearn/tensor"
)

// CostCurve returns cost(W) = mean((W·xᵢ − yᵢ)²) for each W in ws: the cost
// of the one-feature hypothesis H(x) = W·x without bias, the bowl that
// lecture 3 plots and gradient descent walks down. Expanding the square,
// cost(W) = (Σx²·W² − 2·Σxy·W + Σy²)/n, a parabola with its bottom at
// W = Σxy/Σx². With no points every cost is NaN (a mean of nothing).
// CostCurve panics if x and y have different lengths.
func CostCurve(x, y, ws []float64) []float64 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("regression: CostCurve: x has %d values, y has %d", len(x), len(y)))
	}
	costs := make([]float64, len(ws))
	r := make([]float64, len(x))
	for i, w := range ws {
		floats.ScaleTo(r, w, x)
		floats.Sub(r, y) // r = W·x − y
		costs[i] = floats.Dot(r, r) / float64(len(r))
	}
	return costs
}

// LeastSquares returns the model with bias that minimises Cost on x and y
// exactly, the closed-form answer that Fit approaches: it solves
// min ‖[x 1]·[W; B] − y‖² by a QR factorisation in gonum's mat, the bias
// being the coefficient of an appended column of ones. x has shape (rows,
// features) and y (rows, outputs), or (rows) for one output; the model has
// W (features, outputs) and B (outputs).
//
// The error wraps ErrShape, ErrEmpty or ErrNonFinite for data it cannot
// use, and ErrRankDeficient when the solution is not unique: fewer rows
// than features + 1, a column that is constant (it duplicates the bias) or
// a combination of others. A column counts as such when the condition
// number of [x 1] exceeds 1/(ε·max(rows, features+1)), numpy's rank
// tolerance, ε being the float64 machine epsilon.
func LeastSquares(x, y *tensor.Tensor) (*Linear, error) {
	return leastSquares(x, y, true)
}

// LeastSquaresNoBias is LeastSquares for the hypothesis without bias,
// H(x) = x·W: it solves min ‖x·W − y‖² and returns a model whose B is nil.
// With one feature the answer is W = Σxy/Σx², the bottom of CostCurve.
func LeastSquaresNoBias(x, y *tensor.Tensor) (*Linear, error) {
	return leastSquares(x, y, false)
}

func leastSquares(x, y *tensor.Tensor, bias bool) (*Linear, error) {
	if x == nil || x.Dims() != 2 {
		return nil, fmt.Errorf("%w: x has shape %s, want (rows, features)", ErrShape, shapeOf(x))
	}
	rows, features := x.Shape()[0], x.Shape()[1]
	if y == nil || y.Dims() < 1 || y.Dims() > 2 {
		return nil, fmt.Errorf("%w: y has shape %s, want (rows, outputs) or (rows)", ErrShape, shapeOf(y))
	}
	outputs := 1
	if y.Dims() == 2 {
		outputs = y.Shape()[1]
	}
	// The shapes are now consistent with a model of this size: let Check
	// do the rest.
	m := &Linear{W: tensor.New(features, outputs)}
	if bias {
		m.B = tensor.New(outputs)
	}
	yv, err := m.check(x, y)
	if err != nil {
		return nil, err
	}
	if err := m.checkFinite(x, y); err != nil {
		return nil, err
	}

	params := features
	if bias {
		params++
	}
	if rows < params {
		return nil, fmt.Errorf("%w: %d rows cannot determine %d parameters", ErrRankDeficient, rows, params)
	}
	a := mat.NewDense(rows, params, nil)
	a.Slice(0, rows, 0, features).(*mat.Dense).Copy(x.Dense())
	if bias {
		for i := range rows {
			a.Set(i, features, 1)
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	limit := 1 / (eps * float64(max(rows, params)))
	if cond := qr.Cond(); !(cond <= limit) {
		name := "x"
		if bias {
			name = "[x 1]"
		}
		return nil, fmt.Errorf("%w: condition number %.3g of %s exceeds %.3g", ErrRankDeficient, cond, name, limit)
	}
	var theta mat.Dense
	if err := qr.SolveTo(&theta, false, yv.Dense()); err != nil {
		var c mat.Condition
		if errors.As(err, &c) {
			return nil, fmt.Errorf("%w: condition number %.3g", ErrRankDeficient, float64(c))
		}
		return nil, fmt.Errorf("regression: least squares: %w", err)
	}
	// theta stacks W (features rows) over B (one row).
	m.W.Dense().Copy(theta.Slice(0, features, 0, outputs))
	if bias {
		copy(m.B.Data(), theta.RawRowView(features))
	}
	return m, nil
}

// eps is the float64 machine epsilon, 2⁻⁵².
const eps = 0x1p-52
