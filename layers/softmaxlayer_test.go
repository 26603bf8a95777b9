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

func TestSoftmaxLayersByHand(t *testing.T) {
	const tol = 1e-15
	ln := math.Log
	// x (1, 2, 2) = [[ln 3, 0], [0, 0]]. Along axis 1 the lines are the
	// columns, (ln 3, 0) → (¾, ¼) and (0, 0) → (½, ½); along axis 2 (−1)
	// the rows.
	x := tensor.FromSlice([]float64{ln(3), 0, 0, 0}, 1, 2, 2)
	dout := tensor.FromSlice([]float64{1, 2, 3, 4}, 1, 2, 2)
	tests := []struct {
		name  string
		l     layer
		y, dx []float64
	}{
		// Column 0: y = (¾, ¼), dout = (1, 3), Σ dout·y = 1.5, dx = y(dout − 1.5)
		// = (−0.375, 0.375); column 1: y = (½, ½), dout = (2, 4), Σ = 3,
		// dx = (−0.5, 0.5).
		{"Softmax axis 1", NewSoftmax(1), []float64{0.75, 0.5, 0.25, 0.5}, []float64{-0.375, -0.5, 0.375, 0.5}},
		{"Softmax axis -2 is axis 1", NewSoftmax(-2), []float64{0.75, 0.5, 0.25, 0.5}, []float64{-0.375, -0.5, 0.375, 0.5}},
		// Row 0: y = (¾, ¼), dout = (1, 2), Σ = 1.25, dx = (−0.1875, 0.1875);
		// row 1: y = (½, ½), dout = (3, 4), Σ = 3.5, dx = (−0.25, 0.25).
		{"Softmax axis -1", NewSoftmax(-1), []float64{0.75, 0.25, 0.5, 0.5}, []float64{-0.1875, 0.1875, -0.25, 0.25}},
		{"Softmax axis 2 is -1", NewSoftmax(2), []float64{0.75, 0.25, 0.5, 0.5}, []float64{-0.1875, 0.1875, -0.25, 0.25}},
		// dx = dout − softmax·Σ dout: column 0, Σ = 4, (1 − 3, 3 − 1);
		// column 1, Σ = 6, (2 − 3, 4 − 3).
		{"LogSoftmax axis 1", NewLogSoftmax(1), []float64{ln(0.75), -math.Ln2, ln(0.25), -math.Ln2}, []float64{-2, -1, 2, 1}},
		// row 0, Σ = 3: (1 − 2.25, 2 − 0.75); row 1, Σ = 7: (3 − 3.5, 4 − 3.5).
		{"LogSoftmax axis -1", NewLogSoftmax(-1), []float64{ln(0.75), ln(0.25), -math.Ln2, -math.Ln2}, []float64{-1.25, 1.25, -0.5, 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := tt.l.Forward(x)
			require.Equal(t, x.Shape(), y.Shape())
			assert.InDeltaSlice(t, tt.y, y.Data(), tol, "y")
			dx := tt.l.Backward(dout)
			require.Equal(t, x.Shape(), dx.Shape())
			assert.InDeltaSlice(t, tt.dx, dx.Data(), tol, "dx")
		})
	}
}

// TestSoftmaxLayersFarApart: the maximum is subtracted first, so scores
// whose exponentials overflow give the right probabilities, and the
// log-softmax stays finite where the softmax underflows to 0.
func TestSoftmaxLayersFarApart(t *testing.T) {
	const tol = 1e-12 // 800 + ln 2 is rounded to a multiple of 2⁻⁴³ ≈ 1.1e-13
	x := tensor.FromSlice([]float64{1000, 0, -1000, 800, 800, 800 + math.Ln2}, 2, 3)
	assert.InDeltaSlice(t, []float64{1, 0, 0, 0.25, 0.25, 0.5}, NewSoftmax(-1).Forward(x).Data(), tol)
	assert.InDeltaSlice(t, []float64{0, -1000, -2000, -2 * math.Ln2, -2 * math.Ln2, -math.Ln2}, NewLogSoftmax(1).Forward(x).Data(), tol)
}

// TestSoftmaxLayersOnTheLastAxisAreTheHeads: along the last axis of
// scores (n, classes) the layers compute what the heads' predictions are.
func TestSoftmaxLayersOnTheLastAxisAreTheHeads(t *testing.T) {
	const tol = 1e-15
	x := tensor.RandN(newRand(), 3, 5, 4)
	var p tensor.Tensor
	(&SoftmaxWithLoss{}).Predict(&p, x)
	assert.InDeltaSlice(t, p.Data(), NewSoftmax(-1).Forward(x).Data(), tol)
	(&LogSoftmaxWithLoss{}).Predict(&p, x)
	assert.InDeltaSlice(t, p.Data(), NewLogSoftmax(1).Forward(x).Data(), tol)
}

