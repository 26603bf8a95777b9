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
