// Command convnet trains the book's chapter 7 SimpleConvNet on MNIST, as
// ch07/train_convnet.py does: Adam at 0.001, mini-batches of 100, 20
// epochs of shuffled data, reaching a test accuracy of about 0.99.
//
//	go run ./examples/convnet             # the book's 20 epochs
//	go run ./examples/convnet -epochs 2   # a quicker look
//	go run ./examples/convnet -deep       # chapter 8's DeepConvNet
//	go run ./examples/convnet -iters 300 -eval-every 50   # a short run, evaluated 7 times
//
// It prints one line per evaluation (loss, train and test accuracy,
// elapsed time) — after the first step, every epoch or every -eval-every
// steps, and after the last — with a progress bar between them when
// stdout is a terminal, and writes into -out: loss.png and accuracy.png,
// model.npz (np.load reads it; the parameters are named W1 b1 … as the
// book saves them), and filters-before.png and filters-after.png, the
// first layer's filters before and after training as the book's figure
// 7-24 shows them, each titled. It ends with a summary, or with one JSON
// line when -json is given.
//
// -deep builds the book's chapter 8 DeepConvNet (numlearn.NewDeepConvNet,
// dropout 0.5 after both Affine layers); its filters are 3×3.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/examples/internal/trainlog"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp): // -h: the usage is printed
	case err != nil:
		fmt.Fprintln(os.Stderr, err) // prefixed by the package that made it
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	epochs, iters int
	evalEvery     int
	seed          uint64
	data, out     string
	deep          bool
	json, quiet   bool
	skipTrainEval bool
}

// summary is the -json line.
type summary struct {
	Network       string  `json:"network"`
	Iterations    int     `json:"iterations"`
	TrainSeconds  float64 `json:"train_seconds"`
	EvalSeconds   float64 `json:"eval_seconds"`
	TrainAccuracy float64 `json:"train_accuracy"`
	TestAccuracy  float64 `json:"test_accuracy"`
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("convnet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.epochs, "epochs", 20, "training epochs of 600 steps of 100 images")
	fs.IntVar(&o.iters, "iters", 0, "training steps instead of whole epochs (0: -epochs)")
	fs.IntVar(&o.evalEvery, "eval-every", 0, "steps between evaluations (0: one epoch, 600 steps)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed for the weights and the mini-batches")
	fs.StringVar(&o.data, "data", "", "folder with the MNIST files, fetched if missing (default: mnist.DefaultDir())")
	fs.StringVar(&o.out, "out", ".", "folder for the charts, the filter images and model.npz")
	fs.BoolVar(&o.deep, "deep", false, "train chapter 8's DeepConvNet (dropout 0.5) instead")
	fs.BoolVar(&o.skipTrainEval, "skip-train-eval", false, "evaluate only the test set at each epoch")
	fs.BoolVar(&o.json, "json", false, "end with one JSON line of timings and accuracies")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar, even on a terminal")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("convnet: %w", err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("convnet: unexpected arguments %q", fs.Args())
	}
	if o.epochs <= 0 {
		return o, fmt.Errorf("convnet: -epochs %d: must be positive", o.epochs)
	}
	if o.iters < 0 {
		return o, fmt.Errorf("convnet: -iters %d: must not be negative", o.iters)
	}
	if o.evalEvery < 0 {
		return o, fmt.Errorf("convnet: -eval-every %d: must not be negative", o.evalEvery)
	}
	return o, nil
}

// batchSize is train_convnet.py's mini-batch size.
const batchSize = 100

// evalChunk is the number of images evaluated at once: a convolutional
// network's activations are 17,280 values per image after the first
// layer, so 1,000 images take about 140 MB where MNIST's 10,000 would
// take ten times that.
const evalChunk = 1000

