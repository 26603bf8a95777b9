package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/tensor"
)

// The slopes a model file's LeakyReLU and ELU take when their
// configuration leaves alpha out: ONNX's defaults for LeakyRelu and Elu,
// and PyTorch's for nn.LeakyReLU(negative_slope) and nn.ELU(alpha).
const (
	leakyReLUAlpha = 0.01
	eluAlpha       = 1.0
)

// rectifier is what LeakyReLU, ELU and PReLU keep: their last input, whose
// sign decides each element's derivative, and their result buffers.
type rectifier struct {
	x       *tensor.Tensor
	out, dx buffer.Reusable
}

// forward remembers x (not a copy) and returns the output buffer in x's
// shape with the data of x and of the output, for the layer's formula.
func (r *rectifier) forward(x *tensor.Tensor) (y *tensor.Tensor, xs, ys []float64) {
	r.x = x
	y = r.out.Shaped(x.Shape()...)
	return y, x.Data(), y.Data()
}

// backward checks dout against the last input and returns the dx buffer
// with the data of the input, dout and dx, for the layer's formula.
func (r *rectifier) backward(layer string, dout *tensor.Tensor) (dx *tensor.Tensor, xs, d, g []float64) {
	dx = backwardBuffer(layer, r.x, dout, &r.dx)
	return dx, r.x.Data(), dout.Data(), dx.Data()
}

// alphaConfig is the configuration of LeakyReLU and ELU in a model file.
type alphaConfig struct {
	Alpha float64 `json:"alpha"`
}

// buildAlpha returns the builder of a layer without tensors whose one
// setting is a finite α, def when the configuration leaves it out.
func buildAlpha(def float64, newLayer func(alpha float64) Layer) LayerBuilder {
	return func(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
		cfg := alphaConfig{Alpha: def}
		if err := d.Decode(&cfg); err != nil {
			return nil, err
		}
		if math.IsNaN(cfg.Alpha) || math.IsInf(cfg.Alpha, 0) {
			return nil, fmt.Errorf("layers: %s: alpha %v is not finite", d.Kind, cfg.Alpha)
		}
		if len(params) != 0 {
			return nil, fmt.Errorf("layers: %s has no tensors, the model gives %d", d.Kind, len(params))
		}
		return newLayer(cfg.Alpha), nil
	}
}

// checkAlpha panics unless alpha is finite.
func checkAlpha(op string, alpha float64) {
	if math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		panic(fmt.Sprintf("layers: %s: alpha %v is not finite", op, alpha))
	}
}

// LeakyReLU is the layer
//
//	y = x where x > 0, α·x elsewhere
//
// element-wise on input of any shape: a ReLU that lets a fraction α of a
// negative input through, so that its gradient there is α rather than 0
// (ONNX's LeakyRelu, PyTorch's nn.LeakyReLU with negative_slope α). Alpha
// is used as it is: the zero value is a LeakyReLU with α = 0, which
// computes what ReLU does. NewLeakyReLU(0.01) is ONNX's and PyTorch's
// default.
type LeakyReLU struct {
	// Alpha is α, the slope for x ≤ 0. Any finite value will do; PyTorch
	// and ONNX default to 0.01.
	Alpha float64

	rectifier
}

// NewLeakyReLU returns a LeakyReLU layer with slope alpha for x ≤ 0. It
// panics if alpha is NaN or infinite.
func NewLeakyReLU(alpha float64) *LeakyReLU {
	checkAlpha("NewLeakyReLU", alpha)
	return &LeakyReLU{Alpha: alpha}
}

// Forward returns y = x where x > 0, α·x elsewhere, and remembers x (not
// a copy) for Backward. The result is owned by the layer and valid until
// its next Forward.
func (l *LeakyReLU) Forward(x *tensor.Tensor) *tensor.Tensor {
	y, xs, ys := l.forward(x)
	a := l.Alpha
	for i, v := range xs {
		if v > 0 {
			ys[i] = v
		} else {
			ys[i] = a * v
		}
	}
	return y
}

