package sparse

import (
	"fmt"
	"gonum.org/v1/gonum/floats"
	"runtime"
)

// MulTransAt sets dst[i·xt.Rows+k], for every stored entry (k, i) of xt,
// to row i of d dotted with row k of w: the entries of the product d·wᵀ,
// where d is a row-major (xt.Cols, m) matrix and w a row-major (xt.Rows, m)
// one, at the nonzeros of x, the matrix xt is the transpose of (Transpose
// gives it). The other entries of dst, a row-major (xt.Cols, xt.Rows)
// matrix like x, are left as they are.
//
// It is ∂L/∂x = dout·Wᵀ of a fully connected layer y = x·W + b where only
// the entries at x's nonzeros are wanted: when the layer before sets the
// others to 0 in its own backward pass (a ReLU, whose output is 0 exactly
// where its gradient is), the rest of the product, most of it for a sparse
// x, is work nobody reads. x comes transposed, as the layer's ∂L/∂W = xᵀ·dout
// has it, so that each row of w is read from memory once, for all the
// rows of d that meet it; d, the smaller, stays in the cache. Each entry is
// one dot product of length m, summed in the same order whichever
// goroutine has it, so the result does not depend on how many take part.
//
// Large products are shared among GOMAXPROCS goroutines by rows of w.
// MulTransAt allocates nothing once its workers have started. It panics if
// the lengths of dst, d or w do not match the shapes.
func MulTransAt(dst []float64, xt *CSR, d, w []float64, m int) {
	if m < 0 || len(dst) != xt.Rows*xt.Cols || len(d) != xt.Cols*m || len(w) != xt.Rows*m || len(xt.RowPtr) != xt.Rows+1 {
		panic(fmt.Sprintf("sparse: MulTransAt: dst %d, d %d, w %d elements do not fit (%d×%d)·(%d×%d)ᵀ at the nonzeros of a (%d×%d)",
			len(dst), len(d), len(w), xt.Cols, m, xt.Rows, m, xt.Cols, xt.Rows))
	}
	if xt.Rows == 0 {
		return
	}
	work := 2 * float64(xt.NNZ()) * float64(m)
	procs := runtime.GOMAXPROCS(0)
	if procs == 1 || xt.Rows < 2 || work < parallelDotWork {
		kernel.dots(dst, xt, d, w, m, 0, xt.Rows)
		return
	}
	shareRows(dst, xt, d, w, m, nil, procs)
}

// parallelDotWork is the number of floating-point operations below which
// MulTransAt runs on the calling goroutine alone. Its dot products read
// rows of w scattered over the matrix, so a core spends much of its time
// waiting for memory, and two share a product of a tenth the size that
// Mul needs before sharing pays (BenchmarkMulTransAt, GOMAXPROCS 1 and 2).
const parallelDotWork = 1 << 19

// dotRowsGo is the portable dots kernel.
func dotRowsGo(dst []float64, xt *CSR, d, w []float64, m, r0, r1 int) {
	stride := xt.Rows
	for k := r0; k < r1; k++ {
		wk := w[k*m : (k+1)*m]
		for p := xt.RowPtr[k]; p < xt.RowPtr[k+1]; p++ {
			i := int(xt.ColIdx[p])
			dst[i*stride+k] = dot(d[i*m:(i+1)*m], wk)
		}
	}
}

// dot returns Σ a[j]·b[j] for a and b of the same length, in four running
// sums (j mod 4) added at the end, so that the additions do not wait on
// each other.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= len(a); j += 4 {
		s0 += a[j] * b[j]
		s1 += a[j+1] * b[j+1]
		s2 += a[j+2] * b[j+2]
		s3 += a[j+3] * b[j+3]
	}
	for ; j < len(a); j++ {
		s0 += a[j] * b[j]
	}
	return (s0 + s1) + (s2 + s3)
}

// dotRowsSSE is dotRowsGo with gonum's dot product, whose amd64 assembly
// uses SSE2: the dots kernel where AVX-512 is missing.
func dotRowsSSE(dst []float64, xt *CSR, d, w []float64, m, r0, r1 int) {
	stride := xt.Rows
	for k := r0; k < r1; k++ {
		wk := w[k*m : (k+1)*m]
		for p := xt.RowPtr[k]; p < xt.RowPtr[k+1]; p++ {
			i := int(xt.ColIdx[p])
			dst[i*stride+k] = floats.Dot(d[i*m:(i+1)*m], wk)
		}
	}
}
