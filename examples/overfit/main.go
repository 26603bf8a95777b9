// Command overfit shows overfitting and two ways to curb it (Deep Learning
// from Scratch, §6.4, figures 6-20 to 6-23): a network with 6 hidden
// layers of 100 trained on only 300 MNIST images (SGD lr 0.01, batch 100,
// 201 epochs) learns them perfectly while test accuracy lags far behind.
// Weight decay (λ = 0.1) and dropout (ratio 0.2) narrow that gap. It
// prints the final train and test accuracy and their gap for each and
// draws overfit.png, train and test accuracy per epoch side by side.
//
//	go run ./examples/overfit [-out DIR] [-epochs N] [-data DIR]
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
		fmt.Fprintln(os.Stderr, "overfit:", err)
		os.Exit(1)
	}
}

var configs = []struct {
	name string
	cfg  numlearn.MultiLayerConfig
}{
	{"no regularisation", numlearn.MultiLayerConfig{}},
	{"weight decay 0.1", numlearn.MultiLayerConfig{WeightDecay: 0.1}},
	{"dropout 0.2", numlearn.MultiLayerConfig{Dropout: 0.2}},
}

const trainImages = 300

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("overfit", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", ".", "folder to write overfit.png into (created if missing)")
	epochs := fs.Int("epochs", 201, "epochs per configuration")
	data := fs.String("data", "", "MNIST folder (default: the user cache folder)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *epochs < 1 {
		return errors.New("-epochs must be at least 1")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	train, test, err := mnist.Fetch(ctx, *data)
	if err != nil {
		return err
	}
	x, t := train.Images.Slice(0, trainImages), train.OneHot().Slice(0, trainImages)

	fmt.Fprintf(stdout, "%d training images, 784-100×6-10 ReLU net, SGD lr 0.01, batch 100, %d epochs\n", trainImages, *epochs)
	var panels []*plot.Plot
	for _, c := range configs {
		net := numlearn.NewMultiLayerNet([]int{784, 100, 100, 100, 100, 100, 100, 10}, c.cfg, rand.New(rand.NewPCG(1, 2)))
		h, err := net.Train(ctx, x, t, numlearn.TrainConfig{
			Epochs: *epochs, BatchSize: 100, Optimizer: &grad.SGD{LR: 0.01},
			TestX: test.Images, TestT: test.OneHot(), Rand: rand.New(rand.NewPCG(3, 4)),
		})
		if err != nil {
			return err
		}
		last := h.Evals[len(h.Evals)-1]
		fmt.Fprintf(stdout, "%-17s train %.3f  test %.3f  gap %.3f\n", c.name, last.TrainAccuracy, last.TestAccuracy, last.TrainAccuracy-last.TestAccuracy)
		p, err := panel(c.name, h.Evals)
		if err != nil {
			return err
		}
		panels = append(panels, p)
	}

	file := filepath.Join(*out, "overfit.png")
	if err := chart.SaveTiles(file, [][]*plot.Plot{panels}, 15*vg.Inch, 5*vg.Inch); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", file)
	return nil
}

// panel draws train (solid) and test (dashed) accuracy per evaluation.
func panel(title string, evals []numlearn.Evaluation) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "accuracy"
	p.Legend.Top = false
	p.Legend.Left = false
	trainPts, testPts := make(plotter.XYs, len(evals)), make(plotter.XYs, len(evals))
	for i, e := range evals {
		trainPts[i] = plotter.XY{X: e.Epoch, Y: e.TrainAccuracy}
		testPts[i] = plotter.XY{X: e.Epoch, Y: e.TestAccuracy}
	}
	trainLine, err := plotter.NewLine(trainPts)
	if err != nil {
		return nil, err
	}
	testLine, err := plotter.NewLine(testPts)
	if err != nil {
		return nil, err
	}
	trainLine.Color = color.RGBA{B: 220, A: 255}
	testLine.Color = color.RGBA{R: 220, A: 255}
	testLine.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	p.Add(trainLine, testLine)
	p.Legend.Add("train", trainLine)
	p.Legend.Add("test", testLine)
	p.Y.Min, p.Y.Max = 0, 1
	return p, nil
}
