package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/tensor"
)

// PyTorch's ε and ONNX's momentum, which NewBatchNorm2D starts from.
const (
	batchNorm2DEpsilon  = 1e-5
	batchNorm2DMomentum = 0.9
)

// BatchNorm2D is batch normalization per channel, as PyTorch's
// nn.BatchNorm2d and ONNX's BatchNormalization compute it for images
// (N, C, H, W): each channel c is normalized over the N·H·W values it
// has in a batch, then scaled and shifted by learned parameters γᶜ and βᶜ.
// (BatchNorm, the book's layer, normalizes each of the C·H·W positions
// on its own instead.)
//
// In training mode, for each channel c over its m = N·H·W values x,
//
//	μ = mean(x)    σ² = mean((x − μ)²)
//	x̂ = (x − μ) / √(σ² + ε)    y = γ·x̂ + β
//
// and the running statistics move towards the batch's:
//
//	RunningMean ← M·RunningMean + (1 − M)·μ
//	RunningVar  ← M·RunningVar  + (1 − M)·σ²·m/(m − 1)
//
// with the momentum M = 0.9 and ε = 1e-5 unless changed. The momentum is
// written as ONNX and the book write it, the share of the running
// statistics each batch keeps; PyTorch's momentum p is the share of the
// batch's, so PyTorch's default p = 0.1 is M = 1 − p = 0.9. The running
// variance takes the unbiased variance of the batch, σ²·m/(m − 1), while x̂
// is normalized by the biased σ², exactly as PyTorch does, so that
// fine-tuning an imported model moves its statistics as PyTorch would.
// (ONNX's reference implementation takes the biased σ² for both.) In
// inference mode the running statistics stand in for μ and σ², so a
// prediction does not depend on the rest of its batch. They start, as in
// PyTorch, at mean 0 and variance 1.
//
// Gamma, Beta and the running statistics have shape (C). Forward takes
// (N, C, H, W), and as ONNX's BatchNormalization any (N, C, d₁, …) — (N, C)
// or (N, C, L) for PyTorch's BatchNorm1d — with the statistics over every
// axis but axis 1, and returns the input's shape. The parameters are named
// "gamma" and "beta", the running statistics "running_mean" and
// "running_var" (PyTorch's weight, bias, running_mean and running_var).
type BatchNorm2D struct {
	Gamma, Beta   *tensor.Tensor // γ and β, the parameters, (C)
	DGamma, DBeta *tensor.Tensor // ∂L/∂γ and ∂L/∂β from the last Backward
	// RunningMean and RunningVar are the statistics used in inference
	// mode: state that is saved with the model but not learned by
	// gradient.
	RunningMean, RunningVar *tensor.Tensor
	// Epsilon is the ε added to the variance before its square root;
	// NewBatchNorm2D sets PyTorch's and ONNX's 1e-5.
	Epsilon float64
	// Momentum is the share of the running mean and variance each
	// training batch keeps, 1 − PyTorch's momentum; NewBatchNorm2D sets
	// 0.9, ONNX's default and PyTorch's (0.1).
	Momentum float64

	mode    Mode
	forward Mode // the mode of the last Forward, which Backward differentiates
	inShape []int
	inner   int // values per sample and channel in the last input: H·W

	xn     buffer.Reusable // x̂ of the last Forward, in the input's shape
	invStd []float64       // 1/√(σ² + ε) of the last Forward, per channel
	sum    []float64       // a per-channel sum

	out, dx buffer.Reusable
}

// NewBatchNorm2D returns a BatchNorm2D layer that uses gamma and beta,
// both of shape (C), themselves as its parameters, with zero gradients, a
// running mean of 0 and a running variance of 1. PyTorch starts with γ = 1
// and β = 0. It panics if gamma is not 1-D with at least one channel or
// beta's shape differs from it.
func NewBatchNorm2D(gamma, beta *tensor.Tensor) *BatchNorm2D {
	if gamma.Dims() != 1 || gamma.Size() == 0 || beta.Dims() != 1 || beta.Size() != gamma.Size() {
		panic(fmt.Sprintf("layers: NewBatchNorm2D: gamma shape %v and beta shape %v are not both (C)", gamma.Shape(), beta.Shape()))
	}
	c := gamma.Size()
	return &BatchNorm2D{
		Gamma: gamma, Beta: beta,
		DGamma: tensor.New(c), DBeta: tensor.New(c),
		RunningMean: tensor.New(c), RunningVar: tensor.Full(1, c),
		Epsilon: batchNorm2DEpsilon, Momentum: batchNorm2DMomentum,
		invStd: make([]float64, c), sum: make([]float64, c),
	}
}

