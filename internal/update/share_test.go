package update

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/floats"
)

// TestSharedUpdateIsTheSameOnAnyCores runs every rule on a parameter
// long enough to be shared, on one core and on several, and wants the
// same bits as the loop over all of it on the calling goroutine.
func TestSharedUpdateIsTheSameOnAnyCores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(7, 8))
	n := shareLen + 3*pieceLen + 13 // several pieces and a ragged tail
	randSlice := func() []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	p0, g := randSlice(), randSlice()
	h0 := make([]float64, n)
	for i, v := range randSlice() {
		h0[i] = math.Abs(v)
	}
	rules := []struct {
		name   string
		shared func(p, s, s2 []float64)
		alone  func(p, s, s2 []float64)
	}{
		{"SGD", func(p, _, _ []float64) { SGD(p, g, -0.1) }, func(p, _, _ []float64) { floats.AddScaled(p, -0.1, g) }},
		{"AdaGrad", func(p, s, _ []float64) { AdaGrad(p, g, s, 0.01, 1e-7) }, func(p, s, _ []float64) { adaGrad(p, g, s, 0.01, 1e-7) }},
		{"RMSProp", func(p, s, _ []float64) { RMSProp(p, g, s, 0.99, 0.01, 0.01, 1e-7) }, func(p, s, _ []float64) { rmsProp(p, g, s, 0.99, 0.01, 0.01, 1e-7) }},
		{"Adam", func(p, m, v []float64) { Adam(p, g, m, v, 0.1, 0.001, 0.001, 1e-7) }, func(p, m, v []float64) { adam(p, g, m, v, 0.1, 0.001, 0.001, 1e-7) }},
	}
	for _, r := range rules {
		want, ws, ws2 := slices.Clone(p0), slices.Clone(h0), slices.Clone(h0)
		r.alone(want, ws, ws2)
		for _, procs := range []int{1, 2, 4} {
			t.Run(fmt.Sprintf("rule=%s/procs=%d", r.name, procs), func(t *testing.T) {
				runtime.GOMAXPROCS(procs)
				p, s, s2 := slices.Clone(p0), slices.Clone(h0), slices.Clone(h0)
				r.shared(p, s, s2)
				assert.True(t, allSameBits(want, p) && allSameBits(ws, s) && allSameBits(ws2, s2), "not the same bits")
			})
		}
	}
}

func allSameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, sameBits)
}
