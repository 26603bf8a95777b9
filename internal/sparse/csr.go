package sparse

import (
	"math"
	"runtime"
	"sync"

	"github.com/numlearn/numlearn/internal/hugepage"
	"github.com/numlearn/numlearn/internal/prefetch"
	"github.com/numlearn/numlearn/internal/workers"
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

	counts []int // a shared Transpose's counts per chunk and column
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
	c.ColIdx = growCount(c.ColIdx, nnz)
	c.Val = growCount(c.Val, nnz)
	c.RowPtr[0] = 0
	k := 0
	for i, r := range rows {
		k += src.RowPtr[r+1] - src.RowPtr[r]
		c.RowPtr[i+1] = k
	}
	if nnz < parallelGather || len(rows) < 2 {
		c.gather(src, rows, 0, len(rows))
		return
	}
	task := gatherPool.Get().(*gatherTask)
	chunks := min(len(rows), chunksPerProc*runtime.GOMAXPROCS(0))
	task.dst, task.src, task.rows, task.chunks = c, src, rows, chunks
	helpers := workers.Helpers(chunks)
	task.split.Reset(chunks, helpers+1)
	workers.Share(task, helpers, &task.wg)
	task.dst, task.src, task.rows = nil, nil, nil
	gatherPool.Put(task)
}

// gather copies the entries of rows[from:to] into place, after RowPtr.
func (c *CSR) gather(src *CSR, rows []int, from, to int) {
	// Ask for every row's first entries before copying any: the rows of a
	// mini-batch are scattered over a set far larger than the caches, and
	// their misses then overlap. Each goroutine asks for the rows it
	// copies, so that they arrive in its own core's cache.
	for _, r := range rows[from:to] {
		lo, hi := src.RowPtr[r], src.RowPtr[r+1]
		prefetch.Head(src.Val[lo:hi], prefetch.Row)
		prefetch.Head(src.ColIdx[lo:hi], prefetch.Row/2)
	}
	for i := from; i < to; i++ {
		r := rows[i]
		lo, hi := src.RowPtr[r], src.RowPtr[r+1]
		copy(c.ColIdx[c.RowPtr[i]:], src.ColIdx[lo:hi])
		copy(c.Val[c.RowPtr[i]:], src.Val[lo:hi])
	}
}

// parallelGather is the number of entries below which GatherRows copies
// on the calling goroutine alone: a training batch of 100 MNIST images
// (some 15,000 entries, a few microseconds) stays there.
const parallelGather = 1 << 15

// gatherTask is one GatherRows in progress; workers take its chunks of
// rows by index. Each entry's place is fixed beforehand, so who copies
// which chunk changes nothing.
type gatherTask struct {
	dst, src *CSR
	rows     []int
	chunks   int
	split    workers.Split
	wg       sync.WaitGroup
}

var gatherPool = sync.Pool{New: func() any { return new(gatherTask) }}

// Run copies chunks until none is left (a workers.Job).
func (t *gatherTask) Run() { t.RunPart(0, 1) }

