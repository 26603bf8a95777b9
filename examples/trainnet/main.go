// Command trainnet is the book's ch05/train_neuralnet.py in Go, line by
// line: it trains chapter 5's TwoLayerNet (784 → 50 → 10, ReLU) on MNIST
// by mini-batch SGD with gradients from backpropagation, and prints the
// accuracy on the full training and test sets once per epoch.
//
//	go run ./examples/trainnet
//
// Read it beside the Python: the training loop keeps the script's order
// and names, with the script's line as a comment where the Go differs. The
// first run downloads MNIST into mnist.DefaultDir(). After 10,000
// iterations the book reports about 0.97 train and 0.96 test accuracy.
//
// examples/mnist is the full-featured version of the same job: it trains
// through Network.Train with any optimizer, shows progress, draws the
// loss and accuracy charts and saves the model.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "trainnet:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("trainnet", flag.ContinueOnError)
	data := fs.String("data", "", "folder with the MNIST files, fetched if missing (default: mnist.DefaultDir())")
	iters := fs.Int("iters", 10000, "number of SGD steps (iters_num)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *iters <= 0 {
		return fmt.Errorf("-iters must be positive, not %d", *iters)
	}

	// (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
	train, test, err := mnist.Fetch(ctx, *data)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2)) // np.random
	trainNet(stdout, train.Images, train.OneHot(), test.Images, test.OneHot(), *iters, rng)
	return nil
}

// history is what the script records: train_loss_list, train_acc_list and
// test_acc_list.
type history struct {
	trainLoss, trainAcc, testAcc []float64
}

// trainNet is train_neuralnet.py from the network on, with x the inputs
// and t the one-hot targets. It prints each epoch's accuracies to w and
// returns what it recorded.
func trainNet(w io.Writer, xTrain, tTrain, xTest, tTest *tensor.Tensor, itersNum int, rng *rand.Rand) history {
	network := numlearn.NewTwoLayerNet(784, 50, 10, rng)

	trainSize := xTrain.Shape()[0]
	const (
		batchSize    = 100
		learningRate = 0.1
	)

	var h history

	iterPerEpoch := max(trainSize/batchSize, 1)

	batchMask := make([]int, batchSize)
	var xBatch, tBatch tensor.Tensor // sized by the first TakeRows, reused after
	for i := range itersNum {
		for j := range batchMask { // batch_mask = np.random.choice(train_size, batch_size)
			batchMask[j] = rng.IntN(trainSize)
		}
		xBatch.TakeRows(xTrain, batchMask) // x_batch = x_train[batch_mask]
		tBatch.TakeRows(tTrain, batchMask) // t_batch = t_train[batch_mask]

		// Gradient (network.numerical_gradient would give the same, slowly)
		grad := network.Gradient(&xBatch, &tBatch)

		// Update
		for key, param := range network.Params() { // W1, b1, W2, b2
			param.AddScaled(param, -learningRate, grad[key]) // network.params[key] -= learning_rate * grad[key]
		}

		loss := network.Loss(&xBatch, &tBatch)
		h.trainLoss = append(h.trainLoss, loss)

		if i%iterPerEpoch == 0 {
			trainAcc := network.Accuracy(xTrain, tTrain)
			testAcc := network.Accuracy(xTest, tTest)
			h.trainAcc = append(h.trainAcc, trainAcc)
			h.testAcc = append(h.testAcc, testAcc)
			fmt.Fprintf(w, "train acc, test acc | %.4f, %.4f\n", trainAcc, testAcc)
		}
	}
	return h
}
