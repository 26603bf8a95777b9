package loss_test

import (
	"fmt"

	"github.com/numlearn/numlearn/loss"
	"github.com/numlearn/numlearn/tensor"
)

// The book's softmax output for one image, whose correct class is 2.
func ExampleSSE() {
	y := tensor.FromSlice([]float64{0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0})
	t := tensor.FromSlice([]float64{0, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	fmt.Printf("%.4f\n", loss.SSE(y, t))
	// Output: 0.0975
}

// The lectures' cost of the hypothesis H(x) = 2x on x = y = [1 2 3].
func ExampleMSE() {
	h := tensor.FromSlice([]float64{2, 4, 6})
	y := tensor.FromSlice([]float64{1, 2, 3})
	fmt.Printf("%.4f\n", loss.MSE(h, y))
	// Output: 4.6667
}

// A batch of two samples: the first predicts its class 2 with 0.6, the
// second gives its class 7 only 0.1; the loss is the mean of −log 0.6 and
// −log 0.1.
func ExampleCrossEntropy() {
	y := tensor.FromRows([][]float64{
		{0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0},
		{0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0},
	})
	t := tensor.FromRows([][]float64{
		{0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
		{0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
	})
	fmt.Printf("%.4f\n", loss.CrossEntropy(y.Row(0), t.Row(0)))
	fmt.Printf("%.4f\n", loss.CrossEntropy(y, t))
	// Output:
	// 0.5108
	// 1.4067
}

// The same batch with the targets as class indices.
func ExampleCrossEntropyLabels() {
	y := tensor.FromRows([][]float64{
		{0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0},
		{0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0},
	})
	fmt.Printf("%.4f\n", loss.CrossEntropyLabels(y, []int{2, 7}))
	// Output: 1.4067
}
