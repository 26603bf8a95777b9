package grad_test

import (
	"fmt"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
)

// The book's function_1, 0.01x² + 0.1x, has the derivative 0.02x + 0.1.
func ExampleDiff() {
	f := func(x float64) float64 { return 0.01*x*x + 0.1*x }
	fmt.Printf("%.4f %.4f\n", grad.Diff(f, 5), grad.Diff(f, 10))
	// Output: 0.2000 0.3000
}

// The gradient of x₀² + x₁² is 2x.
func ExampleNumerical() {
	f := func(x *tensor.Tensor) float64 {
		d := x.Data()
		return d[0]*d[0] + d[1]*d[1]
	}
	for _, p := range [][]float64{{3, 4}, {0, 2}, {3, 0}} {
		g := grad.Numerical(f, tensor.FromSlice(p))
		fmt.Printf("%.4f\n", g.Data())
	}
	// Output:
	// [6.0000 8.0000]
	// [0.0000 4.0000]
	// [6.0000 0.0000]
}

// As in the book, f may ignore its argument and read the weights it
// differentiates by through a closure: Numerical perturbs w in place.
func ExampleNumericalTo() {
	w := tensor.FromSlice([]float64{0.5, -1}) // weights of y = w₀·x₀ + w₁·x₁
	x := []float64{2, 3}
	cost := func(*tensor.Tensor) float64 {
		y := w.At(0)*x[0] + w.At(1)*x[1] // −2
		return y * y                     // ∂/∂wᵢ = 2·y·xᵢ = (−8, −12)
	}
	var g tensor.Tensor // sized by the first call, reused after
	grad.NumericalTo(&g, cost, w)
	fmt.Printf("%.4f\n", g.Data())
	fmt.Printf("%.4f\n", w.Data())
	// Output:
	// [-8.0000 -12.0000]
	// [0.5000 -1.0000]
}

// The book's gradient_method: 100 steps from (−3, 4) with lr = 0.1 reach
// the minimum of x₀² + x₁² at 0.
func ExampleDescent() {
	f := func(x *tensor.Tensor) float64 {
		d := x.Data()
		return d[0]*d[0] + d[1]*d[1]
	}
	x, path := grad.Descent(f, tensor.FromSlice([]float64{-3, 4}), 0.1, 100)
	fmt.Println(len(path))
	fmt.Printf("%.4f %.4f\n", path[0].Data(), path[1].Data())
	fmt.Printf("%.4f\n", x.Data())
	// Output:
	// 100
	// [-3.0000 4.0000] [-2.4000 3.2000]
	// [-0.0000 0.0000]
}

// Check compares a gradient worked out by hand (or by backprop) with the
// numerical one.
func ExampleCheck() {
	f := func(x *tensor.Tensor) float64 { // Σ xᵢ³, gradient 3x²
		var s float64
		for _, v := range x.Data() {
			s += v * v * v
		}
		return s
	}
	x := tensor.FromSlice([]float64{1, -2, 0.5})
	exact := tensor.FromSlice([]float64{3, 12, 0.75})
	ds := grad.Check([]*tensor.Tensor{exact}, []*tensor.Tensor{grad.Numerical(f, x)})
	fmt.Printf("%.1e\n", ds[0].MaxAbs) // the central difference adds h² = 1e-8
	fmt.Println(grad.Worst(ds).MaxRel < 1e-7)
	// Output:
	// 1.0e-08
	// true
}

// The book's comparison (figure 6-8): 30 steps on f(x, y) = x²/20 + y²
// from (−7, 2), whose gradient is (x/10, 2y).
func ExampleOptimizer() {
	opts := []struct {
		name string
		opt  grad.Optimizer
	}{
		{"SGD", &grad.SGD{LR: 0.95}},
		{"Momentum", &grad.Momentum{LR: 0.1}},
		{"AdaGrad", &grad.AdaGrad{LR: 1.5}},
		{"Adam", &grad.Adam{LR: 0.3}},
	}
	for _, o := range opts {
		x, y := tensor.Scalar(-7), tensor.Scalar(2)
		gx, gy := tensor.Scalar(0), tensor.Scalar(0)
		for range 30 {
			gx.Set(x.At() / 10)
			gy.Set(2 * y.At())
			o.opt.Update([]*tensor.Tensor{x, y}, []*tensor.Tensor{gx, gy})
		}
		fmt.Printf("%-8s (%.4f, %.4f)\n", o.name, x.At(), y.At())
	}
	// Output:
	// SGD      (-0.3504, 0.0848)
	// Momentum (0.8964, 0.0881)
	// AdaGrad  (-0.1202, 0.0000)
	// Adam     (0.1360, 0.3182)
}
