package prefetch_test

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/prefetch"
)

// Ask for the first lines of every row of a batch before copying them, so
// that their loads overlap.
func ExampleHead() {
	set := [][]float64{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
	batch := []int{2, 0}
	for _, r := range batch {
		prefetch.Head(set[r], 256)
	}
	var out []float64
	for _, r := range batch {
		out = append(out, set[r]...)
	}
	fmt.Println(out)
	// Output: [7 8 9 1 2 3]
}
