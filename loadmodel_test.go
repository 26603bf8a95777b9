package numlearn

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/internal/npz"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// describedScale is the user's scale layer made loadable: it describes
// itself as kind "numlearn_test.Scale", which registerScale registers.
type describedScale struct{ scale }

func (l *describedScale) Describe() layers.Description {
	return layers.Description{Kind: "numlearn_test.Scale"}
}

func (l *describedScale) Clone() layers.Layer {
	return &describedScale{scale{s: l.s.Clone(), ds: l.ds.Clone()}}
}

// registerScale registers describedScale's kind, once per test binary.
var registerScale = sync.OnceFunc(func() {
	layers.Register("numlearn_test.Scale", func(d layers.Description, params []*tensor.Tensor, _ *rand.Rand) (layers.Layer, error) {
		if len(params) != 1 || params[0].Dims() != 1 {
			return nil, errors.New("a scale has one tensor of one axis")
		}
		return &describedScale{scale{s: params[0], ds: tensor.New(params[0].Size())}}, nil
	})
})

// roundTrip saves net with opts and reads it back with ReadModel.
func roundTrip(t *testing.T, net *Network, opts SaveOptions) *Network {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, net.Save(&buf, opts))
	loaded, err := ReadModel(&buf)
	require.NoError(t, err)
	return loaded
}

// bits returns the bit patterns of ts' values, so that −0 and NaN compare
// exactly.
func bits(ts ...*tensor.Tensor) []uint64 {
	var out []uint64
	for _, t := range ts {
		for _, v := range t.Data() {
			out = append(out, math.Float64bits(v))
		}
	}
	return out
}

