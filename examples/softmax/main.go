// Command softmax replays lab 06-2 of Sung Kim's lectures, the softmax
// classifier of the zoo's animals, with a numlearn Network.
//
// Lecture 6 extends logistic classification from two labels to many: one
// linear score per class, s = x·W + b with W (features, classes), turned
// by the softmax
//
//	softmax(s)ₖ = e^sₖ / Σⱼ e^sⱼ
//
// into probabilities that sum to 1; the cost is the cross-entropy against
// the one-hot label, −mean Σₖ yₖ·log softmax(s)ₖ, and the prediction is the
// class of the highest score (argmax). In numlearn that is one Affine layer
// (16 → 7) under the default head of numlearn.NewNetwork, softmax with
// cross-entropy, trained by plain gradient descent on the whole data set
// at every step, as the lab's GradientDescentOptimizer does.
//
// Usage, from the repository root:
//
//	go run ./examples/softmax [-data FILE] [-out DIR] [-lr 0.1] [-steps 2001] [-seed 1] [-every 100] [-show 10] [-json]
//
// The settings are the lab's: learning rate 0.1, 2001 steps, W drawn from
// N(0, 1) as tf.random_normal draws it (numlearn.Std(1)); b starts at 0
// where the lab draws it too. The data, dataset/testdata/data-04-zoo.csv,
// holds 101 animals of the UCI Zoo data set, 16 features (15 yes/no, and
// the number of legs) and the class 0 to 6: mammal, bird, reptile, fish,
// amphibian, insect, other invertebrate.
//
// # Output
//
// The program prints the data's shape, then the step, the cost and the
// accuracy every -every steps, as the lab prints "Step Cost Acc" every 100
// (the cost is that of the step's own forward pass, before its update, as
// in the lab; the accuracy is measured after the update, when Train
// evaluates). Then the lab's lines for the first -show animals,
//
//	[True] Prediction: 3 True Y: 3
//
// followed by the line of every other animal predicted wrongly and a count
// of the rest, the accuracy, and the confusion matrix with each class's
// precision, recall and F1 (metrics.Confusion). With -json it ends with
// one JSON line of the accuracy, the final cost, the steps and the macro
// F1.
//
// With the defaults,
//
//	go run ./examples/softmax -json
//
// measures, on the whole data set as the lab does, an accuracy of 1 (all
// 101 animals), a macro F1 of 1 and a final cost of 0.0551; the lab
// reports 100 % and a cost of 0.054. Seeds 1 to 30 (-seed 1 … -seed 30)
// all reach 100 %, with final costs between 0.046 and 0.061.
//
// Two PNG files are written into -out:
//
//	cost.png        the cost at every step
//	confusion.png   the confusion matrix: true class down, predicted class
//	                across, each cell holding its count of animals and
//	                shaded by its share of the true class's animals
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
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/dataset"
	"github.com/numlearn/numlearn/examples/internal/chart"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/metrics"
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

