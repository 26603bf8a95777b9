package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkIm2col lays out one MNIST image for the book's 30×5×5
// convolution, packed for the product, in col's order and in the pooled
// order inference uses.
func BenchmarkIm2col(b *testing.B) {
	g := Geometry{C: 1, H: 28, W: 28, FH: 5, FW: 5, Stride: 1}
	rng := rand.New(rand.NewPCG(1, 2))
	img := randSlice(rng, g.C*g.H*g.W)
	const nr = 8
	name := fmt.Sprintf("image=%dx%d/window=%dx%d", g.H, g.W, g.FH, g.FW)
	b.Run(name+"/order=col", func(b *testing.B) {
		dst := make([]float64, g.PackedLen(nr))
		b.ReportAllocs()
		for b.Loop() {
			Im2colPacked(dst, img, g, nr)
		}
	})
	b.Run(name+"/order=pooled", func(b *testing.B) {
		pl := NewPooled(g, nr)
		dst, tmp := make([]float64, g.PooledLen(nr)), make([]float64, pl.ScratchLen())
		b.ReportAllocs()
		for b.Loop() {
			pl.Im2col(dst, tmp, img)
		}
	})
}

// BenchmarkReLUPool pools one filter's output for an MNIST image.
func BenchmarkReLUPool(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	act, dst := randSlice(rng, 4*144), make([]float64, 144)
	b.ReportAllocs()
	for b.Loop() {
		ReLUPool(dst, act, 0.1)
	}
}
