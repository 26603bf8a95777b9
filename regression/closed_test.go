package regression_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/regression"
	"github.com/numlearn/numlearn/tensor"
)

func TestCostCurve(t *testing.T) {
	const tol = 1e-12
	tests := []struct {
		name  string
		x, y  []float64
		ws    []float64
		costs []float64
	}{
		// x = y = [1, 2, 3]: cost(W) = (W−1)²·(1+4+9)/3 = 14/3·(W−1)².
		{"lecture data", []float64{1, 2, 3}, []float64{1, 2, 3},
			[]float64{-3, -1, 0, 1, 2, 4.5},
			[]float64{14.0 / 3 * 16, 14.0 / 3 * 4, 14.0 / 3, 0, 14.0 / 3, 14.0 / 3 * 12.25}},
		// x = [1, 2], y = [3, 1]: cost(W) = ((W−3)² + (2W−1)²)/2 =
		// (5W² − 10W + 10)/2, lowest at W = Σxy/Σx² = 5/5 = 1 with cost 2.5.
		{"two points", []float64{1, 2}, []float64{3, 1},
			[]float64{0, 1, 2, -1}, []float64{5, 2.5, 5, 12.5}},
		{"no W", []float64{1}, []float64{1}, nil, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDeltaSlice(t, tt.costs, regression.CostCurve(tt.x, tt.y, tt.ws), tol)
		})
	}

	t.Run("no points gives NaN", func(t *testing.T) {
		c := regression.CostCurve(nil, nil, []float64{1})
		require.Len(t, c, 1)
		assert.True(t, math.IsNaN(c[0]))
	})
	t.Run("lengths differ panics", func(t *testing.T) {
		assert.PanicsWithValue(t, "regression: CostCurve: x has 2 values, y has 3", func() {
			regression.CostCurve([]float64{1, 2}, []float64{1, 2, 3}, []float64{0})
		})
	})
	t.Run("agrees with Cost", func(t *testing.T) {
		x, y := lectureData()
		m := model(0.7, 0)
		m.B = nil
		assert.InDelta(t, m.Cost(x, y), regression.CostCurve(x.Data(), y.Data(), []float64{0.7})[0], tol)
	})
}

func TestLeastSquares(t *testing.T) {
	const tol = 1e-12
	tests := []struct {
		name string
		x, y *tensor.Tensor
		w    []float64 // row-major (features, outputs)
		b    []float64
	}{
		// x = [1 2 3], y = [2 4 7]: slope = Sxy/Sxx with x̄ = 2, ȳ = 13/3,
		// Sxx = 1+0+1 = 2, Sxy = (−1)(−7/3) + 0 + (1)(8/3) = 5, so W = 5/2 and
		// b = ȳ − W·x̄ = 13/3 − 5 = −2/3.
		{"line through three points", tensor.FromSlice([]float64{1, 2, 3}, 3, 1),
			tensor.FromSlice([]float64{2, 4, 7}), []float64{2.5}, []float64{-2.0 / 3}},
		{"the lecture's exact fit", tensor.FromSlice([]float64{1, 2, 3}, 3, 1),
			tensor.FromSlice([]float64{1, 2, 3}), []float64{1}, []float64{0}},
		// y = 1 + 2·x₁ − 3·x₂ exactly, on four points.
		{"plane, exact", tensor.FromRows([][]float64{{0, 0}, {1, 0}, {0, 1}, {2, 3}}),
			tensor.FromSlice([]float64{1, 3, -2, -4}, 4, 1), []float64{2, -3}, []float64{1}},
		// Two outputs, each exact: y₁ = 1 + 2x₁ − 3x₂, y₂ = −1 + 0.5x₁ + x₂.
		{"two outputs, exact", tensor.FromRows([][]float64{{0, 0}, {1, 0}, {0, 1}, {2, 3}, {-1, 1}}),
			tensor.FromRows([][]float64{{1, -1}, {3, -0.5}, {-2, 0}, {-4, 3}, {-4, -0.5}}),
			[]float64{2, 0.5, -3, 1}, []float64{1, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := regression.LeastSquares(tt.x, tt.y)
			require.NoError(t, err)
			assert.Equal(t, []int{tt.x.Shape()[1], len(tt.b)}, m.W.Shape())
			assert.InDeltaSlice(t, tt.w, m.W.Data(), tol, "W")
			assert.InDeltaSlice(t, tt.b, m.B.Data(), tol, "B")
		})
	}
}

