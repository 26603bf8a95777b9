// Command gradient shows numerical differentiation and gradient descent,
// the book's chapter 4 (Deep Learning from Scratch, §4.3–4.4): the
// derivative of f(x) = 0.01x² + 0.1x at 5 and 10 with its tangent lines,
// the gradient field of f(x₀, x₁) = x₀² + x₁², and gradient descent on it
// from (−3, 4). It prints what it computes and draws gradient.png with one
// panel for each.
//
//	go run ./examples/gradient [-out DIR]
package main

import (
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
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
		fmt.Fprintln(os.Stderr, "gradient:", err)
		os.Exit(1)
	}
}

// function1 is the book's function_1, 0.01x² + 0.1x.
func function1(x float64) float64 { return 0.01*x*x + 0.1*x }

// function2 is the book's function_2, x₀² + x₁² (or Σxᵢ² for any x).
func function2(x *tensor.Tensor) float64 {
	var s float64
	for _, v := range x.Data() {
		s += v * v
	}
	return s
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gradient", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", ".", "folder to write gradient.png into (created if missing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	fmt.Fprintln(stdout, "derivative of f(x) = 0.01x² + 0.1x by central differences (exact: 0.02x + 0.1)")
	var tangents []tangent
	for _, a := range []float64{5, 10} {
		d := grad.Diff(function1, a)
		tg := tangent{at: a, slope: d, intercept: function1(a) - d*a}
		tangents = append(tangents, tg)
		sign := "+"
		if tg.intercept < 0 {
			sign = "−"
		}
		fmt.Fprintf(stdout, "  %-6s = %.10f (exact %.1f), tangent y = %.4fx %s %.4f\n",
			fmt.Sprintf("f'(%g)", a), d, 0.02*a+0.1, tg.slope, sign, math.Abs(tg.intercept))
	}

	fmt.Fprintln(stdout, "gradient of f(x0, x1) = x0² + x1² (exact: 2x)")
	for _, p := range [][]float64{{3, 4}, {0, 2}, {3, 0}} {
		g := grad.Numerical(function2, tensor.FromSlice(p))
		fmt.Fprintf(stdout, "  ∇f(%g, %g) = %.4f\n", p[0], p[1], g.Data())
	}

	const lr, steps = 0.1, 20
	x0 := tensor.FromSlice([]float64{-3, 4})
	x, path := grad.Descent(function2, x0, lr, steps)
	fmt.Fprintf(stdout, "gradient descent on x0² + x1² from (-3, 4), lr = %g, %d steps (exact: 0.8^k·(-3, 4))\n", lr, steps)
	for k := 0; k < steps; k += 5 {
		fmt.Fprintf(stdout, "  step %2d: x = %8.4f, f = %.4f\n", k, path[k].Data(), function2(path[k]))
	}
	fmt.Fprintf(stdout, "  step %2d: x = %8.4f, f = %.4f\n", steps, x.Data(), function2(x))

	fmt.Fprintln(stdout, "the learning rate matters (100 steps, as in the book)")
	for _, c := range []struct {
		lr   float64
		note string
	}{
		{0.1, "converges"},
		{10, "too large: diverges until x ± 1e-4 rounds to x"},
		{1e-10, "too small: hardly moves"},
	} {
		xe, _ := grad.Descent(function2, x0, c.lr, 100)
		fmt.Fprintf(stdout, "  lr = %-5g x = [%.9g %.9g]  %s\n", c.lr, xe.At(0), xe.At(1), c.note)
	}

	file := filepath.Join(*out, "gradient.png")
	if err := drawAll(file, tangents, path, x); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", file)
	return nil
}

// tangent is the line y = slope·x + intercept touching function1 at x = at.
type tangent struct{ at, slope, intercept float64 }

