package regression_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/regression"
	"github.com/numlearn/numlearn/tensor"
)

func TestFitStepsWorkedByHand(t *testing.T) {
	const tol = 1e-12
	// Start at W = 2, b = 1 with α = 0.1 on x = y = [1, 2, 3].
	// Step 0: r = [2 3 4], cost 29/3, ∂W = 40/3, ∂b = 6
	//   → W = 2 − 4/3 = 2/3, b = 1 − 0.6 = 2/5.
	// Step 1: H = [2/3+2/5, 4/3+2/5, 2+2/5] = [16/15, 26/15, 36/15],
	//   r = [1/15, −4/15, −9/15]; cost = (1+16+81)/225/3 = 98/675,
	//   ∂W = 2/3·(1−8−27)/15 = −68/45, ∂b = 2/3·(−12/15) = −8/15
	//   → W = 2/3 + 6.8/45 = 184/225, b = 2/5 + 4/75 = 34/75.
	// Step 2: H = [184/225+102/225, 368/225+102/225, 552/225+102/225]
	//   = [286, 470, 654]/225, r = [61, 20, −21]/225;
	//   cost = (3721+400+441)/225²/3 = 4562/151875,
	//   ∂W = 2/3·(61+40−63)/225 = 76/675, ∂b = 2/3·60/225 = 8/45
	//   → W = 184/225 − 7.6/675 = 2722/3375, b = 34/75 − 0.8/45 = 98/225.
	tests := []struct {
		steps int
		costs []float64
		w, b  float64
	}{
		{1, []float64{29.0 / 3}, 2.0 / 3, 2.0 / 5},
		{2, []float64{29.0 / 3, 98.0 / 675}, 184.0 / 225, 34.0 / 75},
		{3, []float64{29.0 / 3, 98.0 / 675, 4562.0 / 151875}, 2722.0 / 3375, 98.0 / 225},
	}
	for _, tt := range tests {
		t.Run("steps="+strconv.Itoa(tt.steps), func(t *testing.T) {
			x, y := lectureData()
			m := model(2, 1)
			costs, err := m.Fit(x, y, regression.Config{LearningRate: 0.1, Steps: tt.steps})
			require.NoError(t, err)
			assert.InDeltaSlice(t, tt.costs, costs, tol)
			assert.InDelta(t, tt.w, m.W.At(0, 0), tol, "W")
			assert.InDelta(t, tt.b, m.B.At(0), tol, "b")
		})
	}
}

func TestFitClosedFormWithoutBias(t *testing.T) {
	// Without bias on x = y = [1, 2, 3], cost(W) = 1/3·Σ(W·xᵢ − xᵢ)² =
	// 14/3·(W−1)², so ∂cost/∂W = 2/3·Σxᵢ(W·xᵢ − yᵢ) = 28/3·(W−1) and a step is
	//   W_{k+1} − 1 = (W_k − 1) − α·28/3·(W_k − 1) = c·(W_k − 1),  c = 1 − 28α/3,
	// hence W_k = 1 + (W₀ − 1)·cᵏ and cost_k = 14/3·(W₀ − 1)²·c²ᵏ. It
	// converges for |c| < 1, i.e. 0 < α < 3/14 ≈ 0.2143; for α > 3/28 the
	// steps overshoot and alternate around 1 yet still converge.
	tests := []struct {
		name  string
		lr    float64
		w0    float64
		steps int
	}{
		{"lr=0.01 c=0.9067", 0.01, -3, 50},
		{"lr=0.05 c=8/15", 0.05, 5, 30},
		{"lr=3/28 c=0 one step", 3.0 / 28, 4, 3},
		{"lr=0.15 c=-0.4 alternating", 0.15, -3, 40},
		{"lr=0.2 c=-13/15 alternating, near the limit", 0.2, 3, 400},
		{"lr=0.21 c=-0.96 very near the limit", 0.21, 3, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const tol = 1e-9
			x, y := lectureData()
			m := model(tt.w0, 0)
			m.B = nil
			var ws []float64
			costs, err := m.Fit(x, y, regression.Config{
				LearningRate: tt.lr, Steps: tt.steps,
				Callback: func(step int, cost float64, w, b *tensor.Tensor) error {
					assert.Nil(t, b)
					ws = append(ws, w.At(0, 0))
					return nil
				},
			})
			require.NoError(t, err, "a converging fit must not count as diverged")
			require.Len(t, costs, tt.steps)
			require.Len(t, ws, tt.steps)
			c := 1 - 28*tt.lr/3
			for k := range tt.steps {
				wk := 1 + (tt.w0-1)*math.Pow(c, float64(k))
				assert.InDelta(t, wk, ws[k], tol, "W_%d", k)
				assert.InDelta(t, 14.0/3*(wk-1)*(wk-1), costs[k], tol*max(1, costs[k]), "cost_%d", k)
			}
			assert.InDelta(t, 1+(tt.w0-1)*math.Pow(c, float64(tt.steps)), m.W.At(0, 0), tol, "final W")
		})
	}
}

