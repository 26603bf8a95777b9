package tensor

import (
	"fmt"
	"slices"
)

// ViewOf makes t a view of a's data with the given shape, as
// a.Reshape(shape...) returns, but in t itself: t's shape storage is
// reused, so reshaping in a loop (a layer flattening each batch it is
// given) allocates nothing once t has held a shape of as many dimensions.
// One dimension may be -1, inferred from the others. Whatever t held
// before is dropped, not changed. ViewOf panics as Reshape does if the
// shape does not fit a's size.
func (t *Tensor) ViewOf(a *Tensor, shape ...int) {
	infer, known := -1, 1
	for i, n := range shape {
		switch {
		case n == -1 && infer < 0:
			infer = i
		case n < 0:
			panic(fmt.Sprintf("tensor: ViewOf: bad shape %v for shape %v", slices.Clone(shape), a.shape))
		default:
			known *= n
		}
	}
	size := len(a.data)
	// The messages copy shape, so that it does not escape and a caller's
	// literal dimensions stay on its stack.
	switch {
	case infer >= 0 && (known == 0 || size%known != 0):
		panic(fmt.Sprintf("tensor: ViewOf: cannot view %v as %v", a.shape, slices.Clone(shape)))
	case infer < 0 && known != size:
		panic(fmt.Sprintf("tensor: ViewOf: cannot view %v as %v", a.shape, slices.Clone(shape)))
	}
	data := a.data
	t.shape = append(t.shape[:0], shape...)
	if infer >= 0 {
		t.shape[infer] = size / known
	}
	t.data = data
}
