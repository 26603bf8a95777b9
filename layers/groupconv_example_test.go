package layers_test

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// A depthwise convolution (groups = channels): each channel has a filter
// of its own and sees no other. Channel 0, 1…9, is filtered by the
// diagonal [[1 0] [0 1]]; channel 1, all ones, by a 2×2 box plus a bias
// of 10.
func ExampleGroupedConvolution() {
	x := tensor.FromSlice([]float64{
		1, 2, 3, 4, 5, 6, 7, 8, 9,
		1, 1, 1, 1, 1, 1, 1, 1, 1,
	}, 1, 2, 3, 3)
	w := tensor.FromSlice([]float64{1, 0, 0, 1, 1, 1, 1, 1}, 2, 1, 2, 2) // (FN, C/groups, KH, KW)
	c := layers.NewGroupedConvolution(w, tensor.FromSlice([]float64{0, 10}), 1, 0, 1, 2)
	y := c.Forward(x)
	fmt.Printf("%v %.4f\n", y.Shape(), y.Data())
	// Output:
	// [1 2 2 2] [6.0000 8.0000 12.0000 14.0000 14.0000 14.0000 14.0000 14.0000]
}

// A dilated (atrous) convolution: a 2×2 kernel of ones with taps 2 apart
// covers 3×3 of a 5×5 image, x[r][c] = 5r + c, and reads the corners,
// x[y][x] + x[y][x+2] + x[y+2][x] + x[y+2][x+2] = 4·(5y + x) + 24. Without
// padding the output is 3×3.
func ExampleGroupedConvolution_dilation() {
	x := tensor.New(1, 1, 5, 5)
	for i := range x.Data() {
		x.Data()[i] = float64(i)
	}
	c := layers.NewGroupedConvolution(tensor.Full(1, 1, 1, 2, 2), tensor.New(1), 1, 0, 2, 1)
	y := c.Forward(x)
	fmt.Printf("%v %.0f\n", y.Shape(), y.Data())
	// Output:
	// [1 1 3 3] [24 28 32 44 48 52 64 68 72]
}
