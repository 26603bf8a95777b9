package layers_test

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Flatten turns images (N, C, H, W) into rows (N, C·H·W), as PyTorch's
// x.view(N, -1) does.
func ExampleFlatten() {
	x := tensor.New(2, 3, 4, 4)
	var f layers.Flatten
	fmt.Println(f.Forward(x).Shape())
	// Output:
	// [2 48]
}
