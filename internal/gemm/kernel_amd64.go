//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// kernels lists the micro-kernels this build can run on this CPU, best
// first: AVX-512 when the CPU has it, then AVX2 with FMA, then portable Go.
func kernels() []kernel {
	var ks []kernel
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL {
		ks = append(ks, kernel{name: "avx512-16x8", mr: 16, nr: 8, fn: kernel16x8AVX512,
			short: []shortKernel{{4, kernel4of16x8AVX512}, {8, kernel8of16x8AVX512}},
			pack:  packA16})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, kernel{name: "avx2-6x8", mr: 6, nr: 8, fn: kernel6x8AVX2})
	}
	return append(ks, goKernel)
}

// kernel16x8AVX512 is the 16×8 kernel on zmm registers: 16 accumulators
// of one row each, the row of B loaded once per step and each value of A
// broadcast from memory into its FMA.
//
//go:noescape
func kernel16x8AVX512(k int, a, b, c []float64, ldc int, beta float64)

// kernel6x8AVX2 is the 6×8 kernel on ymm registers: 12 accumulators (two
// per row), the row of B in two registers and A broadcast one value at a
// time.
//
//go:noescape
func kernel6x8AVX2(k int, a, b, c []float64, ldc int, beta float64)

// kernel4of16x8AVX512 and kernel8of16x8AVX512 compute only the first 4 or
// 8 rows of kernel16x8AVX512's tile, for a last micro-panel of A with that
// few rows.
//
//go:noescape
func kernel4of16x8AVX512(k int, a, b, c []float64, ldc int, beta float64)

//go:noescape
func kernel8of16x8AVX512(k int, a, b, c []float64, ldc int, beta float64)

// packA16 packs a full 16-row micro-panel of a non-transposed A with
// packA16AVX512, 8 columns at a time, checking the bounds the assembly
// relies on; it returns how many columns it packed.
func packA16(dst, src []float64, lda, cols int, alpha float64) int {
	cols &^= 7
	if cols == 0 {
		return 0
	}
	_ = src[15*lda+cols-1]
	_ = dst[16*cols-1]
	packA16AVX512(dst, src, lda, cols, alpha)
	return cols
}

// packA16AVX512 stores alpha·src[i·lda+p] in dst[p·16+i] for 16 rows i and
// cols columns p, a multiple of 8.
//
//go:noescape
func packA16AVX512(dst, src []float64, lda, cols int, alpha float64)