func TestFitDiverges(t *testing.T) {
	// Without bias on x = y = [1, 2, 3] from W₀ = 3: W_k − 1 = 2·cᵏ with
	// c = 1 − 28α/3 and cost_k = 56/3·c²ᵏ (see TestFitClosedFormWithoutBias).
	const w0, c0 = 3.0, 56.0 / 3
	tests := []struct {
		name     string
		lr       float64
		step     int     // where divergence is seen
		cost     float64 // the cost there (NaN: only check it is not finite)
		restored float64 // W after the fit
		lastCost float64
	}{
		// α = 1/4: c = −4/3, c² = 16/9; cost_k > 10⁶·cost₀ once (16/9)ᵏ > 10⁶,
		// k > ln 10⁶ / ln(16/9) = 24.01, so at step 25; W goes back to W₂₄.
		{"lr=0.25 grows past 1e6 times", 0.25, 25, c0 * math.Pow(16.0/9, 25),
			1 + 2*math.Pow(-4.0/3, 24), c0 * math.Pow(16.0/9, 24)},
		// α = 0.22: c = −1.05333, c² = 1.10951; 10⁶ times would take until
		// step 133, but the cost rises at every step from step 1, so the
		// hundredth consecutive rise is at step 100; W goes back to W₉₉.
		{"lr=0.22 rises for 100 steps", 0.22, 100, c0 * math.Pow(1-28*0.22/3, 200),
			1 + 2*math.Pow(1-28*0.22/3, 99), c0 * math.Pow(1-28*0.22/3, 198)},
		// α = 10³⁰⁰: W₁ = 3 − 10³⁰⁰·56/3 ≈ −1.9·10³⁰¹ is finite but its cost
		// overflows to +Inf at step 1; W goes back to W₀ = 3.
		{"lr=1e300 cost overflows", 1e300, 1, math.Inf(1), 3, c0},
		// α = 10³⁰⁸: the update α·56/3 itself overflows, W₁ = −Inf, seen
		// right after step 0's update; W goes back to W₀ = 3.
		{"lr=1e308 update overflows", 1e308, 1, math.Inf(1), 3, c0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const tol = 1e-9
			x, y := lectureData()
			m := model(w0, 0)
			m.B = nil
			costs, err := m.Fit(x, y, regression.Config{LearningRate: tt.lr, Steps: 1000})
			require.Error(t, err)
			assert.ErrorIs(t, err, regression.ErrDiverged)
			de, ok := errorsAs[*regression.DivergedError](err)
			require.True(t, ok, "a *DivergedError")
			assert.Equal(t, tt.step, de.Step)
			if math.IsInf(tt.cost, 0) {
				assert.Equal(t, tt.cost, de.Cost)
			} else {
				assert.InEpsilon(t, tt.cost, de.Cost, tol)
			}
			assert.InEpsilon(t, tt.lastCost, de.LastCost, tol)
			assert.Equal(t, tt.lr, de.LearningRate)
			assert.Contains(t, err.Error(), "at step "+strconv.Itoa(tt.step))
			assert.Contains(t, err.Error(), "learning rate")
			assert.Contains(t, err.Error(), "too large")

			assert.InEpsilon(t, tt.restored, m.W.At(0, 0), tol, "restored W")
			assert.False(t, math.IsNaN(m.W.At(0, 0)) || math.IsInf(m.W.At(0, 0), 0))
			require.Len(t, costs, tt.step-1, "costs of the updates kept")
			for k, cost := range costs {
				assert.InEpsilon(t, c0*math.Pow(1-28*tt.lr/3, float64(2*k)), cost, tol, "cost_%d", k)
			}
			// The restored W has LastCost as its cost.
			assert.InEpsilon(t, de.LastCost, m.Cost(x, y), tol)
		})
	}
}

