// Package chart holds what the examples share for writing their pictures.
package chart

import (
	"fmt"
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