// TestLoadModelRoundTripsEveryNetwork: every network of the book, with
// every head, activation, BatchNorm, Dropout, weight decay and a layer of
// the user's, comes back from its model file alone with the same layers,
// the same tensors bit for bit, and the same outputs bit for bit; and,
// without dropout, trains on exactly as the original does.
func TestLoadModelRoundTripsEveryNetwork(t *testing.T) {
	registerScale()
	mlp := func(cfg MultiLayerConfig) func() *Network {
		return func() *Network { return NewMultiLayerNet([]int{6, 5, 4, 3}, cfg, newRand(80)) }
	}
	vectors := func(n int) *tensor.Tensor { return tensor.RandN(newRand(81), 1, n, 6) }
	images := func(c, h, w int) func(int) *tensor.Tensor {
		return func(n int) *tensor.Tensor { return tensor.RandN(newRand(82), 1, n, c, h, w) }
	}
	tests := []struct {
		name     string
		net      func() *Network
		x        func(n int) *tensor.Tensor
		classes  int
		head     string // "", "identity" or "sigmoid": the targets to train on
		dropout  bool
		imageNet bool
	}{
		{name: "TwoLayerNet", net: func() *Network { return NewTwoLayerNet(6, 5, 3, newRand(83)) }, x: vectors, classes: 3},
		{name: "sigmoid MultiLayerNet with Xavier", net: mlp(MultiLayerConfig{Activation: &layers.Sigmoid{}, Init: Xavier}), x: vectors, classes: 3},
		{name: "MultiLayerNetExtend: BatchNorm, tanh, weight decay", net: mlp(MultiLayerConfig{Activation: &layers.Tanh{}, BatchNorm: true, WeightDecay: 0.1}), x: vectors, classes: 3},
		{name: "MultiLayerNetExtend with dropout", net: mlp(MultiLayerConfig{BatchNorm: true, Dropout: 0.3, WeightDecay: 0.01}), x: vectors, classes: 3, dropout: true},
		{name: "regression head", net: mlp(MultiLayerConfig{Head: &layers.IdentityWithLoss{}}), x: vectors, classes: 3, head: "identity"},
		{name: "sigmoid head", net: mlp(MultiLayerConfig{Head: &layers.SigmoidWithLoss{}}), x: vectors, classes: 3, head: "sigmoid"},
		{name: "SimpleConvNet", net: func() *Network { return smallConvNet(84) }, x: images(2, 7, 6), classes: 4, imageNet: true},
		{name: "the book's SimpleConvNet", net: func() *Network { return NewSimpleConvNet(ConvNetConfig{}, newRand(85)) }, x: images(1, 28, 28), classes: 10, imageNet: true},
		{name: "DeepConvNet", net: func() *Network { return NewDeepConvNet(DeepConvNetConfig{Dropout: 0.5}, newRand(86)) }, x: images(1, 28, 28), classes: 10, dropout: true, imageNet: true},
		{name: "strided, padded pooling", net: func() *Network {
			rng := newRand(87)
			return NewNetwork(
				layers.NewConvolution(tensor.RandN(rng, 0.3, 3, 2, 3, 3), tensor.RandN(rng, 0.1, 3), 2, 1), &layers.ReLU{},
				layers.NewPooling(3, 2, 1, 1), layers.NewAffine(tensor.RandN(rng, 0.3, 3*4*4, 4), tensor.New(4)))
		}, x: images(2, 7, 6), classes: 4, imageNet: true},
		{name: "a registered layer of the user's", net: func() *Network {
			base := NewMultiLayerNet([]int{6, 5, 3}, MultiLayerConfig{Activation: &layers.Tanh{}}, newRand(88))
			ls := base.Layers()
			return NewNetwork(ls[0], &describedScale{*newScale(1, 0.5, 2, 1, 1.5)}, ls[1], ls[2])
		}, x: vectors, classes: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.imageNet && testing.Short() && strings.Contains(tt.name, "book") {
				t.Skip("a few training steps on 28×28 images")
			}
			net := tt.net()
			x := tt.x(8)
			var tg *tensor.Tensor
			switch tt.head {
			case "identity":
				tg = tensor.RandN(newRand(89), 1, 8, tt.classes)
			case "sigmoid":
				tg = tensor.Full(1, 8, tt.classes)
				tg.Slice(0, 4).Zero()
			default:
				tg = oneHot([]int{0, 1, 2, 0, 1, 2, 0, 1}, tt.classes)
			}
			// A few steps of training, so that biases, γ, β and the
			// running statistics are no longer their initial values.
			_, err := net.Train(t.Context(), x, tg, TrainConfig{Iterations: 3, BatchSize: 4, Optimizer: &grad.Adam{LR: 0.01}, EvalEvery: -1})
			require.NoError(t, err)

			loaded := roundTrip(t, net, SaveOptions{})
			assert.Equal(t, layerKinds(net), layerKinds(loaded))
			assert.Equal(t, fmt.Sprintf("%T", net.Head()), fmt.Sprintf("%T", loaded.Head()))
			assert.Equal(t, net.ParamNames(), loaded.ParamNames())
			assert.Equal(t, net.StateNames(), loaded.StateNames())
			assert.Equal(t, bits(net.Params()...), bits(loaded.Params()...), "parameters")
			assert.Equal(t, bits(net.State()...), bits(loaded.State()...), "state")
			assert.Equal(t, net.WeightDecay(), loaded.WeightDecay())
			in := tt.x(5)
			assert.Equal(t, bits(net.Predict(in)), bits(loaded.Predict(in)), "scores")
			var want, got tensor.Tensor
			net.Output(&want, in)
			loaded.Output(&got, in)
			assert.Equal(t, bits(&want), bits(&got), "outputs")
			assert.Equal(t, math.Float64bits(net.Loss(x, tg)), math.Float64bits(loaded.Loss(x, tg)), "loss")
			if tt.dropout {
				return // a loaded Dropout draws its masks from a stream of its own
			}
			cfg := TrainConfig{Iterations: 2, BatchSize: 4, Optimizer: &grad.SGD{LR: 0.05}, EvalEvery: -1}
			_, err = net.Train(t.Context(), x, tg, cfg)
			require.NoError(t, err)
			_, err = loaded.Train(t.Context(), x, tg, cfg)
			require.NoError(t, err)
			assert.Equal(t, bits(net.Params()...), bits(loaded.Params()...), "parameters after more training")
		})
	}
}

func TestLoadModelFileAndFloat32(t *testing.T) {
	net := NewMultiLayerNet([]int{4, 6, 3}, MultiLayerConfig{BatchNorm: true}, newRand(90))
	name := filepath.Join(t.TempDir(), "model.npz")
	require.NoError(t, net.SaveFile(name, SaveOptions{Float32: true}))
	loaded, err := LoadModel(name)
	require.NoError(t, err)
	for i, p := range loaded.Params() {
		for j, v := range p.Data() {
			require.Equal(t, float64(float32(net.Params()[i].Data()[j])), v, "%s[%d] is the float32 nearest", net.ParamNames()[i], j)
		}
	}
	_, err = LoadModel(filepath.Join(t.TempDir(), "missing.npz"))
	assert.ErrorContains(t, err, "no such file")
	_, err = LoadModel(name + ".nope")
	assert.Error(t, err)
	require.NoError(t, net.SaveFile(name, SaveOptions{WeightsOnly: true}))
	_, err = LoadModel(name)
	require.ErrorIs(t, err, ErrFormat)
	assert.ErrorContains(t, err, "the file has no architecture, only weights")
	assert.ErrorContains(t, err, "model.npz", "the error names the file")
}

