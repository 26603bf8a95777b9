package chart

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Blue is the colour of a cost curve, matplotlib's first.
var Blue = color.RGBA{R: 31, G: 119, B: 180, A: 255}

// SaveCost draws the cost of every step of a run, from 0 up, as a line
// under the given title, with yLabel naming the cost, and saves it to
// file as a 16×10 cm PNG.
func SaveCost(file, title, yLabel string, costs []float64) error {
	pts := make(plotter.XYs, len(costs))
	top := 0.0
	for i, v := range costs {
		pts[i] = plotter.XY{X: float64(i), Y: v}
		top = max(top, v)
	}
	p := plot.New()
	p.Title.Padding = vg.Points(6)
	p.Title.Text = title
	p.X.Label.Text = "step"
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	line, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	line.Color = Blue
	line.Width = vg.Points(1.5)
	p.Add(line)
	p.Y.Min, p.Y.Max = 0, 1.05*top
	return p.Save(16*vg.Centimeter, 10*vg.Centimeter, file)
}
