package layers

import (
	"fmt"

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

	skipInputGrad bool

	x      *tensor.Tensor // the last input as (n, in); nil after ForwardRows until gathered; not owned
	xShape []int          // the last input's own shape; empty after ForwardRows
	n      int            // the last input's number of rows

	// After ForwardRows: the data set as (N, in) and the rows taken from it
	// (neither owned), and the rows gathered densely, which only the dense
	// paths need.
	src      *tensor.Tensor
	rows     []int
	gathered buffer.Reusable
	sets     [2]dataSet // the data sets ForwardRows read last, most recent first

	out, dx buffer.Reusable
	// Views that reshape a flattened or single-sample input, its output
	// and its dx without allocating.
	xView, outView, doutView, dxView tensor.Tensor

	// The sparse path: when sparse is set, cur is the last input in
	// compressed-row form — xs, which this layer fills, or view, a window
	// on a data set's compressed copy — and xt its transpose for DW.
	xs, view, xt sparse.CSR
	cur          *sparse.CSR
	sparse       bool
	// skipChecks counts down the inputs taken dense without looking for
	// sparsity, after one was found too dense: a hidden layer's input
	// (about half zeros after ReLU) is never sparse enough, and checking
	// it on every step would cost a partial pass each time.
	skipChecks int
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
	// A sparse product skips the terms 0·W[k][j], which are NaN rather than
	// 0 when W[k][j] is not finite: such weights take the dense path.
	checked := a.trySparse()
	a.sparse = checked && a.xs.FromDense(x2.Data(), a.n, in, sparseMaxDensity) &&
		sparse.AllFinite(a.W.Data())
	a.noteDensity(checked)
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

// denseRun is the number of inputs taken dense without a check after one
// was found too dense.
const denseRun = 64

// trySparse reports whether to look for sparsity in this input.
func (a *Affine) trySparse() bool {
	if sparseMaxDensity < 0 {
		return false
	}
	if a.skipChecks > 0 {
		a.skipChecks--
		return false
	}
	return true
}

// noteDensity starts a run of unchecked dense inputs when a check was
// made and found the input too dense (or W not finite).
func (a *Affine) noteDensity(checked bool) {
	if checked && !a.sparse {
		a.skipChecks = denseRun
	}
}

// Backward takes dout = ∂L/∂y, fills DW and DB, and returns dx = ∂L/∂x in
// the shape of the last input (nil after SkipInputGrad(true)):
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
			a.x = a.gather() // after a sparse ForwardRows
		}
		a.DW.MatMulTransA(a.x, d2)
	}
	a.DB.SumAxis(d2, 0)
	if a.skipInputGrad {
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

// SkipInputGrad makes Backward compute DW and DB only and return nil when
// skip is true: the first layer of a network has no one to pass dx to, and
// dout·Wᵀ is a third of its backward work. numlearn's Network sets it on
// its first layer.
func (a *Affine) SkipInputGrad(skip bool) { a.skipInputGrad = skip }

// Params returns the learnable tensors {W, B}.
func (a *Affine) Params() []*tensor.Tensor { return []*tensor.Tensor{a.W, a.B} }

// Grads returns {DW, DB}, aligned with Params.
func (a *Affine) Grads() []*tensor.Tensor { return []*tensor.Tensor{a.DW, a.DB} }

// ParamNames returns {"W", "b"}, the book's names.
func (a *Affine) ParamNames() []string { return []string{"W", "b"} }

// Decayed returns {true, false}: weight decay applies to W, not to b, as
// in the book's MultiLayerNet.
func (a *Affine) Decayed() []bool { return []bool{true, false} }

// Clone returns an independent copy of the layer, an *Affine: copied
// parameters and gradients, fresh buffers, the same SkipInputGrad setting.
func (a *Affine) Clone() Layer {
	c := NewAffine(a.W.Clone(), a.B.Clone())
	c.DW.CopyFrom(a.DW)
	c.DB.CopyFrom(a.DB)
	c.skipInputGrad = a.skipInputGrad
	return c
}
