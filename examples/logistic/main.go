// Command logistic replays lab 05-2 of Sung Kim's lectures, logistic
// regression ("logistic classification") on the diabetes data, with a
// numlearn Network.
//
// Lecture 5 turns linear regression into a classifier of labels 0 and 1:
// the hypothesis H(x) = σ(x·W + b) = 1/(1 + e^−(x·W+b)) squeezes the linear
// score into (0, 1), read as the probability that the label is 1; the cost
// is the binary cross-entropy
//
//	cost(W, b) = −mean(y·log H(x) + (1 − y)·log(1 − H(x)))
//
// which, unlike the squared error of a sigmoid, is convex in W and b, so
// that gradient descent finds its one minimum; and the prediction is 1
// where H(x) > 0.5. In numlearn that is one Affine layer (8 → 1) under a
// layers.SigmoidWithLoss head, trained by plain gradient descent on the
// whole data set at every step, as the lab's GradientDescentOptimizer does.
//
// Usage, from the repository root:
//
//	go run ./examples/logistic [-data FILE] [-out DIR] [-lr 0.01] [-steps 10001] [-seed 1] [-every 200] [-show 10] [-json]
//
// The settings are the lab's: learning rate 0.01, 10001 steps, W drawn
// from N(0, 1) as tf.random_normal draws it (numlearn.Std(1)); b starts at
// 0 where the lab draws it too. The data, dataset/testdata/data-03-diabetes.csv,
// holds 759 patients, 8 features scaled to [−1, 1] and a label 0 or 1.
//
// # Output
//
// The program prints the data's shape, then the step, the cost and the
// accuracy every -every steps, as the lab prints "step cost" every 200 (the
// cost is that of the step's own forward pass, before its update, as in the
// lab; the accuracy is measured after the update, when Train evaluates).
// Then the hypothesis, the prediction and the label of the first -show
// patients, the accuracy as the lab prints it, and the confusion matrix
// with each label's precision, recall and F1 (metrics.Confusion). With
// -json it ends with one JSON line of the accuracy, the final cost, the
// steps and the macro F1.
//
// With the defaults,
//
//	go run ./examples/logistic -json
//
// measures, on the whole data set as the lab does, an accuracy of 0.7708
// (585 of 759 patients), a final cost of 0.4819 and a macro F1 of 0.7266;
// the lab reports an accuracy of 0.7628 and a cost of 0.4908. The runs
// differ in their random start, and after 10001 steps of 0.01 neither has
// reached the minimum of the cost: -lr 0.5 -steps 200000 gets there, to a
// cost of 0.4717 and an accuracy of 0.7694 (accuracy is not what the
// descent minimises). Over seeds 1 to 30 (-seed 1 … -seed 30) the accuracy
// lies between 0.7642 and 0.7787, mean 0.7706.
//
// Two PNG files are written into -out:
//
//	cost.png          the cost at every step
//	probability.png   how many patients of each label got each hypothesis
//	                  H(x), in bins of 0.05, with the 0.5 threshold: bars
//	                  of label 0 right of it and of label 1 left of it are
//	                  the mistakes
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/dataset"
	"github.com/numlearn/numlearn/examples/internal/chart"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/metrics"
	"github.com/numlearn/numlearn/tensor"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp): // -h: the usage is printed
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	data, out   string
	lr          float64
	steps       int
	seed        uint64
	every, show int
	json        bool
}