func TestFitDivergesWithBias(t *testing.T) {
	// With bias the cost's Hessian is 2/3·[[14 6] [6 3]], whose largest
	// eigenvalue is (17 + √265)/3 ≈ 11.09: descent diverges for α > 2/11.09
	// ≈ 0.18 even though the no-bias limit is 3/14 ≈ 0.21.
	x, y := lectureData()
	m := model(0, 0)
	_, err := m.Fit(x, y, regression.Config{LearningRate: 0.2, Steps: 2000})
	require.ErrorIs(t, err, regression.ErrDiverged)
	assert.False(t, math.IsNaN(m.W.At(0, 0)) || math.IsNaN(m.B.At(0)))

	m = model(0, 0)
	_, err = m.Fit(x, y, regression.Config{LearningRate: 0.17, Steps: 5000})
	require.NoError(t, err, "α = 0.17 < 0.1803 converges")
	assert.InDelta(t, 1, m.W.At(0, 0), 1e-9)
	assert.InDelta(t, 0, m.B.At(0), 1e-9)
}

func TestFitTolerance(t *testing.T) {
	// No bias, W₀ = 3, α = 0.05: c = 1 − 28·0.05/3 = 8/15, and
	// cost_k = 56/3·(64/225)ᵏ, so the drop between consecutive costs is
	//   cost_{k−1} − cost_k = 56/3·(161/225)·(64/225)^{k−1}:
	//   k=8: 2.01·10⁻³,  k=9: 5.72·10⁻⁴,  k=10: 1.63·10⁻⁴.
	// With Tolerance 10⁻³ the drop first falls below it at step 9, whose
	// update is still made: 10 costs, W = W₁₀ = 1 + 2·(8/15)¹⁰.
	tests := []struct {
		name  string
		tol   float64
		steps int // updates made
	}{
		{"tolerance=1e-3", 1e-3, 10},
		{"tolerance=3e-4", 3e-4, 11},
		{"tolerance=0 runs all steps", 0, 50},
		{"tolerance=100 stops after the first drop", 100, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const tol = 1e-12
			x, y := lectureData()
			m := model(3, 0)
			m.B = nil
			costs, err := m.Fit(x, y, regression.Config{LearningRate: 0.05, Steps: 50, Tolerance: tt.tol})
			require.NoError(t, err)
			assert.Len(t, costs, tt.steps)
			assert.InDelta(t, 1+2*math.Pow(8.0/15, float64(tt.steps)), m.W.At(0, 0), tol)
		})
	}
}

func TestFitCallback(t *testing.T) {
	const tol = 1e-12
	boom := errors.New("disk full")
	tests := []struct {
		name    string
		stopAt  int
		ret     error
		updates int
		wantErr error
	}{
		{"Stop at step 5 ends before its update", 5, regression.Stop, 5, nil},
		{"Stop at step 0 makes no update", 0, regression.Stop, 0, nil},
		{"wrapped Stop counts too", 3, fmt.Errorf("drawing: %w", regression.Stop), 3, nil},
		{"another error is returned", 4, boom, 4, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := lectureData()
			m := model(-3, 0)
			m.B = nil
			var steps []int
			costs, err := m.Fit(x, y, regression.Config{LearningRate: 0.05, Steps: 20,
				Callback: func(step int, cost float64, w, b *tensor.Tensor) error {
					steps = append(steps, step)
					// The cost belongs to the W passed along: 14/3·(W−1)².
					assert.InDelta(t, 14.0/3*(w.At(0, 0)-1)*(w.At(0, 0)-1), cost, tol)
					if step == tt.stopAt {
						return tt.ret
					}
					return nil
				}})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), "callback at step "+strconv.Itoa(tt.stopAt))
			} else {
				require.NoError(t, err)
			}
			assert.Len(t, costs, tt.updates)
			assert.Len(t, steps, tt.stopAt+1)
			// W₀ = −3, c = 8/15: W = 1 − 4·(8/15)^updates.
			assert.InDelta(t, 1-4*math.Pow(8.0/15, float64(tt.updates)), m.W.At(0, 0), tol)
		})
	}
}

