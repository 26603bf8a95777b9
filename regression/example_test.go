package regression_test

import (
	"errors"
	"fmt"

	"github.com/numlearn/numlearn/regression"
	"github.com/numlearn/numlearn/tensor"
)

// Lecture 2's fit: learn H(x) = W·x + b from three points of y = 2x + 1.
func ExampleLinear_Fit() {
	x := tensor.FromSlice([]float64{1, 2, 3}, 3, 1)
	y := tensor.FromSlice([]float64{3, 5, 7})

	m := regression.NewLinear(1, 1) // W = 0, b = 0
	costs, err := m.Fit(x, y, regression.Config{LearningRate: 0.1, Steps: 1000})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("cost %.4f → %.4f\n", costs[0], m.Cost(x, y))
	fmt.Printf("W = %.4f, b = %.4f\n", m.W.At(0, 0), m.B.At(0))
	fmt.Printf("H(5) = %.4f\n", m.Predict(tensor.FromSlice([]float64{5}, 1, 1)).At(0, 0))
	// Output:
	// cost 27.6667 → 0.0000
	// W = 2.0000, b = 1.0000
	// H(5) = 11.0000
}

// A callback sees every step before its update: here the descent without
// bias on x = y = [1, 2, 3], where W_k = 1 + (W₀ − 1)·(1 − 28α/3)ᵏ.
func ExampleConfig_callback() {
	x := tensor.FromSlice([]float64{1, 2, 3}, 3, 1)
	y := tensor.FromSlice([]float64{1, 2, 3})
	m := &regression.Linear{W: tensor.FromSlice([]float64{3}, 1, 1)} // no bias

	cfg := regression.Config{LearningRate: 0.05, Steps: 100,
		Callback: func(step int, cost float64, w, _ *tensor.Tensor) error {
			if step > 4 {
				return regression.Stop // enough: a nil error from Fit
			}
			if step%2 == 0 {
				fmt.Printf("step %d  cost %.4f  W %.4f\n", step, cost, w.At(0, 0))
			}
			return nil
		}}
	costs, err := m.Fit(x, y, cfg)
	fmt.Println(len(costs), "updates, error:", err)
	// Output:
	// step 0  cost 18.6667  W 3.0000
	// step 2  cost 1.5103  W 1.5689
	// step 4  cost 0.1222  W 1.1618
	// 5 updates, error: <nil>
}

// Too large a learning rate makes the descent run away; Fit stops, says
// where, and keeps the last good weights.
func ExampleDivergedError() {
	x := tensor.FromSlice([]float64{1, 2, 3}, 3, 1)
	y := tensor.FromSlice([]float64{1, 2, 3})
	m := &regression.Linear{W: tensor.FromSlice([]float64{3}, 1, 1)}

	// Stable only for α < 3/14 ≈ 0.21.
	_, err := m.Fit(x, y, regression.Config{LearningRate: 0.25, Steps: 1000})
	var de *regression.DivergedError
	if errors.As(err, &de) {
		fmt.Println("diverged:", errors.Is(err, regression.ErrDiverged))
		fmt.Println("at step", de.Step)
		fmt.Printf("kept W = %.4f with cost %.4g\n", m.W.At(0, 0), de.LastCost)
	}
	// Output:
	// diverged: true
	// at step 25
	// kept W = 1994.2404 with cost 1.854e+07
}

// Lecture 3's curve: cost(W) for H(x) = W·x on x = y = [1, 2, 3] is
// 14/3·(W − 1)², a bowl with its bottom at W = 1.
func ExampleCostCurve() {
	ws := []float64{-1, 0, 1, 2, 3}
	for i, cost := range regression.CostCurve([]float64{1, 2, 3}, []float64{1, 2, 3}, ws) {
		fmt.Printf("W = %2.0f  cost = %.4f\n", ws[i], cost)
	}
	// Output:
	// W = -1  cost = 18.6667
	// W =  0  cost = 4.6667
	// W =  1  cost = 0.0000
	// W =  2  cost = 4.6667
	// W =  3  cost = 18.6667
}

// The exact answer to check a fit against: the line through (1, 2),
// (2, 4), (3, 7) with the least squared error.
func ExampleLeastSquares() {
	x := tensor.FromSlice([]float64{1, 2, 3}, 3, 1)
	y := tensor.FromSlice([]float64{2, 4, 7})
	m, err := regression.LeastSquares(x, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("W = %.4f, b = %.4f\n", m.W.At(0, 0), m.B.At(0))

	// A constant feature is indistinguishable from the bias.
	_, err = regression.LeastSquares(tensor.FromSlice([]float64{2, 2, 2}, 3, 1), y)
	fmt.Println(errors.Is(err, regression.ErrRankDeficient))
	// Output:
	// W = 2.5000, b = -0.6667
	// true
}
