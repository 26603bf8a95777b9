package update

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkKernels runs each rule with each implementation, over the
// two-layer net's 39,760 parameters and SimpleConvNet's 433,890.
func BenchmarkKernels(b *testing.B) {
	saved := kernel
	defer func() { kernel = saved }()
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{39760, 433890} {
		p, g := make([]float64, n), make([]float64, n)
		for j := range n {
			p[j], g[j] = 0.01*rng.NormFloat64(), 0.1*rng.NormFloat64()
		}
		for _, r := range rules {
			for _, k := range available() {
				kernel = k
				s := [2][]float64{make([]float64, n), make([]float64, n)}
				b.Run(fmt.Sprintf("opt=%s/kernel=%s/n=%d", r.name, k.name, n), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						r.run(p, g, s, 1)
					}
				})
			}
		}
	}
}
