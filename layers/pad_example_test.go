package layers_test

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// The three modes on one row 1 2 3, padded by two columns on the left
// and one on the right: PyTorch's ConstantPad2d, ReflectionPad2d and
// ReplicationPad2d.
func ExamplePad() {
	x := tensor.FromSlice([]float64{1, 2, 3}, 1, 1, 1, 3)
	for _, mode := range []layers.PadMode{layers.PadConstant, layers.PadReflect, layers.PadEdge} {
		p := layers.NewPad(0, 0, 2, 1, mode, -1)
		fmt.Printf("%-8s %.0f\n", mode, p.Forward(x).Data())
	}
	// Output:
	// constant [-1 -1 1 2 3 -1]
	// reflect  [3 2 1 2 3 2]
	// edge     [1 1 1 2 3 3]
}