func TestFitBadInput(t *testing.T) {
	x, y := lectureData()
	ok := regression.Config{LearningRate: 0.01, Steps: 10}
	withCfg := func(f func(*regression.Config)) regression.Config { c := ok; f(&c); return c }
	tests := []struct {
		name string
		m    *regression.Linear
		x, y *tensor.Tensor
		cfg  regression.Config
		want error
	}{
		{"x and y rows differ", model(0, 0), x, tensor.New(4), ok, regression.ErrShape},
		{"W rows differ from x columns", regression.NewLinear(2, 1), x, y, ok, regression.ErrShape},
		{"B columns differ from W", &regression.Linear{W: tensor.New(1, 1), B: tensor.New(3)}, x, y, ok, regression.ErrShape},
		{"y columns differ from W", regression.NewLinear(1, 2), x, tensor.New(3, 3), ok, regression.ErrShape},
		{"empty data", model(0, 0), tensor.New(0, 1), tensor.New(0), ok, regression.ErrEmpty},
		{"NaN in x", model(0, 0), tensor.FromSlice([]float64{1, math.NaN(), 3}, 3, 1), y, ok, regression.ErrNonFinite},
		{"+Inf in y", model(0, 0), x, tensor.FromSlice([]float64{1, 2, math.Inf(1)}), ok, regression.ErrNonFinite},
		{"-Inf in x", model(0, 0), tensor.FromSlice([]float64{math.Inf(-1), 2, 3}, 3, 1), y, ok, regression.ErrNonFinite},
		{"NaN in W", model(math.NaN(), 0), x, y, ok, regression.ErrNonFinite},
		{"cost overflows at the start", model(0, 0), tensor.FromSlice([]float64{1e200, 2, 3}, 3, 1),
			tensor.FromSlice([]float64{1e200, 2, 3}), ok, regression.ErrNonFinite},
		{"zero learning rate", model(0, 0), x, y, withCfg(func(c *regression.Config) { c.LearningRate = 0 }), regression.ErrConfig},
		{"negative learning rate", model(0, 0), x, y, withCfg(func(c *regression.Config) { c.LearningRate = -0.1 }), regression.ErrConfig},
		{"NaN learning rate", model(0, 0), x, y, withCfg(func(c *regression.Config) { c.LearningRate = math.NaN() }), regression.ErrConfig},
		{"infinite learning rate", model(0, 0), x, y, withCfg(func(c *regression.Config) { c.LearningRate = math.Inf(1) }), regression.ErrConfig},
		{"negative steps", model(0, 0), x, y, withCfg(func(c *regression.Config) { c.Steps = -1 }), regression.ErrConfig},
		{"negative tolerance", model(0, 0), x, y, withCfg(func(c *regression.Config) { c.Tolerance = -1 }), regression.ErrConfig},
		{"negative batch size", model(0, 0), x, y, withCfg(func(c *regression.Config) { c.BatchSize = -2 }), regression.ErrConfig},
		{"mini-batch without Rand", model(0, 0), x, y, withCfg(func(c *regression.Config) { c.BatchSize = 2 }), regression.ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w0, b0 *tensor.Tensor
			if tt.m.W != nil {
				w0 = tt.m.W.Clone()
			}
			if tt.m.B != nil {
				b0 = tt.m.B.Clone()
			}
			costs, err := tt.m.Fit(tt.x, tt.y, tt.cfg)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Regexp(t, "^regression: ", err.Error())
			assert.Empty(t, costs)
			// The model is untouched (bit for bit, NaN included).
			if w0 != nil {
				assert.Equal(t, bits(w0), bits(tt.m.W))
			}
			if b0 != nil {
				assert.Equal(t, bits(b0), bits(tt.m.B))
			}
		})
	}
}

func TestFitZeroStepsAndFullBatchSizes(t *testing.T) {
	x, y := lectureData()
	m := model(2, 1)
	costs, err := m.Fit(x, y, regression.Config{LearningRate: 0.1})
	require.NoError(t, err)
	assert.Empty(t, costs)
	assert.Equal(t, 2.0, m.W.At(0, 0))

	// BatchSize ≥ rows is full batch and needs no Rand: the same steps as
	// TestFitStepsWorkedByHand.
	for _, bs := range []int{3, 10} {
		m := model(2, 1)
		costs, err := m.Fit(x, y, regression.Config{LearningRate: 0.1, Steps: 1, BatchSize: bs})
		require.NoError(t, err)
		assert.InDeltaSlice(t, []float64{29.0 / 3}, costs, 1e-12)
		assert.InDelta(t, 2.0/3, m.W.At(0, 0), 1e-12)
	}
}

