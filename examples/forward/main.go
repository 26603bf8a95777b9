// Command forward runs the forward pass of the book's three-layer network
// (Deep Learning from Scratch, §3.4.3): fixed weights, sigmoid in the two
// hidden layers and the identity at the output, for the input [1.0 0.5].
// It prints every layer's values and draws forward.png: the network with
// its weights and values, and the sigmoid curve with the hidden layers'
// inputs and outputs marked on it.
//
//	go run ./examples/forward [-out DIR]
//
// It prints y = [0.31682708 0.69627909], as the book does.
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
	"github.com/numlearn/numlearn/tensor"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "forward:", err)
		os.Exit(1)
	}
}

// layer is one affine map of the network, with its activation.
type layer struct {
	w, b       *tensor.Tensor
	activation string // "sigmoid" or "identity"
}

// network returns the book's init_network().
func network() []layer {
	return []layer{
		{tensor.FromRows([][]float64{{0.1, 0.3, 0.5}, {0.2, 0.4, 0.6}}), tensor.FromSlice([]float64{0.1, 0.2, 0.3}), "sigmoid"},
		{tensor.FromRows([][]float64{{0.1, 0.4}, {0.2, 0.5}, {0.3, 0.6}}), tensor.FromSlice([]float64{0.1, 0.2}), "sigmoid"},
		{tensor.FromRows([][]float64{{0.1, 0.3}, {0.2, 0.4}}), tensor.FromSlice([]float64{0.1, 0.2}), "identity"},
	}
}

// trace holds the values one forward pass computes: the input, and for
// each layer its weighted sum a = z·W + b and its output z = h(a).
type trace struct {
	x    *tensor.Tensor
	a, z []*tensor.Tensor
}

