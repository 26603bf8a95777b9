package tensor

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/numlearn/numlearn/internal/prefetch"
)

// Tensor is a dense N-dimensional array of float64 values stored
// contiguously in row-major order. The zero value is an empty tensor, ready
// to be used as the destination of any operation, which sizes it.
type Tensor struct {
	shape []int
	data  []float64
}

// New returns a zero-filled tensor of the given shape. New() with no
// arguments is a scalar (shape [], one element). New panics if a dimension
// is negative or the shape has more elements than a Go slice can hold
// (Full, RandN, FromSlice and Reshape too).
func New(shape ...int) *Tensor { return newTensor("New", shape) }

// newTensor is New for op, which its panics name.
func newTensor(op string, shape []int) *Tensor {
	n := sizeOf(op, shape)
	return &Tensor{shape: slices.Clone(shapeOrScalar(shape)), data: make([]float64, n)}
}

// FromSlice returns a tensor of the given shape that wraps data without
// copying it: later writes to either are seen by both. With no shape the
// tensor is 1-D of length len(data). FromSlice panics if the shape's size
// differs from len(data).
func FromSlice(data []float64, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	if n := sizeOf("FromSlice", shape); n != len(data) {
		panic(fmt.Sprintf("tensor: FromSlice: shape %v needs %d values, have %d", slices.Clone(shape), n, len(data)))
	}
	return &Tensor{shape: slices.Clone(shape), data: data}
}

// Scalar returns a tensor of shape [] holding v.
func Scalar(v float64) *Tensor {
	return &Tensor{shape: []int{}, data: []float64{v}}
}

// FromRows returns a new 2-D tensor (len(rows), len(rows[0])) holding a copy
// of rows, like numpy's array([[…], […]]). FromRows panics if the rows have
// different lengths.
func FromRows(rows [][]float64) *Tensor {
	if len(rows) == 0 {
		return New(0, 0)
	}
	cols := len(rows[0])
	t := New(len(rows), cols)
	for i, r := range rows {
		if len(r) != cols {
			panic(fmt.Sprintf("tensor: FromRows: row %d has %d values, row 0 has %d", i, len(r), cols))
		}
		copy(t.data[i*cols:], r)
	}
	return t
}

// Full returns a tensor of the given shape with every element set to v.
func Full(v float64, shape ...int) *Tensor {
	t := newTensor("Full", shape)
	t.Fill(v)
	return t
}

// RandN returns a tensor of the given shape filled with samples from the
// normal distribution N(0, std²) drawn from rng, in row-major order: the
// same rng state gives the same tensor.
func RandN(rng *rand.Rand, std float64, shape ...int) *Tensor {
	t := newTensor("RandN", shape)
	for i := range t.data {
		t.data[i] = std * rng.NormFloat64()
	}
	return t
}

// Shape returns the tensor's dimensions. The slice is the tensor's own:
// do not modify it.
func (t *Tensor) Shape() []int { return t.shape }

// Dims returns the number of dimensions (0 for a scalar or an empty tensor).
func (t *Tensor) Dims() int { return len(t.shape) }

// Size returns the number of elements.
func (t *Tensor) Size() int { return len(t.data) }

// Data returns the backing slice in row-major order. Writes to it change the
// tensor and every view that shares its data.
func (t *Tensor) Data() []float64 { return t.data }

// IsEmpty reports whether t is the zero value, which an operation sizes when
// t is its receiver. A tensor with a zero dimension, such as New(0, 3), is
// not empty: it has a shape.
func (t *Tensor) IsEmpty() bool { return t.shape == nil && t.data == nil }

// Reset makes t empty again, so that the next operation sizes it afresh.
// Views of t keep the old data.
func (t *Tensor) Reset() { t.shape, t.data = nil, nil }

// At returns the element at the given index, one value per dimension.
// At panics if the number of indices differs from Dims or one is out of range.
func (t *Tensor) At(idx ...int) float64 { return t.data[t.offset("At", idx)] }

// Set stores v at the given index. Set panics as At does.
func (t *Tensor) Set(v float64, idx ...int) { t.data[t.offset("Set", idx)] = v }

func (t *Tensor) offset(op string, idx []int) int {
	if t.IsEmpty() {
		panic(fmt.Sprintf("tensor: %s: empty tensor (the zero value) has no elements", op))
	}
	if len(idx) != len(t.shape) {
		panic(fmt.Sprintf("tensor: %s: %d indices for shape %v", op, len(idx), t.shape))
	}
	off := 0
	for i, n := range t.shape {
		if idx[i] < 0 || idx[i] >= n {
			panic(fmt.Sprintf("tensor: %s: index %v out of range for shape %v", op, slices.Clone(idx), t.shape))
		}
		off = off*n + idx[i]
	}
	return off
}

// Fill sets every element of t to v.
func (t *Tensor) Fill(v float64) {
	for i := range t.data {
		t.data[i] = v
	}
}

// Zero sets every element of t to 0.
func (t *Tensor) Zero() { clear(t.data) }