// planeData returns rows points of y = x·W + B (+ noise·N(0,1)) for the
// given W (features, outputs) and B, with x drawn from N(0, 1).
func planeData(rng *rand.Rand, rows int, w, b *tensor.Tensor, noise float64) (x, y *tensor.Tensor) {
	x = tensor.RandN(rng, 1, rows, w.Shape()[0])
	y = &tensor.Tensor{}
	y.MatMul(x, w)
	y.Add(y, b)
	y.Add(y, tensor.RandN(rng, noise, y.Shape()...))
	return x, y
}

func TestFitConvergesToLeastSquares(t *testing.T) {
	const tol = 1e-8
	tests := []struct {
		name  string
		w     [][]float64
		b     []float64
		noise float64
	}{
		{"features=3 outputs=1 noisy", [][]float64{{2}, {-1}, {0.5}}, []float64{3}, 0.3},
		{"features=4 outputs=2 noisy", [][]float64{{1, -2}, {0.5, 0}, {-1, 1}, {2, 0.25}}, []float64{-1, 4}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 11))
			x, y := planeData(rng, 60, tensor.FromRows(tt.w), tensor.FromSlice(tt.b), tt.noise)
			exact, err := regression.LeastSquares(x, y)
			require.NoError(t, err)

			m := regression.NewLinear(len(tt.w), len(tt.b))
			costs, err := m.Fit(x, y, regression.Config{LearningRate: 0.1, Steps: 3000})
			require.NoError(t, err)
			assert.InDeltaSlice(t, exact.W.Data(), m.W.Data(), tol, "W")
			assert.InDeltaSlice(t, exact.B.Data(), m.B.Data(), tol, "B")
			// Full-batch descent on a quadratic never raises the cost.
			for k := 1; k < len(costs); k++ {
				require.LessOrEqual(t, costs[k], costs[k-1]*(1+1e-12), "cost_%d", k)
			}
			assert.InDelta(t, exact.Cost(x, y), m.Cost(x, y), 1e-12)
		})
	}
}

func TestFitMiniBatch(t *testing.T) {
	// Noiseless data y = x·W + B: every sample's gradient vanishes at the
	// exact solution, so stochastic descent converges to it, not just near.
	w := tensor.FromRows([][]float64{{1.5, -1}, {-2, 0.5}, {0.25, 3}})
	b := tensor.FromSlice([]float64{0.5, -2})
	x, y := planeData(rand.New(rand.NewPCG(3, 4)), 50, w, b, 0)

	fit := func(batch int) (*regression.Linear, []float64) {
		m := regression.NewLinear(3, 2)
		costs, err := m.Fit(x, y, regression.Config{LearningRate: 0.05, Steps: 4000,
			BatchSize: batch, Rand: rand.New(rand.NewPCG(1, 2))})
		require.NoError(t, err)
		return m, costs
	}
	for _, batch := range []int{1, 8, 16} { // 50 = 6·8 + 2: a short last batch
		t.Run("batch="+strconv.Itoa(batch), func(t *testing.T) {
			const tol = 1e-9
			m, costs := fit(batch)
			require.Len(t, costs, 4000)
			assert.InDeltaSlice(t, w.Data(), m.W.Data(), tol, "W")
			assert.InDeltaSlice(t, b.Data(), m.B.Data(), tol, "B")

			m2, costs2 := fit(batch)
			assert.Equal(t, costs, costs2, "same seed, same fit")
			assert.Equal(t, m.W.Data(), m2.W.Data())
		})
	}

	t.Run("batch costs are batch means", func(t *testing.T) {
		// With batch 1 the first cost is one row's squared error at W = 0,
		// B = 0, i.e. mean over the outputs of y², for some row of y.
		_, costs := fit(1)
		found := false
		for i := range 50 {
			r := y.Row(i).Data()
			if math.Abs((r[0]*r[0]+r[1]*r[1])/2-costs[0]) < 1e-12 {
				found = true
			}
		}
		assert.True(t, found, "costs[0] = %g is some row's cost", costs[0])
	})

	t.Run("too large a rate diverges", func(t *testing.T) {
		// With batch 1 a step moves W by α·2·(xᵢ·r)·xᵢ; for x ~ N(0, 1) in
		// three features, |xᵢ|² is about 3, so α = 2 multiplies the error by
		// roughly |1 − 2·2·3| = 11 a step: it blows up within a few epochs.
		m := regression.NewLinear(3, 2)
		costs, err := m.Fit(x, y, regression.Config{LearningRate: 2, Steps: 4000,
			BatchSize: 1, Rand: rand.New(rand.NewPCG(1, 2))})
		require.ErrorIs(t, err, regression.ErrDiverged)
		de, ok := errorsAs[*regression.DivergedError](err)
		require.True(t, ok)
		assert.Len(t, costs, de.Step-1)
		assert.Equal(t, -1, firstNonFiniteIn(m.W, m.B), "W and B are finite")
	})

	t.Run("tolerance compares epochs", func(t *testing.T) {
		m := regression.NewLinear(3, 2)
		costs, err := m.Fit(x, y, regression.Config{LearningRate: 0.05, Steps: 4000,
			BatchSize: 10, Rand: rand.New(rand.NewPCG(1, 2)), Tolerance: 1e-3})
		require.NoError(t, err)
		require.Less(t, len(costs), 4000)
		assert.Zero(t, len(costs)%5, "stops at the end of an epoch of 5 batches, after %d", len(costs))
	})
}