// classNames are the zoo's seven classes, the lab's nb_classes.
var classNames = []string{"mammal", "bird", "reptile", "fish", "amphibian", "insect", "invertebrate"}

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
	flags := flag.NewFlagSet("softmax", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&o.data, "data", filepath.Join("dataset", "testdata", "data-04-zoo.csv"),
		"the lab's CSV file: features, then the class 0 to 6 in the last column")
	flags.StringVar(&o.out, "out", ".", "folder for cost.png and confusion.png (created if missing)")
	flags.Float64Var(&o.lr, "lr", 0.1, "learning rate of gradient descent")
	flags.IntVar(&o.steps, "steps", 2001, "gradient descent steps, each on the whole data set")
	flags.Uint64Var(&o.seed, "seed", 1, "random seed of the starting weights")
	flags.IntVar(&o.every, "every", 100, "print the cost every this many steps")
	flags.IntVar(&o.show, "show", 10, "print the prediction of this many animals (and of every one predicted wrongly)")
	flags.BoolVar(&o.json, "json", false, "end with one JSON line of the results")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("softmax: %w", err)
	}
	switch {
	case flags.NArg() > 0:
		return o, fmt.Errorf("softmax: unexpected arguments %q", flags.Args())
	case !(o.lr > 0):
		return o, fmt.Errorf("softmax: -lr %v: must be positive", o.lr)
	case o.steps < 1:
		return o, fmt.Errorf("softmax: -steps %d: must be at least 1", o.steps)
	case o.every < 1:
		return o, fmt.Errorf("softmax: -every %d: must be at least 1", o.every)
	case o.show < 0:
		return o, fmt.Errorf("softmax: -show %d: must not be negative", o.show)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	classes := len(classNames)
	// Read as classes: d.T is the one-hot encoding of the labels, the
	// lab's tf.one_hot(Y, nb_classes), and d.Labels the labels themselves.
	d, err := dataset.LoadCSV(o.data, dataset.CSV{Classes: classes})
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("softmax: %w (-data names the lab's data-04-zoo.csv; the default is relative to the repository root)", err)
	}
	if err != nil {
		return fmt.Errorf("softmax: %w", err)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("softmax: -out: %w", err)
	}
	n, features := d.X.Shape()[0], d.X.Shape()[1]

	fmt.Fprintf(stdout, "# lab 06-2: softmax classifier on %s\n", filepath.Base(o.data))
	fmt.Fprintf(stdout, "x %v, labels %d, one-hot y %v\n", d.X.Shape(), len(d.Labels), d.T.Shape())
	fmt.Fprintf(stdout, "# softmax(x·W + b); W ~ N(0, 1) (seed %d), b = 0; gradient descent, learning rate %g, %d steps on all %d samples\n",
		o.seed, o.lr, o.steps, n)

	net := numlearn.NewNetwork(numlearn.NewAffine(features, classes, numlearn.Std(1), rand.New(rand.NewPCG(o.seed, 1))))
	fmt.Fprintf(stdout, "%5s  %-8s  %s\n", "step", "cost", "accuracy")
	h, err := net.Train(ctx, d.X, d.T, numlearn.TrainConfig{
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
				fmt.Fprintf(stdout, "%5d  %-8.6f  %.2f%%\n", p.Iteration-1, p.Loss, 100*p.Eval.TrainAccuracy)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("softmax: %w", err)
	}
	cost := net.Loss(d.X, d.T)
	fmt.Fprintf(stdout, "final cost %.6f\n\n", cost)

	pred := net.Classes(nil, d.X)
	hidden, wrong := 0, 0
	for i, p := range pred {
		ok := p == d.Labels[i]
		if !ok {
			wrong++
		}
		if i < o.show || !ok {
			fmt.Fprintf(stdout, "[%s] Prediction: %d True Y: %d\n", pyBool(ok), p, d.Labels[i])
		} else {
			hidden++
		}
	}
	if hidden > 0 {
		fmt.Fprintf(stdout, "(%d more [True] lines; -show %d prints them all)\n", hidden, n)
	}
	c, err := metrics.NewConfusion(d.Labels, pred, classes)
	if err != nil {
		return fmt.Errorf("softmax: %w", err)
	}
	fmt.Fprintf(stdout, "Accuracy: %.4f (%d of %d animals, %d wrong)\n\n", c.Accuracy(), n-wrong, n, wrong)
	fmt.Fprintf(stdout, "%s\n\n", c)

	costFile := filepath.Join(o.out, "cost.png")
	if err := chart.SaveCost(costFile, fmt.Sprintf("Lab 06: softmax classifier, learning rate %g, final cost %.4f", o.lr, cost), "cost (cross-entropy)", h.Loss); err != nil {
		return fmt.Errorf("softmax: %s: %w", costFile, err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", costFile)
	confFile := filepath.Join(o.out, "confusion.png")
	if err := plotConfusion(confFile, c, o.steps); err != nil {
		return fmt.Errorf("softmax: %s: %w", confFile, err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", confFile)

	if o.json {
		line, err := json.Marshal(summary{Accuracy: c.Accuracy(), Cost: cost, Steps: o.steps, MacroF1: c.MacroF1()})
		if err != nil {
			return fmt.Errorf("softmax: %w", err)
		}
		fmt.Fprintf(stdout, "%s\n", line)
	}
	return nil
}

// pyBool spells ok as Python prints a bool, as the lab's lines show it.
func pyBool(ok bool) string {
	if ok {
		return "True"
	}
	return "False"
}

// blue is the colour of a full cell of the matrix, the cost curve's.
var blue = chart.Blue

// shades is a palette from white to blue, for plotter.HeatMap.
type shades int

// Colors returns the palette's colours, from white to blue.
func (s shades) Colors() []color.Color {
	cs := make([]color.Color, s)
	for i := range cs {
		f := float64(i) / float64(s-1)
		mix := func(v uint8) uint8 { return uint8(255 - f*(255-float64(v)) + 0.5) }
		cs[i] = color.RGBA{R: mix(blue.R), G: mix(blue.G), B: mix(blue.B), A: 255}
	}
	return cs
}

// cells is a confusion matrix as a plotter.GridXYZ: column pred at x =
// pred, row truth at y = classes−1−truth so that class 0 is at the top,
// and the value of a cell its share of its true class's samples.
type cells struct{ c *metrics.Confusion }

func (g cells) Dims() (cols, rows int) { return g.c.Classes(), g.c.Classes() }
func (g cells) X(col int) float64      { return float64(col) }
func (g cells) Y(row int) float64      { return float64(row) }
func (g cells) Z(col, row int) float64 { return g.share(g.truth(row), col) }

// truth returns the true class of a row.
func (g cells) truth(row int) int { return g.c.Classes() - 1 - row }

// share returns the fraction of class truth's samples predicted as pred,
// 0 for a class without samples.
func (g cells) share(truth, pred int) float64 {
	s := g.c.Support(truth)
	if s == 0 {
		return 0
	}
	return float64(g.c.Count(truth, pred)) / float64(s)
}

// plotConfusion draws the confusion matrix as a grid of cells, shaded by
// their share of the true class and labelled with their counts.
func plotConfusion(file string, c *metrics.Confusion, steps int) error {
	k := c.Classes()
	g := cells{c}
	heat := plotter.NewHeatMap(g, shades(256))
	heat.Min, heat.Max = 0, 1

	counts := &plotter.Labels{}
	style := text.Style{
		Font:    font.From(plotter.DefaultFont, vg.Points(13)),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: plot.DefaultTextHandler,
	}
	for truth := range k {
		for pred := range k {
			n := c.Count(truth, pred)
			s := style
			switch {
			case g.share(truth, pred) > 0.5:
				s.Color = color.White
			case n == 0:
				s.Color = color.Gray{Y: 170}
			default:
				s.Color = color.Black
			}
			counts.XYs = append(counts.XYs, plotter.XY{X: float64(pred), Y: float64(k - 1 - truth)})
			counts.Labels = append(counts.Labels, strconv.Itoa(n))
			counts.TextStyle = append(counts.TextStyle, s)
		}
	}

	p := plot.New()
	p.Title.Padding = vg.Points(6)
	p.Title.Text = fmt.Sprintf("Lab 06: zoo classes after %d steps, accuracy %.4f\nshade: share of the true class's animals", steps, c.Accuracy())
	p.X.Label.Text = "predicted"
	p.Y.Label.Text = "true (animals in the class)"
	var xTicks, yTicks plot.ConstantTicks
	for class := range k {
		xTicks = append(xTicks, plot.Tick{Value: float64(class), Label: fmt.Sprintf("%d\n%s", class, classNames[class])})
		yTicks = append(yTicks, plot.Tick{Value: float64(k - 1 - class), Label: fmt.Sprintf("%d %s (%d)", class, classNames[class], c.Support(class))})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = xTicks, yTicks
	p.X.Min, p.X.Max = -0.5, float64(k)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(k)-0.5
	p.X.Padding, p.Y.Padding = 0, 0 // the axes along the grid's edges
	p.Add(heat)
	// Thin lines between the cells, so that empty ones read as cells too.
	edge := float64(k) - 0.5
	for i := range k + 1 {
		at := float64(i) - 0.5
		for _, pts := range []plotter.XYs{{{X: at, Y: -0.5}, {X: at, Y: edge}}, {{X: -0.5, Y: at}, {X: edge, Y: at}}} {
			l, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			l.Color = color.Gray{Y: 200}
			l.Width = vg.Points(0.5)
			p.Add(l)
		}
	}
	p.Add(counts)

	img := vgimg.NewWith(vgimg.UseWH(18*vg.Centimeter, 16*vg.Centimeter), vgimg.UseDPI(96))
	dc := draw.New(img)
	p.Draw(draw.Crop(dc, 0, -4*vg.Millimeter, 0, 0)) // a margin on the right
	return chart.SavePNG(file, img)
}
