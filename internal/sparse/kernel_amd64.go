//go:build amd64 && !purego

package sparse

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

var (
	avx512Kernels = kernels{name: "avx512", lineLoads: true, rows: mulRows512, allFinite: allFinite512, compress: compress512}
	avx2Kernels   = kernels{name: "avx2", rows: mulRowsAVX2, allFinite: allFiniteAVX2, compress: compressGo}

	// The AVX-512 kernels use only AVX-512F, plus VL for compressing the
	// 32-bit indices in a ymm register.
	hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

// kernel is the implementation in use; tests may swap it.
var kernel = best()

func best() kernels {
	switch {
	case hasAVX512:
		return avx512Kernels
	case hasAVX2:
		return avx2Kernels
	}
	return goKernels
}

// available lists the implementations this CPU can run, for tests.
func available() []kernels {
	ks := []kernels{goKernels}
	if hasAVX2 {
		ks = append(ks, avx2Kernels)
	}
	if hasAVX512 {
		ks = append(ks, avx512Kernels)
	}
	return ks
}

// The assembly kernels compute rows of dst = c·w + bias for one block of
// columns: dst and w point at the block's first column of the first row,
// rowPtr at the first row's entry, colIdx and val at the start of c's
// arrays; strides are in elements; bias is nil or points at the block's
// first bias. rows512 takes a block of up to 56 columns (7 zmm registers)
// with a bit mask of the columns in use, rowsAVX2x52 one of 48 to 52
// columns (12 full ymm registers and a masked one), rowsAVX2x16 one of up
// to 16 (4 masked ymm registers); masks points at 4 lane masks per
// register.

//go:noescape
func rows512(dst *float64, dstStride int, w *float64, wStride int, rowPtr *int, colIdx *int32, val *float64, rows int, bias *float64, mask uint64)

//go:noescape
func rowsAVX2x52(dst *float64, dstStride int, w *float64, wStride int, rowPtr *int, colIdx *int32, val *float64, rows int, bias *float64, masks *[4]int64)

//go:noescape
func rowsAVX2x16(dst *float64, dstStride int, w *float64, wStride int, rowPtr *int, colIdx *int32, val *float64, rows int, bias *float64, masks *[4][4]int64)

// finite512 and finiteAVX2 report whether x[:n] is finite; n is a
// multiple of 8 (4 for AVX2).
//
//go:noescape
func finite512(x *float64, n int) bool

//go:noescape
func finiteAVX2(x *float64, n int) bool

// compress512asm is compress for n entries at row.
//
//go:noescape
func compress512asm(row *float64, n int, val *float64, idx *int32) int

// laneMasks[w] holds the lane masks (all ones for a lane in use) of four
// ymm registers covering the first w of 16 columns.
var laneMasks = func() (m [17][4][4]int64) {
	for w := range m {
		for j := range w {
			m[w][j/4][j%4] = -1
		}
	}
	return m
}()

// blockArgs returns the pointers the assembly kernels take for the block of
// columns from j0 of rows [r0, r1).
func blockArgs(dst []float64, c *CSR, w []float64, m int, bias []float64, r0, j0 int) (d, wp *float64, rp *int, ci *int32, v, b *float64) {
	if bias != nil {
		b = &bias[j0]
	}
	return &dst[r0*m+j0], &w[j0], &c.RowPtr[r0], unsafe.SliceData(c.ColIdx), unsafe.SliceData(c.Val), b
}

func mulRows512(dst []float64, c *CSR, w []float64, ws, m int, bias []float64, r0, r1 int) {
	if r0 >= r1 {
		return
	}
	if c.NNZ() == 0 {
		mulRowsGo(dst, c, w, ws, m, bias, r0, r1)
		return
	}
	for j0 := 0; j0 < m; j0 += 56 {
		width := min(56, m-j0)
		d, wp, rp, ci, v, b := blockArgs(dst, c, w, m, bias, r0, j0)
		rows512(d, m, wp, ws, rp, ci, v, r1-r0, b, 1<<width-1)
	}
}

func mulRowsAVX2(dst []float64, c *CSR, w []float64, ws, m int, bias []float64, r0, r1 int) {
	if r0 >= r1 {
		return
	}
	if c.NNZ() == 0 {
		mulRowsGo(dst, c, w, ws, m, bias, r0, r1)
		return
	}
	j0 := 0
	for m-j0 >= 48 {
		width := min(52, m-j0)
		d, wp, rp, ci, v, b := blockArgs(dst, c, w, m, bias, r0, j0)
		rowsAVX2x52(d, m, wp, ws, rp, ci, v, r1-r0, b, &laneMasks[width-48][0])
		j0 += width
	}
	for ; j0 < m; j0 += 16 {
		width := min(16, m-j0)
		d, wp, rp, ci, v, b := blockArgs(dst, c, w, m, bias, r0, j0)
		rowsAVX2x16(d, m, wp, ws, rp, ci, v, r1-r0, b, &laneMasks[width])
	}
}

func allFinite512(x []float64) bool {
	n := len(x) &^ 7
	return (n == 0 || finite512(&x[0], n)) && allFiniteGo(x[n:])
}

func allFiniteAVX2(x []float64) bool {
	n := len(x) &^ 3
	return (n == 0 || finiteAVX2(&x[0], n)) && allFiniteGo(x[n:])
}

func compress512(row, val []float64, idx []int32) int {
	if len(row) == 0 {
		return 0
	}
	// The kernel stores 8 entries at a time at the count so far.
	_, _ = val[len(row)+compressSlack-1], idx[len(row)+compressSlack-1]
	return compress512asm(&row[0], len(row), &val[0], &idx[0])
}
