package conv_test

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/conv"
)

func ExampleIm2col() {
	// One 3×3 image and a 2×2 window at stride 1: a 4×4 col matrix whose
	// row (i, j) holds pixel (y+i, x+j) for each output position (y, x).
	g := conv.Geometry{C: 1, H: 3, W: 3, FH: 2, FW: 2, Stride: 1}
	col := make([]float64, g.ColRows()*g.ColCols())
	conv.Im2col(col, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, g)
	for r := range g.ColRows() {
		fmt.Println(col[r*4 : r*4+4])
	}
	// Output:
	// [1 2 4 5]
	// [2 3 5 6]
	// [4 5 7 8]
	// [5 6 8 9]
}

func ExampleFields_AddWeighted() {
	// A 3×3 image and a 2×2 window: the field of output position (0, 1)
	// is [2 3; 5 6], that of (1, 0) is [4 5; 7 8]. Their sum weighted by
	// 1 and 10 is a filter's weight gradient when the filter's output
	// received the gradients 1 and 10 there and 0 elsewhere.
	g := conv.Geometry{C: 1, H: 3, W: 3, FH: 2, FW: 2, Stride: 1}
	f := conv.NewFields(g)
	img := f.Padded(nil, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9})
	dw := make([]float64, g.ColRows())
	f.AddWeighted(dw, img, []int32{f.Corner(1), f.Corner(2)}, []float64{1, 10})
	fmt.Println(dw)
	// Output:
	// [42 53 75 86]
}
