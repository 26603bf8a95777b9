// Command hyperparams tunes a learning rate and a weight decay by random
// search, as the book's hyperparameter_optimization.py does (Deep
// Learning from Scratch, §6.5, figure 6-24). Of 500 MNIST training
// images, a shuffled 20 % is held out for validation (numlearn's
// SplitValidation), so that the test set stays untouched by the tuning.
// Each trial draws a learning rate from 10^U(−6, −2) and a weight decay
// from 10^U(−8, −4), trains a network with 6 hidden ReLU layers of 100
// (He initialisation, SGD, batch 100) on the other 400 images for 50
// epochs and measures its validation accuracy; the trials run in
// parallel on every core and repeat exactly for a given -seed. It prints
// the best five trials and the ranges of the best ones' values, and draws
// hyperparams.png: the validation (solid) and training (dashed) accuracy
// per epoch of the best 20 trials, best first. As in the book, the best
// trials have learning rates between about 0.002 and 0.01 (the best five
// of the default run, 0.72 to 0.79 in validation accuracy, all near
// 0.0075 to 0.009), while their weight decays spread over the whole
// range drawn: within it, the learning rate is what matters.
//
//	go run ./examples/hyperparams [-out DIR] [-trials N] [-epochs N] [-seed N] [-data DIR]
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/examples/internal/chart"
	"github.com/numlearn/numlearn/examples/internal/parallel"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hyperparams:", err)
		os.Exit(1)
	}
}

const (
	images         = 500
	validationRate = 0.2
	// printed and drawn are how many of the best trials are printed and
	// drawn, as the book draws 20 in rows of 5.
	printed, drawn, columns = 5, 20, 5
)

// sizes is the book's net: 784 inputs, 6 hidden layers of 100, 10 classes.
var sizes = []int{784, 100, 100, 100, 100, 100, 100, 10}

// trial is one draw of the hyperparameters and what training made of it.
type trial struct {
	index           int
	lr, weightDecay float64
	evals           []numlearn.Evaluation
	diverged        int // the step at which training diverged, or 0
}

