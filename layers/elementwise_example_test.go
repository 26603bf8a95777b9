package layers_test

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// A smooth ReLU: log(1 + eˣ) is log 2 at 0, close to x for large x and
// to 0 for very negative x; its gradient is σ(x).
func ExampleSoftplus() {
	var s layers.Softplus
	fmt.Printf("%.4f\n", s.Forward(tensor.FromSlice([]float64{-10, 0, 1, 10})).Data())
	fmt.Printf("%.4f\n", s.Backward(tensor.FromSlice([]float64{1, 1, 1, 1})).Data())
	// Output:
	// [0.0000 0.6931 1.3133 10.0000]
	// [0.0000 0.5000 0.7311 1.0000]
}

// PyTorch's Softmin is a softmax of −x: a Scale by −1 before it.
func ExampleScale() {
	neg := layers.NewScale(-1)
	softmax := layers.NewSoftmax(-1)
	y := softmax.Forward(neg.Forward(tensor.FromSlice([]float64{0, 1, 2}, 1, 3)))
	fmt.Printf("%.4f\n", y.Data())
	// Output:
	// [0.6652 0.2447 0.0900]
}

// PyTorch's nn.SELU: γ·x for positive x, γ·α·(eˣ − 1) below, which tends
// to −γ·α ≈ −1.7581.
func ExampleSELU() {
	s := layers.NewSELU(layers.SELUAlpha, layers.SELUGamma)
	fmt.Printf("%.4f\n", s.Forward(tensor.FromSlice([]float64{-20, -1, 0, 1})).Data())
	// Output:
	// [-1.7581 -1.1113 0.0000 1.0507]
}
