package layers

import (
	"fmt"
	"slices"

	"github.com/numlearn/numlearn/tensor"
)

// Flatten reshapes each sample of its input to one axis: (N, d₁, …, dₖ)
// becomes (N, d₁·…·dₖ), the values in the same row-major order, as
// PyTorch's torch.flatten(x, 1) and x.view(N, -1) and ONNX's Flatten with
// axis 1. An Affine layer flattens its input itself, so a network needs
// Flatten only where something else takes the flat samples: its head, or
// its output. Forward and Backward copy nothing: each returns a view of
// its argument's data, valid as long as that is. The zero value is ready
// to use; it has no parameters.
type Flatten struct {
	in       []int // the shape of the last input
	out, dx  tensor.Tensor
	hasInput bool
}

// Forward returns x (N, …) viewed as (N, rest). It panics if x has no
// batch axis.
func (f *Flatten) Forward(x *tensor.Tensor) *tensor.Tensor {
	if x.Dims() < 1 {
		panic(fmt.Sprintf("layers: Flatten.Forward: input shape %v has no batch axis", x.Shape()))
	}
	f.in = append(f.in[:0], x.Shape()...)
	f.hasInput = true
	n := x.Shape()[0]
	rest := 1
	if n > 0 {
		rest = x.Size() / n
	} else {
		for _, d := range x.Shape()[1:] {
			rest *= d
		}
	}
	f.out.Wrap(x.Data(), n, rest)
	return &f.out
}

// Backward returns dout (N, rest) viewed in the shape of the last input:
// ∂L/∂x is ∂L/∂y, reshaped. It panics if dout does not have the size of
// the last output, or if Forward has not run.
func (f *Flatten) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if !f.hasInput {
		panic("layers: Flatten.Backward: called before Forward")
	}
	if !slices.Equal(dout.Shape(), f.out.Shape()) {
		panic(fmt.Sprintf("layers: Flatten.Backward: dout shape %v does not match output shape %v", dout.Shape(), f.out.Shape()))
	}
	f.dx.Wrap(dout.Data(), f.in...)
	return &f.dx
}

// Clone returns a new Flatten.
func (f *Flatten) Clone() Layer { return &Flatten{} }

// Describe returns the description of kind "Flatten", which has no
// configuration.
func (f *Flatten) Describe() Description { return Description{Kind: "Flatten"} }