// Backward returns ∂L/∂x = dout where x > 0, α·dout elsewhere (at x = 0
// too, as PyTorch's leaky_relu_backward). It panics if dout's shape is not
// the last input's, or if Forward has not run.
func (l *LeakyReLU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, xs, d, g := l.backward("LeakyReLU", dout)
	a := l.Alpha
	for i, v := range xs {
		if v > 0 {
			g[i] = d[i]
		} else {
			g[i] = a * d[i]
		}
	}
	return dx
}

// Describe returns the description of kind "LeakyReLU", with its α as
// "alpha". A model file's LeakyReLU without "alpha" gets 0.01, ONNX's
// default.
func (l *LeakyReLU) Describe() Description {
	return NewDescription("LeakyReLU", alphaConfig{Alpha: l.Alpha})
}

// Clone returns a new LeakyReLU layer with the same α.
func (l *LeakyReLU) Clone() Layer { return &LeakyReLU{Alpha: l.Alpha} }

// ELU is the exponential linear unit (Clevert et al., 2015),
//
//	y = x where x > 0, α·(eˣ − 1) elsewhere
//
// element-wise on input of any shape: smooth at 0 when α = 1, and
// saturating at −α for large negative inputs (ONNX's Elu, PyTorch's
// nn.ELU). Alpha is used as it is: the zero value is an ELU with α = 0,
// which computes what ReLU does. NewELU(1) is ONNX's and PyTorch's
// default.
type ELU struct {
	// Alpha is α, the value −α that y approaches as x → −∞. Any finite
	// value will do; PyTorch and ONNX default to 1.
	Alpha float64

	rectifier
}

// NewELU returns an ELU layer with the given α. It panics if alpha is NaN
// or infinite.
func NewELU(alpha float64) *ELU {
	checkAlpha("NewELU", alpha)
	return &ELU{Alpha: alpha}
}

// Forward returns y = x where x > 0, α·(eˣ − 1) elsewhere (through
// math.Expm1, exact near 0), and remembers x (not a copy) for Backward.
// The result is owned by the layer and valid until its next Forward.
func (l *ELU) Forward(x *tensor.Tensor) *tensor.Tensor {
	y, xs, ys := l.forward(x)
	a := l.Alpha
	for i, v := range xs {
		if v > 0 {
			ys[i] = v
		} else {
			ys[i] = a * math.Expm1(v)
		}
	}
	return y
}

// Backward returns ∂L/∂x = dout where x > 0, α·eˣ·dout elsewhere (at x = 0
// too, as PyTorch's elu_backward). It panics if dout's shape is not the
// last input's, or if Forward has not run.
func (l *ELU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, xs, d, g := l.backward("ELU", dout)
	a := l.Alpha
	for i, v := range xs {
		if v > 0 {
			g[i] = d[i]
		} else {
			g[i] = a * math.Exp(v) * d[i]
		}
	}
	return dx
}

// Describe returns the description of kind "ELU", with its α as "alpha".
// A model file's ELU without "alpha" gets 1, ONNX's default.
func (l *ELU) Describe() Description {
	return NewDescription("ELU", alphaConfig{Alpha: l.Alpha})
}

// Clone returns a new ELU layer with the same α.
func (l *ELU) Clone() Layer { return &ELU{Alpha: l.Alpha} }

// PReLU is the parametric ReLU (He et al., 2015): a LeakyReLU whose slopes
// are learned, one per channel,
//
//	y = x where x > 0, aᶜ·x elsewhere
//
// for the elements of channel c — PyTorch's nn.PReLU(num_parameters=C).
// Slope has shape (C) for inputs (N, C, …), whose axis 1 is the channel
// (an Affine's (N, C) output, a convolution's (N, C, H, W)), or shape (1)
// for one slope shared by every element of input of any shape
// (nn.PReLU()). PyTorch starts every slope at 0.25.
//
// ONNX's PRelu broadcasts its slope against the input: PyTorch exports
// nn.PReLU(C) for (N, C, H, W) input with a slope of shape (C, 1, 1), which
// is this layer's (C) once reshaped.
type PReLU struct {
	Slope  *tensor.Tensor // the slopes a, (C) or (1)
	DSlope *tensor.Tensor // ∂L/∂a from the last Backward, of Slope's shape

	rectifier
}

