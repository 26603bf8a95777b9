package tensor

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Printing follows numpy's str(): values share one format and align on the
// decimal point, nested rows are bracketed, and large tensors are elided.
const (
	printThreshold = 1000 // more elements than this are summarised…
	printEdge      = 3    // …showing this many at each end of every axis
	printPrecision = 8    // digits after the point, at most
)

// String formats t like numpy's str(): for example
//
//	[[1.   2.5 ]
//	 [3.   4.25]]
//
// Tensors with more than 1000 elements show only the first and last three
// entries along each axis, with "..." between.
func (t *Tensor) String() string {
	if len(t.data) == 0 {
		return "[]"
	}
	elide := len(t.data) > printThreshold
	var shown []float64
	t.visit(0, 0, elide, func(v float64) { shown = append(shown, v) })
	f := newFormatter(shown)
	if len(t.shape) == 0 {
		return f.format(t.data[0])
	}
	var sb strings.Builder
	t.write(&sb, f, 0, 0, elide)
	return sb.String()
}

// visit calls fn for every element that printing shows, in order.
func (t *Tensor) visit(dim, off int, elide bool, fn func(float64)) {
	if dim == len(t.shape) {
		fn(t.data[off])
		return
	}
	stride := sizeOfFrom(t.shape, dim+1)
	for _, i := range shownIndices(t.shape[dim], elide) {
		if i >= 0 {
			t.visit(dim+1, off+i*stride, elide, fn)
		}
	}
}

// write prints the sub-array at dimension dim starting at element off.
func (t *Tensor) write(sb *strings.Builder, f formatter, dim, off int, elide bool) {
	sb.WriteByte('[')
	stride := sizeOfFrom(t.shape, dim+1)
	last := dim == len(t.shape)-1
	sep := " "
	if !last {
		sep = strings.Repeat("\n", len(t.shape)-dim-1) + strings.Repeat(" ", dim+1)
	}
	for n, i := range shownIndices(t.shape[dim], elide) {
		if n > 0 {
			sb.WriteString(sep)
		}
		switch {
		case i < 0:
			sb.WriteString("...")
		case last:
			sb.WriteString(f.format(t.data[off+i]))
		default:
			t.write(sb, f, dim+1, off+i*stride, elide)
		}
	}
	sb.WriteByte(']')
}

// shownIndices lists the indices printed along an axis of length n, with -1
// standing for the elided middle.
func shownIndices(n int, elide bool) []int {
	if !elide || n <= 2*printEdge {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := []int{0, 1, 2, -1, n - 3, n - 2, n - 1}
	return idx[:2*printEdge+1]
}

func sizeOfFrom(shape []int, dim int) int {
	n := 1
	for _, d := range shape[dim:] {
		n *= d
	}
	return n
}

// formatter holds the format shared by all printed values.
type formatter struct {
	sci         bool
	prec        int // digits after the point (of the mantissa, in sci mode)
	intW, fracW int // widths of the parts before and after the point
	nonFiniteW  int
}

func newFormatter(vals []float64) formatter {
	f := formatter{}
	var finite []float64
	for _, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, v)
		}
	}
	if len(finite) > 0 {
		lo, hi := math.Inf(1), 0.0
		for _, v := range finite {
			if a := math.Abs(v); a != 0 {
				lo, hi = min(lo, a), max(hi, a)
			}
		}
		f.sci = hi >= 1e8 || (lo < 1e-4 && lo > 0)
		for _, v := range finite {
			f.prec = max(f.prec, digitsAfterPoint(f.raw(v, printPrecision)))
		}
	}
	for _, v := range vals {
		s := f.raw(v, f.prec)
		if i := strings.IndexByte(s, '.'); i >= 0 {
			f.intW = max(f.intW, i)
			f.fracW = max(f.fracW, len(trimExp(s))-i)
		} else {
			f.nonFiniteW = max(f.nonFiniteW, len(s))
		}
	}
	return f
}

// raw formats v with at most prec digits after the point, trailing zeros
// removed but the point kept ("1.", "0.25", "1.5e-05").
func (f formatter) raw(v float64, prec int) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	if f.sci {
		s := strconv.FormatFloat(v, 'e', prec, 64)
		mant, exp, _ := strings.Cut(s, "e")
		if !strings.Contains(mant, ".") {
			mant += "."
		}
		return strings.TrimRight(mant, "0") + "e" + exp
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if !strings.Contains(s, ".") {
		return s + "."
	}
	return strings.TrimRight(s, "0")
}

// format pads v's text so that every value lines up on the decimal point.
func (f formatter) format(v float64) string {
	s := f.raw(v, f.prec)
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return strings.Repeat(" ", max(0, f.intW+f.fracW-len(s))) + s
	}
	mant, exp := s, ""
	if f.sci {
		mant, exp = trimExp(s), s[len(trimExp(s)):]
	}
	return strings.Repeat(" ", f.intW-i) + mant + exp + strings.Repeat(" ", f.fracW-(len(mant)-i))
}

func digitsAfterPoint(s string) int {
	s = trimExp(s)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

func trimExp(s string) string {
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		return s[:i]
	}
	return s
}

// AllClose reports whether a and b have the same shape and every pair of
// elements satisfies |a − b| ≤ atol + rtol·|b|, as numpy.allclose (whose
// defaults are rtol = 1e-5, atol = 1e-8). An infinity is close only to
// itself, and NaN to nothing.
func AllClose(a, b *Tensor, rtol, atol float64) bool {
	if !slices.Equal(a.shape, b.shape) {
		return false
	}
	for i, x := range a.data {
		y := b.data[i]
		if x == y {
			continue // also equal infinities
		}
		if math.IsInf(x, 0) || math.IsInf(y, 0) || !(math.Abs(x-y) <= atol+rtol*math.Abs(y)) {
			return false
		}
	}
	return true
}
