package buffer

import (
	"slices"

	"github.com/numlearn/numlearn/tensor"
)

// Reusable hands out a tensor of the shape asked for, reusing the last one
// when the shape is unchanged (no allocation) and its storage whenever it is
// large enough. The zero value is ready to use. A tensor it returned stays
// valid until the next call that changes the shape.
type Reusable struct {
	t     *tensor.Tensor
	store []float64
}

// Shaped returns a tensor of the given shape whose contents are whatever the
// storage last held: callers overwrite it.
func (r *Reusable) Shaped(shape ...int) *tensor.Tensor {
	if r.t != nil && slices.Equal(r.t.Shape(), shape) {
		return r.t
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if cap(r.store) < n {
		r.store = make([]float64, n)
	}
	r.t = tensor.FromSlice(r.store[:n:n], shape...)
	return r.t
}
