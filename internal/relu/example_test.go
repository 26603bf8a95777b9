package relu_test

import (
	"fmt"
	"math"

	"github.com/numlearn/numlearn/internal/relu"
)

func Example() {
	x := []float64{-2, -0.5, math.Copysign(0, -1), 0.5, 3}
	y := make([]float64, len(x))
	relu.Forward(y, x)
	fmt.Println(y)

	dout := []float64{10, 20, 30, 40, 50}
	dx := make([]float64, len(x))
	relu.Backward(dx, dout, y)
	fmt.Println(dx)
	// Output:
	// [0 0 0 0.5 3]
	// [0 0 0 40 50]
}
