package sparse

import (
	"math"

	"github.com/numlearn/numlearn/internal/hugepage"
)

// CSR is a matrix in compressed-row form: the nonzeros of row i are
// Val[RowPtr[i]:RowPtr[i+1]], in columns ColIdx[RowPtr[i]:RowPtr[i+1]]
// (ascending). The zero value is an empty matrix; FromDense and Transpose
// fill it, reusing its slices when they are large enough.
type CSR struct {
	Rows, Cols int
	RowPtr     []int   // len Rows+1
	ColIdx     []int32 // len NNZ()
	Val        []float64
}

// NNZ returns the number of stored nonzeros.
func (c *CSR) NNZ() int {
	if len(c.RowPtr) == 0 {
		return 0
	}
	return c.RowPtr[c.Rows] - c.RowPtr[0] // RowPtr[0] > 0 in a RowRange view
}

// FromDense sets c to the compressed form of data, a row-major (rows, cols)
// matrix, in one pass, and reports true. If data has more than
// maxDensity·rows·cols nonzeros it stops as soon as that is known and
// reports false, leaving c unusable until the next successful FromDense: a
// dense batch costs only the part of a pass it takes to find out. Entries
// equal to zero (+0 and −0) are dropped; NaN and ±Inf are kept.
//
// The storage c keeps is sized for maxDensity·rows·cols nonzeros, so calls
// with the same shape and threshold allocate nothing once warm. FromDense
// panics if len(data) != rows·cols.
func (c *CSR) FromDense(data []float64, rows, cols int, maxDensity float64) bool {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic("sparse: FromDense: data length does not match rows·cols")
	}
	limit := int(maxDensity * float64(rows) * float64(cols))
	limit = max(0, min(limit, rows*cols))
	c.Rows, c.Cols = rows, cols
	c.RowPtr = grow(c.RowPtr, rows+1)
	// A row's compress may write up to cols+compressSlack entries past
	// the count so far, which is at most limit between rows.
	c.ColIdx = grow(c.ColIdx, limit+cols+compressSlack)
	c.Val = grow(c.Val, limit+cols+compressSlack)
	rowPtr := c.RowPtr
	rowPtr[0] = 0
	k := 0
	for i := range rows {
		k += kernel.compress(data[i*cols:(i+1)*cols], c.Val[k:], c.ColIdx[k:])
		if k > limit {
			return false
		}
		rowPtr[i+1] = k
	}
	return true
}

// GatherRows sets c to the matrix whose row i is row rows[i] of src,
// copying only the nonzeros. It panics if a row is out of range; c must
// not be src.
func (c *CSR) GatherRows(src *CSR, rows []int) {
	nnz := 0
	for _, r := range rows {
		if r < 0 || r >= src.Rows {
			panic("sparse: GatherRows: row index out of range")
		}
		nnz += src.RowPtr[r+1] - src.RowPtr[r]
	}
	c.Rows, c.Cols = len(rows), src.Cols
	c.RowPtr = grow(c.RowPtr, len(rows)+1)
	c.ColIdx = grow(c.ColIdx, nnz)
	c.Val = grow(c.Val, nnz)
	c.RowPtr[0] = 0
	k := 0
	for i, r := range rows {
		lo, hi := src.RowPtr[r], src.RowPtr[r+1]
		copy(c.ColIdx[k:], src.ColIdx[lo:hi])
		copy(c.Val[k:], src.Val[lo:hi])
		k += hi - lo
		c.RowPtr[i+1] = k
	}
}

// RowRange sets c to rows [from, to) of src, sharing src's storage: c's
// RowPtr is a window of src's, whose offsets still index src's ColIdx and
// Val. c must not be filled by FromDense or GatherRows while it
// shares src's storage (it would overwrite src). It panics unless
// 0 ≤ from ≤ to ≤ src.Rows.
func (c *CSR) RowRange(src *CSR, from, to int) {
	if from < 0 || from > to || to > src.Rows {
		panic("sparse: RowRange: range out of bounds")
	}
	c.Rows, c.Cols = to-from, src.Cols
	c.RowPtr, c.ColIdx, c.Val = src.RowPtr[from:to+1], src.ColIdx, src.Val
}

// Transpose sets t to cᵀ (the compressed-column form of c), reusing t's
// storage. t must not be c.
func (t *CSR) Transpose(c *CSR) {
	nnz := c.NNZ()
	t.Rows, t.Cols = c.Cols, c.Rows
	// Counting sort by column: count into RowPtr[j+2], sum, then place each
	// entry at RowPtr[j+1]++, which leaves RowPtr[j+1] at row j's end.
	ptr := grow(t.RowPtr, c.Cols+2)
	clear(ptr)
	for _, j := range c.ColIdx[c.RowPtr[0] : c.RowPtr[0]+nnz] {
		ptr[j+2]++
	}
	for j := 2; j < len(ptr); j++ {
		ptr[j] += ptr[j-1]
	}
	t.ColIdx = grow(t.ColIdx, nnz)
	t.Val = grow(t.Val, nnz)
	colIdx, val := t.ColIdx, t.Val
	for i := range c.Rows {
		for p := c.RowPtr[i]; p < c.RowPtr[i+1]; p++ {
			j := c.ColIdx[p]
			q := ptr[j+1]
			colIdx[q] = int32(i)
			val[q] = c.Val[p]
			ptr[j+1] = q + 1
		}
	}
	t.RowPtr = ptr[:c.Cols+1]
}

// compressGo is the portable compress. It writes every entry and advances
// past the nonzeros only, which avoids a mispredicted branch per entry; the
// row may therefore write len(row) entries.
func compressGo(row, val []float64, idx []int32) int {
	val, idx = val[:len(row)], idx[:len(row)]
	n := 0
	for j, x := range row {
		idx[n] = int32(j)
		val[n] = x
		// n += (x != 0) without a branch: b is 0 exactly for ±0.
		b := math.Float64bits(x) << 1
		n += int((b | -b) >> 63)
	}
	return n
}

// grow returns s resliced to length n, reallocated only when its capacity
// is too small. A large new array (a whole data set's nonzeros) is
// advised onto huge pages before it is written, which saves most of the
// page faults of filling it.
func grow[T int | int32 | float64](s []T, n int) []T {
	if cap(s) < n {
		s = make([]T, n)
		hugepage.Advise(s)
		return s
	}
	return s[:n]
}
