package metrics_test

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/metrics"
	"github.com/numlearn/numlearn/tensor"
)

func TestRegression(t *testing.T) {
	tests := []struct {
		name         string
		pred, target *tensor.Tensor
		n            int
		mae, mse, r2 float64 // RMSE is checked as √mse
	}{
		{
			// d = p − t = [1 0 −2]: MAE = 3/3, MSE = (1 + 0 + 4)/3 = 5/3.
			// t̄ = 13/3, Σ(t − t̄)² = (−10/3)² + (−1/3)² + (11/3)² = 222/9 = 74/3,
			// R² = 1 − 5/(74/3) = 1 − 15/74 = 59/74.
			name: "three values",
			pred: tensor.FromSlice([]float64{2, 4, 6}), target: tensor.FromSlice([]float64{1, 4, 8}),
			n: 3, mae: 1, mse: 5.0 / 3, r2: 59.0 / 74,
		},
		{
			name: "(n) against (n, 1)",
			pred: tensor.FromSlice([]float64{2, 4, 6}), target: tensor.FromSlice([]float64{1, 4, 8}, 3, 1),
			n: 3, mae: 1, mse: 5.0 / 3, r2: 59.0 / 74,
		},
		{
			name: "perfect",
			pred: tensor.FromSlice([]float64{1, 4, 8}), target: tensor.FromSlice([]float64{1, 4, 8}),
			n: 3, mae: 0, mse: 0, r2: 1,
		},
		{
			// Predicting the mean t̄ = 2 every time: Σ(t − p)² = Σ(t − t̄)², R² = 0.
			// d = [1 0 −1]: MAE = 2/3, MSE = 2/3.
			name: "the mean",
			pred: tensor.FromSlice([]float64{2, 2, 2}), target: tensor.FromSlice([]float64{1, 2, 3}),
			n: 3, mae: 2.0 / 3, mse: 2.0 / 3, r2: 0,
		},
		{
			// Worse than the mean: d = [2 0 −2], Σd² = 8, Σ(t − t̄)² = 1 + 0 + 1 = 2,
			// R² = 1 − 8/2 = −3; MAE = 4/3, MSE = 8/3.
			name: "reversed",
			pred: tensor.FromSlice([]float64{3, 2, 1}), target: tensor.FromSlice([]float64{1, 2, 3}),
			n: 3, mae: 4.0 / 3, mse: 8.0 / 3, r2: -3,
		},
		{
			// Column 0 is "three values" (R² = 59/74), column 1 "the mean"
			// (R² = 0): R² = (59/74 + 0)/2 = 59/148. Over all six elements,
			// |d| = [1 1, 0 0, 2 1]: MAE = 5/6, MSE = (1+1+0+0+4+1)/6 = 7/6.
			name:   "two outputs averaged",
			pred:   tensor.FromRows([][]float64{{2, 2}, {4, 2}, {6, 2}}),
			target: tensor.FromRows([][]float64{{1, 1}, {4, 2}, {8, 3}}),
			n:      3, mae: 5.0 / 6, mse: 7.0 / 6, r2: 59.0 / 148,
		},
		{
			// Constant targets predicted exactly: R² is 1 (not 0/0).
			name: "constant target, exact",
			pred: tensor.FromSlice([]float64{5, 5, 5}), target: tensor.FromSlice([]float64{5, 5, 5}),
			n: 3, mae: 0, mse: 0, r2: 1,
		},
		{
			// Constant targets missed once: R² is 0 (not −∞); d = [0 1 0].
			name: "constant target, missed",
			pred: tensor.FromSlice([]float64{5, 6, 5}), target: tensor.FromSlice([]float64{5, 5, 5}),
			n: 3, mae: 1.0 / 3, mse: 1.0 / 3, r2: 0,
		},
		{
			// Constant target 0.1 whose float mean is not exactly 0.1: still
			// constant, still 1.
			name: "constant target 0.1, exact",
			pred: tensor.FromSlice([]float64{0.1, 0.1, 0.1}), target: tensor.FromSlice([]float64{0.1, 0.1, 0.1}),
			n: 3, mae: 0, mse: 0, r2: 1,
		},
		{
			// Column 0 "three values", column 1 constant 7 predicted exactly:
			// R² = (59/74 + 1)/2 = 133/148; |d| = [1 0, 0 0, 2 0]: MAE = 3/6,
			// MSE = 5/6.
			name:   "one constant output of two",
			pred:   tensor.FromRows([][]float64{{2, 7}, {4, 7}, {6, 7}}),
			target: tensor.FromRows([][]float64{{1, 7}, {4, 7}, {8, 7}}),
			n:      3, mae: 0.5, mse: 5.0 / 6, r2: 133.0 / 148,
		},
		{
			// One sample is a constant column: exact gives 1.
			name: "one sample, exact",
			pred: tensor.FromSlice([]float64{3}), target: tensor.FromSlice([]float64{3}),
			n: 1, mae: 0, mse: 0, r2: 1,
		},
		{
			name: "one sample, missed",
			pred: tensor.FromSlice([]float64{4}), target: tensor.FromSlice([]float64{3}),
			n: 1, mae: 1, mse: 1, r2: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, y := slices.Clone(tt.pred.Data()), slices.Clone(tt.target.Data())
			r, err := metrics.NewRegression(tt.pred, tt.target)
			require.NoError(t, err)
			assert.Equal(t, tt.n, r.N)
			assert.InDelta(t, tt.mae, r.MAE, tol, "MAE")
			assert.InDelta(t, tt.mse, r.MSE, tol, "MSE")
			assert.InDelta(t, math.Sqrt(tt.mse), r.RMSE, tol, "RMSE")
			assert.InDelta(t, tt.r2, r.R2, tol, "R2")
			assert.Equal(t, p, tt.pred.Data(), "predictions changed")
			assert.Equal(t, y, tt.target.Data(), "targets changed")
		})
	}
}

