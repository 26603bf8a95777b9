package gemm

import "fmt"

// PanelWidth returns NR, the number of columns in each micro-panel of the
// packed B operand that GemmPackedB takes: 8 for the assembly kernels, 4
// for the portable one.
func PanelWidth() int { return kernelChoice()[0].nr }

// PanelHeight returns MR, the number of rows of A that each call of the
// micro-kernel computes: a product whose A has a multiple of MR rows
// writes every tile of C directly, without going through a buffer.
func PanelHeight() int { return kernelChoice()[0].mr }

// PackedLen returns the length of a k×n matrix B packed for GemmPackedB:
// ⌈n/NR⌉ panels of k·NR values.
func PackedLen(k, n int) int {
	nr := PanelWidth()
	return ceilDiv(n, nr) * k * nr
}

// GemmPackedB computes C = A·B + beta·C like Gemm, for row-major A (m×k,
// leading dimension lda) and C (m×n, ldc), with B (k×n) given already in
// the layout Gemm packs it into: panel q of NR = PanelWidth() columns
// holds, for each row p, the values B[p][q·NR … q·NR+NR−1] at
// bp[q·k·NR + p·NR:], zero beyond column n. A caller that builds B itself
// — an im2col that writes each value once — saves the copy that packing
// would make. The product runs on the calling goroutine: it is meant for
// many small products that the caller spreads over the cores itself.
//
// GemmPackedB panics if a dimension is negative or a slice is too short.
func GemmPackedB(m, n, k int, a []float64, lda int, bp []float64, beta float64, c []float64, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	checkMatrix("a", a, m, k, lda)
	checkMatrix("c", c, m, n, ldc)
	if m == 0 || n == 0 {
		return
	}
	if len(bp) < PackedLen(k, n) {
		panic(fmt.Sprintf("gemm: GemmPackedB: packed b has %d values, %d×%d needs %d", len(bp), k, n, PackedLen(k, n)))
	}
	if k == 0 {
		scale(beta, c, m, n, ldc)
		return
	}
	kern := &kernelChoice()[0]
	j := getJob()
	j.kern, j.transA, j.transB = kern, false, false
	j.m, j.n, j.k, j.alpha, j.beta = m, n, k, 1, beta
	j.a, j.c, j.lda, j.ldc = a, c, lda, ldc
	j.kc = ceilDiv(k, ceilDiv(k, kcMax))
	j.nc = roundUp(n, kern.nr)
	j.rowsPer, j.colsPer = roundUp(m, kern.mr), j.nc
	j.ownB = false
	own := j.bp
	j.bp = bp
	j.compute(&j.local, 0, 0, 0)
	j.bp = own
	putJob(j)
}
