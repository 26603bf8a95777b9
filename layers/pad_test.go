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

// TestPadByHand pads x = [1 2 3; 4 5 6] by 1 row on top, 2 columns on the
// left and 1 on the right. The output's rows copy the input's rows r and
// columns c listed; with dout all ones, dx counts the copies of each
// input: (copies of its row)·(copies of its column).
func TestPadByHand(t *testing.T) {
	const tol = 1e-15
	x := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 1, 1, 2, 3)
	tests := []struct {
		name  string
		l     *Pad
		y, dx []float64
	}{
		// Value outside.
		{"constant", NewPad(1, 0, 2, 1, PadConstant, 9), []float64{
			9, 9, 9, 9, 9, 9,
			9, 9, 1, 2, 3, 9,
			9, 9, 4, 5, 6, 9,
		}, []float64{1, 1, 1, 1, 1, 1}},
		// rows 1 0 1, columns 2 1 0 1 2 1: row 0 once, row 1 twice;
		// column 0 once, 1 three times, 2 twice.
		{"reflect", NewPad(1, 0, 2, 1, PadReflect, 0), []float64{
			6, 5, 4, 5, 6, 5,
			3, 2, 1, 2, 3, 2,
			6, 5, 4, 5, 6, 5,
		}, []float64{1, 3, 2, 2, 6, 4}},
		// rows 0 0 1, columns 0 0 0 1 2 2: row 0 twice, row 1 once;
		// column 0 three times, 1 once, 2 twice.
		{"edge", NewPad(1, 0, 2, 1, PadEdge, 0), []float64{
			1, 1, 1, 2, 3, 3,
			1, 1, 1, 2, 3, 3,
			4, 4, 4, 5, 6, 6,
		}, []float64{6, 2, 4, 3, 1, 2}},
		{"zero value", &Pad{}, []float64{1, 2, 3, 4, 5, 6}, []float64{1, 1, 1, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := tt.l.Forward(x)
			require.Equal(t, []int{1, 1, 2 + tt.l.Top + tt.l.Bottom, 3 + tt.l.Left + tt.l.Right}, y.Shape())
			assert.InDeltaSlice(t, tt.y, y.Data(), tol, "y")
			dx := tt.l.Backward(tensor.Full(1, y.Shape()...))
			require.Equal(t, x.Shape(), dx.Shape())
			assert.InDeltaSlice(t, tt.dx, dx.Data(), tol, "dx")
		})
	}
}

func TestPadBackwardMatchesNumerical(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name  string
		l     *Pad
		shape []int
	}{
		{"constant", NewPad(1, 2, 3, 0, PadConstant, 0.5), []int{2, 3, 3, 4}},
		{"reflect", NewPad(2, 1, 3, 2, PadReflect, 0), []int{2, 2, 3, 4}},
		{"reflect, one side", NewPad(0, 3, 0, 0, PadReflect, 0), []int{1, 2, 4, 2}},
		{"edge", NewPad(3, 1, 2, 4, PadEdge, 0), []int{2, 2, 3, 2}},
		{"edge, 1×1 images", NewPad(2, 2, 1, 1, PadEdge, 0), []int{3, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := tensor.RandN(rng, 3, tt.shape...)
			out := tt.l.Forward(x).Shape()
			c := tensor.RandN(rng, 1, out...)
			numeric := grad.Numerical(scalarLoss(tt.l, c), x)
			tt.l.Forward(x)
			dx := tt.l.Backward(c)
			require.Equal(t, tt.shape, dx.Shape())
			d := grad.Check([]*tensor.Tensor{dx}, []*tensor.Tensor{numeric})[0]
			assert.Less(t, d.MaxAbs, gradTol, "%v", d)
		})
	}
}

func TestPadDescribeAndBuild(t *testing.T) {
	build := func(cfg string, params ...*tensor.Tensor) (Layer, error) {
		return Build(Description{Kind: "Pad", Config: json.RawMessage(cfg)}, params, nil)
	}
	l, err := build(``)
	require.NoError(t, err)
	assert.Equal(t, &Pad{Mode: PadConstant}, l, "no padding")
	l, err = build(`{"top": 1, "bottom": 2, "left": 3, "right": 4, "mode": "edge"}`)
	require.NoError(t, err)
	assert.Equal(t, &Pad{Top: 1, Bottom: 2, Left: 3, Right: 4, Mode: PadEdge}, l)

	tests := []struct{ name, cfg, err string }{
		{"negative", `{"top": -1}`, "layers: Pad: pads -1, 0, 0, 0: negative"},
		{"mode", `{"mode": "wrap"}`, `layers: Pad: mode "wrap" is not constant, reflect or edge`},
		{"unknown field", `{"pads": [1]}`, `layers: Pad: config {"pads": [1]}: json: unknown field "pads"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(tt.cfg)
			assert.EqualError(t, err, tt.err)
		})
	}
	_, err = build(`{}`, tensor.New(1))
	assert.EqualError(t, err, "layers: Pad has no tensors, the model gives 1")

	b, err := json.Marshal((&Pad{Left: 2, Value: 1.5}).Describe())
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"Pad","config":{"top":0,"bottom":0,"left":2,"right":0,"mode":"constant","value":1.5}}`, string(b))
}

func TestPadClone(t *testing.T) {
	x := tensor.FromSlice([]float64{1, -2, 3, -4}, 1, 1, 2, 2)
	l := NewPad(1, 1, 1, 0, PadReflect, 0)
	c := l.Clone()
	assert.Equal(t, l.Forward(x).Data(), c.Forward(x).Data())
}

func TestPadPanics(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		fn   func()
	}{
		{"negative", "layers: NewPad: pads 0, -1, 0, 0: negative", func() { NewPad(0, -1, 0, 0, PadConstant, 0) }},
		{"mode", `layers: NewPad: mode "wrap" is not constant, reflect or edge`, func() { NewPad(0, 0, 0, 0, "wrap", 0) }},
		{"value", "layers: NewPad: value NaN is not finite", func() { NewPad(0, 0, 0, 0, PadConstant, math.NaN()) }},
		{"not images", "layers: Pad.Forward: input shape [2 3], not images (N, C, H, W)", func() { new(Pad).Forward(tensor.New(2, 3)) }},
		{"reflect a side", "layers: Pad.Forward: reflect pads 0, 0, 3, 0 of images of 4×3: a pad not less than its side", func() {
			NewPad(0, 0, 3, 0, PadReflect, 0).Forward(tensor.New(1, 1, 4, 3))
		}},
		{"negative field", "layers: Pad.Forward: pads -1, 0, 0, 0: negative", func() { (&Pad{Top: -1}).Forward(tensor.New(1, 1, 2, 2)) }},
		{"backward first", "layers: Pad.Backward: called before Forward", func() { new(Pad).Backward(tensor.New(2)) }},
		{"dout shape", "layers: Pad.Backward: dout shape [1 1 2 2] does not match output shape [1 1 3 2]", func() {
			p := NewPad(1, 0, 0, 0, PadEdge, 0)
			p.Forward(tensor.New(1, 1, 2, 2))
			p.Backward(tensor.New(1, 1, 2, 2))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}
