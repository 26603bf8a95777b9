package regression_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"

	"github.com/numlearn/numlearn/regression"
	"github.com/numlearn/numlearn/tensor"
)

// The lectures' data set: x = y = [1, 2, 3], one feature, one output.
func lectureData() (x, y *tensor.Tensor) {
	return tensor.FromSlice([]float64{1, 2, 3}, 3, 1), tensor.FromSlice([]float64{1, 2, 3})
}

func model(w, b float64) *regression.Linear {
	return &regression.Linear{W: tensor.FromSlice([]float64{w}, 1, 1), B: tensor.FromSlice([]float64{b})}
}

func TestCostAndGradientThreePoints(t *testing.T) {
	const tol = 1e-12
	// On x = y = [1, 2, 3] the residual is r = (W−1)·x + b, so
	//   cost = ((W−1+b)² + (2(W−1)+b)² + (3(W−1)+b)²)/3
	//   ∂/∂W = 2/3·Σ xᵢrᵢ,   ∂/∂b = 2/3·Σ rᵢ.
	tests := []struct {
		name         string
		w, b         float64
		bias         bool
		cost, dW, dB float64
	}{
		// W=2, b=1: H = [3 5 7], r = [2 3 4]; cost = (4+9+16)/3 = 29/3,
		// ∂W = 2/3·(2+6+12) = 40/3, ∂b = 2/3·9 = 6.
		{"W=2 b=1", 2, 1, true, 29.0 / 3, 40.0 / 3, 6},
		// W=1, b=0 is the exact fit: r = 0.
		{"W=1 b=0", 1, 0, true, 0, 0, 0},
		// W=0, b=0: r = −y; cost = 14/3, ∂W = −2/3·14 = −28/3, ∂b = −2/3·6 = −4.
		{"W=0 b=0", 0, 0, true, 14.0 / 3, -28.0 / 3, -4},
		// W=1, b=−1: r = [−1 −1 −1]; cost = 1, ∂W = 2/3·(−6) = −4, ∂b = −2.
		{"W=1 b=-1", 1, -1, true, 1, -4, -2},
		// No bias, W=2: r = x; cost = 14/3, ∂W = 2/3·14 = 28/3.
		{"no bias W=2", 2, 0, false, 14.0 / 3, 28.0 / 3, 0},
		// No bias, W=−3: r = −4x; cost = 16·14/3, ∂W = 2/3·(−4)·14 = −112/3.
		{"no bias W=-3", -3, 0, false, 16 * 14.0 / 3, -112.0 / 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := lectureData()
			m := model(tt.w, tt.b)
			if !tt.bias {
				m.B = nil
			}
			assert.InDelta(t, tt.cost, m.Cost(x, y), tol, "Cost")

			var dW, dB tensor.Tensor
			cost := m.Gradient(&dW, &dB, x, y)
			assert.InDelta(t, tt.cost, cost, tol, "Gradient's cost")
			assert.Equal(t, []int{1, 1}, dW.Shape())
			assert.InDelta(t, tt.dW, dW.At(0, 0), tol, "∂cost/∂W")
			if tt.bias {
				assert.Equal(t, []int{1}, dB.Shape())
				assert.InDelta(t, tt.dB, dB.At(0), tol, "∂cost/∂B")
			} else {
				assert.True(t, dB.IsEmpty(), "dB is left alone without bias")
			}
			// Nothing else changed.
			assert.Equal(t, tt.w, m.W.At(0, 0))
			assert.Equal(t, []float64{1, 2, 3}, y.Data())
		})
	}
}

func TestCostOneDAndTwoDYAgree(t *testing.T) {
	const tol = 1e-12
	x, y := lectureData()
	m := model(2, 1)
	assert.InDelta(t, 29.0/3, m.Cost(x, y.Reshape(3, 1)), tol)
	assert.InDelta(t, m.Cost(x, y), m.Cost(x, y.Reshape(3, 1)), tol)
}

func TestPredict(t *testing.T) {
	const tol = 1e-12
	// W = [[1 2] [3 4] [5 6]], B = [10 20]; row [1 0 −1] gives
	// [1−5+10, 2−6+20] = [6 16], row [2 1 0] gives [2+3+10, 4+4+20] = [15 28].
	m := &regression.Linear{
		W: tensor.FromRows([][]float64{{1, 2}, {3, 4}, {5, 6}}),
		B: tensor.FromSlice([]float64{10, 20}),
	}
	x := tensor.FromRows([][]float64{{1, 0, -1}, {2, 1, 0}})
	h := m.Predict(x)
	require.Equal(t, []int{2, 2}, h.Shape())
	assert.InDeltaSlice(t, []float64{6, 16, 15, 28}, h.Data(), tol)

	m.B = nil // no bias: [−4 −4] and [5 8]
	assert.InDeltaSlice(t, []float64{-4, -4, 5, 8}, m.Predict(x).Data(), tol)

	// Cost over both outputs: y = H − [1 2; 3 4] gives r² = 1,4,9,16, mean 30/4.
	y := tensor.FromRows([][]float64{{-5, -6}, {2, 4}})
	assert.InDelta(t, 30.0/4, m.Cost(x, y), tol)
}

