package regression

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/floats"

	"github.com/numlearn/numlearn/tensor"
)

// Linear is the hypothesis H(x) = x·W + B of linear regression, for any
// number of features and outputs. W has shape (features, outputs); B has
// shape (outputs), or is nil for the hypothesis without bias, H(x) = x·W,
// whose cost curve lecture 3 draws.
//
// The fields are plain tensors: set them to start a fit from chosen values
// and read them after it.
type Linear struct{ W, B *tensor.Tensor }

// NewLinear returns a model with W (features, outputs) and B (outputs), all
// zeros, ready for Fit. Set B to nil for the hypothesis without bias.
// NewLinear panics if a dimension is negative.
func NewLinear(features, outputs int) *Linear {
	return &Linear{W: tensor.New(features, outputs), B: tensor.New(outputs)}
}

// Predict returns x·W + B, a new (rows, outputs) tensor, for x of shape
// (rows, features). Predict panics if x is not 2-D with W's row count as
// its column count, or if W or B is malformed; Check reports the same
// problems as an error.
func (m *Linear) Predict(x *tensor.Tensor) *tensor.Tensor {
	if _, err := m.check(x, nil); err != nil {
		panicShape("Predict", err)
	}
	var h tensor.Tensor
	m.forward(&h, x)
	return &h
}

// Cost returns the mean squared error of the predictions,
//
//	cost = mean((x·W + B − y)²) = 1/N · Σ rᵢⱼ²,   r = x·W + B − y,
//
// where N is the number of elements of y (rows × outputs). y has shape
// (rows, outputs), or (rows) when there is one output. Cost panics on the
// shape problems that Check reports; NaN or infinite values simply give a
// NaN or infinite cost.
func (m *Linear) Cost(x, y *tensor.Tensor) float64 {
	yv, err := m.checkXY(x, y)
	if err != nil {
		panicShape("Cost", err)
	}
	var r tensor.Tensor
	return m.residual(&r, x, yv)
}

// Gradient stores in dW and dB the exact gradient of Cost at the model's
// current W and B, and returns that cost (it comes for free on the way).
// With r = x·W + B − y and N the number of elements of y,
//
//	∂cost/∂W = 2/N · xᵀ·r          shape (features, outputs), like W
//	∂cost/∂B = 2/N · Σ_rows r      shape (outputs), like B
//
// dW and dB are destinations in the tensor package's sense: empty ones are
// sized by the call, non-empty ones must already have W's and B's shapes.
// When B is nil the model has no bias and dB is ignored (it may be nil).
// The model, x and y are not changed. Gradient panics on the shape
// problems that Check reports, or if dW or dB is not empty and has the
// wrong shape.
func (m *Linear) Gradient(dW, dB, x, y *tensor.Tensor) float64 {
	yv, err := m.checkXY(x, y)
	if err != nil {
		panicShape("Gradient", err)
	}
	if dW == nil || (m.B != nil && dB == nil) {
		panic("regression: Gradient: dW is nil, or dB is nil for a model with a bias")
	}
	for _, d := range []struct {
		name   string
		dst, p *tensor.Tensor
	}{{"dW", dW, m.W}, {"dB", dB, m.B}} {
		if d.p != nil && !d.dst.IsEmpty() && !slices.Equal(d.dst.Shape(), d.p.Shape()) {
			panic(fmt.Sprintf("regression: Gradient: %s has shape %v, want %v", d.name, d.dst.Shape(), d.p.Shape()))
		}
	}
	var r tensor.Tensor
	return m.gradient(dW, dB, &r, x, yv)
}

// Check reports whether x and y can be used with the model: W 2-D with at
// least one row and column, B nil or of shape (outputs), x of shape (rows,
// features) with at least one row, y of shape (rows, outputs) or (rows) when
// there is one output, and every value in them finite. The error wraps
// ErrShape, ErrEmpty or ErrNonFinite. Predict, Cost and Gradient panic on
// the shape errors; Fit returns all of them. y may be nil to check x alone.
func (m *Linear) Check(x, y *tensor.Tensor) error {
	if _, err := m.check(x, y); err != nil {
		return err
	}
	return m.checkFinite(x, y)
}

// checkXY is check for the entry points that need y: a nil y is an error.
func (m *Linear) checkXY(x, y *tensor.Tensor) (*tensor.Tensor, error) {
	yv, err := m.check(x, y)
	if err == nil && y == nil {
		return nil, fmt.Errorf("%w: y is nil, want (rows, outputs) or (rows)", ErrShape)
	}
	return yv, err
}

