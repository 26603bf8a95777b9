package layers

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/internal/prefetch"
	"github.com/numlearn/numlearn/internal/sparse"
	"github.com/numlearn/numlearn/tensor"
)

// Rows is a data set of N samples, (N, …), prepared by a Sequence to be
// read in batches of rows: a training loop's mini-batches are lists of
// row indices scattered over the set, its evaluation chunks runs of
// consecutive ones. Make one with Sequence.PrepareRows and read it with
// Sequence.ForwardRows.
//
// When the sequence's first layer is an Affine and the set is sparse (at
// most 30 % of its entries nonzero, as MNIST's 19 %), preparing it stores
// its nonzeros once in compressed-row form, so that a mini-batch then
// copies only its nonzeros and an evaluation chunk is read in place; the
// compressed copy lives as long as the Rows. Otherwise a mini-batch is
// gathered into a buffer of the sequence's and a run of rows is a view.
// The data must not change while the Rows is in use.
type Rows struct {
	data   *tensor.Tensor // as the caller gave it
	x      *tensor.Tensor // as (N, in), for an Affine first layer
	csr    sparse.CSR
	sparse bool
}

// Len returns the number of samples.
func (r *Rows) Len() int { return r.data.Shape()[0] }

// Data returns the data set as it was given.
func (r *Rows) Data() *tensor.Tensor { return r.data }

// newRows returns data prepared for a first layer that is a (or nil).
func newRows(data *tensor.Tensor, a *Affine) *Rows {
	if data.Dims() < 1 {
		panic(fmt.Sprintf("layers: PrepareRows: data shape %v has no samples axis", data.Shape()))
	}
	r := &Rows{data: data}
	if a == nil {
		return r
	}
	n, in := data.Shape()[0], a.W.Shape()[0]
	if data.Dims() < 2 || data.Size() != n*in {
		panic(fmt.Sprintf("layers: PrepareRows: data shape %v does not fit the first layer's W shape %v", data.Shape(), a.W.Shape()))
	}
	r.x = data
	if data.Dims() != 2 {
		r.x = data.Reshape(n, in)
	}
	// The storage FromDense reserves beyond the nonzeros is never written,
	// so it costs address space, not memory.
	r.sparse = in > 0 && n > 0 && sparseMaxDensity >= 0 && r.csr.FromDense(r.x.Data(), n, in, sparseMaxDensity)
	if !r.sparse {
		r.csr = sparse.CSR{}
	}
	return r
}

// checkRows panics unless every row index is in [0, total); it reports
// whether rows are consecutive, rows[0], rows[0]+1, …, and the first.
func checkRows(rows []int, total int, shape []int) (from int, consecutive bool) {
	from, consecutive = rowRun(rows)
	if consecutive {
		if len(rows) > 0 && (from < 0 || from+len(rows) > total) {
			panic(fmt.Sprintf("layers: ForwardRows: rows [%d:%d] out of range for data shape %v", from, from+len(rows), shape))
		}
		return from, true
	}
	for _, r := range rows {
		if r < 0 || r >= total {
			panic(fmt.Sprintf("layers: ForwardRows: row %d out of range for data shape %v", r, shape))
		}
	}
	return from, false
}

// rowRun reports whether rows are consecutive, rows[0], rows[0]+1, …, and
// the first of them.
func rowRun(rows []int) (from int, ok bool) {
	if len(rows) == 0 {
		return 0, true
	}
	from = rows[0]
	for i, r := range rows {
		if r != from+i {
			return from, false
		}
	}
	return from, true
}

// gatherRows returns rows rows of data as a batch: a view when they are
// consecutive, else a copy into buf, shared among the cores by rows when
// large (see gatherJob).
func gatherRows(g *gatherJob, buf *buffer.Reusable, shape *[]int, data *tensor.Tensor, rows []int) *tensor.Tensor {
	if from, ok := checkRows(rows, data.Shape()[0], data.Shape()); ok {
		return data.Slice(from, from+len(rows))
	}
	*shape = append(append((*shape)[:0], len(rows)), data.Shape()[1:]...)
	b := buf.Shaped(*shape...)
	g.take(b.Data(), data.Data(), rows)
	return b
}

// gatherJob copies the rows of a batch, row by row, on as many cores as
// are free when the batch is large: participant p copies the p-th share
// of the rows, the images that it then convolves or the rows of the
// product it then computes (a convolution and a product share their
// images and rows the same way), so that they are in its cache.
type gatherJob struct {
	job       rangeJob
	fn        func(lo, hi int) // copyRows, bound once
	dst, src  []float64
	rows      []int
	rowLength int
}

// take copies rows rows of src, of rowLength values each, into dst;
// the rows have been checked.
func (g *gatherJob) take(dst, src []float64, rows []int) {
	if len(rows) == 0 {
		return
	}
	if g.fn == nil {
		g.fn = g.copyRows
	}
	g.dst, g.src, g.rows, g.rowLength = dst, src, rows, len(dst)/len(rows)
	g.job.run(g.fn, len(rows), 1, 2*len(dst))
	g.dst, g.src, g.rows = nil, nil, nil
}

// copyRows copies the batch's rows [lo, hi).
func (g *gatherJob) copyRows(lo, hi int) {
	n := g.rowLength
	for _, r := range g.rows[lo:hi] { // overlap the rows' first misses
		prefetch.Head(g.src[r*n:(r+1)*n], prefetch.Row)
	}
	for i := lo; i < hi; i++ {
		r := g.rows[i]
		copy(g.dst[i*n:(i+1)*n], g.src[r*n:(r+1)*n])
	}
}

// forwardRows returns what Forward would for the input made of rows rows
// of set (row i of the input from row rows[i]; repeats allowed), reading
// the set's compressed copy when it has one. The matching Backward
// differentiates against that input.
func (a *Affine) forwardRows(set *Rows, rows []int) *tensor.Tensor {
	from, consecutive := checkRows(rows, set.Len(), set.data.Shape())
	a.src, a.rows, a.n, a.xShape, a.x = set.x, rows, len(rows), a.xShape[:0], nil
	if !set.sparse || sparseMaxDensity < 0 || !sparse.AllFinite(a.W.Data()) {
		a.sparse = false
		if consecutive { // a view: no copy, but a small header
			a.x = set.x.Slice(from, from+len(rows))
		} else {
			a.x = a.gather()
		}
		return a.forwardDense(a.x)
	}
	if consecutive {
		a.view.RowRange(&set.csr, from, from+len(rows))
		return a.forwardSparse(&a.view)
	}
	a.xs.GatherRows(&set.csr, rows)
	return a.forwardSparse(&a.xs)
}

// gather copies the rows of the last forwardRows, which forwardRows has
// checked, into a dense (n, in) buffer, as gatherRows copies a batch.
func (a *Affine) gather() *tensor.Tensor {
	g := a.gathered.Shaped(len(a.rows), a.W.Shape()[0])
	a.gatherer.take(g.Data(), a.src.Data(), a.rows)
	return g
}
