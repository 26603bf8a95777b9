package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/internal/sparse"
	"github.com/numlearn/numlearn/tensor"
)

// Affine is the fully connected layer y = x·W + b of the book's §5.6.
//
// W is (in, out) and B is (out). Forward takes x of shape (n, in), or of any
// shape (n, d₁, d₂, …) with d₁·d₂·… = in, which it flattens to (n, in), or
// a single sample of shape (in); its output is (n, out), or (out) for a
// single sample. Backward fills DW and DB and returns dx in the shape of the
// last input.
//
// When at most 30 % of the input's entries are nonzero (MNIST images have
// about 19 %), Forward keeps the input in compressed-row form
// and multiplies only its nonzeros, and Backward computes DW = xᵀ·dout from
// the same form; the results equal the dense products up to rounding. See
// the package's Performance section.
type Affine struct {
	W, B   *tensor.Tensor // the parameters
	DW, DB *tensor.Tensor // ∂L/∂W and ∂L/∂B from the last Backward

	skipDX bool // Backward leaves out dx (skipInputGrad)

	x      *tensor.Tensor // the last input as (n, in); nil after forwardRows until gathered; not owned
	xShape []int          // the last input's own shape; empty after forwardRows
	n      int            // the last input's number of rows

	// After forwardRows: the data set as (N, in) and the rows taken from
	// it (neither owned), and the rows gathered densely, which only the
	// dense paths need, copied by gatherer.
	src      *tensor.Tensor
	rows     []int
	gathered buffer.Reusable
	gatherer gatherJob

	out, dx buffer.Reusable
	// Views that reshape a flattened or single-sample input, its output
	// and its dx without allocating.
	xView, outView, doutView, dxView tensor.Tensor

	// The sparse path: when sparse is set, cur is the last input in
	// compressed-row form — xs, which this layer fills, or view, a window
	// on a prepared data set's compressed copy (Rows) — and xt its
	// transpose for DW.
	xs, view, xt sparse.CSR
	cur          *sparse.CSR
	sparse       bool
	// skipChecks counts down the inputs a training pass takes dense
	// without looking for sparsity, after one was found too dense: a
	// hidden layer's input (about half zeros after ReLU) is rarely sparse
	// enough, and checking it on every step would cost a partial pass
	// each time.
	skipChecks int
	// inference is set by a Sequence for its inference passes, whose
	// path depends on the input alone (see chooseSparse).
	inference bool
	dbSum     batchSum // ∂L/∂b's sum over the batch, by pieces of rows
}

// maxSparseDensity is the largest fraction of nonzero entries in an input
// batch for which Affine uses its sparse path. Measured on a 784-50 layer
// with batches of 100 and chunks of 10,000 (BenchmarkAffineDensity), the
// sparse path is faster than the dense one up to about this density, and
// the test for it stops early on a denser batch, so it costs a dense input
// only a few percent of the product.
const maxSparseDensity = 0.3

// sparseMaxDensity is the threshold in use; benchmarks set it below 0 to
// measure the dense path.
var sparseMaxDensity = maxSparseDensity

// NewAffine returns an Affine layer that uses w (in, out) and b (out)
// themselves, not copies, as its parameters, with zeroed gradients of the
// same shapes. It panics if w is not 2-D or b's shape is not (out).
func NewAffine(w, b *tensor.Tensor) *Affine {
	if w.Dims() != 2 || b.Dims() != 1 || b.Shape()[0] != w.Shape()[1] {
		panic(fmt.Sprintf("layers: NewAffine: W shape %v and b shape %v do not fit (in, out) and (out)", w.Shape(), b.Shape()))
	}
	return &Affine{W: w, B: b, DW: tensor.New(w.Shape()...), DB: tensor.New(b.Shape()...)}
}

// Forward returns y = x·W + b, with b added to every row. The result is
// owned by the layer and valid until its next Forward. Forward panics if x
// does not flatten to (n, in).
func (a *Affine) Forward(x *tensor.Tensor) *tensor.Tensor {
	in, outDim := a.W.Shape()[0], a.W.Shape()[1]
	x2 := x
	switch {
	case x.Dims() == 1 && x.Size() == in:
		a.xView.Wrap(x.Data(), 1, in)
		x2 = &a.xView
	case x.Dims() > 2 && x.Size() == x.Shape()[0]*in:
		a.xView.Wrap(x.Data(), x.Shape()[0], in)
		x2 = &a.xView
	case x.Dims() != 2 || x.Shape()[1] != in:
		panic(fmt.Sprintf("layers: Affine.Forward: input shape %v does not fit W shape %v", x.Shape(), a.W.Shape()))
	}
	a.x, a.xShape, a.src, a.rows = x2, append(a.xShape[:0], x.Shape()...), nil, nil
	a.n = x2.Shape()[0]
	a.sparse = a.chooseSparse(x2.Data(), a.n, in)
	var out *tensor.Tensor
	if a.sparse {
		out = a.forwardSparse(&a.xs)
	} else {
		out = a.forwardDense(x2)
	}
	if x.Dims() == 1 {
		a.outView.Wrap(out.Data(), outDim)
		return &a.outView
	}
	return out
}

// forwardSparse computes y = x·W + b for x in compressed form and makes x
// the input Backward differentiates against.
func (a *Affine) forwardSparse(x *sparse.CSR) *tensor.Tensor {
	outDim := a.W.Shape()[1]
	out := a.out.Shaped(x.Rows, outDim)
	a.sparse, a.cur = true, x
	sparse.Mul(out.Data(), x, a.W.Data(), outDim, a.B.Data()) // y = x·W + b
	return out
}

