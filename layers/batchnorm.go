package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/tensor"
)

// The book's settings, which NewBatchNorm starts from: ε = 10e-7, that
// is 1e-6, as the book's code writes it, and momentum 0.9.
const (
	batchNormEpsilon  = 10e-7
	batchNormMomentum = 0.9
)

// BatchNorm is batch normalization (Ioffe and Szegedy, 2015) as the book's
// §6.3 defines it: each feature is normalized over the batch, then scaled
// and shifted by learned parameters γ and β.
//
// In training mode, for each feature j over the n rows of a batch,
//
//	μⱼ = mean of xᵢⱼ    σⱼ² = mean of (xᵢⱼ − μⱼ)²
//	x̂ᵢⱼ = (xᵢⱼ − μⱼ) / √(σⱼ² + ε)    yᵢⱼ = γⱼ·x̂ᵢⱼ + βⱼ
//
// and the running statistics move towards the batch's:
// RunningMean ← m·RunningMean + (1 − m)·μ, RunningVar ← m·RunningVar +
// (1 − m)·σ², with the momentum m = 0.9 and ε = 1e-6 of the book unless
// changed (Epsilon, Momentum). In inference mode the running statistics stand in
// for μ and σ², so a prediction does not depend on the rest of its batch.
// Both start at zero, as in the book, so a BatchNorm must see training
// batches before its predictions mean anything.
//
// Gamma and Beta have shape (d), one value per feature. Forward takes
// (n, d), or (n, d₁, d₂, …) with d₁·d₂·… = d — the (N, C, H, W) output of a
// convolution is read as (N, C·H·W), as the book does — and returns the
// input's shape. The parameters are named "gamma" and "beta" (a network
// saves them as gamma1, beta1, …), the running statistics "running_mean"
// and "running_var".
type BatchNorm struct {
	Gamma, Beta   *tensor.Tensor // γ and β, the parameters
	DGamma, DBeta *tensor.Tensor // ∂L/∂γ and ∂L/∂β from the last Backward
	// RunningMean and RunningVar are the statistics used in inference
	// mode: state that is saved with the model but not learned by
	// gradient.
	RunningMean, RunningVar *tensor.Tensor
	// Epsilon is the ε added to the variance before its square root, to
	// keep the division finite; NewBatchNorm sets the book's 1e-6.
	Epsilon float64
	// Momentum is how much of the running mean and variance each training
	// batch keeps; NewBatchNorm sets the book's 0.9.
	Momentum float64

	mode    Mode
	forward Mode // the mode of the last Forward, which Backward differentiates
	n       int  // rows of the last input
	inShape []int

	xn     buffer.Reusable // x̂ of the last Forward, (n, d)
	invStd []float64       // 1/√(σ² + ε) of the last Forward, per feature
	sum    []float64       // μ of the last training Forward, per feature
	coef   []float64       // γ·s, mean(dout) and mean(dout·x̂) of a Backward, d each

	out, dx         buffer.Reusable
	xView, dView    tensor.Tensor // the input and dout read as (n, d)
	outView, dxView tensor.Tensor // the results in the input's shape

	// A large batch is shared among the cores by rows, in pieces whose
	// number depends on the batch's shape alone (see pieceSums): each
	// piece sums its rows in order, and the pieces' sums are added in
	// piece order, so the statistics are the same bits on any number of
	// cores; the element-wise results are computed by blocks of rows
	// (see rangeJob). A core thus reads and writes the rows that the
	// layer before left in its cache, and no two cores write to the
	// same lines.
	job                   rangeJob
	vars, norm, sums, dxs func(lo, hi int) // the phases' methods, bound once
	xs, xnd, ys           []float64        // x, x̂ and y (dx in Backward) of the pass in progress
	ds                    []float64        // dout in Backward
	meanSum               batchSum         // Σx
	pieces                pieceSums        // Σ(x − μ)², or Σdout and Σdout·x̂, by pieces
}

// batchNormRows aligns the blocks of rows an element-wise pass is cut
// into: eight rows, whose values take whole cache lines for any number of
// features.
const batchNormRows = 8

// batchNormSum is about how many values one piece of a sum over the batch
// adds up, at least (a piece is at least batchNormRows rows): a batch of
// up to 48 rows of 100 features is one piece, summed in row order, and a
// batch of 1000 such rows 21 pieces, enough for sixteen cores.
const batchNormSum = 1 << 12

// statRows returns the rows of one piece of BatchNorm's sums over a batch
// of rows of d features.
func statRows(d int) int { return pieceRows(d, batchNormSum) }

