package trainlog_test

import (
	"os"
	"time"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/examples/internal/trainlog"
)

// Without a terminal the table prints a line per evaluation; its loss is
// the mean of the steps since the line before.
func ExampleTable() {
	t := trainlog.NewTable(os.Stdout, 3, false)
	t.Update(numlearn.Progress{Iteration: 1, Epoch: 0.5, Loss: 2.3, Evaluated: true,
		Eval: numlearn.Evaluation{TrainAccuracy: 0.1, TestAccuracy: 0.12}, Elapsed: time.Second})
	t.Update(numlearn.Progress{Iteration: 2, Epoch: 1, Loss: 1.0})
	t.Update(numlearn.Progress{Iteration: 3, Epoch: 1.5, Loss: 0.6, Evaluated: true,
		Eval: numlearn.Evaluation{TrainAccuracy: 0.8, TestAccuracy: 0.75}, Elapsed: 3 * time.Second})
	t.Finish()
	// Output:
	//   epoch   step     loss  train acc  test acc  elapsed
	//    0.50      1   2.3000     0.1000    0.1200     1.0s
	//    1.50      3   0.8000     0.8000    0.7500     3.0s
}
