// Package gemm multiplies float64 matrices fast: C = alpha·op(A)·op(B) +
// beta·C on row-major data with strides, in the manner of GotoBLAS and
// BLIS. It is the engine behind tensor's MatMul, MatMulTransA,
// MatMulTransB and Gemm.
//
// # Overview
//
//	a := []float64{1, 2, 3, 4, 5, 6}    // 2×3
//	b := []float64{7, 8, 9, 10, 11, 12} // 3×2
//	c := make([]float64, 4)             // 2×2
//	gemm.Gemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
//	// c = [58 64 139 154]
//
// # Method
//
// op(B) is packed, a chunk of columns at a time, into micro-panels of NR
// columns, and op(A) — already multiplied by alpha — into micro-panels of
// MR rows, one block of rows and one k-block of at most 256 at a time, so
// that a micro-kernel reads both operands with unit stride from the cache.
// The micro-kernel keeps an MR×NR tile of C in registers for the whole
// k-block and touches C once per k-block. Edges are packed with zero
// padding; their tiles are computed into a small buffer and only the valid
// part is written back.
//
// The micro-kernel is chosen once, on the first product, from the CPU's
// features (golang.org/x/sys/cpu): 16×8 on AVX-512 registers, else 6×8 on
// AVX2 with FMA, else a portable 4×4 kernel in Go; Kernel names the one in
// use. The build tag purego leaves the assembly out.
//
// # Parallelism
//
// Products of at least about 1.7·10⁷ floating-point operations are shared
// among GOMAXPROCS cores: GOMAXPROCS−1 worker goroutines, started on the
// first such product and kept for the life of the program, take packing
// and multiplying work from the calling goroutine, which works too. The
// work is cut into blocks of rows of C, or, when C has too few rows to go
// round (a batch of 100), into blocks of columns, each of which packs the
// panels of op(B) it reads itself. A small C summed over a deep k (a
// weight's gradient xᵀ·dout over a batch of 1,000) is cut instead into its
// k-blocks (each cut into column blocks when there are more cores than
// k-blocks), whose partial products are added to C in order once all are
// done: 100×100 from k = 1,000 took 313 µs on one core and 191 µs on two
// (one process per GOMAXPROCS), where the column cut had every block pack all of op(A) and ran
// no faster. Every element is summed in the same order whichever core
// computes it (the k-blocks depend on k alone, and a k-block is added to C
// in one rounding either way), so the result is the same bits on any
// number of cores — NaN payloads aside: when two NaNs meet in a sum, which
// one the result carries may differ. Jobs and packing buffers are recycled, so a product
// allocates nothing once warm.
//
// # Aliasing
//
// C must not share memory with A or B; A and B may share memory.
//
// # Packed operands
//
// A caller that produces B itself can write it straight into the packed
// layout (PanelWidth, PackedLen) and multiply with GemmPackedB, saving the
// copy packing makes: the convolution layers unfold each image this way
// (internal/conv's Im2colPacked).
package gemm
