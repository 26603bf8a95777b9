package chart_test

import (
	"fmt"

	"github.com/numlearn/numlearn/examples/internal/chart"
)

// x² + y² on a 3×3 grid over [−1, 1]²: the corners are 2, the middle 0.
func ExampleGrid() {
	g := chart.Grid{F: func(x, y float64) float64 { return x*x + y*y }, XMin: -1, XMax: 1, YMin: -1, YMax: 1, N: 3}
	c, r := g.Dims()
	fmt.Println(c, r, g.X(0), g.Y(2), g.Z(0, 0), g.Z(1, 1), g.Z(2, 1))
	// Output:
	// 3 3 -1 1 2 0 1
}
