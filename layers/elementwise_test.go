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

func TestElementwiseByHand(t *testing.T) {
	const tol = 1e-15
	ln := math.Log
	dout := tensor.FromSlice([]float64{4, 8, 12, 16}, 2, 2)
	tests := []struct {
		name  string
		l     layer
		x     *tensor.Tensor
		y, dx []float64
	}{
		// log(1 + eˣ) at 0, ln 3, −ln 3: ln 2, ln 4, ln(4/3); at 1000 it
		// is 1000 (log(1 + e¹⁰⁰⁰) would overflow). dx = dout·σ(x):
		// σ = ½, ¾, ¼, 1.
		{"Softplus", &Softplus{}, tensor.FromSlice([]float64{0, ln(3), -ln(3), 1000}, 2, 2),
			[]float64{math.Ln2, ln(4), ln(4.0 / 3), 1000}, []float64{2, 6, 3, 16}},
		{"Scale -1", NewScale(-1), tensor.FromSlice([]float64{2, -1, 0, -4}, 2, 2), []float64{-2, 1, 0, 4}, []float64{-4, -8, -12, -16}},
		{"Scale 0.5", NewScale(0.5), tensor.FromSlice([]float64{2, -1, 0, -4}, 2, 2), []float64{1, -0.5, 0, -2}, []float64{2, 4, 6, 8}},
		{"Scale zero value", &Scale{}, tensor.FromSlice([]float64{2, -1, 0, -4}, 2, 2), []float64{0, 0, 0, 0}, []float64{0, 0, 0, 0}},
		// γ·x for x > 0; γ·α·(eˣ − 1) at 0 and −ln 2: 0 and −γα/2. dx =
		// γ·dout for x > 0, γ·α·eˣ·dout elsewhere: 8γα at 0, 12·γα/2.
		{"SELU", NewSELU(SELUAlpha, SELUGamma), tensor.FromSlice([]float64{1, 0, -math.Ln2, 2}, 2, 2),
			[]float64{SELUGamma, 0, -SELUGamma * SELUAlpha / 2, 2 * SELUGamma},
			[]float64{4 * SELUGamma, 8 * SELUGamma * SELUAlpha, 6 * SELUGamma * SELUAlpha, 16 * SELUGamma}},
		{"SELU 2, 3", NewSELU(2, 3), tensor.FromSlice([]float64{1, 0, -math.Ln2, 2}, 2, 2), []float64{3, 0, -3, 6}, []float64{12, 48, 36, 48}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := tt.l.Forward(tt.x)
			require.Equal(t, tt.x.Shape(), y.Shape())
			assert.InDeltaSlice(t, tt.y, y.Data(), tol, "y")
			dx := tt.l.Backward(dout)
			require.Equal(t, tt.x.Shape(), dx.Shape())
			assert.InDeltaSlice(t, tt.dx, dx.Data(), tol, "dx")
		})
	}
}

// TestSoftplusKeepsSmallValues: for x = −30, log(1 + eˣ) = eˣ − e²ˣ/2 + …
// = eˣ(1 − 5·10⁻¹⁴); log(1 + eˣ) as written loses all but three digits
// of it, log1p keeps them all.
func TestSoftplusKeepsSmallValues(t *testing.T) {
	y := new(Softplus).Forward(tensor.FromSlice([]float64{-30, -700}))
	assert.InEpsilon(t, math.Exp(-30), y.Data()[0], 1e-13)
	assert.InEpsilon(t, math.Exp(-700), y.Data()[1], 1e-13)
}

