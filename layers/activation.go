package layers

import (
	"fmt"
	"math"
	"slices"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/internal/relu"
	"github.com/numlearn/numlearn/tensor"
)

// activation is what every element-wise activation layer keeps: its last
// output, which its derivative is written in, and its result buffers.
type activation struct {
	y       *tensor.Tensor
	out, dx buffer.Reusable
}

// forward stores f(x) in the output buffer and remembers it.
func (a *activation) forward(x *tensor.Tensor, f func(dst, src *tensor.Tensor)) *tensor.Tensor {
	a.y = a.out.Shaped(x.Shape()...)
	f(a.y, x)
	return a.y
}

// backward checks dout against the last output and returns the dx buffer
// with the data of the output, dout and dx, for the layer's formula.
func (a *activation) backward(layer string, dout *tensor.Tensor) (dx *tensor.Tensor, y, d, g []float64) {
	dx = backwardBuffer(layer, a.y, dout, &a.dx)
	return dx, a.y.Data(), dout.Data(), dx.Data()
}

// backwardBuffer checks dout against last, the tensor of the output's
// shape that a layer's last Forward kept (nil before the first), and
// returns buf shaped as dout, for ∂L/∂x. It panics, naming the layer, if
// Forward has not run or the shapes differ.
func backwardBuffer(layer string, last, dout *tensor.Tensor, buf *buffer.Reusable) *tensor.Tensor {
	if last == nil {
		panic(fmt.Sprintf("layers: %s.Backward: called before Forward", layer))
	}
	if !slices.Equal(last.Shape(), dout.Shape()) {
		panic(fmt.Sprintf("layers: %s.Backward: dout shape %v does not match output shape %v", layer, dout.Shape(), last.Shape()))
	}
	return buf.Shaped(dout.Shape()...)
}

// elementWise is a layer whose Forward applies one scalar function to
// every element on its own, y[k] = f(x[k]), in any shape: forwardScalar(x)
// returns f(x), bit for bit what Forward puts in the element whose input
// is x, without touching the layer's state. A change to one input element
// then changes only the same element of the output, which the numerical
// gradient plan follows (numericalPlan). Sigmoid, ReLU and Tanh are
// elementWise.
type elementWise interface {
	Layer
	forwardScalar(x float64) float64
}

// Sigmoid is the layer y = 1/(1+e⁻ˣ) of the book's §5.5.2, element-wise on
// input of any shape. The zero value is ready to use.
type Sigmoid struct{ activation }

// Forward returns y = 1/(1+e⁻ˣ); the result is owned by the layer and
// valid until its next Forward.
func (s *Sigmoid) Forward(x *tensor.Tensor) *tensor.Tensor {
	return s.forward(x, (*tensor.Tensor).Sigmoid)
}

// Backward returns ∂L/∂x = dout·y·(1 − y), since σ'(x) = σ(x)(1 − σ(x)).
// It panics if dout's shape differs from the last output's.
func (s *Sigmoid) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, y, d, g := s.backward("Sigmoid", dout)
	for i, v := range y {
		g[i] = d[i] * v * (1 - v)
	}
	return dx
}

