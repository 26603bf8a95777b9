// Command batchnorm shows what batch normalisation does for training
// (Deep Learning from Scratch, §6.3.2, figure 6-19): a network with 5
// hidden ReLU layers of 100 learns 1000 MNIST images (SGD lr 0.01, batch
// 100, 20 epochs) with and without a BatchNorm layer after each hidden
// Affine layer, from weights drawn from N(0, scale²) for 16 scales from 1
// down to 0.0001 (the book's np.logspace(0, −4, 16)). Without BatchNorm
// the net learns only from scales near He's √(2/100) ≈ 0.14: from
// smaller ones the signal dies out on its way through the layers and the
// training accuracy stays near chance (0.116 from every scale up to
// 0.05), and from scales above 0.5 the first steps overflow. With
// BatchNorm it learns from every scale, and from those of 0.002 to 0.03
// it learns the 1000 images (accuracy 0.985 to 1.000). Both nets of a
// scale start from the same weights and see the same mini-batches; the
// configurations train in parallel on every core. It prints the final
// training accuracy of both nets for each scale and draws batchnorm.png,
// one panel per scale with the two training-accuracy curves.
//
//	go run ./examples/batchnorm [-out DIR] [-epochs N] [-scales N] [-data DIR]
package main

import (
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
	"strconv"

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
		fmt.Fprintln(os.Stderr, "batchnorm:", err)
		os.Exit(1)
	}
}

const trainImages = 1000

// sizes is the book's net: 784 inputs, 5 hidden layers of 100, 10 classes.
var sizes = []int{784, 100, 100, 100, 100, 100, 10}

// result is the training of one net from one weight scale.
type result struct {
	evals []numlearn.Evaluation
	// diverged is the step at which the run diverged, if it did (its
	// evaluations end there), or 0.
	diverged int
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("batchnorm", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", ".", "folder to write batchnorm.png into (created if missing)")
	epochs := fs.Int("epochs", 20, "epochs per net")
	count := fs.Int("scales", 16, "number of weight scales, from 1 to 0.0001 evenly on a log scale")
	data := fs.String("data", "", "MNIST folder (default: the user cache folder)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *epochs < 1 {
		return errors.New("-epochs must be at least 1")
	}
	if *count < 2 {
		return errors.New("-scales must be at least 2")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	train, _, err := mnist.Fetch(ctx, *data)
	if err != nil {
		return err
	}
	x, t := train.Images.Slice(0, trainImages), train.OneHot().Slice(0, trainImages)

	scales := logspace(0, -4, *count)
	fmt.Fprintf(stdout, "%d training images, 784-100×5-10 ReLU net, SGD lr 0.01, batch 100, %d epochs; final train accuracy\n", trainImages, *epochs)
	// results[2i] is scale i with BatchNorm, results[2i+1] without.
	results := make([]result, 2*len(scales))
	err = parallel.Do(ctx, len(results), func(job int) error {
		r, err := trainNet(ctx, x, t, scales[job/2], job%2 == 0, *epochs)
		results[job] = r
		return err
	})
	if err != nil {
		return err
	}

	panels := make([]*plot.Plot, len(scales))
	for i, s := range scales {
		bn, plain := results[2*i], results[2*i+1]
		fmt.Fprintf(stdout, "weight scale %-9s with BatchNorm %s  without %s\n", strconv.FormatFloat(s, 'g', 3, 64), final(bn), final(plain))
		if panels[i], err = panel(s, bn, plain, i == 0); err != nil {
			return err
		}
	}
	cols := int(math.Ceil(math.Sqrt(float64(len(panels)))))
	var grid [][]*plot.Plot
	for i := 0; i < len(panels); i += cols {
		grid = append(grid, panels[i:min(i+cols, len(panels))])
	}
	file := filepath.Join(*out, "batchnorm.png")
	width, height := vg.Length(cols)*3*vg.Inch, vg.Length(len(grid))*2.5*vg.Inch
	if err := chart.SaveTiles(file, grid, width, height); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", file)
	return nil
}

// trainNet trains the book's net from weights of the given scale, with or
// without BatchNorm, and evaluates it on its training images every epoch.
// The weights and the mini-batches depend on nothing else, so both nets of
// a scale start alike and see the same batches.
func trainNet(ctx context.Context, x, t *tensor.Tensor, scale float64, batchNorm bool, epochs int) (result, error) {
	net := numlearn.NewMultiLayerNet(sizes, numlearn.MultiLayerConfig{Init: numlearn.Std(scale), BatchNorm: batchNorm}, rand.New(rand.NewPCG(1, 2)))
	h, err := net.Train(ctx, x, t, numlearn.TrainConfig{
		Epochs: epochs, BatchSize: 100, Optimizer: &grad.SGD{LR: 0.01}, Rand: rand.New(rand.NewPCG(3, 4)),
	})
	if errors.Is(err, numlearn.ErrDiverged) {
		return result{evals: h.Evals, diverged: len(h.Loss) + 1}, nil
	}
	if err != nil {
		return result{}, err
	}
	return result{evals: h.Evals}, nil
}

// logspace returns n numbers from 10^from to 10^to, evenly spaced on a log
// scale, as np.logspace does.
func logspace(from, to float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Pow(10, from+(to-from)*float64(i)/float64(n-1))
	}
	return out
}

// final is the training accuracy after the last epoch, or where the run
// diverged.
func final(r result) string {
	if len(r.evals) == 0 {
		return fmt.Sprintf("diverged at step %d", r.diverged)
	}
	s := fmt.Sprintf("%.3f", r.evals[len(r.evals)-1].TrainAccuracy)
	if r.diverged > 0 {
		s += fmt.Sprintf(" (diverged at step %d)", r.diverged)
	}
	return s
}

// panel draws the training accuracy per epoch with BatchNorm (solid) and
// without (dashed), as the book's figure 6-19 does for one scale; legend
// adds the key.
func panel(scale float64, bn, plain result, legend bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "W scale " + strconv.FormatFloat(scale, 'g', 3, 64)
	if plain.diverged > 0 {
		p.Title.Text += " (plain diverged)"
	}
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "train accuracy"
	p.Y.Min, p.Y.Max = 0, 1
	for _, c := range []struct {
		name   string
		r      result
		color  color.RGBA
		dashes []vg.Length
	}{
		{"BatchNorm", bn, color.RGBA{B: 220, A: 255}, nil},
		{"without", plain, color.RGBA{R: 220, G: 120, A: 255}, []vg.Length{vg.Points(4), vg.Points(2)}},
	} {
		pts := make(plotter.XYs, len(c.r.evals))
		for i, e := range c.r.evals {
			pts[i] = plotter.XY{X: e.Epoch, Y: e.TrainAccuracy}
		}
		if len(pts) == 0 {
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.Color, line.Dashes, line.Width = c.color, c.dashes, vg.Points(1.2)
		p.Add(line)
		if legend {
			p.Legend.Add(c.name, line)
		}
	}
	// The first panel, of the largest scale, learns slowest: its top
	// left is free.
	p.Legend.Top = true
	p.Legend.Left = true
	return p, nil
}
