package numlearn_test

import (
	"fmt"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/metrics"
	"github.com/numlearn/numlearn/tensor"
)

// A classifier's predictions measured with the metrics package. The
// network is one Affine layer with hand-set weights, so its predictions
// are exact: scores (x₁, x₂, −x₁−x₂), the first class when x₁ is the
// largest, the second when x₂ is, the third when both are negative.
//
//	input     scores        predicted  true
//	( 2,  0)  ( 2,  0, −2)  0          0
//	( 1,  3)  ( 1,  3, −4)  1          1
//	(−1, −2)  (−1, −2,  3)  2          2
//	( 3,  1)  ( 3,  1, −4)  0          1
//	(−2, −1)  (−2, −1,  3)  2          2
//	( 0,  2)  ( 0,  2, −2)  1          2
//
// Four of six are right: accuracy 4/6. Class 0 has TP 1, FP 1, FN 0, so
// F1 = 2·1/(2·1+1+0) = 2/3; class 1 has TP 1, FP 1, FN 1: F1 = 2/4; class 2
// has TP 2, FP 0, FN 1: F1 = 4/5. Macro F1 = (2/3 + 1/2 + 4/5)/3 = 59/90.
func Example_metrics() {
	w := tensor.FromRows([][]float64{{1, 0, -1}, {0, 1, -1}}) // (in 2, out 3)
	b := tensor.New(3)
	net := numlearn.NewNetwork(layers.NewAffine(w, b)) // softmax head: classes

	x := tensor.FromRows([][]float64{{2, 0}, {1, 3}, {-1, -2}, {3, 1}, {-2, -1}, {0, 2}})
	labels := []int{0, 1, 2, 1, 2, 2}

	pred := net.Classes(nil, x) // the index of each row's highest score
	c, err := metrics.NewConfusion(labels, pred, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("predicted", pred)
	fmt.Printf("accuracy %.4f, macro F1 %.4f\n", c.Accuracy(), c.MacroF1())
	// Output:
	// predicted [0 1 2 0 2 1]
	// accuracy 0.6667, macro F1 0.6556
}