func TestSoftmaxLayersBackwardMatchesNumerical(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name  string
		l     layer
		shape []int
	}{
		{"Softmax (N, C) axis 1", NewSoftmax(1), []int{3, 4}},
		{"Softmax (N, C) axis -1", NewSoftmax(-1), []int{3, 4}},
		{"Softmax (N, C, L) axis 1", NewSoftmax(1), []int{2, 3, 4}},
		{"Softmax (N, C, H, W) axis 1", NewSoftmax(1), []int{2, 3, 2, 2}},
		{"Softmax (N, C, H, W) axis 2", NewSoftmax(2), []int{2, 3, 4, 2}},
		{"Softmax (N, C, H, W) axis -1", NewSoftmax(-1), []int{2, 3, 4, 5}},
		{"Softmax of one value per line", NewSoftmax(1), []int{2, 1, 3}},
		{"LogSoftmax (N, C) axis -1", NewLogSoftmax(-1), []int{3, 4}},
		{"LogSoftmax (N, C, L) axis 1", NewLogSoftmax(1), []int{2, 3, 4}},
		{"LogSoftmax (N, C, H, W) axis -3", NewLogSoftmax(-3), []int{2, 3, 2, 2}},
		{"LogSoftmax (N, C, H, W) axis 3", NewLogSoftmax(3), []int{2, 3, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := tensor.RandN(rng, 2, tt.shape...)
			c := tensor.RandN(rng, 1, tt.shape...)
			numeric := grad.Numerical(scalarLoss(tt.l, c), x)
			tt.l.Forward(x)
			dx := tt.l.Backward(c)
			require.Equal(t, tt.shape, dx.Shape())
			d := grad.Check([]*tensor.Tensor{dx}, []*tensor.Tensor{numeric})[0]
			assert.Less(t, d.MaxAbs, gradTol, "%v", d)
		})
	}
}

func TestSoftmaxLayersDescribeAndBuild(t *testing.T) {
	build := func(kind, cfg string, params ...*tensor.Tensor) (Layer, error) {
		return Build(Description{Kind: kind, Config: json.RawMessage(cfg)}, params, nil)
	}
	l, err := build("Softmax", ``)
	require.NoError(t, err)
	assert.Equal(t, -1, l.(*Softmax).Axis, "ONNX's default, the last axis")
	l, err = build("LogSoftmax", `{"axis": 2}`)
	require.NoError(t, err)
	assert.Equal(t, 2, l.(*LogSoftmax).Axis)

	_, err = build("Softmax", `{"axis": 0}`)
	assert.EqualError(t, err, "layers: Softmax: axis 0 is the batch axis, which would mix samples")
	_, err = build("LogSoftmax", `{"axis": 1.5}`)
	assert.ErrorContains(t, err, "cannot unmarshal number 1.5")
	_, err = build("Softmax", `{"dim": 1}`)
	assert.ErrorContains(t, err, `unknown field "dim"`)
	_, err = build("LogSoftmax", `{"axis": 1}`, tensor.New(1))
	assert.EqualError(t, err, "layers: LogSoftmax has no tensors, the model gives 1")

	b, err := json.Marshal(NewLogSoftmax(-3).Describe())
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"LogSoftmax","config":{"axis":-3}}`, string(b))
}

func TestSoftmaxLayersClone(t *testing.T) {
	x := tensor.RandN(newRand(), 1, 2, 3, 4)
	for _, l := range []Layer{NewSoftmax(1), NewLogSoftmax(-2)} {
		c := l.(Cloner).Clone()
		assert.IsType(t, l, c)
		assert.Equal(t, l.Forward(x).Data(), c.Forward(x).Data(), "%T", l)
	}
}

func TestSoftmaxLayersPanics(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		fn   func()
	}{
		{"NewSoftmax batch axis", "layers: NewSoftmax: axis 0 is the batch axis, which would mix samples", func() { NewSoftmax(0) }},
		{"NewLogSoftmax batch axis", "layers: NewLogSoftmax: axis 0 is the batch axis, which would mix samples", func() { NewLogSoftmax(0) }},
		{"zero value", "layers: Softmax.Forward: axis 0 of input shape [2 3] is not an axis of a sample (the batch axis 0 would mix samples)",
			func() { new(Softmax).Forward(tensor.New(2, 3)) }},
		{"negative axis to the batch", "layers: LogSoftmax.Forward: axis -2 of input shape [2 3] is not an axis of a sample (the batch axis 0 would mix samples)",
			func() { NewLogSoftmax(-2).Forward(tensor.New(2, 3)) }},
		{"axis beyond the input", "layers: Softmax.Forward: axis 2 of input shape [2 3] is not an axis of a sample (the batch axis 0 would mix samples)",
			func() { NewSoftmax(2).Forward(tensor.New(2, 3)) }},
		{"backward first", "layers: LogSoftmax.Backward: called before Forward", func() { NewLogSoftmax(1).Backward(tensor.New(2, 3)) }},
		{"dout shape", "layers: Softmax.Backward: dout shape [3 2] does not match output shape [2 3]", func() {
			s := NewSoftmax(1)
			s.Forward(tensor.New(2, 3))
			s.Backward(tensor.New(3, 2))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

func TestSoftmaxLayersStepDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	x, dout := tensor.RandN(rng, 1, 8, 3, 4, 4), tensor.RandN(rng, 1, 8, 3, 4, 4)
	for _, l := range []layer{NewSoftmax(1), NewLogSoftmax(-1)} {
		l.Forward(x)
		l.Backward(dout)
		assert.Zero(t, testing.AllocsPerRun(10, func() {
			l.Forward(x)
			l.Backward(dout)
		}), "%T", l)
	}
}
