package layers

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/numlearn/numlearn/tensor"
)

// mnistLike returns an (n, 784) batch with about 19 % nonzero pixels, the
// density of MNIST, in short runs as strokes make them.
func mnistLike(rng *rand.Rand, n int) *tensor.Tensor {
	x := tensor.New(n, 784)
	for i := range n {
		row := x.Data()[i*784 : (i+1)*784]
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

// BenchmarkAffineFirstLayer measures the book's first layer (784 → 50) on
// MNIST-like input by the sparse and the dense path: the forward product
// x·W + b for a batch of 100 and for an evaluation chunk of 10,000, and
// the backward DW = xᵀ·dout (with DB; no dx, as in a network).
func BenchmarkAffineFirstLayer(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, path := range []string{"sparse", "dense"} {
		saved := sparseMaxDensity
		if path == "dense" {
			sparseMaxDensity = -1
		}
		for _, n := range []int{100, 10000} {
			x := mnistLike(rng, n)
			a := NewAffine(tensor.RandN(rng, 0.01, 784, 50), tensor.New(50))
			a.skipInputGrad(true)
			dout := tensor.RandN(rng, 1, n, 50)
			a.Forward(x)
			a.Backward(dout)
			b.Run(fmt.Sprintf("path=%s/pass=forward/shape=%dx784x50", path, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					a.Forward(x)
				}
			})
			if n > 100 {
				continue
			}
			b.Run(fmt.Sprintf("path=%s/pass=backward/shape=%dx784x50", path, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					a.Backward(dout)
				}
			})
		}
		sparseMaxDensity = saved
	}
}

// BenchmarkAffineDensity runs the forward and backward of a 100×784×50
// layer at several input densities, by both paths: where they cross is
// where maxSparseDensity belongs.
func BenchmarkAffineDensity(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, density := range []float64{0.1, 0.2, 0.3, 0.4, 0.5} {
		x := sparseBatch(rng, density, 100, 784)
		dout := tensor.RandN(rng, 1, 100, 50)
		for _, path := range []string{"sparse", "dense"} {
			saved := sparseMaxDensity
			sparseMaxDensity = 1
			if path == "dense" {
				sparseMaxDensity = -1
			}
			a := NewAffine(tensor.RandN(rng, 0.01, 784, 50), tensor.New(50))
			a.skipInputGrad(true)
			b.Run(fmt.Sprintf("density=%g/path=%s", density, path), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					a.Forward(x)
					a.Backward(dout)
				}
			})
			sparseMaxDensity = saved
		}
	}
}

// BenchmarkConvReLUPool measures the fused convolution, ReLU and 2×2 max
// pooling of the book's SimpleConvNet (30 filters of 5×5) on a batch of
// 100 MNIST-like images: the forward pass of a training step, whose
// images are independent and shared among the cores, and the backward
// pass with a gradient at every pooled output.
func BenchmarkConvReLUPool(b *testing.B) {
	rng := rand.New(rand.NewPCG(31, 32))
	w := tensor.New(30, 1, 5, 5)
	for i := range w.Data() {
		w.Data()[i] = 0.01 * rng.NormFloat64()
	}
	l := newConvReLUPool(NewConvolution(w, tensor.New(30), 1, 0))
	x := mnistLike(rng, 100).Reshape(100, 1, 28, 28)
	dout := l.Forward(x).Clone()
	for i := range dout.Data() {
		dout.Data()[i] = rng.NormFloat64()
	}
	b.Run("pass=forward/batch=100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l.Forward(x)
		}
	})
	b.Run("pass=backward/batch=100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l.Backward(dout)
		}
	})
}