// unregistered is a layer that describes itself with a kind nobody
// registered.
type unregistered struct{ noClone }

func (unregistered) Describe() layers.Description { return layers.Description{Kind: "nonesuch"} }

func TestSaveNamesTheLayerItCannotDescribe(t *testing.T) {
	var buf bytes.Buffer
	err := NewNetwork(layers.NewAffine(tensor.New(2, 2), tensor.New(2)), noClone{}).Save(&buf, SaveOptions{})
	require.ErrorIs(t, err, layers.ErrUnknownKind)
	assert.EqualError(t, err, "numlearn: save: layer 1 (numlearn.noClone) has no description (layers.Describer): layers: unknown kind; save with SaveOptions{WeightsOnly: true} to keep its weights alone")
	err = NewNetwork(unregistered{}).Save(&buf, SaveOptions{})
	require.ErrorIs(t, err, layers.ErrUnknownKind)
	assert.EqualError(t, err, `numlearn: save: layer 0 (numlearn.unregistered) is of kind "nonesuch", which is not registered (layers.Register): layers: unknown kind`)
	assert.Zero(t, buf.Len(), "nothing is written when saving fails")
	err = NewNetworkWithHead(&plainHead{}, noClone{}).Save(&buf, SaveOptions{WeightsOnly: true})
	require.NoError(t, err, "weights alone need no description")
}

// modelFile returns a model file whose architecture is arch and whose
// arrays are the given tensors.
func modelFile(t *testing.T, arch string, tensors map[string]*tensor.Tensor) []byte {
	t.Helper()
	arrays := []npz.Array{{Name: "architecture", IsText: true, Text: arch}}
	for name, x := range tensors {
		arrays = append(arrays, npz.Array{Name: name, Shape: x.Shape(), Data: x.Data()})
	}
	var buf bytes.Buffer
	require.NoError(t, npz.Write(&buf, arrays))
	return buf.Bytes()
}

