package onnx

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// convNets are convolutional networks for MNIST images (1, 28, 28), and
// the layer types that Import gives back for them.
func convNets() []struct {
	name    string
	net     *numlearn.Network
	shape   []int // for ExportOptions; nil to leave it to Export
	layers  []string
	opsWant []string
} {
	rng := newRand(71)
	simple := numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{Filters: 4, Hidden: 16, Init: numlearn.He}, rng)
	layered := numlearn.NewNetwork(
		layers.NewConvolution(tensor.RandN(rng, 0.3, 3, 1, 3, 3), tensor.RandN(rng, 0.1, 3), 1, 1), // 3×28×28
		&layers.ReLU{},
		layers.NewPooling(3, 3, 2, 0), // 3×13×13
		layers.NewConvolution(tensor.RandN(rng, 0.3, 2, 3, 3, 3), tensor.RandN(rng, 0.1, 2), 2, 0), // 2×6×6
		&layers.Sigmoid{},
		layers.NewAffine(tensor.RandN(rng, 0.3, 72, 10), tensor.RandN(rng, 0.1, 10)),
	)
	return []struct {
		name    string
		net     *numlearn.Network
		shape   []int
		layers  []string
		opsWant []string
	}{
		{"simpleconv", simple, nil,
			[]string{"*layers.Convolution", "*layers.ReLU", "*layers.Pooling", "*layers.Affine", "*layers.ReLU", "*layers.Affine"},
			[]string{"Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Softmax"}},
		{"conv pool conv", layered, []int{1, 28, 28},
			[]string{"*layers.Convolution", "*layers.ReLU", "*layers.Pooling", "*layers.Convolution", "*layers.Sigmoid", "*layers.Affine"},
			[]string{"Conv", "Relu", "MaxPool", "Conv", "Sigmoid", "Flatten", "Gemm", "Softmax"}},
	}
}

func TestExportImportConvolutional(t *testing.T) {
	x := tensor.RandN(newRand(72), 1, 6, 1, 28, 28)
	for _, tt := range convNets() {
		for _, f64 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s f64=%v", tt.name, f64), func(t *testing.T) {
				b := exported(t, tt.net, ExportOptions{Float64: f64, InputShape: tt.shape})
				var m model
				require.NoError(t, m.unmarshal(b))
				var ops []string
				for _, n := range m.graph.nodes {
					ops = append(ops, n.opType)
				}
				assert.Equal(t, tt.opsWant, ops)
				assert.Equal(t, []int64{-1, 1, 28, 28}, m.graph.inputs[0].shape)
				assert.Equal(t, []int64{-1, 10}, m.graph.outputs[0].shape)

				got, err := Import(bytes.NewReader(b))
				require.NoError(t, err)
				var types []string
				for _, l := range got.Layers() {
					types = append(types, fmt.Sprintf("%T", l))
				}
				assert.Equal(t, tt.layers, types)
				require.Len(t, got.Params(), len(tt.net.Params()))
				for i, p := range tt.net.Params() {
					want := p.Clone()
					if !f64 {
						want.Apply(func(v float64) float64 { return float64(float32(v)) }, p)
					}
					assert.Equal(t, want.Shape(), got.Params()[i].Shape())
					assert.Equal(t, want.Data(), got.Params()[i].Data(), "parameter %d", i)
				}
				if f64 {
					diff := maxRelDiff(outputs(got, x), outputs(tt.net, x))
					t.Logf("largest relative difference of the imported network's output %.3g", diff)
					assert.LessOrEqual(t, diff, ortTol64)
				}
			})
		}
	}
}

func TestImportConvolutionByHand(t *testing.T) {
	// One 3×3 image 1…9; a 2×2 filter of ones with bias 0.5 gives the
	// window sums plus 0.5: (12.5 16.5; 24.5 28.5); MaxPool of 2×2 at
	// stride 1 gives 28.5. With pads 1 and stride 2 the filter's windows
	// at (−1, −1), (−1, 1), (1, −1), (1, 1) hold 1; 2+3; 4+7; 5+6+8+9.
	x := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3)
	w := floats("W", []int64{1, 1, 2, 2}, 1, 1, 1, 1)
	b := floats("b", []int64{1}, 0.5)
	ints := func(name string, v ...int64) attribute { return attribute{name: name, typ: attrTypeInts, ints: v} }
	conv := func(out string, attrs ...attribute) node {
		return node{opType: "Conv", inputs: []string{"x", "W", "b"}, outputs: []string{out}, attrs: attrs}
	}
	image := func(b []byte) []byte {
		var m model
		require.NoError(t, m.unmarshal(b))
		m.graph.inputs[0].shape = []int64{-1, 1, 3, 3}
		return m.marshal()
	}
	tests := []struct {
		name   string
		model  []byte
		scores []float64
	}{
		{"Conv", image(handModel(2, []tensorProto{w, b}, conv("y", ints("kernel_shape", 2, 2)))), []float64{12.5, 16.5, 24.5, 28.5}},
		{"Conv MaxPool", image(handModel(2, []tensorProto{w, b}, conv("c"),
			node{opType: "MaxPool", inputs: []string{"c"}, outputs: []string{"y"}, attrs: []attribute{ints("kernel_shape", 2, 2)}})), []float64{28.5}},
		{"Conv pads strides", image(handModel(2, []tensorProto{w, b}, conv("y", ints("pads", 1, 1, 1, 1), ints("strides", 2, 2),
			ints("dilations", 1, 1), attribute{name: "auto_pad", typ: attrTypeString, s: []byte("NOTSET")}))), []float64{1.5, 5.5, 11.5, 28.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := Import(bytes.NewReader(tt.model))
			require.NoError(t, err)
			assert.Equal(t, tt.scores, net.Predict(x).Data())
		})
	}
}

