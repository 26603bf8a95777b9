package layers_test

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Each channel is normalized over all its pixels in the batch: channel 0
// holds {1, 3, 5, 7}, mean 4 and variance 5, channel 1 holds {0, 0, 2, 2},
// mean 1 and variance 1. The running statistics keep 0.9 of themselves
// (starting at mean 0, variance 1) and take 0.1 of the batch's mean and
// unbiased variance, 20/3 and 4/3, as PyTorch's BatchNorm2d does with its
// momentum 0.1.
func ExampleBatchNorm2D() {
	bn := layers.NewBatchNorm2D(tensor.Full(1, 2), tensor.New(2)) // γ = 1, β = 0
	x := tensor.FromSlice([]float64{
		1, 3, // sample 0, channel 0 (one row of two pixels)
		0, 0, // sample 0, channel 1
		5, 7, // sample 1, channel 0
		2, 2, // sample 1, channel 1
	}, 2, 2, 1, 2)
	y := bn.Forward(x)
	fmt.Printf("%.4f\n", y.Data())
	fmt.Printf("running mean %.4f, variance %.4f\n", bn.RunningMean.Data(), bn.RunningVar.Data())

	bn.SetMode(layers.Inference)
	y = bn.Forward(tensor.FromSlice([]float64{0.4, 0.1}, 1, 2, 1, 1)) // the running means
	fmt.Printf("%.4f\n", y.Data())
	// Output:
	// [-1.3416 -0.4472 -1.0000 -1.0000 0.4472 1.3416 1.0000 1.0000]
	// running mean [0.4000 0.1000], variance [1.5667 1.0333]
	// [0.0000 0.0000]
}
