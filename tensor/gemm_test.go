package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas/blas64"
)

// TestProductMatchesGonum checks every engine of the build against
// gonum's blas64.Gemm on whole operands, on every edge size 1…17 in each
// dimension and on shapes that cross the block sizes, for all transpose
// forms and several alpha, beta.
func TestProductMatchesGonum(t *testing.T) {
	const tol = 1e-11
	rng := rand.New(rand.NewPCG(11, 12))
	var shapes [][3]int
	for s := 1; s <= 17; s++ {
		shapes = append(shapes, [3]int{s, 18 - s, (s*7)%17 + 1}, [3]int{s, s, s})
	}
	shapes = append(shapes, [3]int{100, 50, 784}, [3]int{300, 70, 50}, [3]int{65, 400, 260})
	for _, e := range testEngines() {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, ab := range [][2]float64{{1, 0}, {-0.5, 1}, {2, -1.5}} {
				t.Run(fmt.Sprintf("engine=%v/transA=%v/transB=%v/alpha=%v/beta=%v", e, tr[0], tr[1], ab[0], ab[1]), func(t *testing.T) {
					useEngine(t, e)
					for _, s := range shapes {
						m, n, k := s[0], s[1], s[2]
						a := randGeneral(rng, m, k, tr[0])
						b := randGeneral(rng, k, n, tr[1])
						c := randGeneral(rng, m, n, false)
						if ab[1] == 0 {
							for i := range c.Data {
								c.Data[i] = math.NaN() // beta = 0 must overwrite, not scale
							}
						}
						want := blas64.General{Rows: m, Cols: n, Stride: n, Data: append([]float64(nil), c.Data...)}
						if ab[1] == 0 {
							clear(want.Data)
						}
						blas64.Gemm(trans(tr[0]), trans(tr[1]), ab[0], a, b, ab[1], want)
						product(tr[0], tr[1], ab[0], a, b, ab[1], c)
						require.InDeltaSlice(t, want.Data, c.Data, tol, "m=%d n=%d k=%d", m, n, k)
					}
				})
			}
		}
	}
}

// randGeneral returns a rows×cols operand with standard normal entries,
// stored transposed (cols×rows) when trans is set.
func randGeneral(rng *rand.Rand, rows, cols int, trans bool) blas64.General {
	if trans {
		rows, cols = cols, rows
	}
	g := blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
	for i := range g.Data {
		g.Data[i] = rng.NormFloat64()
	}
	return g
}
