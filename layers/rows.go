package layers

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/sparse"
	"github.com/numlearn/numlearn/tensor"
)

// dataSet is a data set that ForwardRows has read, with its nonzeros in
// compressed-row form when it is sparse enough.
type dataSet struct {
	t      *tensor.Tensor // as the caller passed it: its identity
	first  *float64       // the address of its first element, to tell views apart
	x      *tensor.Tensor // as (N, in)
	csr    sparse.CSR
	sparse bool
}

// matches reports whether the set was made from data.
func (s *dataSet) matches(data *tensor.Tensor) bool {
	if s.t != data || s.x.Size() != data.Size() {
		return false
	}
	return data.Size() == 0 || s.first == &data.Data()[0]
}

// ForwardRows returns what Forward would for the input made of rows rows
// of data (row i of the input from row rows[i]; repeats allowed), without
// gathering them into a batch first. data must flatten to (N, in), as for
// Forward. The matching Backward returns dx of shape (len(rows), in).
//
// The first call with a data set looks at its density: when it is sparse
// (at most 30 % of its entries nonzero) the layer compresses it once and keeps that
// copy, so that a mini-batch then copies only its nonzeros and a run of
// consecutive rows is read in place. It keeps the copies of the last two
// data sets it was given (a training set and a test set), so data must not
// change between the calls that pass it. ForwardRows(nil, nil) releases
// them and returns nil.
//
// ForwardRows panics if data does not flatten to (N, in) or a row is out
// of range.
func (a *Affine) ForwardRows(data *tensor.Tensor, rows []int) *tensor.Tensor {
	if data == nil {
		a.sets = [2]dataSet{}
		a.x, a.src, a.rows, a.cur, a.sparse = nil, nil, nil, nil, false
		a.view = sparse.CSR{}
		return nil
	}
	in := a.W.Shape()[0]
	if data.Dims() < 2 || data.Size() != data.Shape()[0]*in {
		panic(fmt.Sprintf("layers: Affine.ForwardRows: input shape %v does not fit W shape %v", data.Shape(), a.W.Shape()))
	}
	set := a.dataSet(data)
	total := set.x.Shape()[0]
	from, consecutive := rowRun(rows)
	if consecutive {
		if len(rows) > 0 && (from < 0 || from+len(rows) > total) {
			panic(fmt.Sprintf("layers: Affine.ForwardRows: rows [%d:%d] out of range for input shape %v", from, from+len(rows), data.Shape()))
		}
	} else {
		for _, r := range rows {
			if r < 0 || r >= total {
				panic(fmt.Sprintf("layers: Affine.ForwardRows: row %d out of range for input shape %v", r, data.Shape()))
			}
		}
	}
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

// dataSet returns the kept form of data, making it (in place of the less
// recently used one) when it is new.
func (a *Affine) dataSet(data *tensor.Tensor) *dataSet {
	if a.sets[0].t != nil && a.sets[0].matches(data) {
		return &a.sets[0]
	}
	if a.sets[1].t != nil && a.sets[1].matches(data) {
		a.sets[0], a.sets[1] = a.sets[1], a.sets[0]
		return &a.sets[0]
	}
	// The view may share the storage of the set about to be replaced.
	a.view = sparse.CSR{}
	a.sets[1] = a.sets[0]
	s := &a.sets[0]
	*s = dataSet{t: data}
	if data.Size() > 0 {
		s.first = &data.Data()[0]
	}
	n := data.Shape()[0]
	in := a.W.Shape()[0]
	s.x = data
	if data.Dims() != 2 {
		s.x = data.Reshape(n, in)
	}
	// The storage FromDense reserves beyond the nonzeros is never written,
	// so it costs address space, not memory.
	s.sparse = in > 0 && n > 0 && sparseMaxDensity >= 0 && s.csr.FromDense(s.x.Data(), n, in, sparseMaxDensity)
	if !s.sparse {
		s.csr = sparse.CSR{}
	}
	return s
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

// gather copies the rows of the last ForwardRows into a dense (n, in)
// buffer.
func (a *Affine) gather() *tensor.Tensor {
	g := a.gathered.Shaped(len(a.rows), a.W.Shape()[0])
	g.TakeRows(a.src, a.rows)
	return g
}
