package layers_test

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Average pooling of a 3×3 image, 1…9, in 2×2 windows at stride 2 over
// the image padded by 1. The top-left window holds only the 1: PyTorch's
// default counts the three padding zeros (1/4), ONNX's does not (1/1).
func ExampleAvgPool() {
	x := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3)
	for _, includePad := range []bool{true, false} {
		p := layers.NewAvgPool(2, 2, 2, 1, includePad)
		y := p.Forward(x)
		fmt.Printf("count_include_pad=%t: %v %.4f\n", includePad, y.Shape(), y.Data())
	}
	// Output:
	// count_include_pad=true: [1 1 2 2] [0.2500 1.2500 2.7500 7.0000]
	// count_include_pad=false: [1 1 2 2] [1.0000 2.5000 5.5000 7.0000]
}

// The mean of each channel, as a classifier takes it after its last
// convolution; the gradient spreads evenly back over the channel.
func ExampleGlobalAvgPool() {
	x := tensor.FromSlice([]float64{
		1, 2, 3, 4, // channel 0
		0, 0, 0, 8, // channel 1
	}, 1, 2, 2, 2)
	var p layers.GlobalAvgPool
	y := p.Forward(x)
	fmt.Printf("%v %.4f\n", y.Shape(), y.Data())
	dx := p.Backward(tensor.FromSlice([]float64{4, 8}, 1, 2, 1, 1))
	fmt.Printf("%.4f\n", dx.Data())
	// Output:
	// [1 2 1 1] [2.5000 2.0000]
	// [1.0000 1.0000 1.0000 1.0000 2.0000 2.0000 2.0000 2.0000]
}
