package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReLUPoolArgFindsTheFirstPositiveMaximum lays a convolution's output
// out in Pooled's four blocks and checks ReLUPoolArg against the
// definition on that output: per 2×2 window, the ReLU of the maximum of
// the biased values and the position of the first maximum in reading
// order, or −1 when it is not positive, or of the first NaN. Values are
// drawn from a few integers, so that ties are common, and from NaN, ±Inf
// and ±0.
func TestReLUPoolArgFindsTheFirstPositiveMaximum(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1)}
	for _, oh := range []int{2, 3, 7, 24} {
		for _, ow := range []int{2, 5, 8, 17, 24, 35} {
			for _, goOnly := range []bool{false, true} {
				t.Run(fmt.Sprintf("out=%dx%d/go=%v", oh, ow, goOnly), func(t *testing.T) {
					if goOnly {
						defer func(was bool) { hasAVX512VL = was }(hasAVX512VL)
						hasAVX512VL = false
					}
					// A geometry with this output: a 1×1 window at stride 1.
					p := NewPooled(Geometry{C: 1, H: oh, W: ow, FH: 1, FW: 1, Stride: 1}, 8)
					ph, pw := oh/2, ow/2
					n := ph * pw
					for _, bias := range []float64{0, -1, 0.5} {
						out := make([]float64, oh*ow) // the convolution's output, before the bias
						for i := range out {
							out[i] = float64(rng.IntN(5) - 2)
							if rng.IntN(40) == 0 {
								out[i] = special[rng.IntN(len(special))]
							}
						}
						act := make([]float64, 4*n)
						for w := range 4 {
							for y := range ph {
								for x := range pw {
									act[w*n+y*pw+x] = out[(2*y+w/2)*ow+2*x+w%2]
								}
							}
						}
						dst, arg := randSlice(rng, n), make([]int32, n)
						p.ReLUPoolArg(dst, arg, act, bias)
						for y := range ph {
							for x := range pw {
								j := y*pw + x
								first, mx := -1, math.Inf(-1)
								nan := -1
								for _, d := range [4]int{0, 1, ow, ow + 1} {
									pos := 2*y*ow + 2*x + d
									v := out[pos] + bias
									if math.IsNaN(v) && nan < 0 {
										nan = pos
									}
									if v > mx || first < 0 && v == mx {
										first, mx = pos, v
									}
								}
								switch {
								case nan >= 0:
									require.True(t, math.IsNaN(dst[j]), "window (%d, %d)", y, x)
									require.Equal(t, int32(nan), arg[j], "window (%d, %d)", y, x)
								case mx > 0:
									require.Equal(t, mx, dst[j], "window (%d, %d)", y, x)
									require.Equal(t, int32(first), arg[j], "window (%d, %d)", y, x)
								default:
									require.Equal(t, math.Float64bits(0), math.Float64bits(dst[j]), "window (%d, %d): +0", y, x)
									require.Equal(t, int32(-1), arg[j], "window (%d, %d)", y, x)
								}
							}
						}
					}
				})
			}
		}
	}
	p := NewPooled(Geometry{C: 1, H: 4, W: 4, FH: 1, FW: 1, Stride: 1}, 8)
	assert.PanicsWithValue(t, "conv: Pooled.ReLUPoolArg: dst, arg and act have 4, 3 and 16 values, the geometry needs 4, 4 and 16", func() {
		p.ReLUPoolArg(make([]float64, 4), make([]int32, 3), make([]float64, 16), 0)
	})
}
