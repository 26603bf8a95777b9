package layers

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// standardizeTol bounds rounding in statistics and outputs of order 1 to
// 40 computed from a handful of values.
const standardizeTol = 1e-12

func fitStandardize(t *testing.T, x *tensor.Tensor) *Standardize {
	t.Helper()
	s, err := NewStandardize(x)
	require.NoError(t, err)
	return s
}

// Two features over four samples:
//
//	column 0: 0, 0, 4, 4     mean 2,  deviations ∓2,          variance 16/4 = 4,    std 2
//	column 1: 10, 20, 30, 40 mean 25, deviations ∓15, ∓5,     variance 500/4 = 125, std √125 = 5√5
//
// The population std (ddof = 0) is what StandardScaler uses; the sample
// std (ddof = 1) would be √(16/3) for column 0.
func TestStandardizeByHand(t *testing.T) {
	x := tensor.FromRows([][]float64{{0, 10}, {0, 20}, {4, 30}, {4, 40}})
	s := fitStandardize(t, x)
	assert.Equal(t, []int{2}, s.Mean.Shape())
	assert.InDeltaSlice(t, []float64{2, 25}, s.Mean.Data(), standardizeTol)
	assert.InDeltaSlice(t, []float64{2, 5 * math.Sqrt(5)}, s.Std.Data(), standardizeTol)

	r5 := 1 / math.Sqrt(5) // 5/√125
	tests := []struct {
		name string
		x    *tensor.Tensor
		want []float64
	}{
		// (0−2)/2 = −1, (10−25)/(5√5) = −3/√5, …
		{"the training data", x, []float64{-1, -3 * r5, -1, -r5, 1, r5, 1, 3 * r5}},
		// (6−2)/2 = 2, (25−25)/(5√5) = 0
		{"a batch of one", tensor.FromRows([][]float64{{6, 25}}), []float64{2, 0}},
		// (2−2)/2 = 0, (30−25)/(5√5) = 1/√5
		{"one sample in its own shape", tensor.FromSlice([]float64{2, 30}), []float64{0, r5}},
		{"a batch of none", tensor.New(0, 2), []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := s.Forward(tt.x)
			require.Equal(t, tt.x.Shape(), y.Shape())
			assert.InDeltaSlice(t, tt.want, y.Data(), standardizeTol)
		})
	}

	// ∂y/∂x = 1/σ: dout = 1 gives 1/2 and 1/(5√5) = 1/√125.
	s.Forward(tensor.FromRows([][]float64{{6, 25}}))
	dx := s.Backward(tensor.FromRows([][]float64{{1, 1}}))
	assert.Equal(t, []int{1, 2}, dx.Shape())
	assert.InDeltaSlice(t, []float64{0.5, 1 / math.Sqrt(125)}, dx.Data(), standardizeTol)
}

// Images (n, C, H, W): one statistic per pixel, over the two images.
// Pixel [0 0 0]: 1 and 3, mean 2, std 1. Pixel [0 0 1]: 0 and 10, mean 5,
// std 5.
func TestStandardizePerPixel(t *testing.T) {
	x := tensor.FromSlice([]float64{1, 0, 3, 10}, 2, 1, 1, 2)
	s := fitStandardize(t, x)
	assert.Equal(t, []int{1, 1, 2}, s.Mean.Shape())
	assert.Equal(t, []int{1, 1, 2}, s.Std.Shape())
	assert.InDeltaSlice(t, []float64{2, 5}, s.Mean.Data(), standardizeTol)
	assert.InDeltaSlice(t, []float64{1, 5}, s.Std.Data(), standardizeTol)
	y := s.Forward(x)
	assert.Equal(t, []int{2, 1, 1, 2}, y.Shape())
	assert.InDeltaSlice(t, []float64{-1, -1, 1, 1}, y.Data(), standardizeTol)
}

