package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/numlearn/numlearn/tensor"
)

// Layout of the filter grid, as the book's visualize_filter draws it:
// eight filters to a row, each as a square of pixels with a gap around it.
const (
	gridColumns = 8
	cellScale   = 12 // screen pixels per filter pixel
	cellGap     = 6  // pixels between filters
	titleHeight = 20 // the strip above the grid that holds the title
)

// filtersTitle returns the title of a picture of the first layer's
// filters w (FN, C, FH, FW) at the time when ("before training", …).
func filtersTitle(w *tensor.Tensor, when string) string {
	s := w.Shape()
	return fmt.Sprintf("conv1: %d filters of %dx%d, %s", s[0], s[2], s[3], when)
}

// writeFilters draws the first input channel of each filter of w
// (FN, C, FH, FW) as a grey image under the title, in the book's gray_r:
// each filter is scaled from its own minimum (white) to its maximum
// (black), so that its pattern shows whatever its magnitude, as
// matplotlib's imshow does. The picture is widened where the title needs
// it.
func writeFilters(path, title string, w *tensor.Tensor) error {
	s := w.Shape()
	fn, c, fh, fw := s[0], s[1], s[2], s[3]
	cols := min(fn, gridColumns)
	rows := (fn + cols - 1) / cols
	cw, ch := fw*cellScale+cellGap, fh*cellScale+cellGap
	text := &font.Drawer{Src: image.Black, Face: basicfont.Face7x13}
	width := max(cols*cw+cellGap, text.MeasureString(title).Ceil()+2*cellGap)
	img := image.NewGray(image.Rect(0, 0, width, titleHeight+rows*ch+cellGap))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	text.Dst = img
	text.Dot = fixed.P(cellGap, titleHeight-4) // the baseline: 11 pixels of ascent above it
	text.DrawString(title)
	d := w.Data()
	for f := range fn {
		filter := d[f*c*fh*fw : f*c*fh*fw+fh*fw] // channel 0
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range filter {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		x0, y0 := cellGap+f%cols*cw, titleHeight+cellGap+f/cols*ch
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
