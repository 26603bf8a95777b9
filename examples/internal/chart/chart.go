// Package chart holds what the examples share for writing their pictures.
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
