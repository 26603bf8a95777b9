// Command mnist is numlearn's main job: it fetches MNIST if needed, trains
// the book's two-layer network on it (chapter 5's train_neuralnet.py) and
// reports what it learned. -hidden takes any number of hidden layers, and
// -batchnorm, -dropout and -weight-decay make the net the book's
// MultiLayerNetExtend (chapter 6).
//
//	go run ./examples/mnist              # the book's settings: test accuracy ≈ 0.97
//	go run ./examples/mnist -optimizer adam -init he -hidden 100
//	go run ./examples/mnist -batchnorm -dropout 0.2 -weight-decay 1e-4 -hidden 100,100
//	go run ./examples/mnist -gradient numerical   # chapter 4: sigmoid, gradients by central differences
//
// It prints one line per epoch (loss, train and test accuracy, elapsed
// time), with a progress bar between them when stdout is a terminal;
// writes loss.png and accuracy.png (the book's figures 4-11 and 4-12) and
// model.npz (np.load reads it) into -out; and ends with a summary, or with
// one JSON line when -json is given.
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
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/examples/internal/trainlog"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/mnist"
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
	hidden                  []int
	batchNorm               bool
	dropout, weightDecay    float64
	iters, batch, evalEvery int
	lr                      float64
	optimizer, init         string
	gradient, act           string
	seed                    uint64
	data, out, cpuProfile   string
	json, quiet             bool
	checkpoint, resume      string
	stopAfter               int
}