// summary is the -json line.
type summary struct {
	Accuracy float64 `json:"accuracy"`
	Cost     float64 `json:"cost"`
	Steps    int     `json:"steps"`
	MacroF1  float64 `json:"macro_f1"`
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	flags := flag.NewFlagSet("logistic", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&o.data, "data", filepath.Join("dataset", "testdata", "data-03-diabetes.csv"),
		"the lab's CSV file: features, then a label 0 or 1 in the last column")
	flags.StringVar(&o.out, "out", ".", "folder for cost.png and probability.png (created if missing)")
	flags.Float64Var(&o.lr, "lr", 0.01, "learning rate of gradient descent")
	flags.IntVar(&o.steps, "steps", 10001, "gradient descent steps, each on the whole data set")
	flags.Uint64Var(&o.seed, "seed", 1, "random seed of the starting weights")
	flags.IntVar(&o.every, "every", 200, "print the cost every this many steps")
	flags.IntVar(&o.show, "show", 10, "print the hypothesis of this many patients")
	flags.BoolVar(&o.json, "json", false, "end with one JSON line of the results")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("logistic: %w", err)
	}
	switch {
	case flags.NArg() > 0:
		return o, fmt.Errorf("logistic: unexpected arguments %q", flags.Args())
	case !(o.lr > 0):
		return o, fmt.Errorf("logistic: -lr %v: must be positive", o.lr)
	case o.steps < 1:
		return o, fmt.Errorf("logistic: -steps %d: must be at least 1", o.steps)
	case o.every < 1:
		return o, fmt.Errorf("logistic: -every %d: must be at least 1", o.every)
	case o.show < 0:
		return o, fmt.Errorf("logistic: -show %d: must not be negative", o.show)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	// The labels are read as 2 classes so that the file is checked to hold
	// only 0 and 1 there; the sigmoid head wants them as one column of
	// 0/1 targets, the lab's y_data = xy[:, [-1]].
	d, err := dataset.LoadCSV(o.data, dataset.CSV{Classes: 2})
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("logistic: %w (-data names the lab's data-03-diabetes.csv; the default is relative to the repository root)", err)
	}
	if err != nil {
		return fmt.Errorf("logistic: %w", err)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("logistic: -out: %w", err)
	}
	n, features := d.X.Shape()[0], d.X.Shape()[1]
	y := tensor.New(n, 1)
	for i, l := range d.Labels {
		y.Set(float64(l), i, 0)
	}

	fmt.Fprintf(stdout, "# lab 05-2: logistic regression on %s\n", filepath.Base(o.data))
	fmt.Fprintf(stdout, "x %v, y %v\n", d.X.Shape(), y.Shape())
	fmt.Fprintf(stdout, "# H(x) = σ(x·W + b); W ~ N(0, 1) (seed %d), b = 0; gradient descent, learning rate %g, %d steps on all %d samples\n",
		o.seed, o.lr, o.steps, n)

	head := &layers.SigmoidWithLoss{}
	net := numlearn.NewNetworkWithHead(head,
		numlearn.NewAffine(features, 1, numlearn.Std(1), rand.New(rand.NewPCG(o.seed, 1))))
	fmt.Fprintf(stdout, "%5s  %-8s  %s\n", "step", "cost", "accuracy")
	h, err := net.Train(ctx, d.X, y, numlearn.TrainConfig{
		Iterations: o.steps,
		// Every step sees all the samples, once each: full-batch gradient
		// descent. (Without Shuffle a batch is drawn with replacement, a
		// bootstrap sample rather than the data set.)
		BatchSize: n,
		Shuffle:   true,
		Optimizer: &grad.SGD{LR: o.lr},
		Rand:      rand.NewPCG(o.seed, 2),
		EvalEvery: o.every,
		Progress: func(p numlearn.Progress) {
			if p.Evaluated {
				fmt.Fprintf(stdout, "%5d  %-8.6f  %.4f\n", p.Iteration-1, p.Loss, p.Eval.TrainAccuracy)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("logistic: %w", err)
	}
	cost := net.Loss(d.X, y)
	fmt.Fprintf(stdout, "final cost %.6f\n", cost)

	var hyp tensor.Tensor
	net.Output(&hyp, d.X) // σ(x·W + b), (n, 1)
	pred := net.Classes(nil, d.X)
	fmt.Fprintf(stdout, "\n%10s  %9s  %s\n", "hypothesis", "predicted", "Y")
	for i := range min(o.show, n) {
		fmt.Fprintf(stdout, "%10.6f  %9d  %d\n", hyp.At(i, 0), pred[i], d.Labels[i])
	}
	if n > o.show {
		fmt.Fprintf(stdout, "(%d more; -show %d prints them all)\n", n-o.show, n)
	}
	c, err := metrics.NewConfusion(d.Labels, pred, 2)
	if err != nil {
		return fmt.Errorf("logistic: %w", err)
	}
	fmt.Fprintf(stdout, "Accuracy: %.4f\n\n", c.Accuracy())
	fmt.Fprintf(stdout, "%s\n\n", c)

	costFile := filepath.Join(o.out, "cost.png")
	if err := chart.SaveCost(costFile, fmt.Sprintf("Lab 05: logistic regression, learning rate %g, final cost %.4f", o.lr, cost), "cost (binary cross-entropy)", h.Loss); err != nil {
		return fmt.Errorf("logistic: %s: %w", costFile, err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", costFile)
	probFile := filepath.Join(o.out, "probability.png")
	if err := plotProbability(probFile, hyp.Data(), d.Labels, c.Accuracy()); err != nil {
		return fmt.Errorf("logistic: %s: %w", probFile, err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", probFile)

	if o.json {
		line, err := json.Marshal(summary{Accuracy: c.Accuracy(), Cost: cost, Steps: o.steps, MacroF1: c.MacroF1()})
		if err != nil {
			return fmt.Errorf("logistic: %w", err)
		}
		fmt.Fprintf(stdout, "%s\n", line)
	}
	return nil
}

// The colours of the two labels, and of the cost curve.
var (
	blue   = chart.Blue
	orange = color.RGBA{R: 255, G: 127, B: 14, A: 255}
)

// bins is the number of bins of probability.png's histogram over [0, 1].
const bins = 20

// plotProbability draws, for each label, how many samples got each
// hypothesis, side by side in every bin, with the 0.5 threshold.
func plotProbability(file string, hyp []float64, labels []int, accuracy float64) error {
	const binWidth = 1.0 / bins
	counts := [2][]float64{make([]float64, bins), make([]float64, bins)}
	for i, v := range hyp {
		counts[labels[i]][min(int(v/binWidth), bins-1)]++
	}
	p := plot.New()
	p.Title.Padding = vg.Points(6)
	p.Title.Text = fmt.Sprintf("Lab 05: hypothesis by true label (accuracy %.4f)", accuracy)
	p.X.Label.Text = "hypothesis H(x) = σ(x·W + b), the probability of label 1"
	p.Y.Label.Text = "patients"
	p.Add(plotter.NewGrid())
	top := 0.0
	for label, fill := range []color.Color{blue, orange} {
		h := &plotter.Histogram{Width: binWidth / 2, FillColor: fill, LineStyle: plotter.DefaultLineStyle}
		h.LineStyle.Width = vg.Points(0.5)
		for b, n := range counts[label] {
			lo := float64(b)*binWidth + float64(label)*binWidth/2
			h.Bins = append(h.Bins, plotter.HistogramBin{Min: lo, Max: lo + binWidth/2, Weight: n})
			top = max(top, n)
		}
		p.Add(h)
		p.Legend.Add(fmt.Sprintf("label %d (%d patients)", label, int(sum(counts[label]))), h)
	}
	threshold, err := plotter.NewLine(plotter.XYs{{X: 0.5, Y: 0}, {X: 0.5, Y: 1.05 * top}})
	if err != nil {
		return err
	}
	threshold.Color = color.RGBA{R: 200, A: 255}
	threshold.Width = vg.Points(1.5)
	threshold.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(threshold)
	p.Legend.Add("threshold 0.5: predicted 0 left, 1 right", threshold)
	p.Legend.Top, p.Legend.Left = true, true
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = 0, 1.4*top // room for the legend above the bars
	return p.Save(16*vg.Centimeter, 11*vg.Centimeter, file)
}

// sum returns the sum of vs.
func sum(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s
}
