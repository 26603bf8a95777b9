package xent_test

import (
	"fmt"
	"math"

	"github.com/numlearn/numlearn/internal/xent"
)

func ExampleSoftmaxRow() {
	// softmax([ln 3, 0]) = [0.75, 0.25]: the loss of class 1 is −log(0.25 + δ).
	fmt.Printf("%.6f\n", xent.SoftmaxRow([]float64{math.Log(3), 0}, []float64{0, 1}))
	fmt.Printf("%.6f\n", -math.Log(0.25))
	// Output:
	// 1.386294
	// 1.386294
}
