package layers

import (
	"fmt"
	"slices"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/tensor"
)

// Sigmoid is the layer y = 1/(1+e⁻ˣ) of the book's §5.5.2, element-wise on
// input of any shape. The zero value is ready to use.
type Sigmoid struct {
	y       *tensor.Tensor
	out, dx buffer.Reusable
}

// Forward returns y = 1/(1+e⁻ˣ); the result is owned by the layer and
// valid until its next Forward.
func (s *Sigmoid) Forward(x *tensor.Tensor) *tensor.Tensor {
	s.y = s.out.Shaped(x.Shape()...)
	s.y.Sigmoid(x)
	return s.y
}

// Backward returns ∂L/∂x = dout·y·(1 − y), since σ'(x) = σ(x)(1 − σ(x)).
// It panics if dout's shape differs from the last output's.
func (s *Sigmoid) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("Sigmoid", s.y, dout)
	dx := s.dx.Shaped(dout.Shape()...)
	y, d, g := s.y.Data(), dout.Data(), dx.Data()
	for i, v := range y {
		g[i] = d[i] * v * (1 - v)
	}
	return dx
}

// Clone returns a new Sigmoid layer (it has no parameters to copy).
func (s *Sigmoid) Clone() *Sigmoid { return &Sigmoid{} }

// ReLU is the layer y = max(0, x) of the book's §5.5.1, element-wise on
// input of any shape. Its gradient is 1 where x > 0 and 0 where x ≤ 0 (at
// x = 0 too, as in the book's layer). The zero value is ready to use.
type ReLU struct {
	y       *tensor.Tensor
	out, dx buffer.Reusable
}

// Forward returns y = max(0, x); the result is owned by the layer and
// valid until its next Forward.
func (r *ReLU) Forward(x *tensor.Tensor) *tensor.Tensor {
	r.y = r.out.Shaped(x.Shape()...)
	r.y.ReLU(x)
	return r.y
}

// Backward returns ∂L/∂x = dout where x > 0, else 0. (y > 0 exactly where
// x > 0, so the output serves as the book's mask.) It panics if dout's shape
// differs from the last output's.
func (r *ReLU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("ReLU", r.y, dout)
	dx := r.dx.Shaped(dout.Shape()...)
	y, d, g := r.y.Data(), dout.Data(), dx.Data()
	for i, v := range y {
		if v > 0 {
			g[i] = d[i]
		} else {
			g[i] = 0
		}
	}
	return dx
}

// Clone returns a new ReLU layer (it has no parameters to copy).
func (r *ReLU) Clone() *ReLU { return &ReLU{} }

// Tanh is the layer y = tanh(x), element-wise on input of any shape. The
// zero value is ready to use.
type Tanh struct {
	y       *tensor.Tensor
	out, dx buffer.Reusable
}

// Forward returns y = tanh(x); the result is owned by the layer and valid
// until its next Forward.
func (t *Tanh) Forward(x *tensor.Tensor) *tensor.Tensor {
	t.y = t.out.Shaped(x.Shape()...)
	t.y.Tanh(x)
	return t.y
}

// Backward returns ∂L/∂x = dout·(1 − y²), since tanh' = 1 − tanh². It panics
// if dout's shape differs from the last output's.
func (t *Tanh) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("Tanh", t.y, dout)
	dx := t.dx.Shaped(dout.Shape()...)
	y, d, g := t.y.Data(), dout.Data(), dx.Data()
	for i, v := range y {
		g[i] = d[i] * (1 - v*v)
	}
	return dx
}

// Clone returns a new Tanh layer (it has no parameters to copy).
func (t *Tanh) Clone() *Tanh { return &Tanh{} }

func checkBackward(layer string, y, dout *tensor.Tensor) {
	if y == nil {
		panic(fmt.Sprintf("layers: %s.Backward: called before Forward", layer))
	}
	if !slices.Equal(y.Shape(), dout.Shape()) {
		panic(fmt.Sprintf("layers: %s.Backward: dout shape %v does not match output shape %v", layer, dout.Shape(), y.Shape()))
	}
}
