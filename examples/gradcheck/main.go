// Command gradcheck is the book's gradient_check.py (§5.7.3): it compares
// the gradient backpropagation computes with central differences on the
// first three MNIST training images, parameter by parameter.
//
//	go run ./examples/gradcheck
//
// The mean absolute differences are around 1e-10 to 1e-7: backprop is
// right. (The largest, b2's, comes mostly from the 1e-7 that the loss adds
// inside its log, which the exact gradient (y − t)/batch leaves out.)
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
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gradcheck:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gradcheck", flag.ContinueOnError)
	data := fs.String("data", "", "folder with the MNIST files, fetched if missing (default: mnist.DefaultDir())")
	samples := fs.Int("n", 3, "number of training images to check on")
	seed := fs.Uint64("seed", 1, "random seed for the weights")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *samples <= 0 {
		return fmt.Errorf("-n must be positive, not %d", *samples)
	}
	train, _, err := mnist.Fetch(ctx, *data)
	if err != nil {
		return err
	}
	batch := train.Slice(0, min(*samples, train.Len()))
	x, t := batch.Images, batch.OneHot()

	net := numlearn.NewTwoLayerNet(784, 50, 10, rand.New(rand.NewPCG(*seed, 2)))
	fmt.Fprintf(stdout, "TwoLayerNet(784, 50, 10) on the first %d training images (labels %v)\n", batch.Len(), batch.Labels)
	fmt.Fprintln(stdout, "mean |backprop − numerical| per parameter:")
	for i, d := range net.GradientCheck(x, t) {
		fmt.Fprintf(stdout, "%s: %.2e   (max %.2e)\n", net.ParamNames()[i], d.MeanAbs, d.MaxAbs)
	}
	return nil
}