func forward(net []layer, x *tensor.Tensor) trace {
	tr := trace{x: x}
	z := x
	for _, l := range net {
		a := new(tensor.Tensor)
		a.MatMul(z, l.w) // (1, in)·(in, out)
		a.Add(a, l.b)    // b broadcast over the row
		out := a
		if l.activation == "sigmoid" {
			out = new(tensor.Tensor)
			out.Sigmoid(a)
		}
		tr.a, tr.z = append(tr.a, a), append(tr.z, out)
		z = out
	}
	return tr
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("forward", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", ".", "folder to write forward.png into (created if missing)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	net := network()
	x := tensor.FromRows([][]float64{{1.0, 0.5}})
	tr := forward(net, x)

	fmt.Fprintf(stdout, "%-18s %v\n", "x", x.Row(0))
	in := "x"
	for i, l := range net {
		k := i + 1
		fmt.Fprintf(stdout, "%-18s %v\n", fmt.Sprintf("A%d = %s·W%d + b%d", k, in, k, k), tr.a[i].Row(0))
		fmt.Fprintf(stdout, "%-18s %v\n", fmt.Sprintf("Z%d = %s(A%d)", k, l.activation, k), tr.z[i].Row(0))
		in = fmt.Sprintf("Z%d", k)
	}
	fmt.Fprintf(stdout, "%-18s %v\n", "y = Z3", tr.z[len(tr.z)-1].Row(0))

	path := filepath.Join(*out, "forward.png")
	if err := draw2(path, net, tr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return nil
}

// draw2 writes the network diagram and the sigmoid panel side by side.
func draw2(path string, net []layer, tr trace) error {
	diagram, err := diagramPlot(net, tr)
	if err != nil {
		return err
	}
	sig, err := sigmoidPlot(tr)
	if err != nil {
		return err
	}
	img := vgimg.NewWith(vgimg.UseWH(12*vg.Inch, 5*vg.Inch), vgimg.UseDPI(96))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Centimeter, PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	canvases := plot.Align([][]*plot.Plot{{diagram, sig}}, tiles, dc)
	diagram.Draw(canvases[0][0])
	sig.Draw(canvases[0][1])
	return chart.SavePNG(path, img)
}

// diagramPlot draws the network as columns of nodes labelled with their
// values, joined by edges labelled with their weights.
func diagramPlot(net []layer, tr trace) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "the book's 3-layer network: values and weights"
	p.HideAxes()

	values := []*tensor.Tensor{tr.x}
	values = append(values, tr.z...)
	titles := []string{"input x", "layer 1: sigmoid", "layer 2: sigmoid", "output y: identity"}
	// node returns the position of node j in column c.
	node := func(c, j int) plotter.XY {
		n := values[c].Size()
		return plotter.XY{X: float64(c), Y: float64(n-1)/2 - float64(j)}
	}

	var weightLabels plotter.XYLabels
	for c, l := range net {
		in, outN := l.w.Shape()[0], l.w.Shape()[1]
		for i := range in {
			for j := range outN {
				from, to := node(c, i), node(c+1, j)
				line, err := plotter.NewLine(plotter.XYs{from, to})
				if err != nil {
					return nil, err
				}
				wv := l.w.At(i, j)
				line.Color = color.RGBA{R: 70, G: 110, B: 200, A: 255}
				line.Width = vg.Length(1 + 6*wv)
				p.Add(line)
				// label a quarter of the way along, where the edges fan apart
				weightLabels.XYs = append(weightLabels.XYs, plotter.XY{X: from.X + (to.X-from.X)/4, Y: from.Y + (to.Y-from.Y)/4})
				weightLabels.Labels = append(weightLabels.Labels, fmt.Sprintf("%.1f", wv))
			}
		}
	}
	wl, err := plotter.NewLabels(weightLabels)
	if err != nil {
		return nil, err
	}
	for i := range wl.TextStyle {
		wl.TextStyle[i].Color = color.RGBA{R: 40, G: 60, B: 140, A: 255}
		wl.TextStyle[i].XAlign = draw.XCenter
	}

	var nodes plotter.XYs
	var nodeLabels plotter.XYLabels
	for c, v := range values {
		nodeLabels.XYs = append(nodeLabels.XYs, plotter.XY{X: float64(c), Y: 1.45})
		nodeLabels.Labels = append(nodeLabels.Labels, titles[c])
		for j, val := range v.Data() {
			pt := node(c, j)
			nodes = append(nodes, pt)
			nodeLabels.XYs = append(nodeLabels.XYs, plotter.XY{X: pt.X, Y: pt.Y - 0.15})
			nodeLabels.Labels = append(nodeLabels.Labels, fmt.Sprintf("%.4f", val))
		}
	}
	sc, err := plotter.NewScatter(nodes)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	sc.GlyphStyle.Radius = vg.Points(9)
	sc.GlyphStyle.Color = color.RGBA{R: 230, G: 120, B: 40, A: 255}
	nl, err := plotter.NewLabels(nodeLabels)
	if err != nil {
		return nil, err
	}
	for i := range nl.TextStyle {
		nl.TextStyle[i].XAlign = draw.XCenter
		nl.TextStyle[i].YAlign = draw.YTop
	}
	p.Add(wl, sc, nl)
	p.X.Min, p.X.Max = -0.4, 3.4
	p.Y.Min, p.Y.Max = -1.4, 1.5
	return p, nil
}

// sigmoidPlot draws h(a) = 1/(1+e⁻ᵃ) and the step function, with the
// hidden layers' (A, Z) pairs on the sigmoid.
func sigmoidPlot(tr trace) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "sigmoid activations of the hidden layers"
	p.X.Label.Text = "a"
	p.Y.Label.Text = "h(a)"
	sig := plotter.NewFunction(func(a float64) float64 { return 1 / (1 + math.Exp(-a)) })
	sig.Width = vg.Points(1.5)
	step := plotter.NewFunction(func(a float64) float64 {
		if a > 0 {
			return 1
		}
		return 0
	})
	step.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	step.Color = color.Gray{Y: 120}
	step.Samples = 1001
	p.Add(plotter.NewGrid(), sig, step)
	p.Legend.Add("sigmoid", sig)
	p.Legend.Add("step", step)
	p.Legend.Top, p.Legend.Left = true, true

	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}}
	colors := []color.Color{color.RGBA{R: 230, G: 120, B: 40, A: 255}, color.RGBA{R: 40, G: 150, B: 80, A: 255}}
	for i := range 2 { // the two sigmoid layers
		var pts plotter.XYs
		for j, a := range tr.a[i].Data() {
			pts = append(pts, plotter.XY{X: a, Y: tr.z[i].Data()[j]})
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Shape = shapes[i]
		sc.GlyphStyle.Color = colors[i]
		sc.GlyphStyle.Radius = vg.Points(5)
		p.Add(sc)
		p.Legend.Add(fmt.Sprintf("layer %d: (A%d, Z%d)", i+1, i+1, i+1), sc)
	}
	p.X.Min, p.X.Max = -5, 5
	p.Y.Min, p.Y.Max = -0.1, 1.1
	return p, nil
}