func TestReadModelRejectsBadFiles(t *testing.T) {
	affine := map[string]*tensor.Tensor{"W1": tensor.New(3, 2), "b1": tensor.New(2)}
	const head = `"head": {"kind": "SoftmaxWithLoss"}`
	arch := func(layers string) string {
		return `{"format": "numlearn.Network", "version": 1, "layers": [` + layers + `], ` + head + `}`
	}
	good := modelFile(t, arch(`{"kind": "Affine", "tensors": ["W1", "b1"]}`), affine)
	_, err := ReadModel(bytes.NewReader(good))
	require.NoError(t, err, "the hand-made file is good")

	tests := []struct {
		name    string
		file    []byte
		wantErr error
		msg     string
	}{
		{"not JSON", modelFile(t, `{"format": `, affine), ErrFormat, "architecture: unexpected EOF"},
		{"another format", modelFile(t, `{"format": "keras", "version": 1, "layers": [], `+head+`}`, nil), ErrFormat, `format "keras", want "numlearn.Network"`},
		{"a later version", modelFile(t, `{"format": "numlearn.Network", "version": 2, "layers": [], `+head+`}`, nil), ErrFormat, "version 2, this program reads version 1"},
		{"an unknown field", modelFile(t, `{"format": "numlearn.Network", "version": 1, "layers": [], "optimizer": "adam", `+head+`}`, nil), ErrFormat, `unknown field "optimizer"`},
		{"a negative weight decay", modelFile(t, `{"format": "numlearn.Network", "version": 1, "layers": [], "weight_decay": -1, `+head+`}`, nil), ErrFormat, "weight decay -1"},
		{"an unknown layer kind", modelFile(t, arch(`{"kind": "Transformer"}`), nil), layers.ErrUnknownKind, `layer 0: layers: unknown kind "Transformer" (no layers.Register for it)`},
		{"an unknown head kind", modelFile(t, `{"format": "numlearn.Network", "version": 1, "layers": [], "head": {"kind": "CTC"}}`, nil), layers.ErrUnknownKind, `the head: layers: unknown kind "CTC"`},
		{"a missing array", modelFile(t, arch(`{"kind": "Affine", "tensors": ["W1", "b9"]}`), affine), ErrMismatch, `layer 0 (Affine) names array "b9", which the file does not have`},
		{"an array named twice", modelFile(t, arch(`{"kind": "Affine", "tensors": ["W1", "b1"]}, {"kind": "Affine", "tensors": ["W1", "b1"]}`), affine), ErrMismatch, `layer 1 (Affine) names array "W1"`},
		{"an extra array", modelFile(t, arch(`{"kind": "ReLU"}`), affine), ErrMismatch, "which no layer uses"},
		{"tensors of the wrong shape", modelFile(t, arch(`{"kind": "Affine", "tensors": ["b1", "W1"]}`), affine), ErrFormat, "layer 0: layers: Affine: tensor 0 has shape [2], want 2 dimensions"},
		{"too few tensors", modelFile(t, arch(`{"kind": "Affine", "tensors": ["W1"]}`), map[string]*tensor.Tensor{"W1": tensor.New(3, 2)}), ErrFormat, "Affine has 2 tensors, the model gives 1"},
		{"a bad configuration", modelFile(t, arch(`{"kind": "Dropout", "config": {"ratio": 1.5}}`), nil), ErrFormat, "ratio 1.5 is not in [0, 1)"},
		{"an unknown setting", modelFile(t, arch(`{"kind": "Convolution", "config": {"stride": 1, "dilation": 2}, "tensors": ["W", "b"]}`),
			map[string]*tensor.Tensor{"W": tensor.New(1, 1, 2, 2), "b": tensor.New(1)}), ErrFormat, `unknown field "dilation"`},
		{"a setting for a layer that has none", modelFile(t, arch(`{"kind": "ReLU", "config": {"leak": 0.1}}`), nil), ErrFormat, `unknown field "leak"`},
		{"BatchNorm's ε of zero", modelFile(t, arch(`{"kind": "BatchNorm", "config": {"epsilon": 0, "momentum": 0.9}, "tensors": ["g", "b", "m", "v"]}`),
			map[string]*tensor.Tensor{"g": tensor.New(2), "b": tensor.New(2), "m": tensor.New(2), "v": tensor.New(2)}), ErrFormat, "epsilon 0 must be finite and positive"},
		{"a numeric architecture", func() []byte {
			var buf bytes.Buffer
			require.NoError(t, npz.Write(&buf, []npz.Array{{Name: "architecture", Shape: []int{1}, Data: []float64{1}}}))
			return buf.Bytes()
		}(), ErrFormat, `"architecture" is not text`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadModel(bytes.NewReader(tt.file))
			require.ErrorIs(t, err, tt.wantErr)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestEveryPrefixOfAModelIsRejectedByReadModel(t *testing.T) {
	good := saved(t, NewMultiLayerNet([]int{3, 2, 2}, MultiLayerConfig{BatchNorm: true}, newRand(91)))
	for n := range len(good) {
		_, err := ReadModel(bytes.NewReader(good[:n]))
		require.ErrorIs(t, err, ErrFormat, "prefix of %d bytes", n)
	}
}

// TestReadModelAllocatesWhatTheFileHolds: a model file whose headers
// claim 2·10⁸ weights (1.6 GB) but which holds none of the
// data costs next to nothing to reject: memory grows with what is read.
func TestReadModelAllocatesWhatTheFileHolds(t *testing.T) {
	huge := map[string]*tensor.Tensor{"W1": tensor.New(1, 1), "b1": tensor.New(1)}
	file := modelFile(t, `{"format": "numlearn.Network", "version": 1, "layers": [{"kind": "Affine", "tensors": ["W1", "b1"]}], "head": {"kind": "SoftmaxWithLoss"}}`, huge)
	// The header of W1 claims (784, 255102), in the room its padding
	// leaves; its data is one value.
	forged := bytes.Replace(file, []byte("(1, 1), }       "), []byte("(784, 255102), }"), 1)
	require.NotEqual(t, file, forged)
	file = forged
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	_, err := ReadModel(bytes.NewReader(file))
	runtime.ReadMemStats(&ms1)
	require.ErrorIs(t, err, ErrFormat)
	got := ms1.TotalAlloc - ms0.TotalAlloc
	assert.Less(t, got, uint64(1<<20), "allocated %d bytes", got)
}