// check validates the shapes of the model and the data and returns y viewed
// as (rows, outputs). y may be nil, for Predict and Check.
func (m *Linear) check(x, y *tensor.Tensor) (*tensor.Tensor, error) {
	features, outputs, err := m.dims()
	if err != nil {
		return nil, err
	}
	if x == nil || x.Dims() != 2 {
		return nil, fmt.Errorf("%w: x has shape %s, want (rows, %d)", ErrShape, shapeOf(x), features)
	}
	rows := x.Shape()[0]
	if x.Shape()[1] != features {
		return nil, fmt.Errorf("%w: x has shape %v but W has shape %v: x needs %d columns",
			ErrShape, x.Shape(), m.W.Shape(), features)
	}
	if rows == 0 {
		return nil, fmt.Errorf("%w: x has no rows", ErrEmpty)
	}
	if y == nil {
		return nil, nil
	}
	switch {
	case y.Dims() == 1 && outputs == 1:
		if y.Size() != rows {
			return nil, fmt.Errorf("%w: x has %d rows but y has %d", ErrShape, rows, y.Size())
		}
		return y.Reshape(rows, 1), nil
	case y.Dims() == 2:
		if y.Shape()[0] != rows {
			return nil, fmt.Errorf("%w: x has %d rows but y has %d", ErrShape, rows, y.Shape()[0])
		}
		if y.Shape()[1] != outputs {
			return nil, fmt.Errorf("%w: y has shape %v but W has shape %v: y needs %d columns",
				ErrShape, y.Shape(), m.W.Shape(), outputs)
		}
		return y, nil
	}
	return nil, fmt.Errorf("%w: y has shape %v, want (%d, %d)", ErrShape, y.Shape(), rows, outputs)
}

// dims validates W and B and returns the model's feature and output counts.
func (m *Linear) dims() (features, outputs int, err error) {
	if m == nil {
		return 0, 0, fmt.Errorf("%w: the model is nil", ErrShape)
	}
	if m.W == nil || m.W.Dims() != 2 {
		return 0, 0, fmt.Errorf("%w: W has shape %s, want (features, outputs)", ErrShape, shapeOf(m.W))
	}
	features, outputs = m.W.Shape()[0], m.W.Shape()[1]
	if features == 0 || outputs == 0 {
		return 0, 0, fmt.Errorf("%w: W has shape %v: no features or no outputs", ErrEmpty, m.W.Shape())
	}
	if m.B != nil && (m.B.Dims() != 1 || m.B.Size() != outputs) {
		return 0, 0, fmt.Errorf("%w: B has shape %v but W has shape %v: want B of shape [%d]",
			ErrShape, m.B.Shape(), m.W.Shape(), outputs)
	}
	return features, outputs, nil
}

// checkFinite reports the first NaN or infinity in the model or the data.
func (m *Linear) checkFinite(x, y *tensor.Tensor) error {
	for _, v := range []struct {
		name string
		t    *tensor.Tensor
	}{{"x", x}, {"y", y}, {"W", m.W}, {"B", m.B}} {
		if v.t == nil {
			continue
		}
		if i := firstNonFinite(v.t.Data()); i >= 0 {
			return fmt.Errorf("%w: %s holds %g at flat index %d", ErrNonFinite, v.name, v.t.Data()[i], i)
		}
	}
	return nil
}

// forward stores h = x·W + B in h, sizing an empty h as (rows, outputs).
func (m *Linear) forward(h, x *tensor.Tensor) {
	h.MatMul(x, m.W)
	if m.B != nil {
		h.Add(h, m.B) // B broadcast over the rows
	}
}

// residual stores r = x·W + B − y in r and returns the cost mean(r²).
func (m *Linear) residual(r, x, y *tensor.Tensor) float64 {
	m.forward(r, x)
	r.Sub(r, y)
	d := r.Data()
	return floats.Dot(d, d) / float64(len(d))
}

// gradient stores the gradient of the cost in dW and dB, using r as the
// residual buffer, and returns the cost. y has shape (rows, outputs).
func (m *Linear) gradient(dW, dB, r, x, y *tensor.Tensor) float64 {
	cost := m.residual(r, x, y)
	scale := 2 / float64(r.Size())
	dW.Gemm(true, false, scale, x, r, 0) // ∂cost/∂W = 2/N·xᵀr
	if m.B != nil {
		dB.SumAxis(r, 0) // ∂cost/∂B = 2/N·Σ_rows r
		dB.Scale(scale, dB)
	}
	return cost
}

// firstNonFinite returns the index of the first NaN or ±Inf in s, or -1.
func firstNonFinite(s []float64) int {
	for i, v := range s {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i
		}
	}
	return -1
}

// shapeOf formats t's shape for an error message, "nil" for no tensor.
func shapeOf(t *tensor.Tensor) string {
	if t == nil {
		return "nil"
	}
	return fmt.Sprint(t.Shape())
}

// panicShape turns a shape error into the panic of a programmer error,
// naming the operation.
func panicShape(op string, err error) {
	panic(fmt.Sprintf("regression: %s: %s", op, strings.TrimPrefix(err.Error(), "regression: ")))
}
