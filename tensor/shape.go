package tensor

import (
	"fmt"
	"math"
	"slices"
)

// maxFastRank is the rank up to which shape bookkeeping lives on the stack,
// so that operations on ordinary tensors do not allocate.
const maxFastRank = 8

// shapeOrScalar turns a nil shape into the scalar shape [].
func shapeOrScalar(shape []int) []int {
	if shape == nil {
		return []int{}
	}
	return shape
}

// maxSize is the most elements a tensor can hold: the longest []float64
// whose size in bytes is still an int.
const maxSize = math.MaxInt / 8

// sizeOf returns the number of elements of shape, panicking on a negative
// dimension. Every shape a tensor takes passes through here.
func sizeOf(op string, shape []int) int {
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("tensor: %s: negative dimension in shape %v", op, slices.Clone(shape)))
		}
	}
	return dimsProduct(op, shape, shape)
}

// dimsProduct returns the product of dims, which are not negative, for the
// shape whole (named in the panic). It panics if the product of the
// non-zero dimensions exceeds maxSize, computing it without overflow: a
// shape such as [1<<32 1<<32], whose product wraps around to 0, is
// refused rather than taken for an empty tensor, and so is a shape with a
// zero dimension whose other dimensions could not be walked.
func dimsProduct(op string, dims, whole []int) int {
	n, zero := 1, false
	for _, d := range dims {
		switch {
		case d == 0:
			zero = true
		case n > maxSize/d:
			panic(fmt.Sprintf("tensor: %s: shape %v has more elements than a tensor can hold", op, slices.Clone(whole)))
		default:
			n *= d
		}
	}
	if zero {
		return 0
	}
	return n
}

// checkOperand panics unless a can be an input of op: a nil pointer or the
// zero value (an empty tensor, which has no shape) can only be a
// destination.
func checkOperand(op string, a *Tensor) {
	if a == nil {
		panic(fmt.Sprintf("tensor: %s: operand is nil", op))
	}
	if a.IsEmpty() {
		panic(fmt.Sprintf("tensor: %s: operand is an empty tensor (the zero value), which has no shape", op))
	}
}

// prepare makes t ready to receive a result of the given shape: an empty t
// is allocated, a t of another shape is a programmer error.
func (t *Tensor) prepare(op string, shape []int) {
	if t.IsEmpty() {
		n := sizeOf(op, shape)
		t.shape = append(make([]int, 0, len(shape)), shape...)
		t.data = make([]float64, n)
		return
	}
	if !slices.Equal(t.shape, shape) {
		panic(fmt.Sprintf("tensor: %s: receiver has shape %v, result has shape %v", op, t.shape, slices.Clone(shape)))
	}
}

// broadcastShape writes into buf the numpy broadcast of shapes a and b:
// aligned at the right, each pair of dimensions must be equal or one of them
// 1. It reports false if they cannot broadcast.
func broadcastShape(buf []int, a, b []int) ([]int, bool) {
	r := max(len(a), len(b))
	out := buf[:0]
	for p := range r {
		da, db := dimAt(a, p, r), dimAt(b, p, r)
		switch {
		case da == db || db == 1:
			out = append(out, da)
		case da == 1:
			out = append(out, db)
		default:
			return nil, false
		}
	}
	return out, true
}

// dimAt returns the dimension of shape at position p of a rank-r broadcast,
// where missing leading dimensions count as 1.
func dimAt(shape []int, p, r int) int {
	if q := p - (r - len(shape)); q >= 0 {
		return shape[q]
	}
	return 1
}

// broadcastStrides writes into buf the element strides of shape as seen
// through the rank-len(out) broadcast shape out: 0 along every dimension
// that is broadcast.
func broadcastStrides(buf []int, shape, out []int) []int {
	r := len(out)
	st := buf[:r]
	stride := 1
	for p := r - 1; p >= 0; p-- {
		d := dimAt(shape, p, r)
		if d == 1 && out[p] != 1 {
			st[p] = 0
		} else {
			st[p] = stride
		}
		stride *= d
	}
	return st
}

// coalesce merges adjacent dimensions that both operands walk contiguously
// (stride[p] == stride[p+1]·shape[p+1] for both), so that the innermost loop
// runs as long as possible. It works in place and returns the shortened
// slices.
func coalesce(shape, sa, sb []int) ([]int, []int, []int) {
	if len(shape) == 0 {
		return shape, sa, sb
	}
	// A dimension of size 1 is walked once whatever its strides: drop it, so
	// that it does not keep its neighbours apart ((n, 1) + (1) is one run
	// of n, not n runs of one).
	kept := 0
	for p := range shape {
		if shape[p] != 1 {
			shape[kept], sa[kept], sb[kept] = shape[p], sa[p], sb[p]
			kept++
		}
	}
	if kept == 0 { // every dimension is 1: one element
		return shape[:1], sa[:1], sb[:1]
	}
	shape, sa, sb = shape[:kept], sa[:kept], sb[:kept]
	n := 0
	for p := 1; p < len(shape); p++ {
		if sa[n] == sa[p]*shape[p] && sb[n] == sb[p]*shape[p] {
			shape[n] *= shape[p]
			sa[n], sb[n] = sa[p], sb[p]
			continue
		}
		n++
		shape[n], sa[n], sb[n] = shape[p], sa[p], sb[p]
	}
	return shape[:n+1], sa[:n+1], sb[:n+1]
}
