package tensor

import (
	"fmt"
	"unsafe"

	"gonum.org/v1/gonum/blas/blas64"
)

// MatMul stores the matrix product a·b in t: a is (m, k), b is (k, n) and t
// becomes (m, n). The product runs on the tensors' buffers, on the engine
// CurrentEngine names (by default packed kernels in AVX-512 or AVX2
// assembly where the CPU has them; see Engines in the package doc), on
// all cores for large shapes, and allocates nothing once warm. MatMul
// panics if a or b is not 2-D, if their inner dimensions differ, if t has
// the wrong shape or if t shares data with a or b.
func (t *Tensor) MatMul(a, b *Tensor) { t.gemm("MatMul", false, false, 1, a, b, 0) }

// MatMulTransA stores aᵀ·b in t without forming aᵀ: a is (k, m), b is
// (k, n), t becomes (m, n). Backprop's weight gradient xᵀ·dout is this
// form. It panics as MatMul does.
func (t *Tensor) MatMulTransA(a, b *Tensor) { t.gemm("MatMulTransA", true, false, 1, a, b, 0) }

// MatMulTransB stores a·bᵀ in t without forming bᵀ: a is (m, k), b is
// (n, k), t becomes (m, n). Backprop's input gradient dout·Wᵀ is this form.
// It panics as MatMul does.
func (t *Tensor) MatMulTransB(a, b *Tensor) { t.gemm("MatMulTransB", false, true, 1, a, b, 0) }

// Gemm computes t = alpha·op(a)·op(b) + beta·t, where op(x) is xᵀ when the
// matching trans flag is set and x otherwise: the general form behind
// MatMul, including the accumulating product t += a·b (alpha = beta = 1).
// An empty t is sized and starts from zero. When alpha is zero, a and b
// are not read (as in BLAS), so NaN in them does not reach t. Gemm panics
// as MatMul does.
func (t *Tensor) Gemm(transA, transB bool, alpha float64, a, b *Tensor, beta float64) {
	t.gemm("Gemm", transA, transB, alpha, a, b, beta)
}

func (t *Tensor) gemm(op string, transA, transB bool, alpha float64, a, b *Tensor, beta float64) {
	checkOperand(op, a)
	checkOperand(op, b)
	if len(a.shape) != 2 || len(b.shape) != 2 {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v are not both 2-D", op, a.shape, b.shape))
	}
	m, k := a.shape[0], a.shape[1]
	if transA {
		m, k = k, m
	}
	kb, n := b.shape[0], b.shape[1]
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v do not match for the product", op, a.shape, b.shape))
	}
	var outBuf [2]int
	outBuf[0], outBuf[1] = m, n
	t.prepare(op, outBuf[:])
	if overlaps(t.data, a.data) || overlaps(t.data, b.data) {
		panic(fmt.Sprintf("tensor: %s: receiver shares data with an operand", op))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		// The product is empty (all zeros); only the beta·t term remains.
		if beta == 0 {
			clear(t.data)
		} else if beta != 1 {
			for i := range t.data {
				t.data[i] *= beta
			}
		}
		return
	}
	if m == 1 || n == 1 {
		matVec(transA, transB, alpha, a, b, beta, t, n)
		return
	}
	product(transA, transB, alpha, general(a), general(b), beta, general(t))
}

// matVec computes t = alpha·op(a)·op(b) + beta·t when t is a single column
// (n == 1) or a single row: a matrix-vector product, which blas64.Gemv
// does in one pass over the matrix, where the general kernel would first
// pack it — several times slower for the tall, thin products of linear
// regression or a one-output layer.
func matVec(transA, transB bool, alpha float64, a, b *Tensor, beta float64, t *Tensor, n int) {
	if beta == 0 {
		clear(t.data) // so that NaN in t does not survive as NaN·0
	}
	vec := func(d []float64) blas64.Vector { return blas64.Vector{N: len(d), Inc: 1, Data: d} }
	if n == 1 {
		// Column: t = alpha·op(a)·v + beta·t, where op(b) is the k-vector v.
		blas64.Gemv(trans(transA), alpha, general(a), vec(b.data), beta, vec(t.data))
		return
	}
	// Row: t = alpha·u·op(b) + beta·t = alpha·op(b)ᵀ·u + beta·t, where op(a)
	// is the k-vector u.
	blas64.Gemv(trans(!transB), alpha, general(b), vec(a.data), beta, vec(t.data))
}

// general returns the blas64 view of a non-empty 2-D tensor: its own data,
// row-major with stride equal to the column count.
func general(t *Tensor) blas64.General {
	return blas64.General{Rows: t.shape[0], Cols: t.shape[1], Stride: t.shape[1], Data: t.data}
}

// overlaps reports whether two slices share any element of memory.
func overlaps(a, b []float64) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	const size = unsafe.Sizeof(float64(0))
	a0 := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a0 < b0+uintptr(len(b))*size && b0 < a0+uintptr(len(a))*size
}
