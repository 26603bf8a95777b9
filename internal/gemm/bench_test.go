package gemm

import (
	"math/rand/v2"
	"testing"
)

// benchShapes are the products of the book's 784-50-10 network, batch 100,
// plus the whole training set's forward pass and a square reference.
var benchShapes = []struct {
	name           string
	m, k, n        int
	transA, transB bool
}{
	{"shape=100x784x50", 100, 784, 50, false, false},     // x·W1
	{"shape=784x100Tx50", 784, 100, 50, true, false},     // dW1 = xᵀ·dout
	{"shape=100x50x784T", 100, 50, 784, false, true},     // dx = dout·W1ᵀ
	{"shape=60000x784x50", 60000, 784, 50, false, false}, // the training set
	{"shape=100x4320x100", 100, 4320, 100, false, false}, // the convnet's first Affine
	{"shape=1000x1000x1000", 1000, 1000, 1000, false, false},
	{"shape=100x1000Tx100", 100, 1000, 100, true, false}, // dW of a 100-wide layer, batch 1000
}

// BenchmarkGemm measures every kernel this CPU runs on the benchmark
// shapes, in GFLOP/s (2·m·n·k per product).
func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchShapes {
		x := randSlice(rng, s.m*s.k)
		y := randSlice(rng, s.k*s.n)
		c := make([]float64, s.m*s.n)
		lda, ldb := s.k, s.n
		if s.transA {
			lda = s.m
		}
		if s.transB {
			ldb = s.k
		}
		for _, kern := range kernelChoice() {
			b.Run("kernel="+kern.name+"/"+s.name, func(b *testing.B) {
				// One product first sizes the reusable buffers.
				gemmWith(&kern, s.transA, s.transB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, c, s.n)
				b.ReportAllocs()
				for b.Loop() {
					gemmWith(&kern, s.transA, s.transB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}
