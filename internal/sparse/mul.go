package sparse

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/numlearn/numlearn/internal/workers"
)

// Mul sets dst, a row-major (c.Rows, m) matrix, to c·w + bias, where w is a
// row-major (c.Cols, m) matrix and bias (m) is added to every row; a nil
// bias adds nothing. dst is overwritten, rows of c without nonzeros
// included.
//
// Only the stored entries of c take part, so a term 0·Inf or 0·NaN that a
// dense product would form does not happen here: check w (and bias) with
// AllFinite first when that difference matters. NaN and ±Inf stored in c
// propagate as they would in a dense product.
//
// Large products are shared among GOMAXPROCS goroutines by rows of dst.
// Mul allocates nothing once its workers have started. It panics if the
// lengths of dst, w or bias do not match the shapes.
func Mul(dst []float64, c *CSR, w []float64, m int, bias []float64) {
	if m < 0 || len(dst) != c.Rows*m || len(w) != c.Cols*m || (bias != nil && len(bias) != m) || len(c.RowPtr) != c.Rows+1 {
		panic(fmt.Sprintf("sparse: Mul: dst %d, w %d, bias %d elements do not fit (%d×%d)·(%d×%d)",
			len(dst), len(w), len(bias), c.Rows, c.Cols, c.Cols, m))
	}
	if c.Rows == 0 || m == 0 {
		return
	}
	ws := m
	if kernel.lineLoads && c.NNZ() >= alignUses*c.Cols && !rowsAligned(w, m) {
		a := getAligned()
		defer putAligned(a)
		w, ws = a.copyRows(w, c.Cols, m)
	}
	work := 2*float64(c.NNZ())*float64(m) + float64(c.Rows)*float64(m)
	procs := runtime.GOMAXPROCS(0)
	if procs == 1 || c.Rows < 2 || work < parallelWork {
		kernel.rows(dst, c, w, ws, m, bias, 0, c.Rows)
		return
	}
	task := taskPool.Get().(*mulTask)
	chunks := min(c.Rows, chunksPerProc*procs)
	task.dst, task.c, task.w, task.ws, task.m, task.bias, task.chunks = dst, c, w, ws, m, bias, chunks
	helpers := workers.Helpers(chunks)
	task.split.Reset(chunks, helpers+1)
	workers.Share(task, helpers, &task.wg)
	task.dst, task.c, task.w, task.bias = nil, nil, nil, nil
	taskPool.Put(task)
}

// AllFinite reports whether no element of x is NaN or ±Inf.
func AllFinite(x []float64) bool { return kernel.allFinite(x) }

const (
	// parallelWork is the number of floating-point operations below which
	// a product runs on the calling goroutine alone. A training batch of
	// 100 MNIST images through a 784-50 layer (1.5 Mflop, about 80 µs on
	// one core) stays below it: on two cores, waiting for the second cost
	// more than it saved (BenchmarkMul in this package, GOMAXPROCS 1 and
	// 2); a 10,000-image evaluation chunk (150 Mflop) is shared.
	parallelWork = 1 << 22
	// chunksPerProc splits the rows finer than one piece per core, so that
	// a core slowed by another process does not hold up the rest.
	chunksPerProc = 4
)

// mulTask is one product in progress; workers take its chunks of rows by
// index.
type mulTask struct {
	dst, w, bias []float64
	c            *CSR
	ws, m        int
	chunks       int
	split        workers.Split
	wg           sync.WaitGroup
}

var taskPool = sync.Pool{New: func() any { return new(mulTask) }}

// Run computes chunks until none is left (a workers.Job). Chunk k covers the rows from
// k·Rows/chunks to (k+1)·Rows/chunks.
func (t *mulTask) Run() { t.RunPart(0, 1) }

// RunPart computes chunks until none is left, starting with participant
// p's share of the rows (a workers.PartJob).
func (t *mulTask) RunPart(p, _ int) {
	cursor := 0
	for {
		k, ok := t.split.Take(p, &cursor)
		if !ok {
			return
		}
		r0, r1 := k*t.c.Rows/t.chunks, (k+1)*t.c.Rows/t.chunks
		kernel.rows(t.dst, t.c, t.w, t.ws, t.m, t.bias, r0, r1)
	}
}

// kernels is one implementation of the inner loops.
type kernels struct {
	name string
	// rows sets rows [r0, r1) of dst = c·w + bias.
	// Row k of w starts at w[k·ws]; dst's rows are m apart.
	rows      func(dst []float64, c *CSR, w []float64, ws, m int, bias []float64, r0, r1 int)
	allFinite func(x []float64) bool
	// lineLoads is set for kernels that load whole vectors of a row of w,
	// which gain from rows on cache-line boundaries (align.go).
	lineLoads bool
	// compress writes the nonzeros of row to val and their indices to idx,
	// which have room for len(row)+compressSlack entries, and returns
	// their number.
	compress func(row, val []float64, idx []int32) int
}

// compressSlack is how far past the last nonzero compress may write.
const compressSlack = 8

var goKernels = kernels{name: "go", rows: mulRowsGo, allFinite: allFiniteGo, compress: compressGo}

// mulRowsGo is the portable kernel.
func mulRowsGo(dst []float64, c *CSR, w []float64, ws, m int, bias []float64, r0, r1 int) {
	for i := r0; i < r1; i++ {
		out := dst[i*m : (i+1)*m]
		if bias != nil {
			copy(out, bias)
		} else {
			clear(out)
		}
		for p := c.RowPtr[i]; p < c.RowPtr[i+1]; p++ {
			v := c.Val[p]
			wr := w[int(c.ColIdx[p])*ws:][:len(out)]
			for j, x := range wr {
				out[j] += v * x
			}
		}
	}
}
