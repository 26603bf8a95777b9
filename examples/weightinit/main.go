// Command weightinit compares weight initialisations on MNIST (Deep
// Learning from Scratch, §6.2.4, figure 6-15): a 5-layer ReLU network (4
// hidden layers of 100) trained by SGD (lr 0.01, batch 128) for 2000 steps
// from weights of std 0.01, Xavier's √(1/n) and He's √(2/n). With std 0.01
// the signal dies out layer by layer and the loss stays near ln 10 ≈ 2.30;
// the other two learn, He fastest. It prints each loss at the start and
// at the end and draws weightinit.png, the three loss curves.
//
//	go run ./examples/weightinit [-out DIR] [-steps N] [-data DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/examples/internal/chart"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/mnist"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "weightinit:", err)
		os.Exit(1)
	}
}

var inits = []struct {
	name  string
	init  numlearn.Init
	color color.RGBA
}{
	{"std 0.01", numlearn.Std(0.01), color.RGBA{B: 220, A: 255}},
	{"Xavier", numlearn.Xavier, color.RGBA{G: 160, A: 255}},
	{"He", numlearn.He, color.RGBA{R: 220, A: 255}},
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("weightinit", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", ".", "folder to write weightinit.png into (created if missing)")
	steps := fs.Int("steps", 2000, "SGD steps per initialisation")
	data := fs.String("data", "", "MNIST folder (default: the user cache folder)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *steps < 1 {
		return errors.New("-steps must be at least 1")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	train, _, err := mnist.Fetch(ctx, *data)
	if err != nil {
		return err
	}
	x, t := train.Images, train.OneHot()

	p := plot.New()
	p.Title.Text = "MNIST, 5-layer ReLU net, SGD lr 0.01, batch 128"
	p.X.Label.Text = "step"
	p.Y.Label.Text = "loss"
	p.Legend.Top = true
	for _, in := range inits {
		net := numlearn.NewMultiLayerNet([]int{784, 100, 100, 100, 100, 10},
			numlearn.MultiLayerConfig{Init: in.init}, rand.New(rand.NewPCG(1, 2)))
		h, err := net.Train(ctx, x, t, numlearn.TrainConfig{
			Iterations: *steps, BatchSize: 128, Optimizer: &grad.SGD{LR: 0.01},
			EvalEvery: -1, Rand: rand.New(rand.NewPCG(3, 4)),
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-8s loss at step 1 %.4f, mean of the last %d steps %.4f\n",
			in.name, h.Loss[0], tail(len(h.Loss)), mean(h.Loss[len(h.Loss)-tail(len(h.Loss)):]))
		line, err := plotter.NewLine(smooth(h.Loss))
		if err != nil {
			return err
		}
		line.Color = in.color
		line.Width = vg.Points(1.2)
		p.Add(line)
		p.Legend.Add(in.name, line)
	}
	p.Y.Min, p.Y.Max = 0, 3 // room for the legend above ln 10

	file := filepath.Join(*out, "weightinit.png")
	if err := chart.SaveTiles(file, [][]*plot.Plot{{p}}, 8*vg.Inch, 5*vg.Inch); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", file)
	return nil
}

// tail is how many of the last steps' losses the final figure averages.
func tail(steps int) int { return min(100, steps) }

func mean(vs []float64) float64 {
	var s float64
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}

// smooth returns the losses as points, each the mean of up to 10 steps
// around it, as the book's smooth_curve evens out mini-batch noise.
func smooth(loss []float64) plotter.XYs {
	pts := make(plotter.XYs, len(loss))
	for i := range loss {
		lo, hi := max(0, i-5), min(len(loss), i+5)
		pts[i] = plotter.XY{X: float64(i + 1), Y: mean(loss[lo:hi])}
	}
	return pts
}
