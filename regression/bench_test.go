package regression_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/numlearn/numlearn/regression"
	"github.com/numlearn/numlearn/tensor"
)

// BenchmarkFit measures gradient descent per run of 100 steps, full batch
// and mini-batch, on noisy data y = x·W + B.
func BenchmarkFit(b *testing.B) {
	for _, bc := range []struct{ rows, features, outputs, batch int }{
		{3, 1, 1, 0},
		{1000, 10, 1, 0},
		{1000, 10, 1, 100},
		{10000, 50, 5, 0},
	} {
		name := fmt.Sprintf("shape=%dx%dx%d/batch=%d", bc.rows, bc.features, bc.outputs, bc.batch)
		b.Run(name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			x, y := planeData(rng, bc.rows, tensor.RandN(rng, 1, bc.features, bc.outputs),
				tensor.RandN(rng, 1, bc.outputs), 0.1)
			cfg := regression.Config{LearningRate: 0.01, Steps: 100, BatchSize: bc.batch, Rand: rng}
			m := regression.NewLinear(bc.features, bc.outputs)
			b.ReportAllocs()
			for b.Loop() {
				m.W.Zero()
				m.B.Zero()
				if _, err := m.Fit(x, y, cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLeastSquares measures the closed-form fit through gonum's QR.
func BenchmarkLeastSquares(b *testing.B) {
	for _, bc := range []struct{ rows, features int }{{1000, 10}, {10000, 50}} {
		b.Run(fmt.Sprintf("shape=%dx%d", bc.rows, bc.features), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			x, y := planeData(rng, bc.rows, tensor.RandN(rng, 1, bc.features, 1), tensor.New(1), 0.1)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := regression.LeastSquares(x, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