func TestGradientMatchesFiniteDifferences(t *testing.T) {
	const tol = 1e-6
	tests := []struct {
		name                 string
		rows, features, outs int
		bias                 bool
	}{
		{"rows=5 features=1 outputs=1", 5, 1, 1, true},
		{"rows=7 features=3 outputs=2", 7, 3, 2, true},
		{"rows=4 features=6 outputs=3", 4, 6, 3, true},
		{"rows=80 features=5 outputs=12", 80, 5, 12, true}, // the general product
		{"rows=6 features=3 outputs=2 no bias", 6, 3, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			x := tensor.RandN(rng, 1, tt.rows, tt.features)
			y := tensor.RandN(rng, 1, tt.rows, tt.outs)
			m := &regression.Linear{W: tensor.RandN(rng, 1, tt.features, tt.outs)}
			if tt.bias {
				m.B = tensor.RandN(rng, 1, tt.outs)
			}
			var dW, dB tensor.Tensor
			m.Gradient(&dW, &dB, x, y)

			// Central differences of Cost in each parameter tensor.
			check := func(name string, p, g *tensor.Tensor) {
				orig := p.Clone()
				num := fd.Gradient(nil, func(v []float64) float64 {
					copy(p.Data(), v)
					return m.Cost(x, y)
				}, orig.Data(), &fd.Settings{Formula: fd.Central, Step: 1e-5})
				p.CopyFrom(orig)
				assert.InDeltaSlice(t, num, g.Data(), tol, name)
			}
			check("dW", m.W, &dW)
			if tt.bias {
				check("dB", m.B, &dB)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	good := func() *regression.Linear { return regression.NewLinear(2, 1) }
	x2 := tensor.FromRows([][]float64{{1, 2}, {3, 4}, {5, 6}})
	y3 := tensor.FromSlice([]float64{1, 2, 3})
	tests := []struct {
		name string
		m    *regression.Linear
		x, y *tensor.Tensor
		want error
	}{
		{"fine, y 1-D", good(), x2, y3, nil},
		{"fine, y 2-D", good(), x2, y3.Reshape(3, 1), nil},
		{"fine, y nil", good(), x2, nil, nil},
		{"rows differ", good(), x2, tensor.New(4), regression.ErrShape},
		{"rows differ 2-D", good(), x2, tensor.New(2, 1), regression.ErrShape},
		{"x columns differ from W rows", regression.NewLinear(3, 1), x2, y3, regression.ErrShape},
		{"y columns differ from W columns", regression.NewLinear(2, 2), x2, y3.Reshape(3, 1), regression.ErrShape},
		{"y 1-D with two outputs", regression.NewLinear(2, 2), x2, y3, regression.ErrShape},
		{"y 3-D", good(), x2, tensor.New(3, 1, 1), regression.ErrShape},
		{"x 1-D", good(), tensor.New(3), y3, regression.ErrShape},
		{"x nil", good(), nil, y3, regression.ErrShape},
		{"W nil", &regression.Linear{}, x2, y3, regression.ErrShape},
		{"W 1-D", &regression.Linear{W: tensor.New(2)}, x2, y3, regression.ErrShape},
		{"B wrong length", &regression.Linear{W: tensor.New(2, 1), B: tensor.New(2)}, x2, y3, regression.ErrShape},
		{"B 2-D", &regression.Linear{W: tensor.New(2, 1), B: tensor.New(1, 1)}, x2, y3, regression.ErrShape},
		{"no rows", good(), tensor.New(0, 2), tensor.New(0), regression.ErrEmpty},
		{"no features", regression.NewLinear(0, 1), tensor.New(3, 0), y3, regression.ErrEmpty},
		{"no outputs", regression.NewLinear(2, 0), x2, tensor.New(3, 0), regression.ErrEmpty},
		{"NaN in x", good(), tensor.FromRows([][]float64{{1, 2}, {math.NaN(), 4}, {5, 6}}), y3, regression.ErrNonFinite},
		{"+Inf in y", good(), x2, tensor.FromSlice([]float64{1, math.Inf(1), 3}), regression.ErrNonFinite},
		{"-Inf in W", &regression.Linear{W: tensor.FromSlice([]float64{0, math.Inf(-1)}, 2, 1)}, x2, y3, regression.ErrNonFinite},
		{"NaN in B", &regression.Linear{W: tensor.New(2, 1), B: tensor.FromSlice([]float64{math.NaN()})}, x2, y3, regression.ErrNonFinite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Check(tt.x, tt.y)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Regexp(t, "^regression: ", err.Error())
		})
	}
}

func TestShapeMisusePanics(t *testing.T) {
	x, y := lectureData()
	m := model(1, 0)
	tests := []struct {
		name string
		call func()
		msg  string
	}{
		{"Predict x with two columns", func() { m.Predict(tensor.New(3, 2)) },
			"regression: Predict: shapes do not match: x has shape [3 2] but W has shape [1 1]: x needs 1 columns"},
		{"Cost rows differ", func() { m.Cost(x, tensor.New(4)) },
			"regression: Cost: shapes do not match: x has 3 rows but y has 4"},
		{"Gradient y columns", func() { var dW, dB tensor.Tensor; m.Gradient(&dW, &dB, x, tensor.New(3, 2)) },
			"regression: Gradient: shapes do not match: y has shape [3 2] but W has shape [1 1]: y needs 1 columns"},
		{"Gradient dW of the wrong shape", func() { var dB tensor.Tensor; m.Gradient(tensor.New(2, 2), &dB, x, y) },
			"regression: Gradient: dW has shape [2 2], want [1 1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.call)
		})
	}
}

func TestNewLinear(t *testing.T) {
	m := regression.NewLinear(3, 2)
	assert.Equal(t, []int{3, 2}, m.W.Shape())
	assert.Equal(t, []int{2}, m.B.Shape())
	assert.Equal(t, 0.0, m.W.Sum())
	assert.Equal(t, 0.0, m.B.Sum())
}

// errorsAs is errors.As with a typed result, for table tests.
func errorsAs[T error](err error) (T, bool) {
	var target T
	ok := errors.As(err, &target)
	return target, ok
}