// SetMode sets the mode of the forward passes that follow: Training
// normalizes by the batch's statistics and updates the running ones,
// Inference normalizes by the running statistics.
func (b *BatchNorm2D) SetMode(m Mode) { b.mode = m }

// Forward returns y = γ·x̂ + β with x̂ normalized per channel by the
// batch's statistics (Training) or the running ones (Inference), in the
// input's shape. The result is owned by the layer and valid until its
// next Forward. Forward panics if x is not (N, C, …) with C the length of
// Gamma, or if in training a channel has fewer than two values in the
// batch (its unbiased variance is undefined, as PyTorch says too).
func (b *BatchNorm2D) Forward(x *tensor.Tensor) *tensor.Tensor {
	c := b.Gamma.Size()
	if x.Dims() < 2 || x.Shape()[1] != c {
		panic(fmt.Sprintf("layers: BatchNorm2D.Forward: input shape %v is not (N, %d, …)", x.Shape(), c))
	}
	n, inner := x.Shape()[0], 1
	for _, d := range x.Shape()[2:] {
		inner *= d
	}
	m := n * inner // values per channel
	if b.mode == Training && m < 2 {
		panic(fmt.Sprintf("layers: BatchNorm2D.Forward: input shape %v: a training batch needs more than one value per channel", x.Shape()))
	}
	b.forward, b.inner = b.mode, inner
	b.inShape = append(b.inShape[:0], x.Shape()...)
	xs := x.Data()
	xn := b.xn.Shaped(x.Shape()...).Data()
	mean, inv := b.sum, b.invStd // mean is scratch here
	rm, rv := b.RunningMean.Data(), b.RunningVar.Data()

	if b.mode == Training {
		clear(mean)
		for off := 0; off < len(xs); off += inner {
			ch := (off / inner) % c
			var s float64
			for _, v := range xs[off : off+inner] {
				s += v
			}
			mean[ch] += s
		}
		for j := range mean {
			mean[j] /= float64(m)
		}
		clear(inv) // Σ(x − μ)², then 1/√(σ² + ε)
		for off := 0; off < len(xs); off += inner {
			ch := (off / inner) % c
			mu, cx := mean[ch], xn[off:off+inner]
			var s float64
			for k, v := range xs[off : off+inner] {
				cx[k] = v - mu // x − μ, normalized below
				s += cx[k] * cx[k]
			}
			inv[ch] += s
		}
		fm := float64(m)
		for j := range inv {
			v := inv[j] / fm // σ², biased: what x̂ is normalized by
			rm[j] = b.Momentum*rm[j] + (1-b.Momentum)*mean[j]
			rv[j] = b.Momentum*rv[j] + (1-b.Momentum)*inv[j]/(fm-1) // unbiased, as PyTorch
			inv[j] = 1 / math.Sqrt(v+b.Epsilon)
		}
	} else {
		for j := range inv {
			inv[j] = 1 / math.Sqrt(rv[j]+b.Epsilon)
		}
		for off := 0; off < len(xs); off += inner {
			mu, cx := rm[(off/inner)%c], xn[off:off+inner]
			for k, v := range xs[off : off+inner] {
				cx[k] = v - mu
			}
		}
	}

	out := b.out.Shaped(x.Shape()...)
	g, be, ys := b.Gamma.Data(), b.Beta.Data(), out.Data()
	for off := 0; off < len(xs); off += inner {
		ch := (off / inner) % c
		s, gc, bc := inv[ch], g[ch], be[ch]
		cx, y := xn[off:off+inner], ys[off:off+inner]
		for k := range cx {
			cx[k] *= s           // x̂ = (x − μ)/√(σ² + ε)
			y[k] = gc*cx[k] + bc // y = γ·x̂ + β
		}
	}
	return out
}

