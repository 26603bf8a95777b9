package layers_test

import (
	"fmt"
	"math"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// A softmax over the channels of one image (1, 2, 1, 2) at each pixel,
// axis 1: the first pixel's channels hold ln 3 and 0, so ¾ and ¼; the
// second's are equal, so ½ and ½. Each pixel's probabilities sum to 1,
// so a dout of all ones gives a gradient of 0.
func ExampleSoftmax() {
	s := layers.NewSoftmax(1)
	x := tensor.FromSlice([]float64{math.Log(3), 0, 0, 0}, 1, 2, 1, 2)
	fmt.Printf("%.4f\n", s.Forward(x).Data())
	fmt.Printf("%.4f\n", s.Backward(tensor.Full(1, 1, 2, 1, 2)).Data())
	// Output:
	// [0.7500 0.5000 0.2500 0.5000]
	// [0.0000 0.0000 0.0000 0.0000]
}

// The log-probabilities along the last axis, −1, of a batch of two
// sequences of two steps of two scores.
func ExampleLogSoftmax() {
	l := layers.NewLogSoftmax(-1)
	x := tensor.FromSlice([]float64{0, 0, math.Log(3), 0, 1000, 0, 2, 2}, 2, 2, 2)
	fmt.Printf("%.4f\n", l.Forward(x).Data())
	// Output:
	// [-0.6931 -0.6931 -0.2877 -1.3863 0.0000 -1000.0000 -0.6931 -0.6931]
}
