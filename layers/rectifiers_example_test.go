package layers_test

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// A negative input keeps a tenth of itself, and so does its gradient.
func ExampleLeakyReLU() {
	l := layers.NewLeakyReLU(0.1)
	fmt.Printf("%.4f\n", l.Forward(tensor.FromSlice([]float64{2, -1, 0, -4})).Data())
	fmt.Printf("%.4f\n", l.Backward(tensor.FromSlice([]float64{1, 1, 1, 1})).Data())
	// Output:
	// [2.0000 -0.1000 0.0000 -0.4000]
	// [1.0000 0.1000 0.1000 0.1000]
}

// With α = 1 a negative input x gives eˣ − 1, which tends to −1, and the
// gradient there is eˣ.
func ExampleELU() {
	l := layers.NewELU(1)
	fmt.Printf("%.4f\n", l.Forward(tensor.FromSlice([]float64{2, -1, 0, -10})).Data())
	fmt.Printf("%.4f\n", l.Backward(tensor.FromSlice([]float64{1, 1, 1, 1})).Data())
	// Output:
	// [2.0000 -0.6321 0.0000 -1.0000]
	// [1.0000 0.3679 1.0000 0.0000]
}

// One learned slope per channel of (N, C) input: column 0 has slope 0.25,
// column 1 slope 0.5. The gradient of each slope sums dout·x over its
// channel's negative inputs.
func ExamplePReLU() {
	p := layers.NewPReLU(tensor.FromSlice([]float64{0.25, 0.5}))
	x := tensor.FromRows([][]float64{{-4, -4}, {2, -2}})
	fmt.Printf("%.4f\n", p.Forward(x).Data())
	p.Backward(tensor.Full(1, 2, 2))
	fmt.Printf("%.4f\n", p.DSlope.Data())
	// Output:
	// [-1.0000 -2.0000 2.0000 -1.0000]
	// [-4.0000 -6.0000]
}
