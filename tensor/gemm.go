package tensor

import (
	"math"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"

	"github.com/numlearn/numlearn/internal/gemm"
	"github.com/numlearn/numlearn/internal/workers"
)

// gemmTiled is the Gonum engine, which runs gonum's kernels on tiles.
// The product C = alpha·op(A)·op(B) + beta·C is
// computed tile by tile: C is cut into tiles of at most tileRows×tileCols,
// and each tile's product is summed over slices of at most tileK along the
// inner dimension, so that the panel of B a tile reads stays in the core's
// cache. Each piece goes through gonum's blas64.Gemm, which runs a piece
// this small serially; the tiles are shared among a fixed set of worker
// goroutines. Compared with calling blas64.Gemm on the whole product
// (which starts new goroutines on every call), this allocates nothing per
// call.
const (
	tileRows = 64
	tileCols = 192 // 1×3 of gonum's 64×64 blocks: below its parallel threshold
	tileK    = 256
	// parallelFlops is the size of product below which handing tiles to
	// other cores costs more than it saves.
	parallelFlops = 1 << 20
)

// gemmTask is one product in progress; workers take its tiles by index.
type gemmTask struct {
	transA, transB bool
	alpha, beta    float64
	a, b, c        blas64.General
	m, n, k        int
	tilesN, tiles  int
	next           atomic.Int64
	wg             sync.WaitGroup
}

var taskPool = sync.Pool{New: func() any { return new(gemmTask) }}

// gemmTiled computes c = alpha·op(a)·op(b) + beta·c for non-empty operands
// whose shapes have been checked.
//
// gonum's Dgemm skips a term alpha·a[i][p]·b[p][j] when alpha·a[i][p] is
// zero in every form but a·bᵀ (which it computes as dot products), so a
// NaN or an infinity in op(b) facing a zero of op(a) would vanish where
// the definition gives NaN (0·NaN and 0·Inf are NaN under IEEE 754). Such
// a product goes to internal/gemm, whose kernels sum every term, so that
// all engines agree on non-finite values. The scan of b reads k·n values,
// a small fraction of the m·n·k multiply-adds.
func gemmTiled(transA, transB bool, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	m, n := c.Rows, c.Cols
	k := a.Cols
	if transA {
		k = a.Rows
	}
	if (transA || !transB) && mayHoldNonFinite(b) {
		gemm.Gemm(transA, transB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
		return
	}
	task := taskPool.Get().(*gemmTask)
	*task = gemmTask{transA: transA, transB: transB, alpha: alpha, beta: beta, a: a, b: b, c: c, m: m, n: n, k: k}
	task.tilesN = (n + tileCols - 1) / tileCols
	task.tiles = (m + tileRows - 1) / tileRows * task.tilesN

	helpers := 0
	if 2*float64(m)*float64(n)*float64(k) >= parallelFlops {
		helpers = workers.Helpers(task.tiles)
	}
	workers.Share(task, helpers, &task.wg)
	*task = gemmTask{}
	taskPool.Put(task)
}

// Run computes tiles until none is left (a workers.Job).
func (t *gemmTask) Run() {
	for {
		tile := int(t.next.Add(1)) - 1
		if tile >= t.tiles {
			return
		}
		i0, j0 := tile/t.tilesN*tileRows, tile%t.tilesN*tileCols
		rows, cols := min(tileRows, t.m-i0), min(tileCols, t.n-j0)
		cTile := sub(t.c, i0, j0, rows, cols)
		beta := t.beta
		for p0 := 0; p0 < t.k; p0 += tileK {
			depth := min(tileK, t.k-p0)
			aTile := subOp(t.a, t.transA, i0, p0, rows, depth)
			bTile := subOp(t.b, t.transB, p0, j0, depth, cols)
			blas64.Gemm(trans(t.transA), trans(t.transB), t.alpha, aTile, bTile, beta, cTile)
			beta = 1
		}
	}
}

// mayHoldNonFinite reports whether g might hold a NaN or an infinity: it
// is true whenever g holds one, and also when its finite values sum beyond
// the float64 range, a false alarm that only costs speed. A sum is the
// cheapest full scan gonum offers in SIMD.
func mayHoldNonFinite(g blas64.General) bool {
	var s float64
	for i := range g.Rows {
		s += floats.Sum(g.Data[i*g.Stride : i*g.Stride+g.Cols])
	}
	return math.IsNaN(s) || math.IsInf(s, 0)
}

// sub returns the rows×cols block of g starting at (i, j), sharing data.
func sub(g blas64.General, i, j, rows, cols int) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: g.Stride, Data: g.Data[i*g.Stride+j:]}
}

// subOp returns the block of g that covers rows [i, i+rows) and columns
// [j, j+cols) of op(g), where op transposes when trans is set.
func subOp(g blas64.General, trans bool, i, j, rows, cols int) blas64.General {
	if trans {
		return sub(g, j, i, cols, rows)
	}
	return sub(g, i, j, rows, cols)
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}
