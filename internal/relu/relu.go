package relu

import "math"

// Forward sets y[i] = max(x[i], 0) for every i. It panics if y and x
// differ in length; they may be the same slice.
func Forward(y, x []float64) {
	if len(y) != len(x) {
		panic("relu: Forward: slice lengths differ")
	}
	n := kernel.forward(y, x)
	forwardGo(y[n:], x[n:])
}

// Backward sets g[i] = d[i] where y[i]'s bits are not all zero and +0
// where they are, for y a Forward result. It panics if the lengths differ.
func Backward(g, d, y []float64) {
	if len(g) != len(y) || len(d) != len(y) {
		panic("relu: Backward: slice lengths differ")
	}
	n := kernel.backward(g, d, y)
	backwardGo(g[n:], d[n:], y[n:])
}

// forwardGo is Forward's definition.
func forwardGo(y, x []float64) {
	y = y[:len(x)]
	for i, v := range x {
		// The builtin max has no branch: a branch on the sign of a layer's
		// pre-activations, positive about half the time at random, is
		// mispredicted so often that it costs six times as much.
		y[i] = max(v, 0)
	}
}

// backwardGo is Backward's definition.
func backwardGo(g, d, y []float64) {
	g, d = g[:len(y)], d[:len(y)]
	for i, v := range y {
		// A mask rather than a branch, which random signs would
		// mispredict half the time.
		u := math.Float64bits(v)
		mask := -((u | -u) >> 63) // all ones when u != 0
		g[i] = math.Float64frombits(math.Float64bits(d[i]) & mask)
	}
}

// kernels is one implementation of the loops; each runs over the longest
// prefix it takes and returns its length, leaving the rest to the Go
// loops.
type kernels struct {
	name     string
	forward  func(y, x []float64) int
	backward func(g, d, y []float64) int
}

var goKernels = kernels{
	name:     "go",
	forward:  func(y, x []float64) int { return 0 },
	backward: func(g, d, y []float64) int { return 0 },
}
