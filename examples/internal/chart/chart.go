package chart

import (
	"fmt"
	"image"
	"image/png"
	"os"

	"gonum.org/v1/plot/vg/vgimg"
)

// SavePNG writes the canvas to path as a PNG image.
func SavePNG(path string, img *vgimg.Canvas) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// ReadPNG reads the PNG image at path, as the examples' tests check what
// SavePNG wrote.
func ReadPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}

// Grid samples F on an N×N grid over [XMin, XMax]×[YMin, YMax], for
// plotter.NewContour (it is a plotter.GridXYZ).
type Grid struct {
	F                      func(x, y float64) float64
	XMin, XMax, YMin, YMax float64
	N                      int
}

// Dims returns the grid's N columns and N rows.
func (g Grid) Dims() (c, r int) { return g.N, g.N }

// X returns the x of column c.
func (g Grid) X(c int) float64 { return g.XMin + (g.XMax-g.XMin)*float64(c)/float64(g.N-1) }

// Y returns the y of row r.
func (g Grid) Y(r int) float64 { return g.YMin + (g.YMax-g.YMin)*float64(r)/float64(g.N-1) }

// Z returns F at column c and row r.
func (g Grid) Z(c, r int) float64 { return g.F(g.X(c), g.Y(r)) }
