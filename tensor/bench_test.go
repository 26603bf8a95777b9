package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// reportGFLOPS adds the product's rate: 2·m·k·n floating-point operations
// per call.
func reportGFLOPS(b *testing.B, m, k, n int) {
	b.ReportMetric(2*float64(m)*float64(k)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkMatMul times the products of training the 784-50-10 network
// and two larger ones on every engine of the build:
// go test -run '^$' -bench MatMul ./tensor/ (-tags purego, -tags openblas
// for the other builds; GOMAXPROCS=1 for one core).
func BenchmarkMatMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	shapes := []struct {
		name    string
		m, k, n int
		transA  bool
		transB  bool
	}{
		{"shape=100x784x50", 100, 784, 50, false, false},     // a forward pass: x·W1
		{"shape=784x100Tx50", 784, 100, 50, true, false},     // dW1 = xᵀ·dout: a is (100, 784)
		{"shape=100x50x784T", 100, 50, 784, false, true},     // dx = dout·W1ᵀ: b is (784, 50)
		{"shape=60000x784x50", 60000, 784, 50, false, false}, // evaluating the training set
		{"shape=1000x1000x1000", 1000, 1000, 1000, false, false},
		{"shape=100x50x10", 100, 50, 10, false, false}, // the second layer: z1·W2
		{"shape=50x100Tx10", 50, 100, 10, true, false}, // dW2 = z1ᵀ·dout
		{"shape=100x10x50T", 100, 10, 50, false, true}, // dz1 = dout·W2ᵀ
	}
	for _, e := range testEngines() {
		b.Run("engine="+e.String(), func(b *testing.B) {
			useEngine(b, e)
			for _, s := range shapes {
				sa, sb := []int{s.m, s.k}, []int{s.k, s.n}
				if s.transA {
					sa = []int{s.k, s.m}
				}
				if s.transB {
					sb = []int{s.n, s.k}
				}
				x, y, c := RandN(rng, 1, sa...), RandN(rng, 1, sb...), New(s.m, s.n)
				b.Run(s.name, func(b *testing.B) {
					c.Gemm(s.transA, s.transB, 1, x, y, 0) // sizes the reusable buffers
					b.ReportAllocs()
					for b.Loop() {
						c.Gemm(s.transA, s.transB, 1, x, y, 0)
					}
					reportGFLOPS(b, s.m, s.k, s.n)
				})
			}
		})
	}
}

func BenchmarkAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	cases := []struct {
		name string
		a, c *Tensor
	}{
		{"shape=100x50+50", RandN(rng, 1, 100, 50), RandN(rng, 1, 50)},
		{"shape=100x50+100x50", RandN(rng, 1, 100, 50), RandN(rng, 1, 100, 50)},
		{"shape=100x1x50+10x1", RandN(rng, 1, 100, 1, 50), RandN(rng, 1, 10, 1)},
	}
	for _, tc := range cases {
		var dst Tensor
		dst.Add(tc.a, tc.c)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dst.Add(tc.a, tc.c)
			}
		})
	}
}

func BenchmarkSoftmax(b *testing.B) {
	x := RandN(rand.New(rand.NewPCG(3, 3)), 1, 100, 10)
	dst := New(100, 10)
	b.Run("shape=100x10", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst.Softmax(x)
		}
	})
}

func BenchmarkSumAxis(b *testing.B) {
	x := RandN(rand.New(rand.NewPCG(4, 4)), 1, 100, 50)
	dst := New(50)
	b.Run("shape=100x50/axis=0", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst.SumAxis(x, 0)
		}
	})
}

func BenchmarkUnary(b *testing.B) {
	x := RandN(rand.New(rand.NewPCG(5, 5)), 1, 100, 50)
	dst := New(100, 50)
	for _, op := range []struct {
		name string
		fn   func(t, a *Tensor)
	}{{"Sigmoid", (*Tensor).Sigmoid}, {"ReLU", (*Tensor).ReLU}, {"Exp", (*Tensor).Exp}} {
		b.Run(fmt.Sprintf("op=%s/shape=100x50", op.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				op.fn(dst, x)
			}
		})
	}
}
