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