// bind makes the method values the shared phases run, once.
func (b *BatchNorm) bind() {
	if b.vars == nil {
		b.vars, b.norm, b.sums, b.dxs = b.varRows, b.normRows, b.sumsRows, b.dxRows
	}
}

// NewBatchNorm returns a BatchNorm layer that uses gamma and beta, both of
// shape (d), themselves as its parameters, with zero gradients and running
// statistics. The book starts with γ = 1 and β = 0. It panics if gamma is
// not 1-D or beta's shape differs from it.
func NewBatchNorm(gamma, beta *tensor.Tensor) *BatchNorm {
	if gamma.Dims() != 1 || beta.Dims() != 1 || beta.Size() != gamma.Size() {
		panic(fmt.Sprintf("layers: NewBatchNorm: gamma shape %v and beta shape %v are not both (d)", gamma.Shape(), beta.Shape()))
	}
	d := gamma.Size()
	return &BatchNorm{
		Gamma: gamma, Beta: beta,
		DGamma: tensor.New(d), DBeta: tensor.New(d),
		RunningMean: tensor.New(d), RunningVar: tensor.New(d),
		Epsilon: batchNormEpsilon, Momentum: batchNormMomentum,
		invStd: make([]float64, d), sum: make([]float64, d), coef: make([]float64, 3*d),
	}
}

// SetMode sets the mode of the forward passes that follow: Training
// normalizes by the batch's statistics and updates the running ones,
// Inference normalizes by the running statistics.
func (b *BatchNorm) SetMode(m Mode) { b.mode = m }

// Forward returns y = γ·x̂ + β with x̂ normalized by the batch's statistics
// (Training) or the running ones (Inference), in the input's shape. The
// result is owned by the layer and valid until its next Forward. Forward
// panics if x is not (n, d) or (n, …) with d features per row, or if a
// training batch has no rows.
func (b *BatchNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	d := b.Gamma.Size()
	if x.Dims() < 2 || x.Size() != x.Shape()[0]*d {
		panic(fmt.Sprintf("layers: BatchNorm.Forward: input shape %v does not have %d features per row", x.Shape(), d))
	}
	n := x.Shape()[0]
	if n == 0 && b.mode == Training {
		panic("layers: BatchNorm.Forward: a training batch needs at least one row")
	}
	b.n, b.forward = n, b.mode
	b.inShape = append(b.inShape[:0], x.Shape()...)
	b.xView.Wrap(x.Data(), n, d)
	b.xs, b.xnd = b.xView.Data(), b.xn.Shaped(n, d).Data()
	out := b.out.Shaped(n, d)
	b.ys = out.Data()
	b.bind()
	b.stats(n, d)
	b.job.runBlocks(b.norm, n, batchNormRows, 3*n*d)
	b.xs, b.xnd, b.ys = nil, nil, nil
	if x.Dims() == 2 {
		return out
	}
	b.outView.Wrap(out.Data(), b.inShape...)
	return &b.outView
}

// stats computes μ (training) and 1/√(σ² + ε) of every feature for the
// Forward in progress, and moves the running statistics: the mean, then
// the mean of (x − μ)², each summed over the rows by pieces.
func (b *BatchNorm) stats(n, d int) {
	mean, inv := b.sum[:d], b.invStd[:d]
	rm, rv := b.RunningMean.Data()[:d], b.RunningVar.Data()[:d]
	if b.mode != Training {
		for j := range inv {
			inv[j] = 1 / math.Sqrt(rv[j]+b.Epsilon)
		}
		return
	}
	b.meanSum.sum(mean, b.xs, n, d, batchNormSum)
	for j := range mean {
		mean[j] /= float64(n)
	}
	pieces := b.pieces.start(n, d, 1, batchNormSum)
	b.job.run(b.vars, n, b.pieces.per, 2*n*d)
	b.pieces.total(inv, 0, pieces) // σ²·n, then 1/√(σ² + ε)
	for j := range inv {
		v := inv[j] / float64(n)
		rm[j] = b.Momentum*rm[j] + (1-b.Momentum)*mean[j]
		rv[j] = b.Momentum*rv[j] + (1-b.Momentum)*v
		inv[j] = 1 / math.Sqrt(v+b.Epsilon)
	}
}

// The passes that sum by pieces are given whole pieces, [lo, hi) on
// one core the whole batch, and sum each piece of it on its own.