// forwardDense computes y = x·W + b for x of shape (n, in).
func (a *Affine) forwardDense(x *tensor.Tensor) *tensor.Tensor {
	out := a.out.Shaped(x.Shape()[0], a.W.Shape()[1])
	out.MatMul(x, a.W) // y = x·W …
	out.Add(out, a.B)  // … + b, broadcast over the rows
	return out
}

// denseRun is the number of inputs a training pass takes dense without a
// check after one was found too dense.
const denseRun = 64

// chooseSparse reports whether to take the sparse path for x (n, in) —
// whether x is sparse enough and W finite (a sparse product skips the
// terms 0·W[k][j], which are NaN rather than 0 when W[k][j] is not) — and
// when it does leaves x in compressed form in a.xs.
//
// In a training pass a layer that found an input too dense takes the next
// denseRun inputs dense without looking. In an inference pass (a
// Sequence's) the input is always checked, so that the path — and the
// rounding of the result — depends on the input alone: a network loaded
// from a model file predicts bit for bit what the saved one predicted,
// whatever each saw before. Inference passes still count down and start
// the runs of unchecked inputs, as training passes do, so that a
// training run's path does not depend on how its evaluations were read.
func (a *Affine) chooseSparse(x []float64, n, in int) bool {
	if sparseMaxDensity < 0 {
		return false
	}
	check := func() bool {
		return a.xs.FromDense(x, n, in, sparseMaxDensity) && sparse.AllFinite(a.W.Data())
	}
	if a.skipChecks > 0 {
		a.skipChecks--
		return a.inference && check()
	}
	ok := check()
	if !ok {
		a.skipChecks = denseRun
	}
	return ok
}

// setMode tells the layer whether the passes that follow are for
// inference, as a Sequence does.
func (a *Affine) setMode(m Mode) { a.inference = m == Inference }

// Backward takes dout = ∂L/∂y, fills DW and DB, and returns dx = ∂L/∂x in
// the shape of the last input:
//
//	∂L/∂x = dout·Wᵀ    ∂L/∂W = xᵀ·dout    ∂L/∂b = Σ over rows of dout
//
// DW and DB are overwritten, not accumulated. Backward panics if dout's
// shape is not that of the last output, or if Forward has not run.
func (a *Affine) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if a.x == nil && a.src == nil {
		panic("layers: Affine.Backward: called before Forward")
	}
	n, outDim := a.n, a.W.Shape()[1]
	d2 := dout
	if dout.Dims() == 1 && len(a.xShape) == 1 && dout.Size() == outDim {
		a.doutView.Wrap(dout.Data(), 1, outDim)
		d2 = &a.doutView
	} else if dout.Dims() != 2 || dout.Shape()[0] != n || dout.Shape()[1] != outDim {
		panic(fmt.Sprintf("layers: Affine.Backward: dout shape %v does not match output shape [%d %d]", dout.Shape(), n, outDim))
	}
	if a.sparse && sparse.AllFinite(d2.Data()) {
		a.xt.Transpose(a.cur) // xᵀ in compressed-row form
		sparse.Mul(a.DW.Data(), &a.xt, d2.Data(), outDim, nil)
	} else {
		if a.x == nil {
			a.x = a.gather() // after a sparse forwardRows
		}
		a.DW.MatMulTransA(a.x, d2)
	}
	a.dbSum.sum(a.DB.Data(), d2.Data(), n, outDim, batchSumValues)
	if a.skipDX {
		return nil
	}
	dx := a.dx.Shaped(n, a.W.Shape()[0])
	dx.MatMulTransB(d2, a.W)
	if len(a.xShape) == 1 || len(a.xShape) > 2 {
		a.dxView.Wrap(dx.Data(), a.xShape...)
		return &a.dxView
	}
	return dx
}

// skipInputGrad makes Backward compute DW and DB only and return nil when
// skip is true: a Sequence's first layer has no one to pass dx to, and
// dout·Wᵀ is a third of its backward work.
func (a *Affine) skipInputGrad(skip bool) { a.skipDX = skip }

// Params describes W (decayed) and b, the book's names, with DW and DB.
func (a *Affine) Params() []Param {
	return []Param{{Name: "W", Value: a.W, Grad: a.DW, Decay: true}, {Name: "b", Value: a.B, Grad: a.DB}}
}

// Describe returns the description of kind "Affine": it has no
// configuration, its sizes are those of W.
func (a *Affine) Describe() Description { return Description{Kind: "Affine"} }

// buildAffine makes an Affine layer from W (in, out) and b (out).
func buildAffine(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	if err := d.Decode(&struct{}{}); err != nil {
		return nil, err
	}
	if err := wantTensors("Affine", params, 2, 1); err != nil {
		return nil, err
	}
	if w, b := params[0], params[1]; b.Shape()[0] != w.Shape()[1] {
		return nil, fmt.Errorf("layers: Affine: W shape %v and b shape %v do not fit (in, out) and (out)", w.Shape(), b.Shape())
	}
	return NewAffine(params[0], params[1]), nil
}

// release drops what the layer keeps of the last batch read by
// forwardRows, a view of a data set's compressed copy among it.
func (a *Affine) release() {
	a.x, a.src, a.rows, a.cur, a.sparse = nil, nil, nil, nil, false
	a.view = sparse.CSR{}
}

// Clone returns an independent copy of the layer, an *Affine: copied
// parameters and gradients, fresh buffers.
func (a *Affine) Clone() Layer {
	c := NewAffine(a.W.Clone(), a.B.Clone())
	c.DW.CopyFrom(a.DW)
	c.DB.CopyFrom(a.DB)
	return c
}
