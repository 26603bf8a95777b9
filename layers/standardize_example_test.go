package layers_test

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Fit the statistics on training data once, then standardize raw
// features of any batch with them. Column 0 is 1, 3, 5, 7: mean 4,
// variance (9+1+1+9)/4 = 5, std √5. Column 1 is 100, 100, 300, 300: mean
// 200, std 100.
func ExampleNewStandardize() {
	train := tensor.FromRows([][]float64{{1, 100}, {3, 100}, {5, 300}, {7, 300}})
	s, err := layers.NewStandardize(train)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean %.4f\n", s.Mean.Data())
	fmt.Printf("std  %.4f\n", s.Std.Data())

	// (6−4)/√5 = 0.8944, (150−200)/100 = −0.5; (4−4)/√5 = 0, (400−200)/100 = 2.
	y := s.Forward(tensor.FromRows([][]float64{{6, 150}, {4, 400}}))
	fmt.Printf("%.4f\n", y.Data())
	// Output:
	// mean [4.0000 200.0000]
	// std  [2.2361 100.0000]
	// [0.8944 -0.5000 0.0000 2.0000]
}

// A feature that never changes in the training data gets Std 1, as in
// scikit-learn's StandardScaler, so it maps to 0 instead of dividing by 0.
func ExampleNewStandardize_constantFeature() {
	train := tensor.FromRows([][]float64{{2, 5}, {6, 5}}) // column 0: mean 4, std 2
	s, err := layers.NewStandardize(train)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("std %.4f\n", s.Std.Data())
	fmt.Printf("%.4f\n", s.Forward(train).Data())
	// Output:
	// std [2.0000 1.0000]
	// [-1.0000 0.0000 1.0000 0.0000]
}
