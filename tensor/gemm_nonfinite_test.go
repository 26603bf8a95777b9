package tensor

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProductNonFiniteOnEveryEngine checks that every engine sums every
// term of the definition c[i][j] = Σₚ a[i][p]·b[p][j], so that 0·NaN and
// 0·Inf give NaN as IEEE 754 says, whichever engine the build or the CPU
// picks. op(A) is zero in column 0 and 1 elsewhere; op(B) holds the value
// under test at (0, 0) and 1 elsewhere. Then c[i][0] = 0·bad + (k−1) is
// NaN for every row i, and every other c[i][j] is k−1.
func TestProductNonFiniteOnEveryEngine(t *testing.T) {
	shapes := [][3]int{
		{2, 2, 2},      // the smallest product that is not matrix-vector
		{2, 1, 2},      // matrix-vector, a column
		{1, 3, 2},      // matrix-vector, a row
		{70, 200, 300}, // several tiles and k-blocks
	}
	values := []struct {
		name string
		v    float64
	}{{"NaN", math.NaN()}, {"+Inf", math.Inf(1)}, {"-Inf", math.Inf(-1)}}
	forms := []struct {
		name           string
		transA, transB bool
	}{{"NN", false, false}, {"TN", true, false}, {"NT", false, true}, {"TT", true, true}}
	for _, e := range testEngines() {
		for _, f := range forms {
			for _, val := range values {
				t.Run(fmt.Sprintf("engine=%v/trans=%s/value=%s", e, f.name, val.name), func(t *testing.T) {
					useEngine(t, e)
					for _, s := range shapes {
						m, n, k := s[0], s[1], s[2]
						opA, opB := New(m, k), Full(1, k, n)
						for i := range m {
							for p := 1; p < k; p++ {
								opA.Set(1, i, p)
							}
						}
						opB.Set(val.v, 0, 0)
						a, b := opA, opB
						if f.transA {
							a = opA.Transpose()
						}
						if f.transB {
							b = opB.Transpose()
						}
						var c Tensor
						c.Gemm(f.transA, f.transB, 1, a, b, 0)
						for i := range m {
							require.True(t, math.IsNaN(c.At(i, 0)), "shape %v: c[%d][0] = %v, want NaN", s, i, c.At(i, 0))
							for j := 1; j < n; j++ {
								require.Equal(t, float64(k-1), c.At(i, j), "shape %v: c[%d][%d]", s, i, j)
							}
						}
					}
				})
			}
		}
	}
}

// TestMatMulZeroTimesNaN is the smallest case by hand:
// [[0 0] [1 1]]·[[NaN 1] [1 1]] = [[0·NaN + 0·1, 0·1 + 0·1], [1·NaN + 1·1, 1 + 1]]
// = [[NaN 0] [NaN 2]].
func TestMatMulZeroTimesNaN(t *testing.T) {
	for _, e := range testEngines() {
		t.Run("engine="+e.String(), func(t *testing.T) {
			useEngine(t, e)
			a := FromRows([][]float64{{0, 0}, {1, 1}})
			b := FromRows([][]float64{{math.NaN(), 1}, {1, 1}})
			var c Tensor
			c.MatMul(a, b)
			require.True(t, math.IsNaN(c.At(0, 0)), "c[0][0] = %v", c.At(0, 0))
			require.Equal(t, 0.0, c.At(0, 1))
			require.True(t, math.IsNaN(c.At(1, 0)), "c[1][0] = %v", c.At(1, 0))
			require.Equal(t, 2.0, c.At(1, 1))
		})
	}
}
