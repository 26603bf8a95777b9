package layers

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rebuild sends l's description through JSON and Build, with copies of
// l's tensors, as a model file does.
func rebuild(t *testing.T, l Layer) Layer {
	t.Helper()
	b, err := json.Marshal(l.(Describer).Describe())
	require.NoError(t, err)
	var d Description
	require.NoError(t, json.Unmarshal(b, &d))
	var params []*tensor.Tensor
	if lr, ok := l.(Learnable); ok {
		for _, p := range lr.Params() {
			params = append(params, p.Value.Clone())
		}
	}
	got, err := Build(d, params, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	return got
}

// TestEveryLayerRebuildsFromItsDescription: each layer of this package,
// with settings other than its defaults, comes back from its description
// and tensors computing the same bits, in both modes.
func TestEveryLayerRebuildsFromItsDescription(t *testing.T) {
	rng := newRand()
	bn := NewBatchNorm(tensor.RandN(rng, 1, 6), tensor.RandN(rng, 1, 6))
	bn.Epsilon, bn.Momentum = 1e-5, 0.8
	bn.RunningMean.CopyFrom(tensor.RandN(rng, 1, 6))
	bn.RunningVar.CopyFrom(tensor.Full(2, 6))
	vectors := tensor.RandN(rng, 1, 4, 6)
	images := tensor.RandN(rng, 1, 2, 2, 7, 6)
	tests := []struct {
		name string
		l    Layer
		x    *tensor.Tensor
		want string
	}{
		{"Affine", NewAffine(tensor.RandN(rng, 1, 6, 3), tensor.RandN(rng, 1, 3)), vectors, `{"kind":"Affine"}`},
		{"ReLU", &ReLU{}, vectors, `{"kind":"ReLU"}`},
		{"Sigmoid", &Sigmoid{}, vectors, `{"kind":"Sigmoid"}`},
		{"Tanh", &Tanh{}, vectors, `{"kind":"Tanh"}`},
		{"BatchNorm", bn, vectors, `{"kind":"BatchNorm","config":{"epsilon":0.00001,"momentum":0.8}}`},
		{"Dropout", NewDropout(0.25, rng), vectors, `{"kind":"Dropout","config":{"ratio":0.25}}`},
		{"Convolution", NewConvolution(tensor.RandN(rng, 1, 3, 2, 3, 2), tensor.RandN(rng, 1, 3), 2, 1), images, `{"kind":"Convolution","config":{"stride":2,"pad":1}}`},
		{"Pooling", NewPooling(3, 2, 1, 1), images, `{"kind":"Pooling","config":{"height":3,"width":2,"stride":1,"pad":1}}`},
		{"LeakyReLU", NewLeakyReLU(-0.2), vectors, `{"kind":"LeakyReLU","config":{"alpha":-0.2}}`},
		{"ELU", NewELU(0.5), vectors, `{"kind":"ELU","config":{"alpha":0.5}}`},
		{"PReLU", NewPReLU(tensor.RandN(rng, 1, 2)), images, `{"kind":"PReLU"}`},
		{"BatchNorm2D", roundTripBatchNorm2D(rng), images, `{"kind":"BatchNorm2D","config":{"epsilon":0.001,"momentum":0.8}}`},
		{"AvgPool", NewAvgPool(3, 2, 2, 1, true), images, `{"kind":"AvgPool","config":{"height":3,"width":2,"stride":2,"pad":1,"count_include_pad":true}}`},
		{"GlobalAvgPool", &GlobalAvgPool{}, images, `{"kind":"GlobalAvgPool"}`},
		{"Flatten", &Flatten{}, images, `{"kind":"Flatten"}`},
		{"MaxPool", NewMaxPool(3, 3, 2, 1), images, `{"kind":"MaxPool","config":{"height":3,"width":3,"stride":2,"pad":1}}`},
		{"GroupedConvolution", NewGroupedConvolution(tensor.RandN(rng, 1, 4, 1, 3, 2), tensor.RandN(rng, 1, 4), 2, 1, 2, 2), images, `{"kind":"GroupedConvolution","config":{"stride":2,"pad":1,"dilation":2,"groups":2}}`},
		{"Softmax", NewSoftmax(-2), images, `{"kind":"Softmax","config":{"axis":-2}}`},
		{"LogSoftmax", NewLogSoftmax(1), images, `{"kind":"LogSoftmax","config":{"axis":1}}`},
		{"Softplus", &Softplus{}, vectors, `{"kind":"Softplus"}`},
		{"Scale", NewScale(-0.5), vectors, `{"kind":"Scale","config":{"factor":-0.5}}`},
		{"SELU", NewSELU(1.5, 0.5), vectors, `{"kind":"SELU","config":{"alpha":1.5,"gamma":0.5}}`},
		{"Pad", NewPad(1, 2, 0, 3, PadReflect, 0), images, `{"kind":"Pad","config":{"top":1,"bottom":2,"left":0,"right":3,"mode":"reflect","value":0}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.l.(Describer).Describe())
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(b))
			got := rebuild(t, tt.l)
			assert.IsType(t, tt.l, got)
			for _, m := range []Mode{Inference, Training} {
				for _, l := range []Layer{tt.l, got} {
					if md, ok := l.(Moder); ok {
						md.SetMode(m)
					}
				}
				if _, dropout := tt.l.(*Dropout); dropout && m == Training {
					continue // masks come from streams of their own
				}
				want := tt.l.Forward(tt.x).Clone()
				assert.Equal(t, bits(want), bits(got.Forward(tt.x)), "%v", m)
			}
		})
	}
}

func bits(t *tensor.Tensor) []uint64 {
	out := make([]uint64, t.Size())
	for i, v := range t.Data() {
		out[i] = math.Float64bits(v)
	}
	return out
}

func TestEveryHeadRebuildsFromItsDescription(t *testing.T) {
	for _, h := range []Head{&SoftmaxWithLoss{}, &SigmoidWithLoss{}, &IdentityWithLoss{}, &LogSoftmaxWithLoss{}} {
		d := h.(Describer).Describe()
		got, err := BuildHead(d)
		require.NoError(t, err)
		assert.IsType(t, h, got)
		assert.Equal(t, fmt.Sprintf("%T", h)[len("*layers."):], d.Kind)
	}
}

func TestBuildRejectsWhatIsNotALayer(t *testing.T) {
	conv := func(cfg string, params ...*tensor.Tensor) error {
		_, err := Build(Description{Kind: "Convolution", Config: json.RawMessage(cfg)}, params, nil)
		return err
	}
	w, b := tensor.New(2, 1, 3, 3), tensor.New(2)
	assert.NoError(t, conv(`{"stride": 1, "pad": 0}`, w, b))
	assert.NoError(t, conv(``, w, b), "the defaults: stride 1, no padding")
	assert.EqualError(t, conv(`{"stride": 0}`, w, b), "layers: Convolution: stride 0 must be positive and pad 0 not negative")
	assert.EqualError(t, conv(`{"stride": 1, "pad": -1}`, w, b), "layers: Convolution: stride 1 must be positive and pad -1 not negative")
	assert.ErrorContains(t, conv(`{"stride": "one"}`, w, b), "cannot unmarshal string")
	assert.ErrorContains(t, conv(`{"stride": 1} {"pad": 2}`, w, b), "more than one JSON value")
	assert.EqualError(t, conv(`{}`, w, tensor.New(3)), "layers: Convolution: W shape [2 1 3 3] and b shape [3] do not fit (FN, C, FH, FW) and (FN)")
	assert.EqualError(t, conv(`{}`, w), "layers: Convolution has 2 tensors, the model gives 1")
	assert.EqualError(t, conv(`{}`, w, nil), "layers: Convolution: tensor 1 has shape [], want 1 dimensions")

	_, err := Build(Description{Kind: "Affine"}, []*tensor.Tensor{tensor.New(3, 2), tensor.New(3)}, nil)
	assert.EqualError(t, err, "layers: Affine: W shape [3 2] and b shape [3] do not fit (in, out) and (out)")
	_, err = Build(Description{Kind: "Pooling", Config: json.RawMessage(`{"height": 2, "width": 0, "stride": 1}`)}, nil, nil)
	assert.EqualError(t, err, "layers: Pooling: window 2×0 and stride 1 must be positive and pad 0 not negative")
	_, err = Build(Description{Kind: "BatchNorm"}, []*tensor.Tensor{tensor.New(2), tensor.New(2), tensor.New(3), tensor.New(2)}, nil)
	assert.EqualError(t, err, "layers: BatchNorm: tensors of shapes [2], [2], [3] and [2]: want four of one shape (d)")
	_, err = Build(Description{Kind: "BatchNorm", Config: json.RawMessage(`{"epsilon": 1e-5, "momentum": 1.5}`)}, nil, nil)
	assert.EqualError(t, err, "layers: BatchNorm: epsilon 1e-05 must be finite and positive and momentum 1.5 in [0, 1]")
	_, err = Build(Description{Kind: "ReLU"}, []*tensor.Tensor{tensor.New(1)}, nil)
	assert.EqualError(t, err, "layers: ReLU has no tensors, the model gives 1")

	_, err = Build(Description{Kind: "LSTM"}, nil, nil)
	assert.ErrorIs(t, err, ErrUnknownKind)
	assert.EqualError(t, err, `layers: unknown kind "LSTM" (no layers.Register for it)`)
	_, err = BuildHead(Description{Kind: "Affine"})
	assert.ErrorIs(t, err, ErrUnknownKind, "a layer's kind is not a head's")
	_, err = BuildHead(Description{Kind: "SoftmaxWithLoss", Config: json.RawMessage(`{"axis": 1}`)})
	assert.ErrorContains(t, err, `unknown field "axis"`)
}

// TestRegisteredBuildersAreChecked: Build holds a user's builder to the
// contract — the layer it makes has the model's tensors — and turns its
// panic into an error.
func TestRegisteredBuildersAreChecked(t *testing.T) {
	Register("layers_test.Wrong", func(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
		switch string(d.Config) {
		case `{"case":"nil"}`:
			return nil, nil
		case `{"case":"panic"}`:
			var a *Affine
			return a.Clone(), nil // nil dereference
		case `{"case":"error"}`:
			return nil, errors.New("no such thing")
		case `{"case":"shape"}`:
			return NewAffine(tensor.New(2, 2), tensor.New(2)), nil
		}
		return NewAffine(tensor.New(2, 2), tensor.New(2)), nil
	})
	build := func(c string, params ...*tensor.Tensor) (Layer, error) {
		return Build(Description{Kind: "layers_test.Wrong", Config: json.RawMessage(c)}, params, nil)
	}
	_, err := build(`{"case":"nil"}`)
	assert.EqualError(t, err, "layers: building layers_test.Wrong: the builder returned no layer")
	_, err = build(`{"case":"panic"}`)
	assert.ErrorContains(t, err, "layers: building layers_test.Wrong: runtime error: invalid memory address")
	_, err = build(`{"case":"error"}`)
	assert.EqualError(t, err, "no such thing")
	_, err = build(`{"case":"shape"}`, tensor.New(3, 2), tensor.New(2))
	assert.EqualError(t, err, "layers: building layers_test.Wrong: W has shape [2 2] in the layer, [3 2] in the model")
	_, err = build(`{"case":"count"}`, tensor.New(2, 2))
	assert.EqualError(t, err, "layers: building layers_test.Wrong: the layer has 2 tensors, the model 1")
	w, b := tensor.FromSlice([]float64{1, 2, 3, 4}, 2, 2), tensor.FromSlice([]float64{5, 6})
	l, err := build(`{}`, w, b)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 2, 3, 4}, l.(*Affine).W.Data(), "the model's values are copied into the layer's own tensors")
	assert.True(t, Registered("layers_test.Wrong"))
	assert.False(t, Registered("layers_test.Right"))

	assert.PanicsWithValue(t, `layers: Register: kind "layers_test.Wrong" is already registered`, func() {
		Register("layers_test.Wrong", buildAffine)
	})
	assert.PanicsWithValue(t, `layers: RegisterHead: kind "Affine" is already registered`, func() {
		RegisterHead("Affine", func(Description) (Head, error) { return nil, nil })
	})
	assert.PanicsWithValue(t, "layers: Register: empty kind", func() { Register("", buildAffine) })
	assert.PanicsWithValue(t, "layers: Register: x: nil builder", func() { Register("x", nil) })
}

func TestDescriptionHelpers(t *testing.T) {
	d := NewDescription("Pooling", poolingConfig{Height: 2, Width: 2, Stride: 2})
	assert.JSONEq(t, `{"height":2,"width":2,"stride":2,"pad":0}`, string(d.Config))
	assert.Nil(t, NewDescription("ReLU", nil).Config)
	assert.PanicsWithValue(t, "layers: NewDescription: Odd: config int is not a JSON object (<nil>)", func() { NewDescription("Odd", 3) })
	var cfg poolingConfig
	require.NoError(t, d.Decode(&cfg))
	assert.Equal(t, poolingConfig{Height: 2, Width: 2, Stride: 2}, cfg)
	assert.NoError(t, Description{Kind: "ReLU"}.Decode(&cfg), "no configuration leaves cfg as it was")
	assert.True(t, Param{Value: tensor.New(1)}.IsState())
	assert.False(t, Param{Value: tensor.New(1), Grad: tensor.New(1)}.IsState())
}
