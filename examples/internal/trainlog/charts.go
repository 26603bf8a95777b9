package trainlog

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"

	"github.com/numlearn/numlearn"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// WriteCharts draws the loss of every step and the train and test
// accuracy at every evaluation, as the book's figures 4-11 and 4-12 do for
// the two-layer net; a set left unevaluated has no curve.
func WriteCharts(dir string, h *numlearn.History) error {
	loss := plot.New()
	loss.Title.Text = "Mini-batch loss"
	loss.X.Label.Text = "iteration"
	loss.Y.Label.Text = "loss"
	pts := make(plotter.XYs, len(h.Loss))
	for i, v := range h.Loss {
		pts[i] = plotter.XY{X: float64(i + 1), Y: v}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	line.Color = color.RGBA{B: 200, A: 255}
	loss.Add(line, plotter.NewGrid())
	if err := loss.Save(6*vg.Inch, 4*vg.Inch, filepath.Join(dir, "loss.png")); err != nil {
		return fmt.Errorf("loss.png: %w", err)
	}

	acc := plot.New()
	acc.Title.Text = "Accuracy"
	acc.X.Label.Text = "epoch"
	acc.Y.Label.Text = "accuracy"
	acc.Y.Min, acc.Y.Max = 0, 1
	acc.Legend.Top = false // bottom right, below the curves
	acc.Add(plotter.NewGrid())
	for _, series := range []struct {
		name   string
		get    func(numlearn.Evaluation) float64
		colour color.Color
		dashed bool
	}{
		{"train acc", func(e numlearn.Evaluation) float64 { return e.TrainAccuracy }, color.RGBA{B: 200, A: 255}, false},
		{"test acc", func(e numlearn.Evaluation) float64 { return e.TestAccuracy }, color.RGBA{R: 220, G: 80, A: 255}, true},
	} {
		var pts plotter.XYs
		for _, e := range h.Evals {
			if v := series.get(e); !math.IsNaN(v) { // a set that was not evaluated
				pts = append(pts, plotter.XY{X: e.Epoch, Y: v})
			}
		}
		if len(pts) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return err
		}
		l.Color, s.Color = series.colour, series.colour
		if series.dashed {
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		acc.Add(l, s)
		acc.Legend.Add(series.name, l, s)
	}
	if err := acc.Save(6*vg.Inch, 4*vg.Inch, filepath.Join(dir, "accuracy.png")); err != nil {
		return fmt.Errorf("accuracy.png: %w", err)
	}
	return nil
}
