package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReLUPoolIsTheMaximumOfTheFourBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), -0.5}
	for _, n := range []int{0, 1, 3, 4, 5, 8, 13, 144} {
		for _, bias := range []float64{0, -0.7, 1.3, math.Copysign(0, -1)} {
			t.Run(fmt.Sprintf("n=%d/bias=%g", n, bias), func(t *testing.T) {
				act := randSlice(rng, 4*n)
				for i := range act {
					if rng.IntN(8) == 0 {
						act[i] = special[rng.IntN(len(special))]
					}
				}
				dst := randSlice(rng, n) // garbage to overwrite
				ReLUPool(dst, act, bias)
				for j, got := range dst {
					want := 0.0 // max(0, ·) by the definition, NaN kept
					for d := range 4 {
						v := act[d*n+j] + bias
						if math.IsNaN(v) {
							want = v
							break
						}
						if v > want {
							want = v
						}
					}
					if math.IsNaN(want) {
						require.True(t, math.IsNaN(got), "j=%d: %v", j, got)
						continue
					}
					require.Equal(t, math.Float64bits(want), math.Float64bits(got), "j=%d: want %v, got %v", j, want, got)
				}
			})
		}
	}
	assert.PanicsWithValue(t, "conv: ReLUPool: act has 7 values, 2 outputs need 8", func() {
		ReLUPool(make([]float64, 2), make([]float64, 7), 0)
	})
}