func TestElementwiseBackwardMatchesNumerical(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name  string
		l     layer
		shape []int
	}{
		{"Softplus", &Softplus{}, []int{3, 4}},
		{"Softplus 4-D", &Softplus{}, []int{2, 3, 2, 2}},
		{"Scale -1", NewScale(-1), []int{3, 4}},
		{"Scale 0.25, 1-D", NewScale(0.25), []int{7}},
		{"SELU", NewSELU(SELUAlpha, SELUGamma), []int{3, 4}},
		{"SELU 4-D", NewSELU(0.5, 2), []int{2, 3, 2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := tensor.RandN(rng, 3, tt.shape...)
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

func TestElementwiseDescribeAndBuild(t *testing.T) {
	build := func(kind, cfg string, params ...*tensor.Tensor) (Layer, error) {
		return Build(Description{Kind: kind, Config: json.RawMessage(cfg)}, params, nil)
	}
	l, err := build("Scale", ``)
	require.NoError(t, err)
	assert.Equal(t, 1.0, l.(*Scale).Factor, "the identity")
	l, err = build("Scale", `{"factor": -1}`)
	require.NoError(t, err)
	assert.Equal(t, -1.0, l.(*Scale).Factor)
	l, err = build("Softplus", `{}`)
	require.NoError(t, err)
	assert.IsType(t, &Softplus{}, l)

	l, err = build("SELU", ``)
	require.NoError(t, err)
	assert.Equal(t, &SELU{Alpha: SELUAlpha, Gamma: SELUGamma}, l, "ONNX's defaults")
	l, err = build("SELU", `{"alpha": 2, "gamma": 0.5}`)
	require.NoError(t, err)
	assert.Equal(t, &SELU{Alpha: 2, Gamma: 0.5}, l)

	_, err = build("SELU", `{"beta": 2}`)
	assert.ErrorContains(t, err, `unknown field "beta"`)
	_, err = build("SELU", `{}`, tensor.New(1))
	assert.EqualError(t, err, "layers: SELU has no tensors, the model gives 1")
	_, err = build("Scale", `{"factor": 1e999}`)
	assert.ErrorContains(t, err, "cannot unmarshal number 1e999")
	_, err = build("Scale", `{"alpha": 2}`)
	assert.ErrorContains(t, err, `unknown field "alpha"`)
	_, err = build("Softplus", `{"beta": 2}`)
	assert.ErrorContains(t, err, `unknown field "beta"`)
	_, err = build("Scale", `{}`, tensor.New(1))
	assert.EqualError(t, err, "layers: Scale has no tensors, the model gives 1")

	b, err := json.Marshal(NewScale(0.5).Describe())
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"Scale","config":{"factor":0.5}}`, string(b))
	b, err = json.Marshal(NewSELU(2, 0.5).Describe())
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"SELU","config":{"alpha":2,"gamma":0.5}}`, string(b))
}

func TestElementwiseClone(t *testing.T) {
	x := tensor.FromSlice([]float64{1, -2, 3, -4}, 2, 2)
	for _, l := range []Layer{&Softplus{}, NewScale(-0.5), NewSELU(SELUAlpha, SELUGamma)} {
		c := l.(Cloner).Clone()
		assert.IsType(t, l, c)
		assert.Equal(t, l.Forward(x).Data(), c.Forward(x).Data(), "%T", l)
	}
}

func TestElementwisePanics(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		fn   func()
	}{
		{"Scale NaN", "layers: NewScale: factor NaN is not finite", func() { NewScale(math.NaN()) }},
		{"Scale Inf", "layers: NewScale: factor -Inf is not finite", func() { NewScale(math.Inf(-1)) }},
		{"SELU alpha NaN", "layers: NewSELU: alpha NaN is not finite", func() { NewSELU(math.NaN(), 1) }},
		{"SELU gamma Inf", "layers: NewSELU: gamma +Inf is not finite", func() { NewSELU(1, math.Inf(1)) }},
		{"SELU backward first", "layers: SELU.Backward: called before Forward", func() { new(SELU).Backward(tensor.New(2)) }},
		{"Softplus backward first", "layers: Softplus.Backward: called before Forward", func() { new(Softplus).Backward(tensor.New(2)) }},
		{"Scale dout shape", "layers: Scale.Backward: dout shape [3] does not match output shape [2]", func() {
			s := NewScale(2)
			s.Forward(tensor.New(2))
			s.Backward(tensor.New(3))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

func TestElementwiseStepDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	x, dout := tensor.RandN(rng, 1, 8, 3, 4, 4), tensor.RandN(rng, 1, 8, 3, 4, 4)
	for _, l := range []layer{&Softplus{}, NewScale(-1), NewSELU(SELUAlpha, SELUGamma)} {
		l.Forward(x)
		l.Backward(dout)
		assert.Zero(t, testing.AllocsPerRun(10, func() {
			l.Forward(x)
			l.Backward(dout)
		}), "%T", l)
	}
}
