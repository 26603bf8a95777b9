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

func TestRectifiersByHand(t *testing.T) {
	const tol = 1e-15
	e1 := math.Exp(-1) // e⁻¹
	x := tensor.FromSlice([]float64{2, -1, 0, -4}, 2, 2)
	dout := tensor.FromSlice([]float64{10, 20, 30, 40}, 2, 2)
	tests := []struct {
		name    string
		l       layer
		y, dx   []float64
		dSlope  []float64 // PReLU's ∂L/∂a
		x, dout *tensor.Tensor
	}{
		// y = x for x > 0, α·x elsewhere; dx = dout there, α·dout elsewhere
		// (at x = 0 too).
		{"LeakyReLU 0.1", NewLeakyReLU(0.1), []float64{2, -0.1, 0, -0.4}, []float64{10, 2, 3, 4}, nil, x, dout},
		{"LeakyReLU zero value is ReLU", &LeakyReLU{}, []float64{2, 0, 0, 0}, []float64{10, 0, 0, 0}, nil, x, dout},
		{"LeakyReLU negative slope", NewLeakyReLU(-2), []float64{2, 2, 0, 8}, []float64{10, -40, -60, -80}, nil, x, dout},
		// y = α·(eˣ − 1) for x ≤ 0: −α(1 − e⁻¹) at −1; dx = α·eˣ·dout.
		{"ELU 1", NewELU(1), []float64{2, e1 - 1, 0, math.Exp(-4) - 1}, []float64{10, 20 * e1, 30, 40 * math.Exp(-4)}, nil, x, dout},
		{"ELU 0.5", NewELU(0.5), []float64{2, 0.5 * (e1 - 1), 0, 0.5 * (math.Exp(-4) - 1)}, []float64{10, 10 * e1, 15, 20 * math.Exp(-4)}, nil, x, dout},
		// One slope for all: a = 0.25; ∂L/∂a = Σ dout·x where x ≤ 0 =
		// 20·(−1) + 30·0 + 40·(−4) = −180.
		{"PReLU shared", NewPReLU(tensor.FromSlice([]float64{0.25})), []float64{2, -0.25, 0, -1}, []float64{10, 5, 7.5, 10}, []float64{-180}, x, dout},
		// Two channels on axis 1 of (2, 2): column 0 has a = 0.5, column 1
		// a = −1. ∂L/∂a₀ = 30·0 = 0 (row 1's x = 0), ∂L/∂a₁ = 20·(−1) + 40·(−4).
		{"PReLU per channel (N, C)", NewPReLU(tensor.FromSlice([]float64{0.5, -1})), []float64{2, 1, 0, 4}, []float64{10, -20, 15, -40}, []float64{0, -180}, x, dout},
		// (1, 2, 2, 1): channel 0 is {2, −1} with a = 0.5, channel 1 is
		// {0, −4} with a = 3. ∂L/∂a₀ = 20·(−1), ∂L/∂a₁ = 30·0 + 40·(−4).
		{"PReLU per channel (N, C, H, W)", NewPReLU(tensor.FromSlice([]float64{0.5, 3})), []float64{2, -0.5, 0, -12}, []float64{10, 10, 90, 120}, []float64{-20, -160},
			x.Reshape(1, 2, 2, 1), dout.Reshape(1, 2, 2, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := tt.l.Forward(tt.x)
			require.Equal(t, tt.x.Shape(), y.Shape())
			assert.InDeltaSlice(t, tt.y, y.Data(), tol, "y")
			dx := tt.l.Backward(tt.dout)
			require.Equal(t, tt.x.Shape(), dx.Shape())
			assert.InDeltaSlice(t, tt.dx, dx.Data(), tol, "dx")
			if p, ok := tt.l.(*PReLU); ok {
				assert.InDeltaSlice(t, tt.dSlope, p.DSlope.Data(), tol, "dslope")
			}
		})
	}
}

func TestRectifiersBackwardMatchesNumerical(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name  string
		l     layer
		shape []int
	}{
		{"LeakyReLU 0.01", NewLeakyReLU(0.01), []int{3, 4}},
		{"LeakyReLU -0.5, 4-D", NewLeakyReLU(-0.5), []int{2, 3, 2, 2}},
		{"ELU 1", NewELU(1), []int{3, 4}},
		{"ELU 2.5, 1-D", NewELU(2.5), []int{7}},
		{"PReLU shared", NewPReLU(tensor.FromSlice([]float64{0.25})), []int{4, 5}},
		{"PReLU (N, C)", NewPReLU(tensor.RandN(rng, 1, 3)), []int{5, 3}},
		{"PReLU (N, C, L)", NewPReLU(tensor.RandN(rng, 1, 2)), []int{3, 2, 4}},
		{"PReLU (N, C, H, W)", NewPReLU(tensor.RandN(rng, 1, 3)), []int{2, 3, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A kink at 0: keep inputs at least 0.01 away, so that x ± h
			// stays on one side.
			x := awayFromZero(tensor.RandN(rng, 1, tt.shape...), 0.01)
			c := tensor.RandN(rng, 1, tt.shape...)
			loss := scalarLoss(tt.l, c)
			got, want := []*tensor.Tensor{nil}, []*tensor.Tensor{grad.Numerical(loss, x)}
			p, isPReLU := tt.l.(*PReLU)
			if isPReLU {
				want = append(want, grad.Numerical(func(*tensor.Tensor) float64 { return loss(x) }, p.Slope))
			}

			tt.l.Forward(x)
			got[0] = tt.l.Backward(c)
			if isPReLU {
				got = append(got, p.DSlope)
			}
			require.Equal(t, tt.shape, got[0].Shape())
			for i, d := range grad.Check(got, want) {
				assert.Less(t, d.MaxAbs, gradTol, "gradient %d: %v", i, d)
			}
		})
	}
}

