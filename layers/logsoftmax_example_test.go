package layers_test

import (
	"fmt"
	"math"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// The head predicts log-probabilities, as a PyTorch model that ends in
// log_softmax does: scores [ln 3, 0] give probabilities [¾ ¼]. The loss of
// class 1 is −ln ¼, and the gradient (softmax − t)/batch.
func ExampleLogSoftmaxWithLoss() {
	var h layers.LogSoftmaxWithLoss
	x := tensor.FromRows([][]float64{{math.Log(3), 0}})
	var logp tensor.Tensor
	h.Predict(&logp, x)
	fmt.Printf("%.4f\n", logp.Data())
	fmt.Printf("%.4f\n", h.Forward(x, tensor.FromRows([][]float64{{0, 1}})))
	fmt.Printf("%.4f\n", h.Backward().Data())
	fmt.Println(h.Classes(nil, x))
	// Output:
	// [-0.2877 -1.3863]
	// 1.3863
	// [0.7500 -0.7500]
	// [0]
}