// A constant feature gets Std 1, as in scikit-learn, and maps to 0. A
// repeated 0.1 sums to 0.30000000000000004, so its computed mean is not
// 0.1 and its computed variance not 0: it must still count as constant.
// −0.13725701 ten times is scikit-learn's own case of a floating-point
// variance that is not 0.
func TestStandardizeConstantFeature(t *testing.T) {
	tests := []struct {
		name   string
		column []float64
	}{
		{"zeros", []float64{0, 0, 0}},
		{"an integer", []float64{3, 3, 3}},
		{"0.1 three times", []float64{0.1, 0.1, 0.1}},
		{"scikit-learn's case", []float64{-0.13725701, -0.13725701, -0.13725701, -0.13725701, -0.13725701,
			-0.13725701, -0.13725701, -0.13725701, -0.13725701, -0.13725701}},
		{"a large value", []float64{1e200, 1e200}},
		{"one sample", []float64{7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.column)
			// Column 1 varies: 0, 1, 0, 1, … so that only column 0 is constant.
			x := tensor.New(n, 2)
			for i, v := range tt.column {
				x.Set(v, i, 0)
				x.Set(float64(i%2), i, 1)
			}
			s := fitStandardize(t, x)
			assert.Equal(t, 1.0, s.Std.At(0), "the constant column's std")
			assert.InDelta(t, tt.column[0], s.Mean.At(0), 1e-15*math.Abs(tt.column[0]), "its mean")
			y := s.Forward(x)
			for i := range n {
				// (v − mean)/1 with mean within rounding of v: ~1e-17·|v|.
				assert.InDelta(t, 0, y.At(i, 0), 1e-15*math.Abs(tt.column[0]), "row %d", i)
			}
		})
	}
}

func TestStandardizeBackwardMatchesNumerical(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name      string
		fit, x    *tensor.Tensor
		wantShape []int
	}{
		{"(n, d)", tensor.RandN(rng, 3, 6, 4), tensor.RandN(rng, 2, 5, 4), []int{5, 4}},
		{"images (n, C, H, W)", tensor.RandN(rng, 3, 4, 2, 2, 3), tensor.RandN(rng, 2, 3, 2, 2, 3), []int{3, 2, 2, 3}},
		{"one sample in its own shape", tensor.RandN(rng, 3, 6, 4), tensor.RandN(rng, 2, 4), []int{4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fitStandardize(t, tt.fit)
			c := tensor.RandN(rng, 1, tt.wantShape...)
			numeric := grad.Numerical(scalarLoss(s, c), tt.x)

			y := s.Forward(tt.x)
			require.Equal(t, tt.wantShape, y.Shape())
			dx := s.Backward(c)
			require.Equal(t, tt.x.Shape(), dx.Shape(), "dx has the input's shape")
			d := grad.Check([]*tensor.Tensor{dx}, []*tensor.Tensor{numeric})[0]
			assert.Less(t, d.MaxAbs, gradTol, "dx: %v", d)
		})
	}
}

func TestStandardizeParamsAreState(t *testing.T) {
	s := fitStandardize(t, tensor.FromRows([][]float64{{0, 10}, {4, 30}}))
	ps := s.Params()
	require.Len(t, ps, 2)
	for i, want := range []struct {
		name  string
		value *tensor.Tensor
	}{{"mean", s.Mean}, {"std", s.Std}} {
		assert.Equal(t, want.name, ps[i].Name)
		assert.Same(t, want.value, ps[i].Value, "%s is the layer's own tensor", want.name)
		assert.True(t, ps[i].IsState(), "%s is state", want.name)
		assert.False(t, ps[i].Decay, "%s is not decayed", want.name)
	}
}

