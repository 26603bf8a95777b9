package loss

import (
	"fmt"
	"math"
	"slices"

	"github.com/numlearn/numlearn/tensor"
)

// SSE returns the sum of squared errors ½·Σ(y−t)², the book's
// sum_squared_error. It panics if y and t have different shapes.
func SSE(y, t *tensor.Tensor) float64 {
	return sumSquares("SSE", y, t) / 2
}

// MSE returns the mean squared error mean((y−t)²), the cost of the
// linear-regression lectures. It is NaN when y has no elements and panics
// if y and t have different shapes.
func MSE(y, t *tensor.Tensor) float64 {
	s := sumSquares("MSE", y, t)
	if y.Size() == 0 {
		return math.NaN()
	}
	return s / float64(y.Size())
}

// sumSquares returns Σ(y−t)² after checking that the shapes agree.
func sumSquares(op string, y, t *tensor.Tensor) float64 {
	checkSame(op, y, t)
	td := t.Data()
	var s float64
	for i, v := range y.Data() {
		d := v - td[i]
		s += d * d
	}
	return s
}

// checkSame panics unless y and t have the same shape.
func checkSame(op string, y, t *tensor.Tensor) {
	if !slices.Equal(y.Shape(), t.Shape()) {
		panic(fmt.Sprintf("loss: %s: shapes %v and %v differ", op, y.Shape(), t.Shape()))
	}
}
