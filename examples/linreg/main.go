// Command linreg replays Sung Kim's linear-regression lectures 2 and 3
// with the regression package.
//
// Lecture 2's lab fits H(x) = W·x + b to x = y = [1, 2, 3] by gradient
// descent from a random start, printing "step cost W b" every 20 steps, and
// then predicts y for x = 5 and x = 2.5. Lecture 3 draws cost(W) for
// H(x) = W·x, the bowl with its bottom at W = 1, and marks the steps that
// gradient descent takes down it. Two PNG files are written:
//
//	cost_curve.png   cost(W) for W in [−3, 5) with the descent's steps
//	fit.png          the data points and the fitted line, with the predictions
//
// Usage:
//
//	go run ./examples/linreg [-out DIR] [-seed N] [-lr 0.01] [-steps 2001]
package main

import (
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/numlearn/numlearn/regression"
	"github.com/numlearn/numlearn/tensor"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "linreg:", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	out        string
	seed       uint64
	lr         float64
	steps      int
	every      int
	curveW0    float64
	curveLR    float64
	curveSteps int
}

func run(args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("linreg", flag.ContinueOnError)
	fs.StringVar(&o.out, "out", ".", "folder for cost_curve.png and fit.png")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the random starting W and b (lecture 2)")
	fs.Float64Var(&o.lr, "lr", 0.01, "learning rate of lecture 2's fit")
	fs.IntVar(&o.steps, "steps", 2001, "steps of lecture 2's fit")
	fs.IntVar(&o.every, "every", 20, "print every this many steps")
	fs.Float64Var(&o.curveW0, "curve-w0", -3, "starting W of lecture 3's descent")
	fs.Float64Var(&o.curveLR, "curve-lr", 0.05, "learning rate of lecture 3's descent")
	fs.IntVar(&o.curveSteps, "curve-steps", 15, "steps of lecture 3's descent")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.every <= 0 {
		return errors.New("-every must be positive")
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}

	// The lectures' training data: three points on the line y = x.
	xs := []float64{1, 2, 3}
	ys := []float64{1, 2, 3}
	x := tensor.FromSlice(xs, 3, 1)
	y := tensor.FromSlice(ys)

	m, err := lecture2(stdout, x, y, o)
	if err != nil {
		return err
	}
	path, err := lecture3(stdout, x, y, o)
	if err != nil {
		return err
	}
	if err := plotCurve(filepath.Join(o.out, "cost_curve.png"), xs, ys, path, o.curveLR); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(o.out, "cost_curve.png"))
	if err := plotFit(filepath.Join(o.out, "fit.png"), xs, ys, m, o.steps); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(o.out, "fit.png"))
	return nil
}

