package grad

import (
	"fmt"

	"github.com/numlearn/numlearn/tensor"
)

// Descent runs steps updates of gradient descent, x ← x − lr·∇f(x), from x0,
// with the gradient from Numerical; it is the book's gradient_descent. It
// returns the final x and the path it took: path[i] is x before update i,
// so len(path) == steps, path[0] equals x0 and x is one step beyond the last
// entry. x0 is not changed. Descent panics if steps is negative.
func Descent(f func(x *tensor.Tensor) float64, x0 *tensor.Tensor, lr float64, steps int) (x *tensor.Tensor, path []*tensor.Tensor) {
	if steps < 0 {
		panic(fmt.Sprintf("grad: Descent: negative steps %d", steps))
	}
	x = x0.Clone()
	path = make([]*tensor.Tensor, steps)
	var g tensor.Tensor
	for i := range path {
		path[i] = x.Clone()
		NumericalTo(&g, f, x)
		x.AddScaled(x, -lr, &g)
	}
	return x, path
}
