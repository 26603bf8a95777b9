package layers_test

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// ResNet's stem pooling, 3×3 windows at stride 2 with pad 1, over an
// image of negative values: MaxPool's padding never wins, where the book's
// Pooling, whose padding is zeros that take part, gives 0 in every window
// that reaches the border.
func ExampleMaxPool() {
	x := tensor.FromSlice([]float64{
		-1, -2, -3, -4,
		-5, -6, -7, -8,
		-9, -10, -11, -12,
		-13, -14, -15, -16,
	}, 1, 1, 4, 4)
	m := layers.NewMaxPool(3, 3, 2, 1)
	fmt.Printf("MaxPool: %.4f\n", m.Forward(x).Data())
	fmt.Printf("Pooling: %.4f\n", layers.NewPooling(3, 3, 2, 1).Forward(x).Data())
	// Each window's gradient goes to its maximum.
	dx := m.Backward(tensor.FromSlice([]float64{1, 2, 3, 4}, 1, 1, 2, 2))
	fmt.Printf("dx: %.0f\n", dx.Data())
	// Output:
	// MaxPool: [-1.0000 -2.0000 -5.0000 -6.0000]
	// Pooling: [0.0000 0.0000 0.0000 -6.0000]
	// dx: [1 2 0 0 3 4 0 0 0 0 0 0 0 0 0 0]
}