// Backward takes dout = ∂L/∂y, fills DGamma and DBeta, and returns
// dx = ∂L/∂x in the shape of the last input. With s = 1/√(σ² + ε) and
// sums and means over each channel's m values,
//
//	∂L/∂β = Σ dout    ∂L/∂γ = Σ dout·x̂
//	∂L/∂x = γ·s·(dout − mean(dout) − x̂·mean(dout·x̂))
//
// after a training Forward, where μ and σ² depend on x; after an
// inference Forward, where they are constants, ∂L/∂x = γ·s·dout. DGamma
// and DBeta are overwritten, not accumulated. Backward panics if dout's
// shape is not that of the last output, or if Forward has not run.
func (b *BatchNorm2D) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if b.inShape == nil {
		panic("layers: BatchNorm2D.Backward: called before Forward")
	}
	if !slices.Equal(dout.Shape(), b.inShape) {
		panic(fmt.Sprintf("layers: BatchNorm2D.Backward: dout shape %v does not match output shape %v", dout.Shape(), b.inShape))
	}
	c, inner := b.Gamma.Size(), b.inner
	ds, xn := dout.Data(), b.xn.Shaped(b.inShape...).Data()
	dg, db := b.DGamma.Data(), b.DBeta.Data()
	clear(dg)
	clear(db)
	for off := 0; off < len(ds); off += inner {
		ch := (off / inner) % c
		var sb, sg float64
		cx := xn[off : off+inner]
		for k, v := range ds[off : off+inner] {
			sb += v
			sg += v * cx[k]
		}
		db[ch] += sb
		dg[ch] += sg
	}
	gamma, inv := b.Gamma.Data(), b.invStd
	dx := b.dx.Shaped(b.inShape...)
	out := dx.Data()
	fm := float64(len(ds) / c)
	for off := 0; off < len(ds); off += inner {
		ch := (off / inner) % c
		scale := gamma[ch] * inv[ch]
		cx, g, o := xn[off:off+inner], ds[off:off+inner], out[off:off+inner]
		if b.forward == Training {
			// mean(dout) = ∂L/∂β / m and mean(dout·x̂) = ∂L/∂γ / m.
			mb, mg := db[ch]/fm, dg[ch]/fm
			for k, v := range g {
				o[k] = scale * (v - mb - cx[k]*mg)
			}
		} else {
			for k, v := range g {
				o[k] = scale * v
			}
		}
	}
	return dx
}

// Params describes γ and β ("gamma", "beta", not decayed, as for
// BatchNorm) with their gradients, then the running statistics
// ("running_mean", "running_var"), state that inference uses and a saved
// model keeps.
func (b *BatchNorm2D) Params() []Param {
	return []Param{
		{Name: "gamma", Value: b.Gamma, Grad: b.DGamma},
		{Name: "beta", Value: b.Beta, Grad: b.DBeta},
		{Name: "running_mean", Value: b.RunningMean},
		{Name: "running_var", Value: b.RunningVar},
	}
}

// Describe returns the description of kind "BatchNorm2D", with its ε and
// momentum as "epsilon" and "momentum" (the share the running statistics
// keep, as Momentum says). A model file's BatchNorm2D without them gets
// 1e-5 and 0.9.
func (b *BatchNorm2D) Describe() Description {
	return NewDescription("BatchNorm2D", batchNormConfig{Epsilon: b.Epsilon, Momentum: b.Momentum})
}

// buildBatchNorm2D makes a BatchNorm2D layer from γ, β and the running
// mean and variance, all of shape (C).
func buildBatchNorm2D(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	cfg, err := decodeBatchNorm("BatchNorm2D", d, batchNormConfig{Epsilon: batchNorm2DEpsilon, Momentum: batchNorm2DMomentum}, params, "(C), C > 0", true)
	if err != nil {
		return nil, err
	}
	b := NewBatchNorm2D(params[0], params[1])
	b.RunningMean, b.RunningVar = params[2], params[3]
	b.Epsilon, b.Momentum = cfg.Epsilon, cfg.Momentum
	return b, nil
}

// Clone returns an independent copy of the layer, a *BatchNorm2D: copied
// parameters, gradients and running statistics, the same settings and
// mode, fresh buffers.
func (b *BatchNorm2D) Clone() Layer {
	c := NewBatchNorm2D(b.Gamma.Clone(), b.Beta.Clone())
	c.DGamma.CopyFrom(b.DGamma)
	c.DBeta.CopyFrom(b.DBeta)
	c.RunningMean.CopyFrom(b.RunningMean)
	c.RunningVar.CopyFrom(b.RunningVar)
	c.Epsilon, c.Momentum = b.Epsilon, b.Momentum
	c.mode = b.mode
	return c
}