// varRows sums (x − μ)² over each piece of rows [lo, hi), in row order.
func (b *BatchNorm) varRows(lo, hi int) {
	d, per := b.Gamma.Size(), b.pieces.per
	mean := b.sum[:d]
	for ; lo < hi; lo += per {
		s := b.pieces.part(lo, 0)
		clear(s)
		for i := lo; i < min(lo+per, hi); i++ {
			for j, v := range b.xs[i*d : i*d+d] {
				c := v - mean[j]
				s[j] += c * c
			}
		}
	}
}

// normRows computes x̂ and y of rows [lo, hi) for the Forward in
// progress, from the statistics stats left.
func (b *BatchNorm) normRows(lo, hi int) {
	d := b.Gamma.Size()
	mean := b.sum
	if b.mode != Training {
		mean = b.RunningMean.Data()
	}
	inv, g, be := b.invStd[:d], b.Gamma.Data()[:d], b.Beta.Data()[:d]
	mean = mean[:d]
	for i := lo; i < hi; i++ {
		x, c, y := b.xs[i*d:i*d+d], b.xnd[i*d:i*d+d], b.ys[i*d:i*d+d]
		for j, v := range x {
			h := (v - mean[j]) * inv[j] // x̂ = (x − μ)/√(σ² + ε)
			c[j] = h
			y[j] = g[j]*h + be[j] // y = γ·x̂ + β
		}
	}
}

// Backward takes dout = ∂L/∂y, fills DGamma and DBeta, and returns
// dx = ∂L/∂x in the shape of the last input. With s = 1/√(σ² + ε) and
// means over the batch,
//
//	∂L/∂β = Σᵢ dout    ∂L/∂γ = Σᵢ dout·x̂
//	∂L/∂x = γ·s·(dout − mean(dout) − x̂·mean(dout·x̂))
//
// after a training Forward: the book's chain through x − μ, σ and μ,
// collected. After an inference Forward, where μ and σ² are constants,
// ∂L/∂x = γ·s·dout. DGamma and DBeta are overwritten, not accumulated.
// Backward panics if dout's shape is not that of the last output, or if
// Forward has not run.
func (b *BatchNorm) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if b.inShape == nil {
		panic("layers: BatchNorm.Backward: called before Forward")
	}
	d, n := b.Gamma.Size(), b.n
	if !slices.Equal(dout.Shape(), b.inShape) {
		panic(fmt.Sprintf("layers: BatchNorm.Backward: dout shape %v does not match output shape %v", dout.Shape(), b.inShape))
	}
	b.dView.Wrap(dout.Data(), n, d)
	dx := b.dx.Shaped(n, d)
	b.ds, b.xnd, b.ys = b.dView.Data(), b.xn.Shaped(n, d).Data(), dx.Data()
	b.bind()
	pieces := b.pieces.start(n, d, 2, batchNormSum)
	b.job.run(b.sums, n, b.pieces.per, 2*n*d)
	dg, db := b.DGamma.Data()[:d], b.DBeta.Data()[:d]
	b.pieces.total(db, 0, pieces)
	b.pieces.total(dg, 1, pieces)
	gamma, inv := b.Gamma.Data()[:d], b.invStd[:d]
	scale, mdb, mdg := b.coef[:d], b.coef[d:2*d], b.coef[2*d:3*d]
	fn := float64(n)
	for j := range scale {
		scale[j] = gamma[j] * inv[j]
		mdb[j] = db[j] / fn // mean(dout)
		mdg[j] = dg[j] / fn // mean(dout·x̂)
	}
	b.job.runBlocks(b.dxs, n, batchNormRows, 3*n*d)
	b.ds, b.xnd, b.ys = nil, nil, nil
	if len(b.inShape) == 2 {
		return dx
	}
	b.dxView.Wrap(dx.Data(), b.inShape...)
	return &b.dxView
}

// sumsRows sums dout and dout·x̂ over each piece of rows [lo, hi) for
// the Backward in progress, in row order: the pieces' shares of ∂L/∂β
// and ∂L/∂γ.
func (b *BatchNorm) sumsRows(lo, hi int) {
	d, per := b.Gamma.Size(), b.pieces.per
	for ; lo < hi; lo += per {
		db, dg := b.pieces.part(lo, 0), b.pieces.part(lo, 1)
		clear(db)
		clear(dg)
		for i := lo; i < min(lo+per, hi); i++ {
			c, g := b.xnd[i*d:i*d+d], b.ds[i*d:i*d+d]
			for j, v := range g {
				db[j] += v
				dg[j] += v * c[j]
			}
		}
	}
}

