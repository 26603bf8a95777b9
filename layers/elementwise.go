package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/numlearn/numlearn/tensor"
)

// Softplus is the layer
//
//	y = log(1 + eˣ)
//
// element-wise on input of any shape: a smooth ReLU, positive everywhere,
// whose derivative is the sigmoid σ(x) (ONNX's Softplus, PyTorch's
// nn.Softplus with its default β = 1). The zero value is ready to use.
type Softplus struct{ rectifier }

// Forward returns y = log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|),
// which neither overflows for large x nor loses the small values of
// large negative x, and remembers x (not a copy) for Backward. The result
// is owned by the layer and valid until its next Forward.
func (s *Softplus) Forward(x *tensor.Tensor) *tensor.Tensor {
	y, xs, ys := s.forward(x)
	for i, v := range xs {
		ys[i] = max(v, 0) + math.Log1p(math.Exp(-math.Abs(v)))
	}
	return y
}

// Backward returns ∂L/∂x = dout ⊙ σ(x), since d/dx log(1 + eˣ) = eˣ/(1 +
// eˣ) = 1/(1 + e⁻ˣ). It panics if dout's shape is not the last input's,
// or if Forward has not run.
func (s *Softplus) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, xs, d, g := s.backward("Softplus", dout)
	for i, v := range xs {
		g[i] = d[i] / (1 + math.Exp(-v))
	}
	return dx
}

// Describe returns the description of kind "Softplus", which has no
// configuration.
func (s *Softplus) Describe() Description { return Description{Kind: "Softplus"} }

// Clone returns a new Softplus layer (it has no parameters to copy).
func (s *Softplus) Clone() Layer { return &Softplus{} }

// Scale is the layer
//
//	y = Factor·x
//
// element-wise on input of any shape, by a constant factor that is not
// learned: ONNX's Mul by a constant and Neg (a factor of −1), as in
// PyTorch's x * 0.5 and nn.Softmin, softmax(−x). Factor is used as it
// is: the zero value multiplies by 0; NewScale(1) is the identity.
type Scale struct {
	// Factor is the constant the input is multiplied by. Any finite value
	// will do.
	Factor float64

	rectifier
}

// NewScale returns a Scale layer by factor. It panics if factor is NaN or
// infinite.
func NewScale(factor float64) *Scale {
	if math.IsNaN(factor) || math.IsInf(factor, 0) {
		panic(fmt.Sprintf("layers: NewScale: factor %v is not finite", factor))
	}
	return &Scale{Factor: factor}
}

// Forward returns y = Factor·x. The result is owned by the layer and
// valid until its next Forward.
func (s *Scale) Forward(x *tensor.Tensor) *tensor.Tensor {
	y, xs, ys := s.forward(x)
	for i, v := range xs {
		ys[i] = s.Factor * v
	}
	return y
}

// Backward returns ∂L/∂x = Factor·dout. It panics if dout's shape is not
// the last input's, or if Forward has not run.
func (s *Scale) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, _, d, g := s.backward("Scale", dout)
	for i, v := range d {
		g[i] = s.Factor * v
	}
	return dx
}

// Describe returns the description of kind "Scale", with its factor as
// "factor". A model file's Scale without "factor" gets 1.
func (s *Scale) Describe() Description {
	return NewDescription("Scale", scaleConfig{Factor: s.Factor})
}

// Clone returns a new Scale layer with the same factor.
func (s *Scale) Clone() Layer { return &Scale{Factor: s.Factor} }

// scaleConfig is the configuration of Scale in a model file.
type scaleConfig struct {
	Factor float64 `json:"factor"`
}

// buildScale makes a Scale layer from its finite factor, 1 when the
// configuration leaves it out.
func buildScale(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	cfg := scaleConfig{Factor: 1}
	if err := d.Decode(&cfg); err != nil {
		return nil, err
	}
	if math.IsNaN(cfg.Factor) || math.IsInf(cfg.Factor, 0) {
		return nil, fmt.Errorf("layers: Scale: factor %v is not finite", cfg.Factor)
	}
	if len(params) != 0 {
		return nil, fmt.Errorf("layers: Scale has no tensors, the model gives %d", len(params))
	}
	return NewScale(cfg.Factor), nil
}

