// Command activations shows why the scale of the initial weights matters
// (Deep Learning from Scratch, §6.2.2–6.2.4, figures 6-10 to 6-14): 1000
// random inputs pass through 5 layers of 100 units, and the histograms of
// each layer's activations show whether they stay spread out. With
// sigmoid, std 1 pushes them to 0 and 1, where the gradient vanishes, and
// std 0.01 crowds them at 0.5, so every unit computes the same; Xavier's
// √(1/n) keeps them spread. With ReLU, std 0.01 makes them shrink layer by
// layer, Xavier less so, and He's √(2/n) keeps them alike in every layer.
// It prints the standard deviation of each layer's activations and draws
// activations.png, one row of five histograms per configuration.
//
//	go run ./examples/activations [-out DIR] [-samples N]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/examples/internal/chart"
	"github.com/numlearn/numlearn/tensor"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "activations:", err)
		os.Exit(1)
	}
}

const (
	units  = 100 // per layer, and of the input
	layers = 5
)

// config is one activation with one weight scale.
type config struct {
	name       string
	activation func(dst, src *tensor.Tensor)
	init       numlearn.Init
}

func configs() []config {
	sigmoid, relu := (*tensor.Tensor).Sigmoid, (*tensor.Tensor).ReLU
	return []config{
		{"sigmoid, std 1", sigmoid, numlearn.Std(1)},
		{"sigmoid, std 0.01", sigmoid, numlearn.Std(0.01)},
		{"sigmoid, Xavier", sigmoid, numlearn.Xavier},
		{"ReLU, std 0.01", relu, numlearn.Std(0.01)},
		{"ReLU, Xavier", relu, numlearn.Xavier},
		{"ReLU, He", relu, numlearn.He},
	}
}

// activations passes x through the layers, each z = act(x·W) with W drawn
// from N(0, init(100)²), as the book's weight_init_activation_histogram.py,
// and returns every layer's output.
func activations(c config, x *tensor.Tensor, rng *rand.Rand) []*tensor.Tensor {
	out := make([]*tensor.Tensor, layers)
	for i := range out {
		w := tensor.RandN(rng, c.init(units), units, units)
		var a tensor.Tensor
		a.MatMul(x, w)
		z := tensor.New(a.Shape()...)
		c.activation(z, &a)
		out[i], x = z, z
	}
	return out
}

// std returns the standard deviation of t's values.
func std(t *tensor.Tensor) float64 {
	mean := t.Mean()
	var ss float64
	for _, v := range t.Data() {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss / float64(t.Size()))
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("activations", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", ".", "folder to write activations.png into (created if missing)")
	samples := fs.Int("samples", 1000, "random inputs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *samples < 1 {
		return errors.New("-samples must be at least 1")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "%d inputs from N(0, 1) through %d layers of %d units; std of each layer's activations:\n", *samples, layers, units)
	var rows [][]*plot.Plot
	for k, c := range configs() {
		rng := rand.New(rand.NewPCG(1, uint64(k)))
		x := tensor.RandN(rng, 1, *samples, units)
		zs := activations(c, x, rng)
		var stds []string
		var row []*plot.Plot
		for i, z := range zs {
			stds = append(stds, fmt.Sprintf("%.4f", std(z)))
			p, err := histogram(fmt.Sprintf("%s: layer %d", c.name, i+1), z, c.name[:4] == "ReLU")
			if err != nil {
				return err
			}
			row = append(row, p)
		}
		fmt.Fprintf(stdout, "%-18s %s\n", c.name, strings.Join(stds, " "))
		rows = append(rows, row)
	}

	file := filepath.Join(*out, "activations.png")
	if err := chart.SaveTiles(file, rows, 15*vg.Inch, 15*vg.Inch); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", file)
	return nil
}

// histogram draws the book's histogram of z's values over (0, 1) in 30
// bins; a ReLU layer's zeros, which dwarf the rest, are left out as the
// book's figures leave them off the scale.
func histogram(title string, z *tensor.Tensor, relu bool) (*plot.Plot, error) {
	var vals plotter.Values
	for _, v := range z.Data() {
		if v >= 0 && v <= 1 && !(relu && v == 0) {
			vals = append(vals, v)
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Min, p.X.Max = 0, 1
	if len(vals) == 0 {
		return p, nil
	}
	h, err := plotter.NewHist(vals, 30)
	if err != nil {
		return nil, err
	}
	p.Add(h)
	p.X.Min, p.X.Max = 0, 1
	return p, nil
}