func TestImportRejectsConvolution(t *testing.T) {
	w := floats("W", []int64{1, 1, 2, 2}, 1, 1, 1, 1)
	b := floats("b", []int64{1}, 0.5)
	ints := func(name string, v ...int64) attribute { return attribute{name: name, typ: attrTypeInts, ints: v} }
	image := func(b []byte) []byte {
		var m model
		if err := m.unmarshal(b); err != nil {
			panic(err)
		}
		m.graph.inputs[0].shape = []int64{-1, 1, 3, 3}
		return m.marshal()
	}
	conv := func(attrs ...attribute) []byte {
		return image(handModel(2, []tensorProto{w, b}, node{opType: "Conv", inputs: []string{"x", "W", "b"}, outputs: []string{"y"}, attrs: attrs}))
	}
	pool := func(attrs ...attribute) []byte {
		return image(handModel(2, nil, node{opType: "MaxPool", inputs: []string{"x"}, outputs: []string{"y"}, attrs: attrs}))
	}
	tests := []struct {
		name string
		file []byte
		err  error
		msg  string
	}{
		{"Conv group of more than the filters", conv(attribute{name: "group", typ: attrTypeInt, i: 2}), ErrFormat, "group = 2 for 1 filters"},
		{"Conv dilations differ", conv(ints("dilations", 1, 2)), ErrUnsupported, "dilations [1 2]"},
		{"Conv dilations too wide", conv(ints("dilations", 3, 3)), ErrShape, "window of 4×4 on images of 3×3 padded by 0"},
		{"Conv auto_pad", conv(attribute{name: "auto_pad", typ: attrTypeString, s: []byte("SAME_UPPER")}), ErrUnsupported, `auto_pad "SAME_UPPER"`},
		{"Conv strides differ", conv(ints("strides", 1, 2)), ErrUnsupported, "strides [1 2]"},
		{"Conv pads differ", conv(ints("pads", 0, 1, 0, 1)), ErrUnsupported, "pads [0 1 0 1]"},
		{"Conv kernel_shape", conv(ints("kernel_shape", 3, 3)), ErrFormat, "kernel_shape [3 3]"},
		{"Conv of a matrix", handModel(2, []tensorProto{w, b}, node{opType: "Conv", inputs: []string{"x", "W", "b"}, outputs: []string{"y"}}), ErrShape, "not images"},
		{"Conv window too large", image(handModel(2, []tensorProto{floats("W", []int64{1, 1, 4, 4}, make([]float32, 16)...), b},
			node{opType: "Conv", inputs: []string{"x", "W", "b"}, outputs: []string{"y"}})), ErrShape, "window of 4×4"},
		{"MaxPool ceil_mode", pool(ints("kernel_shape", 2, 2), attribute{name: "ceil_mode", typ: attrTypeInt, i: 1}), ErrUnsupported, "ceil_mode = 1"},
		{"MaxPool pads of a window", pool(ints("kernel_shape", 2, 2), ints("pads", 2, 2, 2, 2)), ErrUnsupported, "MaxPool with pads 2, not less than the window 2×2"},
		{"MaxPool dilations", pool(ints("kernel_shape", 2, 2), ints("dilations", 2, 2)), ErrUnsupported, "MaxPool with dilations 2"},
		{"MaxPool 1-D", pool(ints("kernel_shape", 2)), ErrUnsupported, "kernel_shape [2]"},
		{"MaxPool too large", pool(ints("kernel_shape", 4, 4)), ErrShape, "window of 4×4"},
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

func TestExportRejectsConvolution(t *testing.T) {
	conv := layers.NewConvolution(tensor.New(2, 1, 3, 3), tensor.New(2), 1, 0)
	tests := []struct {
		name string
		net  *numlearn.Network
		opts ExportOptions
		err  error
		msg  string
	}{
		{"flat input", numlearn.NewNetwork(conv, layers.NewAffine(tensor.New(2, 2), tensor.New(2))), ExportOptions{InputShape: []int{784}}, ErrShape, "need images (1, H, W)"},
		{"Pooling with padding", numlearn.NewNetwork(layers.NewPooling(2, 2, 2, 1), layers.NewAffine(tensor.New(4, 2), tensor.New(2))), ExportOptions{InputShape: []int{1, 2, 2}}, ErrUnsupported, "Pooling with padding 1"},
		{"no square image fits", numlearn.NewNetwork(conv, layers.NewAffine(tensor.New(3, 2), tensor.New(2))), ExportOptions{}, ErrShape, "no square image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Export(&bytes.Buffer{}, tt.net, tt.opts)
			require.ErrorIs(t, err, tt.err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}