func TestFitNoBiasMatchesLeastSquaresNoBias(t *testing.T) {
	const tol = 1e-9
	rng := rand.New(rand.NewPCG(5, 6))
	x, y := planeData(rng, 40, tensor.FromRows([][]float64{{1}, {-3}}), tensor.FromSlice([]float64{2}), 0.2)
	exact, err := regression.LeastSquaresNoBias(x, y)
	require.NoError(t, err)
	require.Nil(t, exact.B)
	m := &regression.Linear{W: tensor.New(2, 1)}
	_, err = m.Fit(x, y, regression.Config{LearningRate: 0.1, Steps: 2000})
	require.NoError(t, err)
	assert.InDeltaSlice(t, exact.W.Data(), m.W.Data(), tol)
}

func TestFitAllocationsDoNotGrowWithSteps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := planeData(rng, 64, tensor.FromRows([][]float64{{1}, {2}, {3}}), tensor.FromSlice([]float64{1}), 0.1)
	allocs := func(steps, batch int) float64 {
		return testing.AllocsPerRun(5, func() {
			m := regression.NewLinear(3, 1)
			if _, err := m.Fit(x, y, regression.Config{LearningRate: 0.01, Steps: steps,
				BatchSize: batch, Rand: rng}); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, batch := range []int{0, 10} {
		t.Run("batch="+strconv.Itoa(batch), func(t *testing.T) {
			assert.Equal(t, allocs(10, batch), allocs(500, batch), "a step allocates nothing")
		})
	}
}

// bits returns t's values as IEEE 754 bit patterns, so that NaN equals NaN.
func bits(t *tensor.Tensor) []uint64 {
	out := make([]uint64, t.Size())
	for i, v := range t.Data() {
		out[i] = math.Float64bits(v)
	}
	return out
}

// firstNonFiniteIn returns the flat index of the first NaN or ±Inf in the
// tensors taken end to end, or -1.
func firstNonFiniteIn(ts ...*tensor.Tensor) int {
	i := 0
	for _, t := range ts {
		for _, v := range t.Data() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return i
			}
			i++
		}
	}
	return -1
}

// TestFitHugeSteps checks that a step count far beyond what a history
// could hold is no problem when the fit stops early: the history grows
// with the steps made, not with the steps asked for.
func TestFitHugeSteps(t *testing.T) {
	stopAt3 := func(step int, _ float64, _, _ *tensor.Tensor) error {
		if step == 3 {
			return regression.Stop
		}
		return nil
	}
	tests := []struct {
		name string
		cfg  regression.Config
	}{
		{"MaxInt, callback stops", regression.Config{LearningRate: 0.1, Steps: math.MaxInt, Callback: stopAt3}},
		{"2^40, callback stops", regression.Config{LearningRate: 0.1, Steps: 1 << 40, Callback: stopAt3}},
		{"MaxInt, mini-batch, callback stops", regression.Config{LearningRate: 0.1, Steps: math.MaxInt, Callback: stopAt3,
			BatchSize: 2, Rand: rand.New(rand.NewPCG(1, 2))}},
		{"MaxInt, batch size MaxInt", regression.Config{LearningRate: 0.1, Steps: math.MaxInt, Callback: stopAt3,
			BatchSize: math.MaxInt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := lectureData()
			m := model(2, 1)
			var costs []float64
			var err error
			allocs := testing.AllocsPerRun(1, func() { costs, err = m.Fit(x, y, tt.cfg) })
			require.NoError(t, err)
			assert.Len(t, costs, 3, "the updates before step 3")
			assert.Less(t, allocs, 100.0)
		})
	}
	// With full batches the first cost is 29/3 (see TestFitStepsWorkedByHand),
	// and a tolerance ends the fit long before MaxInt steps.
	x, y := lectureData()
	costs, err := model(2, 1).Fit(x, y, regression.Config{LearningRate: 0.1, Steps: math.MaxInt, Tolerance: 1e-9})
	require.NoError(t, err)
	assert.InDelta(t, 29.0/3, costs[0], 1e-12)
	assert.Less(t, len(costs), 100000)
}