// dxRows computes ∂L/∂x of rows [lo, hi) for the Backward in progress,
// from the factors Backward left.
func (b *BatchNorm) dxRows(lo, hi int) {
	d := b.Gamma.Size()
	scale, mdb, mdg := b.coef[:d], b.coef[d:2*d], b.coef[2*d:3*d]
	if b.forward == Training {
		for i := lo; i < hi; i++ {
			c, g, o := b.xnd[i*d:i*d+d], b.ds[i*d:i*d+d], b.ys[i*d:i*d+d]
			for j, v := range g {
				// The conversion rounds c·mean(dout·x̂) on its own, as on
				// amd64, where Go may otherwise fuse it into the
				// subtraction (arm64, ppc64le, s390x).
				o[j] = scale[j] * (v - mdb[j] - float64(c[j]*mdg[j]))
			}
		}
		return
	}
	for i := lo; i < hi; i++ {
		g, o := b.ds[i*d:i*d+d], b.ys[i*d:i*d+d]
		for j, v := range g {
			o[j] = scale[j] * v
		}
	}
}

// Params describes γ and β ("gamma", "beta", not decayed, as in the
// book's MultiLayerNetExtend) with their gradients, then the running
// statistics ("running_mean", "running_var"), state that inference uses
// and a saved model keeps.
func (b *BatchNorm) Params() []Param {
	return []Param{
		{Name: "gamma", Value: b.Gamma, Grad: b.DGamma},
		{Name: "beta", Value: b.Beta, Grad: b.DBeta},
		{Name: "running_mean", Value: b.RunningMean},
		{Name: "running_var", Value: b.RunningVar},
	}
}

// batchNormConfig is BatchNorm's configuration in a model file.
type batchNormConfig struct {
	Epsilon  float64 `json:"epsilon"`
	Momentum float64 `json:"momentum"`
}

// Describe returns the description of kind "BatchNorm", with its ε and
// momentum.
func (b *BatchNorm) Describe() Description {
	return NewDescription("BatchNorm", batchNormConfig{Epsilon: b.Epsilon, Momentum: b.Momentum})
}

// decodeBatchNorm reads the configuration of a layer of kind kind, a
// BatchNorm or BatchNorm2D, over the defaults in cfg, and checks it and
// the layer's four tensors — γ, β, the running mean and variance — which
// must all have one 1-D shape, named shape in the error; nonEmpty refuses
// the shape (0).
func decodeBatchNorm(kind string, d Description, cfg batchNormConfig, params []*tensor.Tensor, shape string, nonEmpty bool) (batchNormConfig, error) {
	if err := d.Decode(&cfg); err != nil {
		return cfg, err
	}
	if !(cfg.Epsilon > 0) || math.IsInf(cfg.Epsilon, 0) || !(cfg.Momentum >= 0 && cfg.Momentum <= 1) {
		return cfg, fmt.Errorf("layers: %s: epsilon %v must be finite and positive and momentum %v in [0, 1]", kind, cfg.Epsilon, cfg.Momentum)
	}
	if err := wantTensors(kind, params, 1, 1, 1, 1); err != nil {
		return cfg, err
	}
	for _, p := range params {
		if p.Size() != params[0].Size() || nonEmpty && p.Size() == 0 {
			return cfg, fmt.Errorf("layers: %s: tensors of shapes %v, %v, %v and %v: want four of one shape %s",
				kind, params[0].Shape(), params[1].Shape(), params[2].Shape(), params[3].Shape(), shape)
		}
	}
	return cfg, nil
}

// buildBatchNorm makes a BatchNorm layer from γ, β and the running mean
// and variance, all of shape (d).
func buildBatchNorm(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	cfg, err := decodeBatchNorm("BatchNorm", d, batchNormConfig{Epsilon: batchNormEpsilon, Momentum: batchNormMomentum}, params, "(d)", false)
	if err != nil {
		return nil, err
	}
	b := NewBatchNorm(params[0], params[1])
	b.RunningMean, b.RunningVar = params[2], params[3]
	b.Epsilon, b.Momentum = cfg.Epsilon, cfg.Momentum
	return b, nil
}

// Clone returns an independent copy of the layer, a *BatchNorm: copied
// parameters, gradients and running statistics, the same settings and
// mode, fresh buffers.
func (b *BatchNorm) Clone() Layer {
	c := NewBatchNorm(b.Gamma.Clone(), b.Beta.Clone())
	c.DGamma.CopyFrom(b.DGamma)
	c.DBeta.CopyFrom(b.DBeta)
	c.RunningMean.CopyFrom(b.RunningMean)
	c.RunningVar.CopyFrom(b.RunningVar)
	c.Epsilon, c.Momentum = b.Epsilon, b.Momentum
	c.mode = b.mode
	return c
}