// chunkedAccuracy is net's accuracy on x and t, evalChunk images at a
// time, so that memory stays at what Train's evaluations use.
func chunkedAccuracy(net *numlearn.Network, x, t *tensor.Tensor) float64 {
	n := x.Shape()[0]
	correct := 0.0
	for from := 0; from < n; from += evalChunk {
		to := min(from+evalChunk, n)
		correct += math.Round(net.Accuracy(x.Slice(from, to), t.Slice(from, to)) * float64(to-from))
	}
	return correct / float64(n)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("convnet: -out: %w", err)
	}
	interactive := !o.quiet && trainlog.IsTerminal(stdout)

	train, test, err := (&mnist.Downloader{Progress: trainlog.Download(stderr, interactive)}).Fetch(ctx, o.data)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "MNIST: %d training and %d test images of 1×28×28\n", train.Len(), test.Len())

	rng := rand.New(rand.NewPCG(o.seed, 0x636f6e76))
	var net *numlearn.Network
	name := "SimpleConvNet"
	if o.deep {
		name = "DeepConvNet"
		net = numlearn.NewDeepConvNet(numlearn.DeepConvNetConfig{Dropout: 0.5}, rng)
		fmt.Fprintln(stdout, "network: DeepConvNet, six 3×3 convolutions (16 16 32 32 64 64) with ReLU and three 2×2 poolings → Affine(1024→50) → ReLU → Dropout(0.5) → Affine(50→10) → Dropout(0.5) → softmax; He init")
	} else {
		net = numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{}, rng)
		fmt.Fprintln(stdout, "network: SimpleConvNet, Conv(30 of 5×5) → ReLU → Pool(2×2) → Affine(4320→100) → ReLU → Affine(100→10) → softmax; 0.01·N(0,1) init")
	}
	filters := net.Params()[0]
	if err := writeFilters(filepath.Join(o.out, "filters-before.png"), filtersTitle(filters, "before training"), filters); err != nil {
		return fmt.Errorf("convnet: %w", err)
	}

	iters := o.iters
	if iters == 0 {
		iters = o.epochs * (train.Len() / batchSize)
	}
	fmt.Fprintf(stdout, "Adam lr %g; %d steps of %d\n", grad.DefaultAdamLR, iters, batchSize)
	rep := numlearn.NewReporter(stdout)
	rep.Bar = interactive
	hist, err := net.Train(ctx, train.Images4D(), train.OneHot(), numlearn.TrainConfig{
		Iterations:    iters,
		BatchSize:     batchSize,
		Optimizer:     &grad.Adam{},
		Rand:          rng,
		Shuffle:       true,
		TestX:         test.Images4D(),
		TestT:         test.OneHot(),
		EvalEvery:     o.evalEvery,
		SkipTrainEval: o.skipTrainEval,
		EvalChunk:     evalChunk,
		Progress:      rep.Progress,
	})
	rep.Finish()
	if err != nil {
		return err
	}

	final := hist.Evals[len(hist.Evals)-1]
	if o.skipTrainEval { // measure it once, at the end
		final.TrainAccuracy = chunkedAccuracy(net, train.Images4D(), train.OneHot())
	}
	if err := trainlog.WriteCharts(o.out, hist); err != nil {
		return fmt.Errorf("convnet: charts: %w", err)
	}
	after := fmt.Sprintf("after %d training steps", len(hist.Loss))
	if err := writeFilters(filepath.Join(o.out, "filters-after.png"), filtersTitle(filters, after), filters); err != nil {
		return fmt.Errorf("convnet: %w", err)
	}
	model := filepath.Join(o.out, "model.npz")
	if err := net.SaveFile(model, numlearn.SaveOptions{}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "train accuracy %.4f, test accuracy %.4f after %d steps\n", final.TrainAccuracy, final.TestAccuracy, final.Iteration)
	fmt.Fprintf(stdout, "time: train %.1fs (%.1f ms/step), evaluate %.1fs (%d evaluations)\n",
		hist.TrainTime.Seconds(), hist.TrainTime.Seconds()*1000/float64(len(hist.Loss)), hist.EvalTime.Seconds(), len(hist.Evals))
	fmt.Fprintf(stdout, "wrote loss.png, accuracy.png, filters-before.png, filters-after.png and model.npz in %s\n", o.out)
	if o.json {
		b, err := json.Marshal(summary{
			Network:       name,
			Iterations:    len(hist.Loss),
			TrainSeconds:  hist.TrainTime.Seconds(),
			EvalSeconds:   hist.EvalTime.Seconds(),
			TrainAccuracy: final.TrainAccuracy,
			TestAccuracy:  final.TestAccuracy,
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
	}
	return nil
}