// TestNilInputs checks every exported entry point against nil models,
// weights and data: Fit, Check and LeastSquares return an error wrapping
// ErrShape, and Predict, Cost and Gradient panic with the package's own
// message.
func TestNilInputs(t *testing.T) {
	x, y := lectureData()
	ok := regression.Config{LearningRate: 0.01, Steps: 10}
	var nilModel *regression.Linear
	errs := []struct {
		name string
		call func() error
	}{
		{"Fit nil y", func() error { _, err := model(0, 0).Fit(x, nil, ok); return err }},
		{"Fit nil x", func() error { _, err := model(0, 0).Fit(nil, y, ok); return err }},
		{"Fit nil x and y", func() error { _, err := model(0, 0).Fit(nil, nil, ok); return err }},
		{"Fit empty y", func() error { _, err := model(0, 0).Fit(x, &tensor.Tensor{}, ok); return err }},
		{"Fit empty x", func() error { _, err := model(0, 0).Fit(&tensor.Tensor{}, y, ok); return err }},
		{"Fit nil model", func() error { _, err := nilModel.Fit(x, y, ok); return err }},
		{"Fit nil W", func() error { _, err := (&regression.Linear{}).Fit(x, y, ok); return err }},
		{"Fit empty W", func() error { _, err := (&regression.Linear{W: &tensor.Tensor{}}).Fit(x, y, ok); return err }},
		{"Fit empty B", func() error {
			_, err := (&regression.Linear{W: tensor.New(1, 1), B: &tensor.Tensor{}}).Fit(x, y, ok)
			return err
		}},
		{"Check nil model", func() error { return nilModel.Check(x, y) }},
		{"Check nil x", func() error { return model(0, 0).Check(nil, y) }},
		{"LeastSquares nil x", func() error { _, err := regression.LeastSquares(nil, y); return err }},
		{"LeastSquares nil y", func() error { _, err := regression.LeastSquares(x, nil); return err }},
		{"LeastSquaresNoBias empty x", func() error { _, err := regression.LeastSquaresNoBias(&tensor.Tensor{}, y); return err }},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.ErrorIs(t, err, regression.ErrShape)
			assert.Regexp(t, "^regression: ", err.Error())
		})
	}
	panics := []struct {
		name string
		call func()
		msg  string
	}{
		{"Predict nil model", func() { nilModel.Predict(x) }, "regression: Predict: shapes do not match: the model is nil"},
		{"Predict nil x", func() { model(0, 0).Predict(nil) }, "regression: Predict: shapes do not match: x has shape nil, want (rows, 1)"},
		{"Cost nil y", func() { model(0, 0).Cost(x, nil) }, "regression: Cost: shapes do not match: y is nil, want (rows, outputs) or (rows)"},
		{"Cost nil W", func() { (&regression.Linear{}).Cost(x, y) }, "regression: Cost: shapes do not match: W has shape nil, want (features, outputs)"},
		{"Gradient nil y", func() { var dW, dB tensor.Tensor; model(0, 0).Gradient(&dW, &dB, x, nil) },
			"regression: Gradient: shapes do not match: y is nil, want (rows, outputs) or (rows)"},
		{"Gradient nil dW", func() { var dB tensor.Tensor; model(0, 0).Gradient(nil, &dB, x, y) },
			"regression: Gradient: dW is nil, or dB is nil for a model with a bias"},
		{"Gradient nil dB with bias", func() { var dW tensor.Tensor; model(0, 0).Gradient(&dW, nil, x, y) },
			"regression: Gradient: dW is nil, or dB is nil for a model with a bias"},
	}
	for _, tt := range panics {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.call)
		})
	}
}
