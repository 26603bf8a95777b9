package tensor

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// Sum returns the sum of all elements (0 for no elements).
func (t *Tensor) Sum() float64 { return floats.Sum(t.data) }

// Mean returns the arithmetic mean of all elements (NaN for no elements,
// as numpy).
func (t *Tensor) Mean() float64 {
	if len(t.data) == 0 {
		return math.NaN()
	}
	return floats.Sum(t.data) / float64(len(t.data))
}

// Max returns the largest element. It panics if t has no elements.
func (t *Tensor) Max() float64 {
	if len(t.data) == 0 {
		panic(fmt.Sprintf("tensor: Max: no elements in shape %v", t.shape))
	}
	return floats.Max(t.data)
}

// ArgMax returns, for each row along the last axis, the index of its
// largest element (the first one on ties): one index per row of a matrix,
// a single index for a vector or scalar. It panics if the last axis has
// length 0. See AppendArgMax for a form that does not allocate.
func (t *Tensor) ArgMax() []int {
	return t.AppendArgMax(make([]int, 0, len(t.data)/max(lastDim("ArgMax", t), 1)))
}

// AppendArgMax appends the per-row ArgMax indices to dst and returns the
// extended slice, like strconv.AppendInt: with a dst of enough capacity it
// does not allocate.
func (t *Tensor) AppendArgMax(dst []int) []int {
	n := lastDim("ArgMax", t)
	if n == 0 {
		panic(fmt.Sprintf("tensor: ArgMax: last axis of shape %v is empty", t.shape))
	}
	for off := 0; off < len(t.data); off += n {
		row := t.data[off : off+n]
		best := 0
		for i, v := range row[1:] {
			if v > row[best] {
				best = i + 1
			}
		}
		dst = append(dst, best)
	}
	return dst
}

// SumAxis stores in t the sums of a along axis, which disappears from the
// shape as in numpy's a.sum(axis): a (n, m) matrix summed along axis 0 gives
// the (m) column sums a bias gradient needs. A negative axis counts from the
// end. SumAxis panics if the axis is out of range or t has the wrong shape;
// t must not share data with a.
func (t *Tensor) SumAxis(a *Tensor, axis int) { t.reduceAxis("SumAxis", a, axis, false) }

// MeanAxis stores in t the means of a along axis, as SumAxis does for sums.
func (t *Tensor) MeanAxis(a *Tensor, axis int) { t.reduceAxis("MeanAxis", a, axis, true) }

func (t *Tensor) reduceAxis(op string, a *Tensor, axis int, mean bool) {
	checkOperand(op, a)
	r := len(a.shape)
	if axis < -r || axis >= r {
		panic(fmt.Sprintf("tensor: %s: axis %d out of range for shape %v", op, axis, a.shape))
	}
	if axis < 0 {
		axis += r
	}
	var buf [maxFastRank]int
	out := append(buf[:0], a.shape[:axis]...)
	out = append(out, a.shape[axis+1:]...)
	t.prepare(op, out)
	outer, n, inner := 1, a.shape[axis], 1
	for _, d := range a.shape[:axis] {
		outer *= d
	}
	for _, d := range a.shape[axis+1:] {
		inner *= d
	}
	if inner == 1 {
		// Each sum is over a contiguous run, as along the last axis or down
		// an (n, 1) column.
		for o := range outer {
			t.data[o] = floats.Sum(a.data[o*n : (o+1)*n])
		}
	} else {
		t.sumRows(a, outer, n, inner)
	}
	if mean && n > 0 {
		floats.Scale(1/float64(n), t.data)
	} else if mean {
		for i := range t.data {
			t.data[i] = math.NaN()
		}
	}
}

// sumRows stores in t, for each of outer blocks of a, the sum of its n
// rows of length inner.
func (t *Tensor) sumRows(a *Tensor, outer, n, inner int) {
	clear(t.data)
	// Rows of length inner are added whole, so the inner loop is contiguous.
	for o := range outer {
		dst := t.data[o*inner : (o+1)*inner]
		for k := range n {
			off := (o*n + k) * inner
			floats.Add(dst, a.data[off:off+inner])
		}
	}
}