// validation is the trial's final validation accuracy, or 0 when it has
// none.
func (t trial) validation() float64 {
	if len(t.evals) == 0 {
		return 0
	}
	return t.evals[len(t.evals)-1].TestAccuracy
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("hyperparams", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", ".", "folder to write hyperparams.png into (created if missing)")
	trials := fs.Int("trials", 100, "number of random trials")
	epochs := fs.Int("epochs", 50, "epochs per trial")
	seed := fs.Uint64("seed", 1, "random seed for the split, the hyperparameters, the weights and the mini-batches")
	data := fs.String("data", "", "MNIST folder (default: the user cache folder)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *trials < 1 {
		return errors.New("-trials must be at least 1")
	}
	if *epochs < 1 {
		return errors.New("-epochs must be at least 1")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	train, _, err := mnist.Fetch(ctx, *data)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(*seed, 0))
	x, t, valX, valT := numlearn.SplitValidation(train.Images.Slice(0, images), train.OneHot().Slice(0, images), validationRate, rng)

	// Every draw comes from rng, in trial order, before any training, so
	// that the parallel runs cannot change them.
	ts := make([]trial, *trials)
	for i := range ts {
		ts[i] = trial{index: i + 1, weightDecay: math.Pow(10, uniform(rng, -8, -4)), lr: math.Pow(10, uniform(rng, -6, -2))}
	}
	fmt.Fprintf(stdout, "%d trials: %d training and %d validation images, 784-100×6-10 ReLU net, SGD, batch 100, %d epochs\n",
		len(ts), x.Shape()[0], valX.Shape()[0], *epochs)
	err = parallel.Do(ctx, len(ts), func(i int) error {
		return ts[i].train(ctx, x, t, valX, valT, *epochs, rand.New(rand.NewPCG(*seed, uint64(ts[i].index))))
	})
	if err != nil {
		return err
	}

	// Best first; among equals, the earlier trial.
	slices.SortStableFunc(ts, func(a, b trial) int { return cmp.Compare(b.validation(), a.validation()) })
	for i, tr := range ts[:min(printed, len(ts))] {
		fmt.Fprintf(stdout, "best %d: validation accuracy %.2f  lr %.3g  weight decay %.3g  (trial %d)%s\n",
			i+1, tr.validation(), tr.lr, tr.weightDecay, tr.index, divergedNote(tr))
	}
	best := ts[:min(drawn, len(ts))]
	fmt.Fprintf(stdout, "the best %d: lr from %.3g to %.3g, weight decay from %.3g to %.3g\n", len(best),
		minOf(best, func(t trial) float64 { return t.lr }), maxOf(best, func(t trial) float64 { return t.lr }),
		minOf(best, func(t trial) float64 { return t.weightDecay }), maxOf(best, func(t trial) float64 { return t.weightDecay }))

	var grid [][]*plot.Plot
	for i, tr := range best {
		if i%columns == 0 {
			grid = append(grid, nil)
		}
		p, err := panel(i+1, tr)
		if err != nil {
			return err
		}
		grid[len(grid)-1] = append(grid[len(grid)-1], p)
	}
	file := filepath.Join(*out, "hyperparams.png")
	cols := min(columns, len(best))
	if err := chart.SaveTiles(file, grid, vg.Length(cols)*2.6*vg.Inch, vg.Length(len(grid))*2.2*vg.Inch); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", file)
	return nil
}

// train trains the trial's network on x and t, evaluating it on the
// validation set every epoch; rng draws its weights and its mini-batches.
// A run that diverges keeps the evaluations it made.
func (tr *trial) train(ctx context.Context, x, t, valX, valT *tensor.Tensor, epochs int, rng *rand.Rand) error {
	net := numlearn.NewMultiLayerNet(sizes, numlearn.MultiLayerConfig{WeightDecay: tr.weightDecay}, rng)
	h, err := net.Train(ctx, x, t, numlearn.TrainConfig{
		Epochs: epochs, BatchSize: 100, Optimizer: &grad.SGD{LR: tr.lr}, Rand: rng,
		TestX: valX, TestT: valT,
	})
	if errors.Is(err, numlearn.ErrDiverged) {
		tr.evals, tr.diverged = h.Evals, len(h.Loss)+1
		return nil
	}
	if err != nil {
		return err
	}
	tr.evals = h.Evals
	return nil
}

// uniform draws from U(lo, hi).
func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

func minOf(ts []trial, f func(trial) float64) float64 {
	m := math.Inf(1)
	for _, t := range ts {
		m = min(m, f(t))
	}
	return m
}

func maxOf(ts []trial, f func(trial) float64) float64 {
	m := math.Inf(-1)
	for _, t := range ts {
		m = max(m, f(t))
	}
	return m
}

func divergedNote(t trial) string {
	if t.diverged == 0 {
		return ""
	}
	return fmt.Sprintf(", diverged at step %d", t.diverged)
}

// panel draws one trial's validation (solid) and training (dashed)
// accuracy per epoch, titled with its rank and hyperparameters.
func panel(rank int, tr trial) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("best %d: lr %.2g, decay %.2g", rank, tr.lr, tr.weightDecay)
	p.X.Label.Text = "epoch"
	p.Y.Min, p.Y.Max = 0, 1
	val, trn := make(plotter.XYs, len(tr.evals)), make(plotter.XYs, len(tr.evals))
	for i, e := range tr.evals {
		val[i] = plotter.XY{X: e.Epoch, Y: e.TestAccuracy}
		trn[i] = plotter.XY{X: e.Epoch, Y: e.TrainAccuracy}
	}
	if len(val) == 0 {
		return p, nil
	}
	valLine, err := plotter.NewLine(val)
	if err != nil {
		return nil, err
	}
	trainLine, err := plotter.NewLine(trn)
	if err != nil {
		return nil, err
	}
	valLine.Color = color.RGBA{B: 220, A: 255}
	trainLine.Color = color.RGBA{R: 220, G: 120, A: 255}
	trainLine.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	p.Add(valLine, trainLine)
	if rank == 1 {
		p.Legend.Add("validation", valLine)
		p.Legend.Add("train", trainLine)
		p.Legend.Top = false
		p.Legend.Left = false
	}
	return p, nil
}
