package onnx

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// dropoutRatio is the dropout of extendNet's hidden layers.
const dropoutRatio = 0.3

// extendNet returns the book's MultiLayerNetExtend, 784-40-30-10 with
// BatchNorm and Dropout after each hidden Affine layer, trained for a few
// steps on random data so that its running statistics and parameters are
// far from their starting values.
func extendNet() *numlearn.Network {
	rng := newRand(41)
	net := numlearn.NewMultiLayerNet([]int{784, 40, 30, 10}, numlearn.MultiLayerConfig{BatchNorm: true, Dropout: dropoutRatio}, rng)
	x := tensor.RandN(rng, 1, 32, 784)
	x.Apply(func(v float64) float64 { return v + 0.5 }, x) // a mean the running mean must learn
	labels := make([]int, 32)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	t := tensor.New(32, 10)
	for i, l := range labels {
		t.Set(1, i, l)
	}
	opt := &grad.SGD{LR: 0.1}
	for range 8 {
		opt.Update(net.Params(), net.Gradient(x, t))
	}
	return net
}

// outputs returns the network's Output for x.
func outputs(net *numlearn.Network, x *tensor.Tensor) []float64 {
	var y tensor.Tensor
	net.Output(&y, x)
	return y.Data()
}

func TestExportImportBatchNormDropout(t *testing.T) {
	net := extendNet()
	bn := net.Layers()[1].(*layers.BatchNorm)
	require.NotEqual(t, 0.0, bn.RunningMean.At(0), "the running statistics have moved")
	x := tensor.RandN(newRand(42), 1, 50, 784)
	tests := []struct {
		f64 bool
		tol float64 // on the outputs, relative to the largest
	}{
		{false, 1e-5}, // float32 weights
		{true, 1e-12}, // the factor 1 − ratio taken into the next weights: rounding only
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("f64=%v", tt.f64), func(t *testing.T) {
			b := exported(t, net, ExportOptions{Float64: tt.f64})
			var m model
			require.NoError(t, m.unmarshal(b))
			var ops []string
			for _, n := range m.graph.nodes {
				ops = append(ops, n.opType)
			}
			assert.Equal(t, []string{
				"Gemm", "BatchNormalization", "Relu", "Mul",
				"Gemm", "BatchNormalization", "Relu", "Mul",
				"Gemm", "Softmax"}, ops)

			got, err := Import(bytes.NewReader(b))
			require.NoError(t, err)
			var types []string
			for _, l := range got.Layers() {
				types = append(types, fmt.Sprintf("%T", l))
			}
			assert.Equal(t, []string{
				"*layers.Affine", "*layers.BatchNorm", "*layers.ReLU",
				"*layers.Affine", "*layers.BatchNorm", "*layers.ReLU",
				"*layers.Affine"}, types, "no Dropout layers: their factor is in the next weights")
			round := func(v float64) float64 { return v }
			if !tt.f64 {
				round = func(v float64) float64 { return float64(float32(v)) }
			}
			// Layer i of the network is layer j of the imported one.
			for _, p := range [][2]int{{1, 1}, {5, 4}} {
				i := p[0]
				want, have := net.Layers()[i].(*layers.BatchNorm), got.Layers()[p[1]].(*layers.BatchNorm)
				for k, p := range []*tensor.Tensor{want.Gamma, want.Beta, want.RunningMean, want.RunningVar} {
					q := []*tensor.Tensor{have.Gamma, have.Beta, have.RunningMean, have.RunningVar}[k]
					for j, v := range p.Data() {
						require.Equal(t, round(v), q.Data()[j], "BatchNorm %d tensor %d value %d", i, k, j)
					}
				}
			}
			// The second and third Affine layers follow a Dropout: W·(1 − ratio),
			// with the factor, too, rounded to float32 in a float32 model.
			keep := round(1 - dropoutRatio)
			for _, p := range [][2]int{{4, 3}, {8, 6}} {
				i := p[0]
				want, have := net.Layers()[i].(*layers.Affine), got.Layers()[p[1]].(*layers.Affine)
				for j, v := range want.W.Data() {
					require.InDelta(t, round(v)*keep, have.W.Data()[j], 1e-15, "Affine %d weight %d", i, j)
				}
			}
			diff := maxRelDiff(outputs(got, x), outputs(net, x))
			t.Logf("largest relative difference of the imported network's output %.3g", diff)
			assert.LessOrEqual(t, diff, tt.tol)
		})
	}
}

func TestExportDropoutOfZeroWritesNothing(t *testing.T) {
	net := numlearn.NewNetwork(layers.NewAffine(tensor.New(4, 2), tensor.New(2)), layers.NewDropout(0, newRand(1)))
	var m model
	require.NoError(t, m.unmarshal(exported(t, net, ExportOptions{})))
	require.Len(t, m.graph.nodes, 2)
	assert.Equal(t, "Gemm", m.graph.nodes[0].opType)
	assert.Equal(t, "Softmax", m.graph.nodes[1].opType)
}

