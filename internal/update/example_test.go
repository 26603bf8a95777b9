package update_test

import (
	"fmt"
	"math"

	"github.com/numlearn/numlearn/internal/update"
)

// Adam's first step from zero moments moves each parameter by about the
// learning rate, whatever the size of its gradient: m = 0.1·g and
// v = 0.001·g², so lr₁·m/√v = lr·sign(g).
func ExampleAdam() {
	const lr, beta1, beta2, eps = 0.001, 0.9, 0.999, 1e-7
	p := []float64{1, 1, 1}
	g := []float64{100, 0.01, -3}
	m, v := make([]float64, 3), make([]float64, 3)
	lrt := lr * math.Sqrt(1-beta2) / (1 - beta1) // the step size of update 1
	update.Adam(p, g, m, v, 1-beta1, 1-beta2, lrt, eps)
	fmt.Printf("%.4f\n", p)
	// Output:
	// [0.9990 0.9990 1.0010]
}

// AdaGrad's sum of squares slows an element down as its gradients add
// up: with the same gradient twice, the second step is 1/√2 of the first.
func ExampleAdaGrad() {
	const lr, eps = 0.1, 1e-7
	p, g, h := []float64{0}, []float64{2}, []float64{0}
	for range 2 {
		before := p[0]
		update.AdaGrad(p, g, h, lr, eps)
		fmt.Printf("step %.4f, h %.4f\n", p[0]-before, h[0])
	}
	// Output:
	// step -0.1000, h 4.0000
	// step -0.0707, h 8.0000
}