// summary is the -json line.
type summary struct {
	Iterations    int     `json:"iterations"`
	LoadSeconds   float64 `json:"load_seconds"`
	TrainSeconds  float64 `json:"train_seconds"`
	EvalSeconds   float64 `json:"eval_seconds"`
	TrainAccuracy float64 `json:"train_accuracy"`
	TestAccuracy  float64 `json:"test_accuracy"`
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("mnist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	hidden := fs.String("hidden", "50", "hidden layer sizes, comma-separated (100,100 is two layers)")
	fs.BoolVar(&o.batchNorm, "batchnorm", false, "a BatchNorm layer after each hidden Affine layer")
	fs.Float64Var(&o.dropout, "dropout", 0, "ratio of a Dropout layer after each hidden activation, in [0, 1) (0: none)")
	fs.Float64Var(&o.weightDecay, "weight-decay", 0, "λ of L2 weight decay (0: none)")
	fs.IntVar(&o.iters, "iters", 10000, "training steps (mini-batches)")
	fs.IntVar(&o.batch, "batch", 100, "mini-batch size")
	fs.IntVar(&o.evalEvery, "eval-every", 0, "steps between evaluations (0: one epoch, 60000/batch; negative: never)")
	fs.Float64Var(&o.lr, "lr", 0, "learning rate (0: train_neuralnet.py's 0.1 for sgd, the optimizer's default for the others: 0.01, adam 0.001)")
	fs.StringVar(&o.optimizer, "optimizer", "sgd", "sgd, momentum, nesterov, adagrad, rmsprop or adam")
	fs.StringVar(&o.init, "init", "std", "weight initialisation: std (0.01·N(0,1), the book's), xavier or he")
	fs.StringVar(&o.gradient, "gradient", "backprop", "how each step gets its gradient: backprop (chapter 5) or numerical (chapter 4's central differences)")
	fs.StringVar(&o.act, "act", "", "hidden activation: relu, sigmoid or tanh (default: sigmoid with -gradient numerical, as chapter 4; else relu)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed for the weights and the mini-batches")
	fs.StringVar(&o.data, "data", "", "folder with the MNIST files, fetched if missing (default: mnist.DefaultDir())")
	fs.StringVar(&o.out, "out", ".", "folder for loss.png, accuracy.png and model.npz")
	fs.BoolVar(&o.json, "json", false, "end with one JSON line of timings and accuracies")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar, even on a terminal")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "keep a checkpoint of the run in this file, written at every evaluation and on an interruption (Ctrl-C)")
	fs.StringVar(&o.resume, "resume", "", "continue the run that this checkpoint file recorded (with the same -iters, -batch, -optimizer and -lr)")
	fs.IntVar(&o.stopAfter, "stop-after", 0, "stop after this step as an interruption would, leaving the -checkpoint to -resume from (0: run every step)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the training to this file (see go tool pprof)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("mnist: %w", err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("mnist: unexpected arguments %q", fs.Args())
	}
	for _, f := range []struct {
		name  string
		value int
	}{{"iters", o.iters}, {"batch", o.batch}} {
		if f.value <= 0 {
			return o, fmt.Errorf("mnist: -%s %d: must be positive", f.name, f.value)
		}
	}
	if o.lr < 0 {
		return o, fmt.Errorf("mnist: -lr %g: must not be negative", o.lr)
	}
	if o.stopAfter < 0 {
		return o, fmt.Errorf("mnist: -stop-after %d: must not be negative", o.stopAfter)
	}
	var err error
	if o.hidden, err = parseSizes(*hidden); err != nil {
		return o, fmt.Errorf("mnist: -hidden %q: %w", *hidden, err)
	}
	if !(o.dropout >= 0 && o.dropout < 1) {
		return o, fmt.Errorf("mnist: -dropout %g: must be in [0, 1)", o.dropout)
	}
	if !(o.weightDecay >= 0) || math.IsInf(o.weightDecay, 0) {
		return o, fmt.Errorf("mnist: -weight-decay %g: must be a finite number ≥ 0", o.weightDecay)
	}
	return o, nil
}

// parseSizes reads comma-separated positive layer sizes.
func parseSizes(list string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", f)
		}
		if n <= 0 {
			return nil, fmt.Errorf("size %d must be positive", n)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// describe names the network's layers as the first line of the report
// shows them: Affine(784→50) → ReLU → Affine(50→10) → softmax for the
// book's net.
func describe(sizes []int, act string, cfg numlearn.MultiLayerConfig) string {
	var b strings.Builder
	for i := range len(sizes) - 1 {
		fmt.Fprintf(&b, "Affine(%d→%d) → ", sizes[i], sizes[i+1])
		if i == len(sizes)-2 {
			break
		}
		if cfg.BatchNorm {
			b.WriteString("BatchNorm → ")
		}
		b.WriteString(act + " → ")
		if cfg.Dropout > 0 {
			fmt.Fprintf(&b, "Dropout(%g) → ", cfg.Dropout)
		}
	}
	b.WriteString("softmax")
	if cfg.WeightDecay > 0 {
		fmt.Fprintf(&b, "; weight decay %g", cfg.WeightDecay)
	}
	return b.String()
}

// scriptLR is the learning rate of the book's ch05/train_neuralnet.py,
// which the main job reproduces: ten times grad.SGD's default.
const scriptLR = 0.1

// newOptimizer returns the named optimizer and the learning rate it uses:
// lr, or when 0 the default — train_neuralnet.py's for SGD, the
// optimizer's own (grad.DefaultLR, grad.DefaultAdamLR) for the others.
func newOptimizer(name string, lr float64) (grad.Optimizer, float64, error) {
	key := strings.ToLower(name)
	if lr == 0 {
		switch key {
		case "sgd":
			lr = scriptLR
		case "adam":
			lr = grad.DefaultAdamLR
		default:
			lr = grad.DefaultLR
		}
	}
	switch key {
	case "sgd":
		return &grad.SGD{LR: lr}, lr, nil
	case "momentum":
		return &grad.Momentum{LR: lr}, lr, nil
	case "nesterov":
		return &grad.Nesterov{LR: lr}, lr, nil
	case "adagrad":
		return &grad.AdaGrad{LR: lr}, lr, nil
	case "rmsprop":
		return &grad.RMSProp{LR: lr}, lr, nil
	case "adam":
		return &grad.Adam{LR: lr}, lr, nil
	}
	return nil, 0, fmt.Errorf("mnist: unknown -optimizer %q (want sgd, momentum, nesterov, adagrad, rmsprop or adam)", name)
}

func newInit(name string) (numlearn.Init, error) {
	switch strings.ToLower(name) {
	case "std":
		return numlearn.Std(0.01), nil
	case "xavier":
		return numlearn.Xavier, nil
	case "he":
		return numlearn.He, nil
	}
	return nil, fmt.Errorf("mnist: unknown -init %q (want std, xavier or he)", name)
}

// activation is a hidden activation chosen by -act.
type activation struct {
	name  string
	layer layers.Layer
}

// newGradient reads -gradient and -act: whether steps take numerical
// gradients, and the hidden activation, which defaults to chapter 4's
// sigmoid for numerical gradients and chapter 5's ReLU for backprop.
func newGradient(gradient, act string) (activation, bool, error) {
	var numerical bool
	switch strings.ToLower(gradient) {
	case "backprop":
	case "numerical":
		numerical = true
	default:
		return activation{}, false, fmt.Errorf("mnist: unknown -gradient %q (want backprop or numerical)", gradient)
	}
	if act == "" {
		act = "relu"
		if numerical {
			act = "sigmoid"
		}
	}
	switch strings.ToLower(act) {
	case "relu":
		return activation{"ReLU", &layers.ReLU{}}, numerical, nil
	case "sigmoid":
		return activation{"Sigmoid", &layers.Sigmoid{}}, numerical, nil
	case "tanh":
		return activation{"Tanh", &layers.Tanh{}}, numerical, nil
	}
	return activation{}, false, fmt.Errorf("mnist: unknown -act %q (want relu, sigmoid or tanh)", act)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	opt, lr, err := newOptimizer(o.optimizer, o.lr)
	if err != nil {
		return err
	}
	init, err := newInit(o.init)
	if err != nil {
		return err
	}
	act, numerical, err := newGradient(o.gradient, o.act)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("mnist: -out: %w", err)
	}
	interactive := !o.quiet && trainlog.IsTerminal(stdout)

	loadStart := time.Now()
	train, test, err := (&mnist.Downloader{Progress: trainlog.Download(stderr, interactive)}).Fetch(ctx, o.data)
	if err != nil {
		return err
	}
	loadTime := time.Since(loadStart)
	fmt.Fprintf(stdout, "MNIST: %d training and %d test images of 28×28, loaded in %.2fs\n", train.Len(), test.Len(), loadTime.Seconds())

	// One random stream draws the weights, then the mini-batches; Train
	// is given its source, whose state a checkpoint saves.
	src := rand.NewPCG(o.seed, 0x6e756d6c)
	sizes := append(append([]int{784}, o.hidden...), 10)
	cfg := numlearn.MultiLayerConfig{Init: init, Activation: act.layer, BatchNorm: o.batchNorm, Dropout: o.dropout, WeightDecay: o.weightDecay}
	var (
		net    *numlearn.Network
		resume *numlearn.Checkpoint
	)
	if o.resume != "" {
		if net, resume, err = numlearn.LoadCheckpoint(o.resume); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "resuming %s after step %d of %d\n", o.resume, resume.Step, resume.Iterations)
	} else {
		net = numlearn.NewMultiLayerNet(sizes, cfg, rand.New(src))
	}
	fmt.Fprintf(stdout, "network: %s; %s init; %T lr %g; %d steps of %d; %s gradient\n",
		describe(sizes, act.name, cfg), o.init, opt, lr, o.iters, o.batch, o.gradient)

	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return fmt.Errorf("mnist: -cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("mnist: -cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	rep := numlearn.NewReporter(stdout)
	rep.Bar = interactive
	progress := rep.Progress
	if o.stopAfter > 0 {
		progress = func(p numlearn.Progress) {
			rep.Progress(p)
			if p.Iteration == o.stopAfter {
				p.Stop()
			}
		}
	}
	hist, err := net.Train(ctx, train.Images, train.OneHot(), numlearn.TrainConfig{
		Iterations: o.iters,
		BatchSize:  o.batch,
		Optimizer:  opt,
		Rand:       src,
		TestX:      test.Images,
		TestT:      test.OneHot(),
		EvalEvery:  o.evalEvery,
		Progress:   progress,
		Numerical:  numerical,
		Checkpoint: o.checkpoint,
		Resume:     resume,
	})
	rep.Finish()
	if err != nil {
		if errors.Is(err, context.Canceled) && o.checkpoint != "" {
			return fmt.Errorf("%w; -resume %s continues it", err, o.checkpoint)
		}
		return err
	}
	if hist.Stopped != "" {
		fmt.Fprintln(stdout, hist.Stopped)
		if o.checkpoint != "" {
			fmt.Fprintf(stdout, "checkpoint written to %s; -resume %s continues the run\n", o.checkpoint, o.checkpoint)
		}
		return nil
	}

	final := numlearn.Evaluation{Iteration: o.iters}
	if len(hist.Evals) > 0 {
		final = hist.Evals[len(hist.Evals)-1]
	} else { // -eval-every < 0: measure once, at the end
		final.TrainAccuracy = net.Accuracy(train.Images, train.OneHot())
		final.TestAccuracy = net.Accuracy(test.Images, test.OneHot())
	}
	if err := trainlog.WriteCharts(o.out, hist); err != nil {
		return fmt.Errorf("mnist: charts: %w", err)
	}
	model := filepath.Join(o.out, "model.npz")
	if err := net.SaveFile(model, numlearn.SaveOptions{}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "train accuracy %.4f, test accuracy %.4f after %d steps\n", final.TrainAccuracy, final.TestAccuracy, final.Iteration)
	fmt.Fprintf(stdout, "time: load %.2fs, train %.2fs (%.3f ms/step), evaluate %.2fs (%d evaluations)\n",
		loadTime.Seconds(), hist.TrainTime.Seconds(), hist.TrainTime.Seconds()*1000/float64(len(hist.Loss)), hist.EvalTime.Seconds(), len(hist.Evals))
	fmt.Fprintf(stdout, "wrote %s, %s and %s\n", filepath.Join(o.out, "loss.png"), filepath.Join(o.out, "accuracy.png"), model)
	if o.json {
		b, err := json.Marshal(summary{
			Iterations:    final.Iteration,
			LoadSeconds:   loadTime.Seconds(),
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