func TestImportBatchNormAndScaling(t *testing.T) {
	// x = (1, 2) throughout; each model's output worked out by hand.
	x := tensor.FromSlice([]float64{1, 2}, 1, 2)
	w := floats("W", []int64{2, 2}, 1, 2, 3, 4) // rows (1 2), (3 4)
	b := floats("b", []int64{2}, 0.5, -10)
	half := floats("half", nil, 0.5)
	bn := []tensorProto{
		floats("gamma", []int64{2}, 2, 1), floats("beta", []int64{2}, 0.5, -1),
		floats("mean", []int64{2}, 1, 0), floats("var", []int64{2}, 3, 0),
	}
	bnNode := func(in, out string, attrs ...attribute) node {
		return node{opType: "BatchNormalization", inputs: []string{in, "gamma", "beta", "mean", "var"}, outputs: []string{out}, attrs: attrs}
	}
	eps1 := attribute{name: "epsilon", typ: attrTypeFloat, f: 1}
	gemm := func(in, out string) node {
		return node{opType: "Gemm", inputs: []string{in, "W", "b"}, outputs: []string{out}}
	}
	tests := []struct {
		name   string
		model  []byte
		layers int
		scores []float64
	}{
		// γ·(x − mean)/√(var + 1) + β = (2·0/2 + 0.5, 1·2/1 − 1)
		{"BatchNormalization, epsilon 1", handModel(2, bn, bnNode("x", "y", eps1)), 1, []float64{0.5, 1}},
		// (0.5·x)·W + b = (0.5, 1)·W + b = (3.5, 5) + b
		{"Mul before Gemm", handModel(2, []tensorProto{half, w, b},
			node{opType: "Mul", inputs: []string{"x", "half"}, outputs: []string{"h"}}, gemm("h", "y")), 1, []float64{4, -5}},
		// (x·W + b)·0.5 = (7.5, 0)·0.5
		{"Gemm then Mul", handModel(2, []tensorProto{half, w, b},
			gemm("x", "h"), node{opType: "Mul", inputs: []string{"h", "half"}, outputs: []string{"y"}}), 1, []float64{3.75, 0}},
		{"Dropout", handModel(2, []tensorProto{w, b},
			node{opType: "Dropout", inputs: []string{"x"}, outputs: []string{"h"}}, gemm("h", "y")), 1, []float64{7.5, 0}},
		// BatchNormalization's (0.5, 1), then ·0.5·W + b = (0.25, 0.5)·W + b = (1.75, 2.5) + b
		{"BatchNormalization, Mul, Gemm", handModel(2, append(bn, half, w, b),
			bnNode("x", "n", eps1), node{opType: "Mul", inputs: []string{"n", "half"}, outputs: []string{"h"}}, gemm("h", "y")),
			2, []float64{2.25, -7.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := Import(bytes.NewReader(tt.model))
			require.NoError(t, err)
			assert.Len(t, net.Layers(), tt.layers)
			assert.InDeltaSlice(t, tt.scores, net.Predict(x).Data(), 1e-12)
		})
	}
}

func TestImportRejectsBatchNormAndScaling(t *testing.T) {
	w := floats("W", []int64{2, 2}, 1, 2, 3, 4)
	b := floats("b", []int64{2}, 0.5, -10)
	bn := []tensorProto{
		floats("gamma", []int64{2}, 2, 1), floats("beta", []int64{2}, 0.5, -1),
		floats("mean", []int64{2}, 1, 0), floats("var", []int64{2}, 3, 0),
	}
	bnNode := node{opType: "BatchNormalization", inputs: []string{"x", "gamma", "beta", "mean", "var"}, outputs: []string{"y"}}
	training := bnNode
	training.attrs = []attribute{{name: "training_mode", typ: attrTypeInt, i: 1}}
	var m model
	require.NoError(t, m.unmarshal(handModel(2, bn, bnNode)))
	m.opsets[0].version = 6 // where is_test = 0, the default, is training mode
	oldTraining := m.marshal()
	tests := []struct {
		name string
		file []byte
		err  error
		msg  string
	}{
		{"training mode", handModel(2, bn, training), ErrUnsupported, "training_mode = 1"},
		{"training mode of opset 6", oldTraining, ErrUnsupported, "is_test = 0"},
		{"channels differ", withInput([]int64{-1, 3, 2, 2}, handModel(2, bn, bnNode)), ErrShape, "2 channels, the value before has 3"},
		{"features differ", handModel(3, bn, bnNode), ErrShape, "2 features, the value before has 3"},
		{"Mul by a vector", handModel(2, []tensorProto{b},
			node{opType: "Mul", inputs: []string{"x", "b"}, outputs: []string{"y"}}), ErrUnsupported, "not a single value"},
		{"Dropout in training mode", handModel(2, []tensorProto{w, b, floats("train", nil, 1)},
			node{opType: "Dropout", inputs: []string{"x", "", "train"}, outputs: []string{"y"}}), ErrUnsupported, "training_mode input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := Import(bytes.NewReader(tt.file))
			require.ErrorIs(t, err, tt.err)
			assert.Nil(t, net)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}
