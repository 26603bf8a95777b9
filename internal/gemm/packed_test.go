package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// packB lays b (k×n, row-major) out as GemmPackedB takes it.
func packForTest(b []float64, k, n int) []float64 {
	nr := PanelWidth()
	bp := make([]float64, PackedLen(k, n))
	for q := 0; q*nr < n; q++ {
		for p := range k {
			for jj := range nr {
				if col := q*nr + jj; col < n {
					bp[q*k*nr+p*nr+jj] = b[p*n+col]
				}
			}
		}
	}
	return bp
}

func TestGemmPackedBEqualsGemm(t *testing.T) {
	const tol = 1e-12
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{30, 576, 25}, {1, 1, 1}, {17, 9, 300}, {5, 13, 3}, {64, 100, 513}} {
		m, n, k := s[0], s[1], s[2]
		t.Run(fmt.Sprintf("m=%d/n=%d/k=%d", m, n, k), func(t *testing.T) {
			a, b := make([]float64, m*k), make([]float64, k*n)
			for i := range a {
				a[i] = rng.NormFloat64()
			}
			for i := range b {
				b[i] = rng.NormFloat64()
			}
			want, got := make([]float64, m*n), make([]float64, m*n)
			for i := range want {
				want[i] = rng.NormFloat64()
				got[i] = want[i]
			}
			Gemm(false, false, m, n, k, 1, a, k, b, n, 0.5, want, n)
			GemmPackedB(m, n, k, a, k, packForTest(b, k, n), 0.5, got, n)
			assert.InDeltaSlice(t, want, got, tol)
		})
	}
	assert.Panics(t, func() { GemmPackedB(2, 9, 3, make([]float64, 6), 3, make([]float64, 3), 0, make([]float64, 18), 9) })
}