func drawAll(file string, tangents []tangent, path []*tensor.Tensor, last *tensor.Tensor) error {
	p1, err := tangentPlot(tangents)
	if err != nil {
		return err
	}
	p2 := fieldPlot()
	p3, err := descentPlot(path, last)
	if err != nil {
		return err
	}
	img := vgimg.NewWith(vgimg.UseWH(15*vg.Inch, 5*vg.Inch), vgimg.UseDPI(96))
	tiles := draw.Tiles{Rows: 1, Cols: 3, PadX: vg.Centimeter, PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	plots := [][]*plot.Plot{{p1, p2, p3}}
	canvases := plot.Align(plots, tiles, draw.New(img))
	for i, p := range plots[0] {
		p.Draw(canvases[0][i])
	}
	return chart.SavePNG(file, img)
}

// tangentPlot draws function1 on [0, 20] with its tangent lines.
func tangentPlot(tangents []tangent) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "f(x) = 0.01x² + 0.1x and its tangents"
	p.X.Label.Text = "x"
	p.Y.Label.Text = "f(x)"
	f := plotter.NewFunction(function1)
	f.Width = vg.Points(1.5)
	p.Add(plotter.NewGrid(), f)
	p.Legend.Add("f(x)", f)
	colors := []color.Color{color.RGBA{R: 220, G: 80, B: 40, A: 255}, color.RGBA{R: 40, G: 120, B: 200, A: 255}}
	for i, tg := range tangents {
		line := plotter.NewFunction(func(x float64) float64 { return tg.slope*x + tg.intercept })
		line.Color = colors[i%len(colors)]
		line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		touch, err := plotter.NewScatter(plotter.XYs{{X: tg.at, Y: function1(tg.at)}})
		if err != nil {
			return nil, err
		}
		touch.GlyphStyle.Color = line.Color
		touch.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(line, touch)
		p.Legend.Add(fmt.Sprintf("tangent at %g, slope %.4f", tg.at, tg.slope), line)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.X.Min, p.X.Max = 0, 20
	p.Y.Min, p.Y.Max = -1, 6
	return p, nil
}

// quiver draws arrows from points along vectors, as matplotlib's quiver
// does for the book's figure 4-9: the vectors are scaled by one factor so
// that the longest is as long as the grid spacing.
type quiver struct {
	at, v []plotter.XY
	scale float64
	style draw.LineStyle
}

// newQuiver returns −∇f of function2 on the book's grid
// x₀, x₁ ∈ {−2, −1.75, …, 2.25}.
func newQuiver() *quiver {
	const spacing = 0.25
	q := &quiver{style: draw.LineStyle{Color: color.RGBA{R: 40, G: 80, B: 160, A: 255}, Width: vg.Points(0.8)}}
	longest := 0.0
	for x0 := -2.0; x0 < 2.5; x0 += spacing {
		for x1 := -2.0; x1 < 2.5; x1 += spacing {
			g := grad.Numerical(function2, tensor.FromSlice([]float64{x0, x1}))
			v := plotter.XY{X: -g.At(0), Y: -g.At(1)}
			q.at = append(q.at, plotter.XY{X: x0, Y: x1})
			q.v = append(q.v, v)
			longest = max(longest, math.Hypot(v.X, v.Y))
		}
	}
	q.scale = spacing / longest
	return q
}

// Plot implements plot.Plotter: a line and a two-stroke head per arrow.
func (q *quiver) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	c.SetLineStyle(q.style)
	for i, p := range q.at {
		from := vg.Point{X: trX(p.X), Y: trY(p.Y)}
		to := vg.Point{X: trX(p.X + q.scale*q.v[i].X), Y: trY(p.Y + q.scale*q.v[i].Y)}
		dx, dy := float64(to.X-from.X), float64(to.Y-from.Y)
		n := math.Hypot(dx, dy)
		if n == 0 {
			continue
		}
		var pa vg.Path
		pa.Move(from)
		pa.Line(to)
		head := math.Min(5, 0.4*n) / n // head length as a fraction of the arrow
		for _, side := range []float64{-0.5, 0.5} {
			// back along the arrow and out to the side by half as much
			pa.Move(to)
			pa.Line(vg.Point{
				X: to.X - vg.Length(head*(dx-side*dy)),
				Y: to.Y - vg.Length(head*(dy+side*dx)),
			})
		}
		c.Stroke(pa)
	}
}

// fieldPlot draws −∇f, the direction of steepest descent, as the book's
// quiver plot does: every arrow points at the minimum, longer further out.
func fieldPlot() *plot.Plot {
	p := plot.New()
	p.Title.Text = "−grad f of f(x0, x1) = x0² + x1² (steepest descent)"
	p.X.Label.Text = "x0"
	p.Y.Label.Text = "x1"
	p.Add(plotter.NewGrid(), newQuiver())
	p.X.Min, p.X.Max = -2.4, 2.6
	p.Y.Min, p.Y.Max = -2.4, 2.6
	return p
}

// descentPlot draws the descent path over the contour lines of function2.
func descentPlot(path []*tensor.Tensor, last *tensor.Tensor) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("gradient descent from (−3, 4), lr = 0.1, %d steps", len(path))
	p.X.Label.Text = "x0"
	p.Y.Label.Text = "x1"
	levels := []float64{0.25, 1, 2.25, 4, 6.25, 9, 12.25, 16, 20.25, 25}
	// function2 over the descent panel's window only, as plot does not
	// clip contour lines.
	circles := chart.Grid{F: func(x, y float64) float64 { return x*x + y*y }, XMin: -3.5, XMax: 3.5, YMin: -4.5, YMax: 4.5, N: 101}
	contour := plotter.NewContour(circles, levels, nil)
	contour.LineStyles = []draw.LineStyle{{Color: color.Gray{Y: 180}, Width: vg.Points(0.7)}}

	var pts plotter.XYs
	for _, x := range append(path, last) {
		pts = append(pts, plotter.XY{X: x.At(0), Y: x.At(1)})
	}
	line, points, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, err
	}
	line.Color = color.RGBA{R: 220, G: 60, B: 40, A: 255}
	points.Color = line.Color
	points.Shape = draw.CircleGlyph{}
	points.Radius = vg.Points(3)
	p.Add(contour, line, points)

	axes := draw.LineStyle{Color: color.Gray{Y: 100}, Width: vg.Points(0.5), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}
	for _, seg := range []plotter.XYs{{{X: -3.5, Y: 0}, {X: 3.5, Y: 0}}, {{X: 0, Y: -4.5}, {X: 0, Y: 4.5}}} {
		l, err := plotter.NewLine(seg)
		if err != nil {
			return nil, err
		}
		l.LineStyle = axes
		p.Add(l)
	}
	p.X.Min, p.X.Max = -3.5, 3.5
	p.Y.Min, p.Y.Max = -4.5, 4.5
	return p, nil
}