// Values near the ends of float64's range: MAE, RMSE and R² are those of
// "three values" scaled by s (R² unchanged), even where the plain sum of
// squares would overflow or underflow; MSE = 5/3·s² is beyond the range
// for s = 1e200 (+Inf) and below it for s = 1e-200 (0).
func TestRegressionExtremeValues(t *testing.T) {
	const rel = 1e-12 // relative tolerance: the values are not exact multiples
	tests := []struct {
		name string
		s    float64
		mse  float64
	}{
		{"large", 1e200, math.Inf(1)},
		{"small", 1e-200, 0},
		{"largest", 1e307, math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			r, err := metrics.NewRegression(
				tensor.FromSlice([]float64{2 * s, 4 * s, 6 * s}),
				tensor.FromSlice([]float64{1 * s, 4 * s, 8 * s}))
			require.NoError(t, err)
			assert.InEpsilon(t, s, r.MAE, rel, "MAE")
			assert.InEpsilon(t, math.Sqrt(5.0/3)*s, r.RMSE, rel, "RMSE")
			assert.InDelta(t, 59.0/74, r.R2, tol, "R2")
			assert.Equal(t, tt.mse, r.MSE, "MSE")
		})
	}
	t.Run("opposite extremes", func(t *testing.T) {
		// d = [MaxFloat64 − (−MaxFloat64), 0]: the true MAE, MaxFloat64, fits;
		// the target column [−M, 0] has t̄ = −M/2 and Σ(t − t̄)² = M²/2, and
		// Σ(t − p)² = 4M², so R² = 1 − 8 = −7.
		const m = math.MaxFloat64
		r, err := metrics.NewRegression(tensor.FromSlice([]float64{m, 0}), tensor.FromSlice([]float64{-m, 0}))
		require.NoError(t, err)
		assert.InEpsilon(t, m, r.MAE, rel, "MAE")
		assert.InDelta(t, -7, r.R2, tol, "R2")
		assert.True(t, math.IsInf(r.RMSE, 1), "RMSE = √2·M is beyond the range")
	})
}

func TestRegressionErrors(t *testing.T) {
	tests := []struct {
		name         string
		pred, target *tensor.Tensor
		is           error
		want         string
	}{
		{"lengths differ", tensor.New(3), tensor.New(4), metrics.ErrShape,
			"metrics: shapes do not match: prediction shape [3] and target shape [4]"},
		{"outputs differ", tensor.New(3, 2), tensor.New(3, 3), metrics.ErrShape,
			"metrics: shapes do not match: prediction shape [3 2] and target shape [3 3]"},
		{"two outputs against one", tensor.New(3, 2), tensor.New(3), metrics.ErrShape,
			"metrics: shapes do not match: prediction shape [3 2] and target shape [3]"},
		{"transposed", tensor.New(2, 3), tensor.New(3, 2), metrics.ErrShape,
			"metrics: shapes do not match: prediction shape [2 3] and target shape [3 2]"},
		{"three dimensions", tensor.New(2, 2, 2), tensor.New(2, 2, 2), metrics.ErrShape,
			"metrics: shapes do not match: prediction shape [2 2 2] and target shape [2 2 2], want (n) or (n, k)"},
		{"scalar", tensor.Scalar(1), tensor.Scalar(1), metrics.ErrShape,
			"metrics: shapes do not match: prediction shape [] and target shape [], want (n) or (n, k)"},
		{"empty tensor", &tensor.Tensor{}, tensor.New(3), metrics.ErrShape,
			"metrics: shapes do not match: prediction shape [] and target shape [3], want (n) or (n, k)"},
		{"no samples", tensor.New(0), tensor.New(0), metrics.ErrEmpty,
			"metrics: no data: prediction and target shape [0]"},
		{"no outputs", tensor.New(3, 0), tensor.New(3, 0), metrics.ErrEmpty,
			"metrics: no data: prediction and target shape [3 0]"},
		{"NaN prediction", tensor.FromRows([][]float64{{1, 2}, {math.NaN(), 4}}), tensor.New(2, 2), metrics.ErrNonFinite,
			"metrics: value is not finite: prediction of sample 1, output 0, is NaN"},
		{"infinite target", tensor.New(3), tensor.FromSlice([]float64{1, 2, math.Inf(-1)}), metrics.ErrNonFinite,
			"metrics: value is not finite: target of sample 2, output 0, is -Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := metrics.NewRegression(tt.pred, tt.target)
			require.ErrorIs(t, err, tt.is)
			assert.EqualError(t, err, tt.want)
			assert.Equal(t, metrics.Regression{}, r)
		})
	}
}

func TestRegressionPanicsOnNil(t *testing.T) {
	assert.PanicsWithValue(t, "metrics: NewRegression: nil tensor", func() {
		metrics.NewRegression(nil, tensor.New(3))
	})
}