// RunPart is Run for participant p, who starts with its own share of the
// rows (a workers.PartJob).
func (t *gatherTask) RunPart(p, _ int) {
	cursor := 0
	for {
		k, ok := t.split.Take(p, &cursor)
		if !ok {
			return
		}
		n := len(t.rows)
		t.dst.gather(t.src, t.rows, k*n/t.chunks, (k+1)*n/t.chunks)
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
//
// A large matrix is transposed on GOMAXPROCS cores, by chunks of rows,
// each of which places its entries after those of the chunks before it:
// the result is the same either way.
func (t *CSR) Transpose(c *CSR) {
	nnz := c.NNZ()
	if chunks := min(c.Rows, chunksPerProc*runtime.GOMAXPROCS(0)); nnz >= parallelTranspose && workers.Helpers(chunks) > 0 {
		t.transposeShared(c, chunks)
		return
	}
	t.Rows, t.Cols = c.Cols, c.Rows
	// Counting sort by column: count into RowPtr[j+2], sum, then place each
	// entry at RowPtr[j+1]++, which leaves RowPtr[j+1] at row j's end.
	ptr := grow(t.RowPtr, c.Cols+2)
	clear(ptr)
	countCols(ptr[2:], c, 0, c.Rows)
	for j := 2; j < len(ptr); j++ {
		ptr[j] += ptr[j-1]
	}
	t.ColIdx = growCount(t.ColIdx, nnz)
	t.Val = growCount(t.Val, nnz)
	t.placeRows(ptr[1:], c, 0, c.Rows)
	t.RowPtr = ptr[:c.Cols+1]
}

// countCols adds to count[j] the entries of column j in rows [r0, r1) of
// c.
func countCols(count []int, c *CSR, r0, r1 int) {
	for _, j := range c.ColIdx[c.RowPtr[r0]:c.RowPtr[r1]] {
		count[j]++
	}
}

// placeRows places the entries of rows [r0, r1) of c into t, cᵀ, in row
// order: the next entry of column j goes to next[j], which moves on by
// one. The loops range over slices of one row, which spares the bounds
// checks of indexing by entry: 22 µs for the transpose of a batch of 100
// MNIST images against 39 µs.
func (t *CSR) placeRows(next []int, c *CSR, r0, r1 int) {
	colIdx, val := t.ColIdx, t.Val
	for i := r0; i < r1; i++ {
		e0, e1 := c.RowPtr[i], c.RowPtr[i+1]
		vals := c.Val[e0:e1]
		for e, j := range c.ColIdx[e0:e1] {
			q := next[j]
			colIdx[q] = int32(i)
			val[q] = vals[e]
			next[j] = q + 1
		}
	}
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

// growCount is grow for a length that changes from call to call, a
// batch's number of nonzeros: a new array gets a quarter more room than
// asked, so that a count creeping up over a training run (as ReLU outputs
// thin out) reallocates a few times rather than at each new maximum.
func growCount[T int32 | float64](s []T, n int) []T {
	if cap(s) < n {
		return grow(s, n+n/4)[:n]
	}
	return s[:n]
}

// parallelTranspose is the number of entries from which Transpose shares
// its work: the pooled output of the book's SimpleConvNet for a batch of
// 100 (some 100,000 entries) is, a batch of 100 MNIST images (15,000) is
// not.
const parallelTranspose = 1 << 15

// transposeTask is one shared Transpose: each participant takes chunks of
// rows, counting their columns in the first phase and placing their
// entries in the second.
type transposeTask struct {
	t, c   *CSR
	chunks int
	place  bool // the second phase
	split  workers.Split
	wg     sync.WaitGroup
}

var transposePool = sync.Pool{New: func() any { return new(transposeTask) }}

// transposeShared is Transpose on several cores, with c's rows cut into
// chunks.
func (t *CSR) transposeShared(c *CSR, chunks int) {
	nnz, cols := c.NNZ(), c.Cols
	t.counts = grow(t.counts, (chunks+1)*cols)
	clear(t.counts)
	task := transposePool.Get().(*transposeTask)
	task.t, task.c, task.chunks, task.place = t, c, chunks, false
	helpers := workers.Helpers(chunks)
	task.split.Reset(chunks, helpers+1)
	workers.Share(task, helpers, &task.wg)

	// Column j starts at ptr[j]; chunk k's entries of column j go after
	// those of the chunks before it.
	ptr := grow(t.RowPtr, cols+2)
	partial := t.counts[chunks*cols : (chunks+1)*cols] // entries of column j placed so far
	for k := range chunks {
		for j, n := range t.counts[k*cols : (k+1)*cols] {
			partial[j] += n
		}
	}
	ptr[0] = 0
	for j, n := range partial {
		ptr[j+1] = ptr[j] + n
	}
	clear(partial)
	for k := range chunks {
		cnt := t.counts[k*cols : (k+1)*cols]
		for j, n := range cnt {
			cnt[j] = ptr[j] + partial[j]
			partial[j] += n
		}
	}
	t.Rows, t.Cols = c.Cols, c.Rows
	t.RowPtr = ptr[:cols+1]
	t.ColIdx = growCount(t.ColIdx, nnz)
	t.Val = growCount(t.Val, nnz)
	task.place = true
	helpers = workers.Helpers(chunks)
	task.split.Reset(chunks, helpers+1)
	workers.Share(task, helpers, &task.wg)
	task.t, task.c = nil, nil
	transposePool.Put(task)
}

// Run counts or places chunks until none is left (a workers.Job).
func (task *transposeTask) Run() { task.RunPart(0, 1) }

// RunPart is Run for participant p, who starts with its own share of the
// rows (a workers.PartJob).
func (task *transposeTask) RunPart(p, _ int) {
	cursor := 0
	t, c := task.t, task.c
	for {
		k, ok := task.split.Take(p, &cursor)
		if !ok {
			return
		}
		r0, r1 := k*c.Rows/task.chunks, (k+1)*c.Rows/task.chunks
		cnt := t.counts[k*c.Cols : (k+1)*c.Cols]
		if task.place {
			t.placeRows(cnt, c, r0, r1)
		} else {
			countCols(cnt, c, r0, r1)
		}
	}
}
