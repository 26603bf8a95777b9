package engine_test

import (
	"fmt"

	"github.com/numlearn/numlearn/examples/playground/engine"
)

// The page shows the native command that trains what it trains, so that
// its numbers can be checked against a run of examples/mnist.
func ExampleSettings_Command() {
	fmt.Println(engine.Settings{Iterations: 2000}.Command())
	fmt.Println(engine.Settings{Model: engine.MultiLayerNet, Optimizer: "adam", Iterations: 600}.Command())
	// Output:
	// go run ./examples/mnist -seed 1 -iters 2000 -batch 100 -optimizer sgd -lr 0.1
	// go run ./examples/mnist -hidden 100,100 -init he -batchnorm -dropout 0.2 -seed 1 -iters 600 -batch 100 -optimizer adam -lr 0.001
}
