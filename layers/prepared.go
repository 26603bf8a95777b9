package layers

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/sparse"
	"github.com/numlearn/numlearn/tensor"
)

// Prepared is an input data set made ready for an Affine layer to read
// by rows, as training and evaluation do. When at most SparseMaxDensity of
// its entries are nonzero it is kept in compressed-row form, built once:
// a mini-batch (ForwardPrepared) then copies only its nonzeros, and an
// evaluation chunk (ForwardPreparedRange) copies nothing. For MNIST that
// is about a third of the memory of the images themselves, and it saves
// reading the scattered dense rows of every mini-batch again and again.
//
// The tensor a Prepared was made from must not change while it is in use.
type Prepared struct {
	x      *tensor.Tensor // (N, in)
	csr    sparse.CSR
	sparse bool
}

// Prepare readies x, of shape (N, in) or (N, d₁, d₂, …) with d₁·d₂·… = in,
// for ForwardPrepared and ForwardPreparedRange. It panics if x is a scalar.
func Prepare(x *tensor.Tensor) *Prepared {
	if x.Dims() < 1 {
		panic(fmt.Sprintf("layers: Prepare: shape %v has no rows", x.Shape()))
	}
	n := x.Shape()[0]
	in := 0
	if n > 0 {
		in = x.Size() / n
	}
	x2 := x
	if x.Dims() != 2 {
		x2 = x.Reshape(n, in)
	}
	p := &Prepared{x: x2}
	// The storage FromDense reserves beyond the nonzeros is never
	// written, so it costs address space, not memory.
	if in > 0 && sparseMaxDensity >= 0 && p.csr.FromDense(x2.Data(), n, in, sparseMaxDensity) {
		p.sparse = true
	} else {
		p.csr = sparse.CSR{}
	}
	return p
}

// Len returns the number of rows.
func (p *Prepared) Len() int { return p.x.Shape()[0] }

// Sparse reports whether the data is kept in compressed form.
func (p *Prepared) Sparse() bool { return p.sparse }

// Tensor returns the (N, in) tensor the data was prepared from.
func (p *Prepared) Tensor() *tensor.Tensor { return p.x }

// ForwardPrepared returns what Forward would for the rows rows of p (as
// ForwardRows does for a tensor). rows must not change until the matching
// Backward. It panics if p's rows do not have in entries or a row is out
// of range.
func (a *Affine) ForwardPrepared(p *Prepared, rows []int) *tensor.Tensor {
	a.checkPrepared("ForwardPrepared", p)
	if !p.sparse || sparseMaxDensity < 0 || !sparse.AllFinite(a.W.Data()) {
		return a.ForwardRows(p.x, rows)
	}
	for _, r := range rows {
		if r < 0 || r >= p.Len() {
			panic(fmt.Sprintf("layers: Affine.ForwardPrepared: row %d out of range for %d rows", r, p.Len()))
		}
	}
	a.xs.GatherRows(&p.csr, rows)
	a.src, a.rows, a.n, a.xShape, a.x = p.x, rows, len(rows), nil, nil
	return a.forwardSparse(&a.xs)
}

// ForwardPreparedRange returns what Forward would for rows [from, to) of
// p, without copying them. It panics if p's rows do not have in entries or
// the range is out of bounds.
func (a *Affine) ForwardPreparedRange(p *Prepared, from, to int) *tensor.Tensor {
	a.checkPrepared("ForwardPreparedRange", p)
	if from < 0 || from > to || to > p.Len() {
		panic(fmt.Sprintf("layers: Affine.ForwardPreparedRange: range [%d:%d] out of bounds for %d rows", from, to, p.Len()))
	}
	if !p.sparse || sparseMaxDensity < 0 || !sparse.AllFinite(a.W.Data()) {
		return a.Forward(p.x.Slice(from, to))
	}
	a.view.RowRange(&p.csr, from, to)
	a.src, a.rows, a.n, a.xShape, a.x = nil, nil, to-from, nil, p.x.Slice(from, to)
	return a.forwardSparse(&a.view)
}

func (a *Affine) checkPrepared(op string, p *Prepared) {
	if in := a.W.Shape()[0]; p.x.Shape()[1] != in {
		panic(fmt.Sprintf("layers: Affine.%s: prepared rows of %d entries do not fit W shape %v", op, p.x.Shape()[1], a.W.Shape()))
	}
}
