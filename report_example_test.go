package numlearn_test

import (
	"math"
	"os"
	"time"

	"github.com/numlearn/numlearn"
)

// A Reporter prints a line per evaluation; its loss column is the mean
// mini-batch loss of the steps since the line before. (Off a terminal it
// draws no bar.)
func ExampleReporter() {
	rep := numlearn.NewReporter(os.Stdout)
	rep.Progress(numlearn.Progress{Iteration: 1, Iterations: 3, Epoch: 0.5, Loss: 2.3, Evaluated: true,
		Eval: numlearn.Evaluation{TrainAccuracy: 0.1, TestAccuracy: 0.12, TrainLoss: math.NaN(), TestLoss: math.NaN()}, Elapsed: time.Second})
	rep.Progress(numlearn.Progress{Iteration: 2, Iterations: 3, Epoch: 1, Loss: 1.0})
	rep.Progress(numlearn.Progress{Iteration: 3, Iterations: 3, Epoch: 1.5, Loss: 0.6, Evaluated: true,
		Eval: numlearn.Evaluation{TrainAccuracy: 0.8, TestAccuracy: math.NaN(), TrainLoss: math.NaN(), TestLoss: math.NaN()}, Elapsed: 3 * time.Second})
	rep.Finish()
	// Output:
	//   epoch   step     loss  train acc  test acc  elapsed
	//    0.50      1   2.3000     0.1000    0.1200     1.0s
	//    1.50      3   0.8000     0.8000         -     3.0s
}

// For a network that does not predict classes the lines show the losses
// of the training and test sets.
func ExampleReporter_regression() {
	rep := numlearn.NewReporter(os.Stdout)
	rep.Progress(numlearn.Progress{Iteration: 10, Iterations: 10, Epoch: 2, Loss: 0.25, Evaluated: true,
		Eval: numlearn.Evaluation{TrainAccuracy: math.NaN(), TestAccuracy: math.NaN(), TrainLoss: 0.2, TestLoss: 0.3125}, Elapsed: 2 * time.Second})
	// Output:
	//   epoch   step     loss train loss test loss  elapsed
	//    2.00     10   0.2500     0.2000    0.3125     2.0s
}