// lecture2 fits H(x) = W·x + b from a random start as the lab does and
// prints its progress and predictions.
func lecture2(stdout io.Writer, x, y *tensor.Tensor, o options) (*regression.Linear, error) {
	rng := rand.New(rand.NewPCG(o.seed, o.seed))
	m := &regression.Linear{W: tensor.RandN(rng, 1, 1, 1), B: tensor.RandN(rng, 1, 1)}
	fmt.Fprintf(stdout, "# lecture 2: H(x) = W·x + b on x = y = [1 2 3], learning rate %g, %d steps\n", o.lr, o.steps)
	fmt.Fprintf(stdout, "start: W = %.6f, b = %.6f (N(0, 1), seed %d)\n", m.W.At(0, 0), m.B.At(0), o.seed)
	fmt.Fprintf(stdout, "%5s  %-12s  %10s  %10s\n", "step", "cost", "W", "b")
	_, err := m.Fit(x, y, regression.Config{
		LearningRate: o.lr,
		Steps:        o.steps,
		Callback: func(step int, cost float64, w, b *tensor.Tensor) error {
			if step%o.every == 0 {
				fmt.Fprintf(stdout, "%5d  %-12.6g  %10.6f  %10.6f\n", step, cost, w.At(0, 0), b.At(0))
			}
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "final: W = %.6f, b = %.6f, cost = %.6g\n", m.W.At(0, 0), m.B.At(0), m.Cost(x, y))
	exact, err := regression.LeastSquares(x, y)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "least squares: W = %.6f, b = %.6f\n", clean(exact.W.At(0, 0)), clean(exact.B.At(0)))

	h := m.Predict(tensor.FromSlice([]float64{5, 2.5}, 2, 1))
	fmt.Fprintf(stdout, "prediction for x = 5: %.6f\n", h.At(0, 0))
	fmt.Fprintf(stdout, "prediction for x = 2.5: %.6f\n", h.At(1, 0))
	return m, nil
}

// clean returns v, or 0 when v would print as −0.000000: the exact fit's
// b comes out of the QR solve as a rounding error of about −1e−16.
func clean(v float64) float64 {
	if math.Abs(v) < 5e-7 {
		return 0
	}
	return v
}

// point is one step of lecture 3's descent: W and its cost.
type point struct{ w, cost float64 }

// lecture3 runs gradient descent on H(x) = W·x and prints its steps, which
// follow W_k = 1 + (W₀ − 1)·cᵏ with c = 1 − 28α/3 on this data. It returns
// the points visited, the final one included.
func lecture3(stdout io.Writer, x, y *tensor.Tensor, o options) ([]point, error) {
	fmt.Fprintf(stdout, "# lecture 3: cost(W) of H(x) = W·x; descent from W = %g, learning rate %g\n", o.curveW0, o.curveLR)
	fmt.Fprintf(stdout, "cost(W) = 14/3·(W − 1)², W_k = 1 + (W_0 − 1)·c^k with c = 1 − 28·%g/3 = %.6f\n",
		o.curveLR, 1-28*o.curveLR/3)
	fmt.Fprintf(stdout, "%5s  %10s  %s\n", "step", "W", "cost")
	m := &regression.Linear{W: tensor.FromSlice([]float64{o.curveW0}, 1, 1)} // no bias
	var path []point
	_, err := m.Fit(x, y, regression.Config{
		LearningRate: o.curveLR,
		Steps:        o.curveSteps,
		Callback: func(step int, cost float64, w, _ *tensor.Tensor) error {
			fmt.Fprintf(stdout, "%5d  %10.6f  %.6g\n", step, w.At(0, 0), cost)
			path = append(path, point{w.At(0, 0), cost})
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	last := point{m.W.At(0, 0), m.Cost(x, y)}
	fmt.Fprintf(stdout, "%5d  %10.6f  %.6g\n", o.curveSteps, last.w, last.cost)
	return append(path, last), nil
}

// plotCurve draws cost(W) for W in [−3, 5) with the descent's points.
func plotCurve(file string, xs, ys []float64, path []point, lr float64) error {
	const lo, hi, n = -3.0, 5.0, 400
	ws := make([]float64, n)
	for i := range ws {
		ws[i] = lo + (hi-lo)*float64(i)/n // [−3, 5), as numpy's arange
	}
	costs := regression.CostCurve(xs, ys, ws)
	curve := make(plotter.XYs, n)
	for i := range ws {
		curve[i] = plotter.XY{X: ws[i], Y: costs[i]}
	}
	steps := make(plotter.XYs, len(path))
	for i, p := range path {
		steps[i] = plotter.XY{X: p.w, Y: p.cost}
	}

	p := plot.New()
	p.Title.Text = "Lecture 3: cost(W) of H(x) = W·x on x = y = [1, 2, 3]"
	p.X.Label.Text = "W"
	p.Y.Label.Text = "cost(W)"
	p.Add(plotter.NewGrid())

	line, err := plotter.NewLine(curve)
	if err != nil {
		return err
	}
	line.Width = vg.Points(2)
	line.Color = color.RGBA{B: 200, A: 255}

	walk, dots, err := plotter.NewLinePoints(steps)
	if err != nil {
		return err
	}
	walk.Color = color.RGBA{R: 220, G: 60, A: 255}
	walk.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	dots.Color = walk.Color
	dots.Shape = draw.CircleGlyph{}
	dots.Radius = vg.Points(3.5)

	p.Add(line, walk, dots)
	p.Legend.Add("cost(W) = mean((W·x − y)²)", line)
	p.Legend.Add(fmt.Sprintf("gradient descent, α = %g, %d steps", lr, len(path)-1), walk, dots)
	p.Legend.Top = true
	p.X.Min, p.X.Max = lo, hi
	p.Y.Min, p.Y.Max = 0, 1.25*max(costs[0], path[0].cost) // room for the legend
	return p.Save(16*vg.Centimeter, 11*vg.Centimeter, file)
}

// plotFit draws the data points, the fitted line and the two predictions.
func plotFit(file string, xs, ys []float64, m *regression.Linear, steps int) error {
	w, b := m.W.At(0, 0), m.B.At(0)
	data := make(plotter.XYs, len(xs))
	for i := range xs {
		data[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	predictions := plotter.XYs{{X: 5, Y: w*5 + b}, {X: 2.5, Y: w*2.5 + b}}

	p := plot.New()
	p.Title.Text = fmt.Sprintf("Lecture 2: H(x) = W·x + b after %d steps", steps)
	p.X.Label.Text = "x"
	p.Y.Label.Text = "y"
	p.Add(plotter.NewGrid())

	line := plotter.NewFunction(func(x float64) float64 { return w*x + b })
	line.Width = vg.Points(2)
	line.Color = color.RGBA{B: 200, A: 255}

	points, err := plotter.NewScatter(data)
	if err != nil {
		return err
	}
	points.Shape = draw.CircleGlyph{}
	points.Radius = vg.Points(4)

	predicted, err := plotter.NewScatter(predictions)
	if err != nil {
		return err
	}
	predicted.Shape = draw.BoxGlyph{}
	predicted.Radius = vg.Points(4)
	predicted.Color = color.RGBA{R: 220, G: 60, A: 255}

	p.Add(line, points, predicted)
	p.Legend.Add(fmt.Sprintf("H(x) = %.4f·x + %.4f", w, b), line)
	p.Legend.Add("training data", points)
	p.Legend.Add("predictions for x = 5 and 2.5", predicted)
	p.Legend.Top, p.Legend.Left = true, true
	p.X.Min, p.X.Max = 0, 6
	p.Y.Min, p.Y.Max = 0, 6
	return p.Save(16*vg.Centimeter, 12*vg.Centimeter, file)
}
