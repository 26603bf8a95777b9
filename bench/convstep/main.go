// Command convstep is numlearn's side of the convolutional workload that
// bench/compare times: steps of the book's SimpleConvNet on random
// mini-batches of 100 MNIST images with Adam, as Network.Train takes them,
// then the accuracy on the 10,000 test images, -eval-batch at a time. It
// prints one JSON line in the form of bench/numpy_convnet.py's. Set
// GOMAXPROCS to choose the number of threads.
//
//	go run ./bench/convstep -steps 50
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"time"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/mnist"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "convstep:", err)
			os.Exit(1)
		}
	}
}

// result is the JSON line.
type result struct {
	Iterations     int     `json:"iterations"`
	TrainSeconds   float64 `json:"train_seconds"`
	EvalSeconds    float64 `json:"eval_seconds"`
	MsPerIteration float64 `json:"ms_per_iteration"`
	FinalLoss      float64 `json:"final_loss"`
	TestAccuracy   float64 `json:"test_accuracy"`
	Threads        int     `json:"threads"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("convstep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	steps := fs.Int("steps", 20, "timed training steps")
	warmup := fs.Int("warmup", 2, "untimed steps first")
	batch := fs.Int("batch", 100, "mini-batch size")
	evalBatch := fs.Int("eval-batch", 100, "test images predicted at once")
	seed := fs.Uint64("seed", 1, "random seed")
	data := fs.String("data", "", "folder with the MNIST files, fetched if missing (default: mnist.DefaultDir())")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *steps <= 0 || *batch <= 0 || *evalBatch <= 0 || *warmup < 0 {
		return errors.New("-steps, -batch and -eval-batch must be positive, -warmup not negative")
	}
	dir := *data
	if dir == "" {
		var err error
		if dir, err = mnist.DefaultDir(); err != nil {
			return err
		}
	}
	if err := mnist.Download(ctx, dir); err != nil {
		return err
	}
	train, test, err := mnist.Load(dir)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(*seed, 2))
	net := numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{}, rng)
	x, t := train.Images4D(), train.OneHot()
	opt := &grad.Adam{}
	cfg := numlearn.TrainConfig{BatchSize: *batch, Optimizer: opt, Rand: rng, EvalEvery: -1}
	if *warmup > 0 {
		cfg.Iterations = *warmup
		if _, err := net.Train(ctx, x, t, cfg); err != nil {
			return err
		}
	}
	cfg.Iterations = *steps
	hist, err := net.Train(ctx, x, t, cfg)
	if err != nil {
		return err
	}

	tx, tt := test.Images4D(), test.OneHot()
	start := time.Now()
	correct := 0.0
	for from := 0; from < test.Len(); from += *evalBatch {
		to := min(from+*evalBatch, test.Len())
		correct += net.Accuracy(tx.Slice(from, to), tt.Slice(from, to)) * float64(to-from)
	}
	evalSeconds := time.Since(start).Seconds()
	b, err := json.Marshal(result{
		Iterations:     *steps,
		TrainSeconds:   hist.TrainTime.Seconds(),
		EvalSeconds:    evalSeconds,
		MsPerIteration: hist.TrainTime.Seconds() * 1000 / float64(*steps),
		FinalLoss:      hist.Loss[len(hist.Loss)-1],
		TestAccuracy:   correct / float64(test.Len()),
		Threads:        runtime.GOMAXPROCS(0),
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(b))
	return nil
}
