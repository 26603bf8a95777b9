package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"

	"github.com/numlearn/numlearn/tensor"
)

// Layout of the filter grid, as the book's visualize_filter draws it:
// eight filters to a row, each as a square of pixels with a gap around it.
const (
	gridColumns = 8
	cellScale   = 12 // screen pixels per filter pixel
	cellGap     = 6  // pixels between filters
)

// writeFilters draws the first input channel of each filter of w
// (FN, C, FH, FW) as a grey image, in the book's gray_r: each filter is
// scaled from its own minimum (white) to its maximum (black), so that its
// pattern shows whatever its magnitude, as matplotlib's imshow does.
func writeFilters(path string, w *tensor.Tensor) error {
	s := w.Shape()
	fn, c, fh, fw := s[0], s[1], s[2], s[3]
	cols := min(fn, gridColumns)
	rows := (fn + cols - 1) / cols
	cw, ch := fw*cellScale+cellGap, fh*cellScale+cellGap
	img := image.NewGray(image.Rect(0, 0, cols*cw+cellGap, rows*ch+cellGap))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	d := w.Data()
	for f := range fn {
		filter := d[f*c*fh*fw : f*c*fh*fw+fh*fw] // channel 0
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range filter {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		x0, y0 := cellGap+f%cols*cw, cellGap+f/cols*ch
		for i := range fh {
			for j := range fw {
				shade := uint8(128)
				if hi > lo {
					shade = uint8(math.Round(255 * (hi - filter[i*fw+j]) / (hi - lo)))
				}
				for y := range cellScale {
					for x := range cellScale {
						img.SetGray(x0+j*cellScale+x, y0+i*cellScale+y, color.Gray{Y: shade})
					}
				}
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