// forwardScalar returns 1/(1+e⁻ˣ), bit for bit the value Forward gives
// an element x (an elementWise layer).
func (s *Sigmoid) forwardScalar(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Describe returns the description of kind "Sigmoid".
func (s *Sigmoid) Describe() Description { return Description{Kind: "Sigmoid"} }

// Clone returns a new Sigmoid layer (it has no parameters to copy).
func (s *Sigmoid) Clone() Layer { return &Sigmoid{} }

// ReLU is the layer y = max(0, x) of the book's §5.5.1, element-wise on
// input of any shape. Its gradient is 1 where x > 0 and 0 where x ≤ 0 (at
// x = 0 too, as in the book's layer). The zero value is ready to use.
//
// A large input (a batch of 1000 rows of 1000, say) is shared among the
// cores in runs of elements; each element's result is the same wherever
// it is computed.
type ReLU struct {
	activation
	job      rangeJob
	fwd, bwd func(lo, hi int) // forwardRange and backwardRange, bound once
	x, d, g  []float64        // the data of the pass in progress
}

// reluPiece is the number of elements of one piece of a shared pass.
const reluPiece = 1 << 13

// Forward returns y = max(0, x); the result is owned by the layer and
// valid until its next Forward.
func (r *ReLU) Forward(x *tensor.Tensor) *tensor.Tensor {
	if 2*x.Size() < shareWork {
		return r.forward(x, (*tensor.Tensor).ReLU)
	}
	r.y = r.out.Shaped(x.Shape()...)
	if r.fwd == nil {
		r.fwd, r.bwd = r.forwardRange, r.backwardRange
	}
	r.x, r.g = x.Data(), r.y.Data()
	r.job.run(r.fwd, len(r.x), reluPiece, 2*len(r.x))
	r.x, r.g = nil, nil
	return r.y
}

// forwardRange computes elements [lo, hi) of y, as tensor's ReLU does.
func (r *ReLU) forwardRange(lo, hi int) {
	relu.Forward(r.g[lo:hi], r.x[lo:hi])
}

// Backward returns ∂L/∂x = dout where x > 0, else 0. (y > 0 exactly where
// x > 0, so the output serves as the book's mask.) It panics if dout's shape
// differs from the last output's.
func (r *ReLU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, y, d, g := r.backward("ReLU", dout)
	r.x, r.d, r.g = y, d, g
	if r.bwd == nil {
		r.fwd, r.bwd = r.forwardRange, r.backwardRange
	}
	r.job.run(r.bwd, len(y), reluPiece, 2*len(y))
	r.x, r.d, r.g = nil, nil, nil
	return dx
}

// backwardRange computes elements [lo, hi) of ∂L/∂x from y (in r.x).
func (r *ReLU) backwardRange(lo, hi int) {
	// y is +0 or positive (or NaN, where x was NaN and x <= 0 is false
	// too), so x > 0 exactly where y's bits are nonzero: dout passes there.
	relu.Backward(r.g[lo:hi], r.d[lo:hi], r.x[lo:hi])
}

// forwardScalar returns max(0, x), bit for bit the value Forward gives an
// element x (an elementWise layer).
func (r *ReLU) forwardScalar(x float64) float64 { return max(x, 0) }

// Describe returns the description of kind "ReLU".
func (r *ReLU) Describe() Description { return Description{Kind: "ReLU"} }

// Clone returns a new ReLU layer (it has no parameters to copy).
func (r *ReLU) Clone() Layer { return &ReLU{} }

// Tanh is the layer y = tanh(x), element-wise on input of any shape. The
// zero value is ready to use.
type Tanh struct{ activation }

// Forward returns y = tanh(x); the result is owned by the layer and valid
// until its next Forward.
func (t *Tanh) Forward(x *tensor.Tensor) *tensor.Tensor {
	return t.forward(x, (*tensor.Tensor).Tanh)
}

// Backward returns ∂L/∂x = dout·(1 − y²), since tanh' = 1 − tanh². It panics
// if dout's shape differs from the last output's.
func (t *Tanh) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, y, d, g := t.backward("Tanh", dout)
	for i, v := range y {
		g[i] = d[i] * (1 - v*v)
	}
	return dx
}

// forwardScalar returns tanh(x), bit for bit the value Forward gives an
// element x (an elementWise layer).
func (t *Tanh) forwardScalar(x float64) float64 { return math.Tanh(x) }

// Describe returns the description of kind "Tanh".
func (t *Tanh) Describe() Description { return Description{Kind: "Tanh"} }

// Clone returns a new Tanh layer (it has no parameters to copy).
func (t *Tanh) Clone() Layer { return &Tanh{} }