// The constants of SELU that make it self-normalizing (Klambauer et al.,
// 2017), as ONNX's Selu and PyTorch's nn.SELU define them: their values
// rounded to float32, which is what models hold.
const (
	SELUAlpha = 1.67326319217681884765625
	SELUGamma = 1.05070102214813232421875
)

// SELU is the scaled exponential linear unit (Klambauer et al., 2017),
//
//	y = γ·x where x > 0, γ·α·(eˣ − 1) elsewhere
//
// element-wise on input of any shape: ONNX's Selu, and with α = SELUAlpha
// and γ = SELUGamma, PyTorch's nn.SELU. Alpha and Gamma are used as they
// are: the zero value multiplies everything by 0;
// NewSELU(SELUAlpha, SELUGamma) is the self-normalizing SELU.
type SELU struct {
	// Alpha is α, the scale of eˣ − 1 for x ≤ 0, and Gamma is γ, the
	// scale of the whole. Any finite values will do.
	Alpha, Gamma float64

	rectifier
}

// NewSELU returns a SELU layer with the given α and γ. It panics if either
// is NaN or infinite.
func NewSELU(alpha, gamma float64) *SELU {
	checkAlpha("NewSELU", alpha)
	if math.IsNaN(gamma) || math.IsInf(gamma, 0) {
		panic(fmt.Sprintf("layers: NewSELU: gamma %v is not finite", gamma))
	}
	return &SELU{Alpha: alpha, Gamma: gamma}
}

// Forward returns y = γ·x where x > 0, γ·α·(eˣ − 1) elsewhere, with
// expm1 for eˣ − 1, which keeps the small values near 0, and remembers x
// (not a copy) for Backward. The result is owned by the layer and valid
// until its next Forward.
func (s *SELU) Forward(x *tensor.Tensor) *tensor.Tensor {
	y, xs, ys := s.forward(x)
	for i, v := range xs {
		if v > 0 {
			ys[i] = s.Gamma * v
		} else {
			ys[i] = s.Gamma * s.Alpha * math.Expm1(v)
		}
	}
	return y
}

// Backward returns ∂L/∂x = γ·dout where x > 0, γ·α·eˣ·dout elsewhere (at
// x = 0 too, as PyTorch's elu_backward). It panics if dout's shape is not
// the last input's, or if Forward has not run.
func (s *SELU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, xs, d, g := s.backward("SELU", dout)
	for i, v := range xs {
		if v > 0 {
			g[i] = s.Gamma * d[i]
		} else {
			g[i] = s.Gamma * s.Alpha * math.Exp(v) * d[i]
		}
	}
	return dx
}

// Describe returns the description of kind "SELU", with its α as "alpha"
// and its γ as "gamma". A model file's SELU without them gets SELUAlpha
// and SELUGamma, ONNX's defaults.
func (s *SELU) Describe() Description {
	return NewDescription("SELU", seluConfig{Alpha: s.Alpha, Gamma: s.Gamma})
}

// Clone returns a new SELU layer with the same α and γ.
func (s *SELU) Clone() Layer { return &SELU{Alpha: s.Alpha, Gamma: s.Gamma} }

// seluConfig is the configuration of SELU in a model file.
type seluConfig struct {
	Alpha float64 `json:"alpha"`
	Gamma float64 `json:"gamma"`
}

// buildSELU makes a SELU layer from its finite α and γ, SELUAlpha and
// SELUGamma when the configuration leaves them out.
func buildSELU(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	cfg := seluConfig{Alpha: SELUAlpha, Gamma: SELUGamma}
	if err := d.Decode(&cfg); err != nil {
		return nil, err
	}
	for _, v := range []float64{cfg.Alpha, cfg.Gamma} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("layers: SELU: alpha %v and gamma %v are not both finite", cfg.Alpha, cfg.Gamma)
		}
	}
	if len(params) != 0 {
		return nil, fmt.Errorf("layers: SELU has no tensors, the model gives %d", len(params))
	}
	return NewSELU(cfg.Alpha, cfg.Gamma), nil
}
