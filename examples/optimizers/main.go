// Command optimizers compares SGD, Momentum, AdaGrad and Adam on the
// book's test function f(x, y) = x²/20 + y² (Deep Learning from Scratch,
// §6.1.7, figure 6-8): each runs 30 steps from (−7, 2) with the book's
// learning rate. It prints where each optimizer goes and draws
// optimizers.png, one panel per optimizer with its path over the contour
// lines of f.
//
//	go run ./examples/optimizers [-out DIR] [-steps N]
package main

import (
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/numlearn/numlearn/examples/internal/chart"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "optimizers:", err)
		os.Exit(1)
	}
}

// f is the book's elongated bowl: 20 times flatter along x than along y,
// so the gradient points mostly across the valley instead of along it.
func f(x, y float64) float64 { return x*x/20 + y*y }

// df is its gradient (x/10, 2y), as the book's df.
func df(x, y float64) (float64, float64) { return x / 10, 2 * y }

// contender is one optimizer with the book's learning rate for it.
type contender struct {
	name string
	lr   float64
	opt  grad.Optimizer
}

func contenders() []contender {
	return []contender{
		{"SGD", 0.95, &grad.SGD{LR: 0.95}},
		{"Momentum", 0.1, &grad.Momentum{LR: 0.1}},
		{"AdaGrad", 1.5, &grad.AdaGrad{LR: 1.5}},
		{"Adam", 0.3, &grad.Adam{LR: 0.3}},
	}
}

// walk runs steps updates of opt from (−7, 2), with x and y as two
// parameters as in the book, and returns every point visited.
func walk(opt grad.Optimizer, steps int) plotter.XYs {
	x, y := tensor.Scalar(-7), tensor.Scalar(2)
	gx, gy := tensor.Scalar(0), tensor.Scalar(0)
	params, grads := []*tensor.Tensor{x, y}, []*tensor.Tensor{gx, gy}
	path := plotter.XYs{{X: x.At(), Y: y.At()}}
	for range steps {
		a, b := df(x.At(), y.At())
		gx.Set(a)
		gy.Set(b)
		opt.Update(params, grads)
		path = append(path, plotter.XY{X: x.At(), Y: y.At()})
	}
	return path
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("optimizers", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", ".", "folder to write optimizers.png into (created if missing)")
	steps := fs.Int("steps", 30, "updates per optimizer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *steps < 1 {
		return errors.New("-steps must be at least 1")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "f(x, y) = x²/20 + y² from (-7, 2), f = %.4f; %d steps each; the minimum is f(0, 0) = 0\n", f(-7, 2), *steps)
	var panels []*plot.Plot
	for _, c := range contenders() {
		path := walk(c.opt, *steps)
		first, last := path[1], path[len(path)-1]
		fmt.Fprintf(stdout, "%-8s lr = %-4g  step 1: (%8.4f, %8.4f)  step %d: (%8.4f, %8.4f)  f = %.4f\n",
			c.name, c.lr, first.X, first.Y, *steps, last.X, last.Y, f(last.X, last.Y))
		p, err := panel(fmt.Sprintf("%s (lr = %g)", c.name, c.lr), path)
		if err != nil {
			return err
		}
		panels = append(panels, p)
	}

	file := filepath.Join(*out, "optimizers.png")
	img := vgimg.NewWith(vgimg.UseWH(10*vg.Inch, 10*vg.Inch), vgimg.UseDPI(96))
	tiles := draw.Tiles{Rows: 2, Cols: 2, PadX: vg.Centimeter, PadY: vg.Centimeter,
		PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	plots := [][]*plot.Plot{panels[:2], panels[2:]}
	canvases := plot.Align(plots, tiles, draw.New(img))
	for i, row := range plots {
		for j, p := range row {
			p.Draw(canvases[i][j])
		}
	}
	if err := chart.SavePNG(file, img); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", file)
	return nil
}

// bowl samples f on the book's grid, x ∈ [−10, 10] and y ∈ [−5, 5], for
// its contour lines.
var bowl = chart.Grid{F: f, XMin: -10, XMax: 10, YMin: -5, YMax: 5, N: 201}

// panel draws one optimizer's path over the contour lines of f, with a +
// at the minimum, as in the book's figure.
func panel(title string, path plotter.XYs) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x"
	p.Y.Label.Text = "y"

	// The book masks f above 7, so its contours are the levels up to 7.
	levels := []float64{0.25, 1, 2, 3, 4, 5, 6, 7}
	contour := plotter.NewContour(bowl, levels, nil)
	contour.LineStyles = []draw.LineStyle{{Color: color.RGBA{R: 90, G: 130, B: 200, A: 255}, Width: vg.Points(0.7)}}

	line, points, err := plotter.NewLinePoints(path)
	if err != nil {
		return nil, err
	}
	red := color.RGBA{R: 220, G: 40, B: 30, A: 255}
	line.Color = red
	points.Color = red
	points.Shape = draw.CircleGlyph{}
	points.Radius = vg.Points(2.5)

	minimum, err := plotter.NewScatter(plotter.XYs{{X: 0, Y: 0}})
	if err != nil {
		return nil, err
	}
	minimum.GlyphStyle.Shape = draw.PlusGlyph{}
	minimum.GlyphStyle.Radius = vg.Points(6)
	p.Add(contour, line, points, minimum)
	p.X.Min, p.X.Max = -10, 10
	p.Y.Min, p.Y.Max = -10, 10
	return p, nil
}