// Reshape returns a view of t with a new shape and the same data. One
// dimension may be -1: it is inferred from the others. Reshape panics if the
// sizes differ, if more than one dimension is -1 or if one is below -1.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = slices.Clone(shapeOrScalar(shape))
	infer := -1
	for i, n := range shape {
		switch {
		case n == -1 && infer < 0:
			infer = i
		case n < 0:
			panic(fmt.Sprintf("tensor: Reshape: bad shape %v for shape %v", shape, t.shape))
		}
	}
	var known int
	if infer >= 0 {
		known = dimsProduct("Reshape", slices.Delete(slices.Clone(shape), infer, infer+1), shape)
	} else {
		known = dimsProduct("Reshape", shape, shape)
	}
	if infer >= 0 {
		if known == 0 || len(t.data)%known != 0 {
			panic(fmt.Sprintf("tensor: Reshape: cannot reshape %v into %v", t.shape, shape))
		}
		shape[infer] = len(t.data) / known
	} else if known != len(t.data) {
		panic(fmt.Sprintf("tensor: Reshape: cannot reshape %v into %v", t.shape, shape))
	}
	return &Tensor{shape: shape, data: t.data}
}

// Row returns a view of element i along the first axis: for a matrix, row i
// as a 1-D tensor. Row panics if t is a scalar or i is out of range.
func (t *Tensor) Row(i int) *Tensor {
	if len(t.shape) == 0 || i < 0 || i >= t.shape[0] {
		panic(fmt.Sprintf("tensor: Row: index %d out of range for shape %v", i, t.shape))
	}
	inner := t.innerSize()
	return &Tensor{shape: slices.Clone(t.shape[1:]), data: t.data[i*inner : (i+1)*inner : (i+1)*inner]}
}

// Slice returns a view of elements [from, to) along the first axis, sharing
// t's data, like numpy's t[from:to]. Slice panics unless 0 <= from <= to <=
// t.Shape()[0].
func (t *Tensor) Slice(from, to int) *Tensor {
	if len(t.shape) == 0 || from < 0 || from > to || to > t.shape[0] {
		panic(fmt.Sprintf("tensor: Slice: range [%d:%d] out of range for shape %v", from, to, t.shape))
	}
	inner := t.innerSize()
	shape := slices.Clone(t.shape)
	shape[0] = to - from
	return &Tensor{shape: shape, data: t.data[from*inner : to*inner : to*inner]}
}

// TakeRows stores in t the entries rows of a along its first axis, in that
// order and repeats allowed, like numpy's a[rows] or a.take(rows, axis=0):
// t becomes (len(rows), a.Shape()[1:]…). It is how a mini-batch is
// gathered from a data set; with a sized t it allocates nothing. TakeRows
// panics if a is a scalar, a row is out of range or t has the wrong shape;
// t must not share data with a.
func (t *Tensor) TakeRows(a *Tensor, rows []int) {
	checkOperand("TakeRows", a)
	if len(a.shape) == 0 {
		panic(fmt.Sprintf("tensor: TakeRows: shape %v has no rows", a.shape))
	}
	var buf [maxFastRank]int
	out := append(append(buf[:0], len(rows)), a.shape[1:]...)
	t.prepare("TakeRows", out)
	inner := a.innerSize()
	for _, r := range rows {
		if r < 0 || r >= a.shape[0] {
			panic(fmt.Sprintf("tensor: TakeRows: row %d out of range for shape %v", r, a.shape))
		}
		// Ask for every row's first lines before copying any, so that the
		// misses of rows scattered over a large a overlap.
		prefetch.Head(a.data[r*inner:(r+1)*inner], prefetch.Row)
	}
	for i, r := range rows {
		copy(t.data[i*inner:(i+1)*inner], a.data[r*inner:(r+1)*inner])
	}
}

// innerSize is the number of elements in one entry along the first axis.
func (t *Tensor) innerSize() int {
	n := 1
	for _, d := range t.shape[1:] {
		n *= d
	}
	return n
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	if t.IsEmpty() {
		return &Tensor{}
	}
	return &Tensor{shape: slices.Clone(t.shape), data: slices.Clone(t.data)}
}

// CopyFrom copies a's elements into t. An empty t takes a's shape;
// otherwise CopyFrom panics if the shapes differ.
func (t *Tensor) CopyFrom(a *Tensor) {
	checkOperand("CopyFrom", a)
	t.prepare("CopyFrom", a.shape)
	copy(t.data, a.data)
}

// Transpose returns a new 2-D tensor holding the transpose of t (a copy,
// unlike numpy's .T view). Products with a transposed operand need no copy:
// see MatMulTransA and MatMulTransB. Transpose panics if t is not 2-D.
func (t *Tensor) Transpose() *Tensor {
	if len(t.shape) != 2 {
		panic(fmt.Sprintf("tensor: Transpose: shape %v is not 2-D", t.shape))
	}
	r, c := t.shape[0], t.shape[1]
	out := New(c, r)
	for i := range r {
		for j := range c {
			out.data[j*r+i] = t.data[i*c+j]
		}
	}
	return out
}
