package tensor

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/floats"
)

// binop names an element-wise binary operation.
type binop int

const (
	opAdd binop = iota
	opSub
	opMul
	opDiv
)

var binopNames = [...]string{opAdd: "Add", opSub: "Sub", opMul: "Mul", opDiv: "Div"}

func (op binop) apply(x, y float64) float64 {
	switch op {
	case opAdd:
		return x + y
	case opSub:
		return x - y
	case opMul:
		return x * y
	default:
		return x / y
	}
}

// Add stores a + b in t, element-wise with broadcasting.
// It panics if a and b cannot broadcast or t has the wrong shape.
func (t *Tensor) Add(a, b *Tensor) { t.binary(opAdd, a, b) }

// Sub stores a − b in t, element-wise with broadcasting.
// It panics if a and b cannot broadcast or t has the wrong shape.
func (t *Tensor) Sub(a, b *Tensor) { t.binary(opSub, a, b) }

// Mul stores a ⊙ b (the element-wise product) in t, with broadcasting. For
// the matrix product see MatMul. It panics if a and b cannot broadcast or t
// has the wrong shape.
func (t *Tensor) Mul(a, b *Tensor) { t.binary(opMul, a, b) }

// Div stores a / b in t, element-wise with broadcasting; division by zero
// follows IEEE 754 (±Inf or NaN). It panics if a and b cannot broadcast or
// t has the wrong shape.
func (t *Tensor) Div(a, b *Tensor) { t.binary(opDiv, a, b) }

// binary computes t = a op b under numpy broadcasting. The broadcast shape
// is walked as an odometer over all but the innermost coalesced dimension,
// whose loop runs in rowKernel with strides 0 or 1.
func (t *Tensor) binary(op binop, a, b *Tensor) {
	checkOperand(binopNames[op], a)
	checkOperand(binopNames[op], b)
	var outBuf, saBuf, sbBuf [maxFastRank]int
	out, ok := broadcastShape(outBuf[:], a.shape, b.shape)
	if !ok {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v cannot broadcast", binopNames[op], a.shape, b.shape))
	}
	t.prepare(binopNames[op], out)
	if len(t.data) == 0 {
		return
	}
	if len(a.data) == len(t.data) && len(b.data) == len(t.data) {
		rowKernel(op, t.data, a.data, b.data, 1, 1)
		return
	}
	sa := broadcastStrides(grow(saBuf[:], len(out)), a.shape, out)
	sb := broadcastStrides(grow(sbBuf[:], len(out)), b.shape, out)
	shape, sa, sb := coalesce(out, sa, sb)
	last := len(shape) - 1
	n, ia, ib := shape[last], sa[last], sb[last]

	var idxBuf [maxFastRank]int
	idx := grow(idxBuf[:], last)
	clear(idx)
	offA, offB := 0, 0
	for off := 0; off < len(t.data); off += n {
		rowKernel(op, t.data[off:off+n], a.data[offA:], b.data[offB:], ia, ib)
		// Advance the odometer over the outer dimensions.
		for p := last - 1; p >= 0; p-- {
			idx[p]++
			offA += sa[p]
			offB += sb[p]
			if idx[p] < shape[p] {
				break
			}
			offA -= sa[p] * shape[p]
			offB -= sb[p] * shape[p]
			idx[p] = 0
		}
	}
}

// grow returns buf[:n], allocating only when n exceeds its capacity.
func grow(buf []int, n int) []int {
	if n <= cap(buf) {
		return buf[:n]
	}
	return make([]int, n)
}

// rowKernel computes dst[i] = x[i·sx] op y[i·sy] for every i in dst, where
// each stride is 0 (a broadcast value) or 1.
func rowKernel(op binop, dst, x, y []float64, sx, sy int) {
	n := len(dst)
	switch {
	case sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		switch op {
		case opAdd:
			floats.AddTo(dst, x, y)
		case opSub:
			floats.SubTo(dst, x, y)
		case opMul:
			floats.MulTo(dst, x, y)
		default:
			floats.DivTo(dst, x, y)
		}
	case sx == 1:
		x, c := x[:n], y[0]
		switch op {
		case opAdd:
			for i, v := range x {
				dst[i] = v + c
			}
		case opSub:
			for i, v := range x {
				dst[i] = v - c
			}
		case opMul:
			for i, v := range x {
				dst[i] = v * c
			}
		default:
			for i, v := range x {
				dst[i] = v / c
			}
		}
	case sy == 1:
		c, y := x[0], y[:n]
		for i, v := range y {
			dst[i] = op.apply(c, v)
		}
	default:
		v := op.apply(x[0], y[0])
		for i := range dst {
			dst[i] = v
		}
	}
}

// AddScalar stores a + v in t, element-wise.
// It panics if t is not empty and its shape differs from a's.
func (t *Tensor) AddScalar(v float64, a *Tensor) {
	dst, src := t.unary("AddScalar", a)
	for i, x := range src {
		dst[i] = x + v
	}
}

// Scale stores alpha·a in t.
// It panics if t is not empty and its shape differs from a's.
func (t *Tensor) Scale(alpha float64, a *Tensor) {
	dst, src := t.unary("Scale", a)
	floats.ScaleTo(dst, alpha, src)
}

// AddScaled stores a + alpha·b in t (axpy), without a temporary. It panics
// if a and b have different shapes or t has the wrong shape.
func (t *Tensor) AddScaled(a *Tensor, alpha float64, b *Tensor) {
	checkOperand("AddScaled", a)
	checkOperand("AddScaled", b)
	if !slices.Equal(a.shape, b.shape) {
		panic(fmt.Sprintf("tensor: AddScaled: shapes %v and %v differ", a.shape, b.shape))
	}
	dst, src := t.unary("AddScaled", a)
	floats.AddScaledTo(dst, src, alpha, b.data)
}

// Apply stores f(x) in t for every element x of a.
// It panics if t is not empty and its shape differs from a's.
func (t *Tensor) Apply(f func(float64) float64, a *Tensor) {
	dst, src := t.unary("Apply", a)
	for i, x := range src {
		dst[i] = f(x)
	}
}

// unary prepares t to receive an element-wise function of a and returns the
// destination and source slices, which are equally long.
func (t *Tensor) unary(op string, a *Tensor) (dst, src []float64) {
	checkOperand(op, a)
	t.prepare(op, a.shape)
	return t.data, a.data[:len(t.data)]
}
