package sparse

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// mnistLike returns an (n, 784) batch with about 19 % nonzero pixels in
// runs, as in MNIST images: strokes make neighbouring pixels nonzero
// together, which is what the branch predictor sees in FromDense.
func mnistLike(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n*784)
	for i := range n {
		row := x[i*784 : (i+1)*784]
		for j := 0; j < 784; {
			run := 1 + rng.IntN(6)
			if rng.Float64() < 0.19 {
				for r := j; r < min(j+run, 784); r++ {
					row[r] = 1 - rng.Float64()
				}
			}
			j += run
		}
	}
	return x
}

func BenchmarkFromDense(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{100, 10000} {
		x := mnistLike(rng, n)
		dense := randDense(rng, n*784)
		var c CSR
		for _, in := range []struct {
			name string
			x    []float64
		}{{"mnist", x}, {"dense", dense}} {
			b.Run(fmt.Sprintf("input=%s/shape=%dx784", in.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					c.FromDense(in.x, n, 784, 0.3)
				}
			})
		}
	}
}

func BenchmarkMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	saved := kernel
	defer func() { kernel = saved }()
	for _, kern := range available() {
		kernel = kern
		for _, n := range []int{100, 10000} {
			const in, m = 784, 50
			var c, ct CSR
			c.FromDense(mnistLike(rng, n), n, in, 1)
			w, d := randDense(rng, in*m), randDense(rng, n*m)
			dst, dw := make([]float64, n*m), make([]float64, in*m)
			b.Run(fmt.Sprintf("kernel=%s/op=xW+b/shape=%dx%dx%d", kern.name, n, in, m), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					Mul(dst, &c, w, m, w[:m])
				}
			})
			if n > 100 {
				continue
			}
			b.Run(fmt.Sprintf("kernel=%s/op=xTd/shape=%dx%dx%d", kern.name, n, in, m), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					ct.Transpose(&c)
					Mul(dw, &ct, d, m, nil)
				}
			})
			b.Run(fmt.Sprintf("kernel=%s/op=allFinite/shape=%dx%d", kern.name, in, m), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					AllFinite(w)
				}
			})
		}
	}
}

// BenchmarkMulAligned times the products of a training step of a 784-50
// layer on a batch of 100 and of an evaluation chunk of 10,000 with w
// copied into rows on cache lines (aligned=true) and without (false); the
// copy is part of the time.
func BenchmarkMulAligned(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	saved := alignUses
	defer func() { alignUses = saved }()
	for _, n := range []int{100, 10000} {
		const in, m = 784, 50
		var c, ct CSR
		c.FromDense(mnistLike(rng, n), n, in, 1)
		ct.Transpose(&c)
		w, d := randDense(rng, in*m), randDense(rng, n*m)
		dst, dw := make([]float64, n*m), make([]float64, in*m)
		for _, aligned := range []bool{false, true} {
			alignUses = 1 << 30
			if aligned {
				alignUses = saved
			}
			b.Run(fmt.Sprintf("op=xW+b/shape=%dx%dx%d/aligned=%t", n, in, m, aligned), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					Mul(dst, &c, w, m, w[:m])
				}
			})
			if n == 100 {
				b.Run(fmt.Sprintf("op=xTd/shape=%dx%dx%d/aligned=%t", n, in, m, aligned), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						Mul(dw, &ct, d, m, nil)
					}
				})
			}
		}
	}
}
