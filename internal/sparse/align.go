package sparse

import (
	"sync"
	"unsafe"
)

// A 512-bit load that straddles two cache lines costs about two loads. The
// rows of a (k, m) matrix with m not a multiple of 8 start at every offset
// within a line (a 784×50 layer's rows are 400 bytes apart), so most of
// the AVX-512 kernel's loads of them straddle. When each row of w is read
// often enough to repay copying it, Mul copies w into rows that start on
// 64-byte boundaries, padded to a multiple of 8 values, and multiplies by
// the copy; the terms, and their order, are the same. On one core
// (BenchmarkMulAligned, the copy included) a batch of 100 MNIST-like rows
// times a 784×50 w took 47.6 µs instead of 57.9 µs, the weight gradient's
// xᵀ·dout 25.9 µs instead of 37.9 µs, and an evaluation chunk of 10,000
// rows 5.58 ms instead of 5.97 ms. The AVX2 kernel, whose 256-bit loads
// straddle half as often, gained nothing, and does not copy.

// alignUses is how many nonzeros of c, on average, must read each row of w
// for the copy to pay (see BenchmarkMulAligned).
var alignUses = 8

const lineValues = 8 // float64 values in a 64-byte cache line

// aligned is a reusable copy of w with its rows on line boundaries.
type aligned struct{ buf []float64 }

// alignedFree holds the copies not in use. A sync.Pool would drop them at
// every garbage collection and keep one per P in a slot other Ps cannot
// take, so a goroutine moved to another P would allocate a new copy; this
// list keeps as many as have been in use at once.
var alignedFree struct {
	sync.Mutex
	list []*aligned
}

// getAligned returns a copy buffer not in use by anyone else.
func getAligned() *aligned {
	alignedFree.Lock()
	defer alignedFree.Unlock()
	if n := len(alignedFree.list); n > 0 {
		a := alignedFree.list[n-1]
		alignedFree.list = alignedFree.list[:n-1]
		return a
	}
	return new(aligned)
}

// putAligned gives a back for reuse.
func putAligned(a *aligned) {
	alignedFree.Lock()
	alignedFree.list = append(alignedFree.list, a)
	alignedFree.Unlock()
}

// rowsAligned reports whether every row of w, m values long, starts on a
// 64-byte boundary.
func rowsAligned(w []float64, m int) bool {
	return m%lineValues == 0 && uintptr(unsafe.Pointer(unsafe.SliceData(w)))%64 == 0
}

// copyRows copies w, a row-major (rows, m) matrix, into a's buffer with
// every row on a 64-byte boundary and returns the copy and its row
// stride. The padding after each row's m values is not written.
func (a *aligned) copyRows(w []float64, rows, m int) ([]float64, int) {
	ws := (m + lineValues - 1) &^ (lineValues - 1)
	need := rows*ws + lineValues
	if cap(a.buf) < need {
		a.buf = make([]float64, need)
	}
	off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(a.buf))) % 64 / 8)
	out := a.buf[off : off+rows*ws]
	for k := range rows {
		copy(out[k*ws:k*ws+m], w[k*m:(k+1)*m])
	}
	return out, ws
}
