package metrics_test

import (
	"errors"
	"fmt"

	"github.com/numlearn/numlearn/metrics"
	"github.com/numlearn/numlearn/tensor"
)

// Ten samples of three classes. Of the four samples of class 0, two are
// found, one is taken for 1 and one for 2; so class 0 has recall 2/4, and,
// of the three samples predicted 0, two are right: precision 2/3.
func ExampleNewConfusion() {
	truth := []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}
	pred := []int{0, 0, 1, 2, 1, 1, 0, 2, 2, 1}
	c, err := metrics.NewConfusion(truth, pred, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("accuracy %.4f, macro F1 %.4f\n", c.Accuracy(), c.MacroF1())
	fmt.Println(c)
	// Output:
	// accuracy 0.6000, macro F1 0.6032
	//    true\pred  0  1  2
	//            0  2  1  1
	//            1  1  2  0
	//            2  0  1  2
	//
	//               precision     recall         f1  support
	//            0     0.6667     0.5000     0.5714        4
	//            1     0.5000     0.6667     0.5714        3
	//            2     0.6667     0.6667     0.6667        3
	//
	//     accuracy                           0.6000       10
	//    macro avg     0.6111     0.6111     0.6032       10
	// weighted avg     0.6167     0.6000     0.6000       10
}

// A large data set is counted in chunks; a bad label is an error that
// names the sample, and leaves the matrix as it was.
func ExampleConfusion_Add() {
	c, _ := metrics.NewConfusion(nil, nil, 2) // empty, two classes
	chunks := [][2][]int{
		{{0, 0, 1}, {0, 1, 1}}, // truth, predictions
		{{1, 1, 0}, {1, 0, 0}},
		{{0, 2}, {0, 0}}, // no class 2
	}
	for _, ch := range chunks {
		if err := c.Add(ch[0], ch[1]); err != nil {
			fmt.Println(err, errors.Is(err, metrics.ErrLabel))
		}
	}
	fmt.Printf("%d samples, accuracy %.4f\n", c.Total(), c.Accuracy())
	// Output:
	// metrics: label out of range: sample 1 has true label 2, outside [0, 2) true
	// 6 samples, accuracy 0.6667
}

// Predictions [2 4 6] for targets [1 4 8]: the errors are [1 0 −2], so
// MAE = 3/3, MSE = 5/3, and R² = 1 − 5/(74/3), the targets' squared
// deviations from their mean 13/3 summing to 74/3.
func ExampleNewRegression() {
	pred := tensor.FromSlice([]float64{2, 4, 6})
	target := tensor.FromSlice([]float64{1, 4, 8})
	r, err := metrics.NewRegression(pred, target)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("n %d  MAE %.4f  MSE %.4f  RMSE %.4f  R² %.4f\n", r.N, r.MAE, r.MSE, r.RMSE, r.R2)
	// Output:
	// n 3  MAE 1.0000  MSE 1.6667  RMSE 1.2910  R² 0.7973
}

// With two outputs, R² is computed per column and averaged: here 59/74
// for the first and 0 for the second, which always predicts its mean.
func ExampleNewRegression_outputs() {
	pred := tensor.FromRows([][]float64{{2, 2}, {4, 2}, {6, 2}})
	target := tensor.FromRows([][]float64{{1, 1}, {4, 2}, {8, 3}})
	r, err := metrics.NewRegression(pred, target)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("n %d  MAE %.4f  RMSE %.4f  R² %.4f\n", r.N, r.MAE, r.RMSE, r.R2)
	// Output:
	// n 3  MAE 0.8333  RMSE 1.0801  R² 0.3986
}