func TestRectifiersDescribeAndBuild(t *testing.T) {
	build := func(kind, cfg string, params ...*tensor.Tensor) (Layer, error) {
		return Build(Description{Kind: kind, Config: json.RawMessage(cfg)}, params, nil)
	}
	l, err := build("LeakyReLU", ``)
	require.NoError(t, err)
	assert.Equal(t, 0.01, l.(*LeakyReLU).Alpha, "ONNX's and PyTorch's default")
	l, err = build("ELU", `{}`)
	require.NoError(t, err)
	assert.Equal(t, 1.0, l.(*ELU).Alpha, "ONNX's and PyTorch's default")
	l, err = build("LeakyReLU", `{"alpha": 0}`)
	require.NoError(t, err)
	assert.Equal(t, 0.0, l.(*LeakyReLU).Alpha, "an α of 0 is kept")
	l, err = build("ELU", `{"alpha": -0.5}`)
	require.NoError(t, err)
	assert.Equal(t, -0.5, l.(*ELU).Alpha)

	_, err = build("LeakyReLU", `{"alpha": 1e999}`)
	assert.ErrorContains(t, err, "cannot unmarshal number 1e999")
	_, err = build("ELU", `{"slope": 1}`)
	assert.ErrorContains(t, err, `unknown field "slope"`)
	_, err = build("LeakyReLU", `{}`, tensor.New(1))
	assert.EqualError(t, err, "layers: LeakyReLU has no tensors, the model gives 1")
	_, err = build("PReLU", ``)
	assert.EqualError(t, err, "layers: PReLU has 1 tensors, the model gives 0")
	_, err = build("PReLU", ``, tensor.New(3, 1, 1))
	assert.EqualError(t, err, "layers: PReLU: tensor 0 has shape [3 1 1], want 1 dimensions")
	_, err = build("PReLU", ``, tensor.New(0))
	assert.EqualError(t, err, "layers: PReLU: slope shape [0] has no slopes")
	_, err = build("PReLU", `{"alpha": 0.25}`, tensor.New(1))
	assert.ErrorContains(t, err, `unknown field "alpha"`)

	b, err := json.Marshal(NewPReLU(tensor.New(3)).Describe())
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"PReLU"}`, string(b))
}

func TestRectifiersClone(t *testing.T) {
	x := tensor.FromSlice([]float64{1, -2, 3, -4}, 2, 2)
	tests := []struct {
		name string
		l    Layer
	}{
		{"LeakyReLU", NewLeakyReLU(0.2)},
		{"ELU", NewELU(0.7)},
		{"PReLU", NewPReLU(tensor.FromSlice([]float64{0.1, 0.3}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.l.(Cloner).Clone()
			assert.IsType(t, tt.l, c)
			assert.Equal(t, tt.l.Forward(x).Data(), c.Forward(x).Data())
		})
	}
	p := NewPReLU(tensor.FromSlice([]float64{0.1, 0.3}))
	p.Forward(x)
	p.Backward(tensor.Full(1, 2, 2))
	c := p.Clone().(*PReLU)
	assert.Equal(t, p.DSlope.Data(), c.DSlope.Data())
	c.Slope.Data()[0] = 10
	assert.Equal(t, 0.1, p.Slope.Data()[0], "the clone's slopes are its own")
}

func TestRectifiersPanics(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		fn   func()
	}{
		{"LeakyReLU NaN", "layers: NewLeakyReLU: alpha NaN is not finite", func() { NewLeakyReLU(math.NaN()) }},
		{"ELU Inf", "layers: NewELU: alpha +Inf is not finite", func() { NewELU(math.Inf(1)) }},
		{"PReLU 2-D slope", "layers: NewPReLU: slope shape [3 1] is not (C) or (1)", func() { NewPReLU(tensor.New(3, 1)) }},
		{"PReLU no slope", "layers: NewPReLU: slope shape [0] is not (C) or (1)", func() { NewPReLU(tensor.New(0)) }},
		{"PReLU channels", "layers: PReLU.Forward: input shape [2 4] does not have 3 channels on axis 1",
			func() { NewPReLU(tensor.New(3)).Forward(tensor.New(2, 4)) }},
		{"PReLU 1-D input", "layers: PReLU.Forward: input shape [3] does not have 3 channels on axis 1",
			func() { NewPReLU(tensor.New(3)).Forward(tensor.New(3)) }},
		{"LeakyReLU backward first", "layers: LeakyReLU.Backward: called before Forward", func() { new(LeakyReLU).Backward(tensor.New(2)) }},
		{"ELU backward first", "layers: ELU.Backward: called before Forward", func() { new(ELU).Backward(tensor.New(2)) }},
		{"PReLU dout shape", "layers: PReLU.Backward: dout shape [2 2] does not match output shape [2 3]", func() {
			p := NewPReLU(tensor.New(3))
			p.Forward(tensor.New(2, 3))
			p.Backward(tensor.New(2, 2))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

func TestRectifiersStepDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	x, dout := tensor.RandN(rng, 1, 8, 3, 4, 4), tensor.RandN(rng, 1, 8, 3, 4, 4)
	for _, l := range []layer{NewLeakyReLU(0.01), NewELU(1), NewPReLU(tensor.Full(0.25, 3))} {
		l.Forward(x)
		l.Backward(dout)
		assert.Zero(t, testing.AllocsPerRun(10, func() {
			l.Forward(x)
			l.Backward(dout)
		}), "%T", l)
	}
}
