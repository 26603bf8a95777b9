package chart

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// SaveTiles draws plots as a grid — plots[i][j] in row i, column j, a nil
// plot or the end of a short row left blank — on an image of the given size at 96 dpi, with their
// axes aligned, and writes it to path as a PNG.
func SaveTiles(path string, plots [][]*plot.Plot, width, height vg.Length) error {
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(96))
	cols := 0
	for _, row := range plots {
		cols = max(cols, len(row))
	}
	// plot.Align wants full rows: fill short ones with blanks.
	full := make([][]*plot.Plot, len(plots))
	for i, row := range plots {
		full[i] = append(append([]*plot.Plot(nil), row...), make([]*plot.Plot, cols-len(row))...)
	}
	plots = full
	tiles := draw.Tiles{Rows: len(plots), Cols: cols, PadX: 4 * vg.Millimeter, PadY: 4 * vg.Millimeter,
		PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: 2 * vg.Millimeter}
	canvases := plot.Align(plots, tiles, draw.New(img))
	for i, row := range plots {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	return SavePNG(path, img)
}