// NewPReLU returns a PReLU layer that uses slope, of shape (C) or (1),
// itself as its parameter, with a zero gradient. It panics if slope is
// not 1-D with at least one element.
func NewPReLU(slope *tensor.Tensor) *PReLU {
	if slope.Dims() != 1 || slope.Size() == 0 {
		panic(fmt.Sprintf("layers: NewPReLU: slope shape %v is not (C) or (1)", slope.Shape()))
	}
	return &PReLU{Slope: slope, DSlope: tensor.New(slope.Size())}
}

// channels returns the number of channels C of x and the number of
// elements per channel and sample, so that element (i, c, k) of x is at
// (i·C + c)·inner + k; with a single slope the whole input is one channel.
// It panics if x has no axis of C channels.
func (p *PReLU) channels(op string, x *tensor.Tensor) (c, inner int) {
	c = p.Slope.Size()
	if c == 1 {
		return 1, x.Size()
	}
	if x.Dims() < 2 || x.Shape()[1] != c {
		panic(fmt.Sprintf("layers: PReLU.%s: input shape %v does not have %d channels on axis 1", op, x.Shape(), c))
	}
	inner = 1
	for _, n := range x.Shape()[2:] {
		inner *= n
	}
	return c, inner
}

// Forward returns y = x where x > 0, aᶜ·x elsewhere, and remembers x (not
// a copy) for Backward. The result is owned by the layer and valid until
// its next Forward. It panics if Slope has C > 1 slopes and x's axis 1 is
// not C long.
func (p *PReLU) Forward(x *tensor.Tensor) *tensor.Tensor {
	c, inner := p.channels("Forward", x)
	y, xs, ys := p.forward(x)
	a := p.Slope.Data()
	for off := 0; off < len(xs); off += inner {
		s := a[(off/inner)%c]
		for k, v := range xs[off : off+inner] {
			if v > 0 {
				ys[off+k] = v
			} else {
				ys[off+k] = s * v
			}
		}
	}
	return y
}

// Backward fills DSlope and returns ∂L/∂x:
//
//	∂L/∂x = dout where x > 0, aᶜ·dout elsewhere
//	∂L/∂aᶜ = Σ dout·x over the elements of channel c where x ≤ 0
//
// DSlope is overwritten, not accumulated. Backward panics if dout's shape
// is not the last input's, or if Forward has not run.
func (p *PReLU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, xs, d, g := p.backward("PReLU", dout)
	c, inner := p.channels("Backward", p.x)
	a, da := p.Slope.Data(), p.DSlope.Data()
	clear(da)
	for off := 0; off < len(xs); off += inner {
		ch := (off / inner) % c
		s := a[ch]
		var sum float64
		for k, v := range xs[off : off+inner] {
			if v > 0 {
				g[off+k] = d[off+k]
			} else {
				g[off+k] = s * d[off+k]
				sum += d[off+k] * v
			}
		}
		da[ch] += sum
	}
	return dx
}

// Params describes the slopes, "slope", with their gradient. They are not
// decayed: a decay pulls each slope towards 0, which makes the layer a
// ReLU, and PyTorch's documentation of nn.PReLU advises against weight
// decay on them (PyTorch itself decays whatever its optimizer is given,
// so a PyTorch user leaves them out of the decayed parameter group).
func (p *PReLU) Params() []Param {
	return []Param{{Name: "slope", Value: p.Slope, Grad: p.DSlope}}
}

// Describe returns the description of kind "PReLU", which has no
// configuration: the slopes are its tensor.
func (p *PReLU) Describe() Description { return Description{Kind: "PReLU"} }

// buildPReLU makes a PReLU layer from its slopes, of shape (C) or (1).
func buildPReLU(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	if err := d.Decode(&struct{}{}); err != nil {
		return nil, err
	}
	if err := wantTensors("PReLU", params, 1); err != nil {
		return nil, err
	}
	if params[0].Size() == 0 {
		return nil, fmt.Errorf("layers: PReLU: slope shape %v has no slopes", params[0].Shape())
	}
	return NewPReLU(params[0]), nil
}

// Clone returns an independent copy of the layer, a *PReLU: copied slopes
// and gradient, fresh buffers.
func (p *PReLU) Clone() Layer {
	c := NewPReLU(p.Slope.Clone())
	c.DSlope.CopyFrom(p.DSlope)
	return c
}
