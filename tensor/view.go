package tensor

import (
	"fmt"
	"slices"
)

// Wrap makes t a tensor of the given shape over data, without copying, as
// FromSlice returns one — but in t itself, reusing t's shape storage, so
// that reshaping in a loop (a layer flattening each batch it is given, a
// buffer taking the shape of each batch) allocates nothing once t has held
// a shape of as many dimensions. One dimension may be -1, inferred from
// the others. Whatever t held before is dropped, not changed. Wrap panics
// if the shape does not fit len(data).
func (t *Tensor) Wrap(data []float64, shape ...int) {
	infer, known := -1, 1
	for i, n := range shape {
		switch {
		case n == -1 && infer < 0:
			infer = i
		case n < 0:
			panic(fmt.Sprintf("tensor: Wrap: bad shape %v", slices.Clone(shape)))
		default:
			known *= n
		}
	}
	// The messages copy shape, so that it does not escape and a caller's
	// literal dimensions stay on its stack.
	switch {
	case infer >= 0 && (known == 0 || len(data)%known != 0):
		panic(fmt.Sprintf("tensor: Wrap: %d elements do not fit shape %v", len(data), slices.Clone(shape)))
	case infer < 0 && known != len(data):
		panic(fmt.Sprintf("tensor: Wrap: %d elements do not fit shape %v", len(data), slices.Clone(shape)))
	}
	t.shape = append(t.shape[:0], shape...)
	if infer >= 0 {
		t.shape[infer] = len(data) / known
	}
	t.data = data
}
