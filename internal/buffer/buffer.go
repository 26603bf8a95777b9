package buffer

import (
	"slices"

	"github.com/numlearn/numlearn/tensor"
)

// Reusable hands out a tensor of the shape asked for, reusing its storage
// whenever it is large enough and its header always, so that a change of
// shape allocates nothing unless the storage must grow. The zero value is
// ready to use. Every call returns the same *tensor.Tensor: a tensor it
// returned stays valid until the next call that changes the shape, which
// changes that tensor's shape too.
type Reusable struct {
	t     tensor.Tensor
	store []float64
}

// Shaped returns a tensor of the given shape whose contents are whatever the
// storage last held: callers overwrite it.
func (r *Reusable) Shaped(shape ...int) *tensor.Tensor {
	if !r.t.IsEmpty() && slices.Equal(r.t.Shape(), shape) {
		return &r.t
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if cap(r.store) < n {
		r.store = make([]float64, n)
	}
	r.t.Wrap(r.store[:n:n], shape...)
	return &r.t
}