func TestLeastSquaresNoBias(t *testing.T) {
	const tol = 1e-12
	// x = [1 2], y = [3 1]: W = Σxy/Σx² = (3+2)/(1+4) = 1, the bottom of the
	// curve in TestCostCurve.
	m, err := regression.LeastSquaresNoBias(tensor.FromSlice([]float64{1, 2}, 2, 1), tensor.FromSlice([]float64{3, 1}))
	require.NoError(t, err)
	assert.Nil(t, m.B)
	assert.InDelta(t, 1, m.W.At(0, 0), tol)

	// One point determines a line through the origin: 3 = W·2.
	m, err = regression.LeastSquaresNoBias(tensor.FromSlice([]float64{2}, 1, 1), tensor.FromSlice([]float64{3}))
	require.NoError(t, err)
	assert.InDelta(t, 1.5, m.W.At(0, 0), tol)
}

func TestLeastSquaresBadInput(t *testing.T) {
	y3 := tensor.FromSlice([]float64{1, 2, 3})
	tests := []struct {
		name   string
		x, y   *tensor.Tensor
		noBias bool
		want   error
	}{
		{"collinear columns", tensor.FromRows([][]float64{{1, 2}, {2, 4}, {3, 6}}), y3, false, regression.ErrRankDeficient},
		{"collinear columns with bias", tensor.FromRows([][]float64{{1, 2}, {2, 4}, {3, 6}, {4, 8}}),
			tensor.New(4), false, regression.ErrRankDeficient},
		{"column = 3·column + bias", tensor.FromRows([][]float64{{0.1, 1.3}, {0.2, 1.6}, {0.7, 3.1}, {0.3, 1.9}}),
			tensor.New(4), false, regression.ErrRankDeficient},
		{"constant column duplicates the bias", tensor.FromSlice([]float64{2, 2, 2}, 3, 1), y3, false, regression.ErrRankDeficient},
		{"zero column", tensor.FromRows([][]float64{{1, 0}, {2, 0}, {3, 0}}), y3, true, regression.ErrRankDeficient},
		{"fewer rows than parameters", tensor.FromSlice([]float64{1}, 1, 1), tensor.FromSlice([]float64{1}), false, regression.ErrRankDeficient},
		{"fewer rows than features", tensor.FromRows([][]float64{{1, 2, 3}, {4, 5, 6}}), tensor.New(2), true, regression.ErrRankDeficient},
		{"rows differ", tensor.FromSlice([]float64{1, 2, 3}, 3, 1), tensor.New(2), false, regression.ErrShape},
		{"x 1-D", tensor.FromSlice([]float64{1, 2, 3}), y3, false, regression.ErrShape},
		{"y 3-D", tensor.FromSlice([]float64{1, 2, 3}, 3, 1), tensor.New(3, 1, 1), false, regression.ErrShape},
		{"x nil", nil, y3, false, regression.ErrShape},
		{"y nil", tensor.New(3, 1), nil, false, regression.ErrShape},
		{"no rows", tensor.New(0, 1), tensor.New(0), false, regression.ErrEmpty},
		{"no features", tensor.New(3, 0), y3, false, regression.ErrEmpty},
		{"no outputs", tensor.New(3, 1), tensor.New(3, 0), false, regression.ErrEmpty},
		{"NaN in x", tensor.FromSlice([]float64{1, math.NaN(), 3}, 3, 1), y3, false, regression.ErrNonFinite},
		{"Inf in y", tensor.FromSlice([]float64{1, 2, 3}, 3, 1), tensor.FromSlice([]float64{1, math.Inf(-1), 3}), false, regression.ErrNonFinite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			solve := regression.LeastSquares
			if tt.noBias {
				solve = regression.LeastSquaresNoBias
			}
			m, err := solve(tt.x, tt.y)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, tt.want)
			assert.Regexp(t, "^regression: ", err.Error())
		})
	}
}

func TestLeastSquaresIllConditionedButFullRank(t *testing.T) {
	// Columns x and x + 10⁻⁶·d are nearly but not exactly collinear: the
	// condition number is about 10⁷, far below the rank tolerance, and the
	// exact coefficients y = x₁ − x₂ + 2 still come back (to ~κ·ε).
	x := tensor.FromRows([][]float64{{1, 1 + 1e-6}, {2, 2 - 1e-6}, {3, 3 + 2e-6}, {4, 4}})
	y := tensor.New(4)
	for i := range 4 {
		y.Set(x.At(i, 0)-x.At(i, 1)+2, i)
	}
	m, err := regression.LeastSquares(x, y)
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{1, -1}, m.W.Data(), 1e-6)
	assert.InDelta(t, 2, m.B.At(0), 1e-6)
}