func TestStandardizeRebuildsFromItsDescription(t *testing.T) {
	rng := newRand()
	x := tensor.RandN(rng, 4, 10, 3)
	s := fitStandardize(t, x)
	b, err := json.Marshal(s.Describe())
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"Standardize"}`, string(b))

	got := rebuild(t, s)
	require.IsType(t, s, got)
	assert.Equal(t, s.Mean.Data(), got.(*Standardize).Mean.Data())
	assert.Equal(t, s.Std.Data(), got.(*Standardize).Std.Data())
	want := s.Forward(x).Clone()
	assert.Equal(t, bits(want), bits(got.Forward(x)))

	c := s.Clone()
	require.IsType(t, s, c)
	assert.Equal(t, bits(want), bits(c.Forward(x)))
	c.(*Standardize).Std.Data()[0] = 100
	assert.NotEqual(t, 100.0, s.Std.Data()[0], "the clone has statistics of its own")
}

func TestStandardizeBuildRejects(t *testing.T) {
	build := func(cfg string, params ...*tensor.Tensor) error {
		_, err := Build(Description{Kind: "Standardize", Config: json.RawMessage(cfg)}, params, nil)
		return err
	}
	v := func(vals ...float64) *tensor.Tensor { return tensor.FromSlice(vals) }
	require.NoError(t, build(``, v(0, 1), v(1, 2)))
	tests := []struct {
		name    string
		cfg     string
		params  []*tensor.Tensor
		wantErr string
	}{
		{"a configuration", `{"axis": 0}`, []*tensor.Tensor{v(0), v(1)}, `layers: Standardize: config {"axis": 0}: json: unknown field "axis"`},
		{"one tensor", ``, []*tensor.Tensor{v(0)}, "layers: Standardize has 2 tensors, the model gives 1"},
		{"three tensors", ``, []*tensor.Tensor{v(0), v(1), v(1)}, "layers: Standardize has 2 tensors, the model gives 3"},
		{"shapes differ", ``, []*tensor.Tensor{v(0, 0), v(1)}, "layers: Standardize: mean shape [2] and std shape [1]: want one shape of at least one dimension"},
		{"a nil tensor", ``, []*tensor.Tensor{v(0), nil}, "layers: Standardize: mean shape [1] and std shape []: want one shape of at least one dimension"},
		{"scalars", ``, []*tensor.Tensor{tensor.Scalar(0), tensor.Scalar(1)}, "layers: Standardize: mean shape [] and std shape []: want one shape of at least one dimension"},
		{"std 0", ``, []*tensor.Tensor{v(0, 0), v(1, 0)}, "layers: Standardize: std at [1] is 0, want a finite positive value"},
		{"std negative", ``, []*tensor.Tensor{v(0, 0), v(-1, 1)}, "layers: Standardize: std at [0] is -1, want a finite positive value"},
		{"std NaN", ``, []*tensor.Tensor{v(0, 0), v(1, math.NaN())}, "layers: Standardize: std at [1] is NaN, want a finite positive value"},
		{"std infinite", ``, []*tensor.Tensor{v(0, 0), v(math.Inf(1), 1)}, "layers: Standardize: std at [0] is +Inf, want a finite positive value"},
		{"mean NaN", ``, []*tensor.Tensor{v(0, math.NaN()), v(1, 1)}, "layers: Standardize: mean at [1] is NaN, want a finite value"},
		{"mean infinite", ``, []*tensor.Tensor{tensor.FromSlice([]float64{0, 0, 0, math.Inf(-1)}, 2, 2), tensor.Full(1, 2, 2)},
			"layers: Standardize: mean at [1 1] is -Inf, want a finite value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.EqualError(t, build(tt.cfg, tt.params...), tt.wantErr)
		})
	}
}

// NaN and infinities are data, not programmer errors: NewStandardize
// reports them, naming the sample and the position.
func TestNewStandardizeRejectsNonFiniteData(t *testing.T) {
	tests := []struct {
		name    string
		x       *tensor.Tensor
		wantErr string
	}{
		{"NaN", tensor.FromRows([][]float64{{0, 1}, {2, 3}, {4, math.NaN()}}),
			"layers: NewStandardize: x holds NaN in sample 2 (at [2 1]); the statistics need finite data"},
		{"infinity in an image", tensor.FromSlice([]float64{0, 1, 2, 3, math.Inf(1), 5, 6, 7}, 2, 1, 2, 2),
			"layers: NewStandardize: x holds +Inf in sample 1 (at [1 0 0 0]); the statistics need finite data"},
		// 1.5e308 + 1.5e308 overflows, so the mean does.
		{"the mean overflows", tensor.FromRows([][]float64{{0, 1.5e308}, {0, 1.5e308}}),
			"layers: NewStandardize: feature [1]: the mean or variance of its values overflows float64"},
		// The mean is 0, the squared deviations (1e200)² overflow.
		{"the variance overflows", tensor.FromRows([][]float64{{-1e200, 0}, {1e200, 0}}),
			"layers: NewStandardize: feature [0]: the mean or variance of its values overflows float64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewStandardize(tt.x)
			assert.EqualError(t, err, tt.wantErr)
			assert.Nil(t, s)
		})
	}
}

func TestStandardizePanics(t *testing.T) {
	fitted := func() *Standardize {
		return fitStandardize(t, tensor.FromRows([][]float64{{0, 10}, {4, 30}}))
	}
	tests := []struct {
		name string
		fn   func()
		want string
	}{
		{"fit on 1-D data", func() { _, _ = NewStandardize(tensor.FromSlice([]float64{1, 2, 3})) },
			"layers: NewStandardize: x shape [3] is not (n, …) with at least one sample and one feature axis"},
		{"fit on no samples", func() { _, _ = NewStandardize(tensor.New(0, 2)) },
			"layers: NewStandardize: x shape [0 2] is not (n, …) with at least one sample and one feature axis"},
		{"too many features", func() { fitted().Forward(tensor.New(4, 3)) },
			"layers: Standardize.Forward: input shape [4 3] is not samples of shape [2], the statistics' shape"},
		{"samples of another shape", func() { fitted().Forward(tensor.New(4, 1, 2)) },
			"layers: Standardize.Forward: input shape [4 1 2] is not samples of shape [2], the statistics' shape"},
		{"a scalar", func() { fitted().Forward(tensor.Scalar(1)) },
			"layers: Standardize.Forward: input shape [] is not samples of shape [2], the statistics' shape"},
		{"backward first", func() { fitted().Backward(tensor.New(1, 2)) },
			"layers: Standardize.Backward: called before Forward"},
		{"dout of another shape", func() {
			s := fitted()
			s.Forward(tensor.New(3, 2))
			s.Backward(tensor.New(2, 2))
		}, "layers: Standardize.Backward: dout shape [2 2] does not match output shape [3 2]"},
		{"not fitted", func() { (&Standardize{}).Forward(tensor.New(1, 2)) },
			"layers: Standardize.Forward: Mean or Std is nil (fit the layer with NewStandardize)"},
		{"statistics of two shapes", func() {
			(&Standardize{Mean: tensor.New(2), Std: tensor.Full(1, 3)}).Forward(tensor.New(1, 2))
		}, "layers: Standardize.Forward: Mean shape [2] and Std shape [3] differ"},
		{"clone not fitted", func() { (&Standardize{}).Clone() },
			"layers: Standardize.Clone: Mean or Std is nil (fit the layer with NewStandardize)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.fn)
		})
	}
}

// A struct literal with statistics of one's own is a working layer.
func TestStandardizeLiteral(t *testing.T) {
	s := &Standardize{Mean: tensor.FromSlice([]float64{1, -1}), Std: tensor.FromSlice([]float64{2, 4})}
	// (3−1)/2 = 1, (3+1)/4 = 1
	y := s.Forward(tensor.FromRows([][]float64{{3, 3}}))
	assert.InDeltaSlice(t, []float64{1, 1}, y.Data(), standardizeTol)
}
