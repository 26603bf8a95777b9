package onnx

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// modernNets are networks of the layers and heads that PyTorch models use
// beyond the book's — leaky and parametric rectifiers, per-channel batch
// normalization, grouped and dilated convolutions, padded max and average
// pooling, global average pooling, standardization, a log-softmax head,
// softmax and log-softmax layers along an axis, Softplus, a constant
// factor — with the input shape to export them with (one MNIST image) and
// the operators the export writes. Each Scale stands between layers that
// are not Affine, which would take its factor into their weights.
func modernNets() []struct {
	name  string
	net   *numlearn.Network
	shape []int
	ops   []string
} {
	rng := newRand(81)
	standardize := func(shape ...int) *layers.Standardize {
		s, err := layers.NewStandardize(tensor.RandN(rng, 0.3, append([]int{16}, shape...)...))
		if err != nil {
			panic(err)
		}
		return s
	}
	bn := layers.NewBatchNorm2D(tensor.RandN(rng, 0.3, 4), tensor.RandN(rng, 0.1, 4))
	bn.RunningMean = tensor.RandN(rng, 0.1, 4)
	bn.RunningVar.Apply(func(float64) float64 { return 0.5 + rng.Float64() }, bn.RunningVar)
	bn.Epsilon, bn.Momentum = 0x1p-10, 0.75 // exact in float32, as ONNX's attributes are
	// The images: 1×28×28, then 4×28×28, 4×14×14 after the MaxPool,
	// 6×14×14, 6×8×8 and 6×4×4 after the AvgPools, 6×1×1.
	conv := numlearn.NewNetworkWithHead(&layers.LogSoftmaxWithLoss{},
		standardize(1, 28, 28),
		layers.NewGroupedConvolution(tensor.RandN(rng, 0.3, 4, 1, 3, 3), tensor.RandN(rng, 0.1, 4), 1, 2, 2, 1),
		bn,
		layers.NewPReLU(tensor.FromSlice([]float64{0.25, 0.5, -0.125, 2}, 4)),
		layers.NewMaxPool(3, 3, 2, 1),
		layers.NewGroupedConvolution(tensor.RandN(rng, 0.3, 6, 2, 3, 3), tensor.RandN(rng, 0.1, 6), 1, 1, 1, 2),
		layers.NewELU(0.5),
		layers.NewAvgPool(2, 2, 2, 1, true),
		layers.NewLeakyReLU(0.125),
		layers.NewAvgPool(3, 3, 2, 1, false),
		&layers.GlobalAvgPool{},
		layers.NewAffine(tensor.RandN(rng, 0.3, 6, 10), tensor.RandN(rng, 0.1, 10)),
	)
	mlp := numlearn.NewNetwork(
		standardize(784),
		layers.NewAffine(tensor.RandN(rng, 0.1, 784, 20), tensor.RandN(rng, 0.1, 20)),
		layers.NewLeakyReLU(0.25),
		layers.NewPReLU(tensor.FromSlice([]float64{-0.5}, 1)),
		layers.NewAffine(tensor.RandN(rng, 0.3, 20, 10), tensor.RandN(rng, 0.1, 10)),
		layers.NewPReLU(tensor.RandN(rng, 0.3, 10)),
	)
	// With an identity head, the final LogSoftmax is a layer of its own.
	softmaxMLP := numlearn.NewNetworkWithHead(&layers.IdentityWithLoss{},
		layers.NewAffine(tensor.RandN(rng, 0.1, 784, 16), tensor.RandN(rng, 0.1, 16)),
		&layers.ReLU{},
		layers.NewScale(-0.5),
		&layers.Tanh{},
		layers.NewSoftmax(-1),
		layers.NewAffine(tensor.RandN(rng, 0.3, 16, 10), tensor.RandN(rng, 0.1, 10)),
		layers.NewLogSoftmax(1),
	)
	// A softmax over the 4 channels at each pixel, a log-softmax along
	// each row of 28 pixels. (Softplus is here, in a convolutional
	// network, as ONNX Runtime's CPU provider has no double kernel for it
	// either.)
	softmaxConv := numlearn.NewNetwork(
		layers.NewConvolution(tensor.RandN(rng, 0.3, 4, 1, 3, 3), tensor.RandN(rng, 0.1, 4), 1, 1),
		&layers.Softplus{},
		layers.NewSoftmax(1),
		layers.NewLogSoftmax(-1),
		layers.NewScale(0.25),
		&layers.GlobalAvgPool{},
		layers.NewAffine(tensor.RandN(rng, 0.3, 4, 10), tensor.RandN(rng, 0.1, 10)),
	)
	// Each mode of Pad, SELU with PyTorch's constants (float32 values).
	padConv := numlearn.NewNetwork(
		layers.NewConvolution(tensor.RandN(rng, 0.3, 2, 1, 3, 3), tensor.RandN(rng, 0.1, 2), 1, 0),
		layers.NewPad(1, 2, 0, 3, layers.PadReflect, 0),
		layers.NewSELU(layers.SELUAlpha, layers.SELUGamma),
		layers.NewPad(2, 2, 2, 2, layers.PadConstant, 0.5),
		layers.NewPad(0, 1, 1, 0, layers.PadEdge, 0),
		&layers.GlobalAvgPool{},
		layers.NewAffine(tensor.RandN(rng, 0.3, 2, 10), tensor.RandN(rng, 0.1, 10)),
	)
	return []struct {
		name  string
		net   *numlearn.Network
		shape []int
		ops   []string
	}{
		{"modern conv", conv, []int{1, 28, 28}, []string{"Sub", "Div", "Conv", "BatchNormalization", "PRelu", "MaxPool", "Conv", "Elu",
			"AveragePool", "LeakyRelu", "AveragePool", "GlobalAveragePool", "Flatten", "Gemm", "LogSoftmax"}},
		{"modern mlp", mlp, []int{784}, []string{"Sub", "Div", "Gemm", "LeakyRelu", "PRelu", "Gemm", "PRelu", "Softmax"}},
		{"softmax layers mlp", softmaxMLP, []int{784}, []string{"Gemm", "Relu", "Mul", "Tanh", "Softmax", "Gemm", "LogSoftmax"}},
		{"softmax layers conv", softmaxConv, []int{1, 28, 28}, []string{"Conv", "Softplus", "Softmax", "LogSoftmax", "Mul", "GlobalAveragePool",
			"Flatten", "Gemm", "Softmax"}},
		{"pad conv", padConv, []int{1, 28, 28}, []string{"Conv", "Pad", "Selu", "Pad", "Pad", "GlobalAveragePool", "Flatten", "Gemm", "Softmax"}},
	}
}

func TestExportImportModernLayers(t *testing.T) {
	for _, tt := range modernNets() {
		for _, f64 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s f64=%v", tt.name, f64), func(t *testing.T) {
				b := exported(t, tt.net, ExportOptions{Float64: f64, InputShape: tt.shape})
				var m model
				require.NoError(t, m.unmarshal(b))
				var ops []string
				for _, n := range m.graph.nodes {
					ops = append(ops, n.opType)
				}
				assert.Equal(t, tt.ops, ops)

				back, err := Import(bytes.NewReader(b))
				require.NoError(t, err)
				assert.IsType(t, tt.net.Head(), back.Head())
				require.Len(t, back.Layers(), len(tt.net.Layers()))
				for i, l := range tt.net.Layers() {
					assert.IsType(t, l, back.Layers()[i], "layer %d", i)
					// the settings too: a softmax's axis, a Scale's factor, …
					assert.Equal(t, l.(layers.Describer).Describe(), back.Layers()[i].(layers.Describer).Describe(), "layer %d", i)
				}
				round := func(t *tensor.Tensor) *tensor.Tensor {
					if f64 {
						return t
					}
					r := tensor.New(t.Shape()...)
					r.Apply(func(v float64) float64 { return float64(float32(v)) }, t)
					return r
				}
				for _, pair := range [][2][]*tensor.Tensor{{tt.net.Params(), back.Params()}, {tt.net.State(), back.State()}} {
					require.Len(t, pair[1], len(pair[0]))
					for i, p := range pair[0] {
						assert.Equal(t, p.Shape(), pair[1][i].Shape())
						assert.Equal(t, round(p).Data(), pair[1][i].Data(), "tensor %d", i)
					}
				}
				if !f64 {
					return
				}
				x := tensor.RandN(newRand(9), 1, append([]int{3}, tt.shape...)...)
				var want, got tensor.Tensor
				tt.net.Output(&want, x)
				back.Output(&got, x)
				assert.Equal(t, want.Data(), got.Data())
			})
		}
	}
}

func TestImportModernLayersByHand(t *testing.T) {
	ints := intsAttribute
	image := func(c, h, w int64) []int64 { return []int64{-1, c, h, w} }
	tests := []struct {
		name   string
		model  []byte
		x      []float64
		layers []string
		want   []float64
	}{
		{"LeakyRelu", graphModel(17, []int64{-1, 2}, nil, op("LeakyRelu", []string{"x"}, "y", floatAttribute("alpha", 0.5))),
			[]float64{-2, 3}, []string{"*layers.LeakyReLU"}, []float64{-1, 3}},
		{"Elu", graphModel(17, []int64{-1, 2}, nil, op("Elu", []string{"x"}, "y", floatAttribute("alpha", 2))),
			[]float64{-1, 3}, []string{"*layers.ELU"}, []float64{2 * math.Expm1(-1), 3}},
		// channel 0 (−2 4) by 0.5, channel 1 (−1 3) by 2
		{"PRelu per channel, opset 17", graphModel(17, image(2, 1, 2), []tensorProto{floats("a", []int64{2, 1, 1}, 0.5, 2)},
			op("PRelu", []string{"x", "a"}, "y")), []float64{-2, 4, -1, 3}, []string{"*layers.PReLU"}, []float64{-1, 4, -2, 3}},
		{"PRelu per channel, opset 6", graphModel(6, image(2, 1, 2), []tensorProto{floats("a", []int64{2}, 0.5, 2)},
			op("PRelu", []string{"x", "a"}, "y")), []float64{-2, 4, -1, 3}, []string{"*layers.PReLU"}, []float64{-1, 4, -2, 3}},
		{"PRelu shared", graphModel(17, []int64{-1, 2}, []tensorProto{floats("a", []int64{1}, 0.25)},
			op("PRelu", []string{"x", "a"}, "y")), []float64{-4, 1}, []string{"*layers.PReLU"}, []float64{-1, 1}},
		// channel 0: 2·(x − 1)/√(3 + 1) + 0.5 = x − 0.5; channel 1: 1·(x − 0)/√(0 + 1) − 1
		{"BatchNormalization per channel", graphModel(17, image(2, 1, 2), []tensorProto{
			floats("g", []int64{2}, 2, 1), floats("b", []int64{2}, 0.5, -1), floats("m", []int64{2}, 1, 0), floats("v", []int64{2}, 3, 0)},
			op("BatchNormalization", []string{"x", "g", "b", "m", "v"}, "y", floatAttribute("epsilon", 1))),
			[]float64{1, 3, 2, 4}, []string{"*layers.BatchNorm2D"}, []float64{0.5, 2.5, 1, 3}},
		// windows of 2×2 at stride 2 over (1 2; 3 4) padded by 1 each hold one value
		{"AveragePool with pads", graphModel(17, image(1, 2, 2), nil,
			op("AveragePool", []string{"x"}, "y", ints("kernel_shape", 2, 2), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))),
			[]float64{1, 2, 3, 4}, []string{"*layers.AvgPool"}, []float64{1, 2, 3, 4}},
		{"AveragePool counting pads", graphModel(17, image(1, 2, 2), nil,
			op("AveragePool", []string{"x"}, "y", ints("kernel_shape", 2, 2), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1), intAttribute("count_include_pad", 1))),
			[]float64{1, 2, 3, 4}, []string{"*layers.AvgPool"}, []float64{0.25, 0.5, 0.75, 1}},
		{"GlobalAveragePool", graphModel(17, image(1, 2, 2), nil, op("GlobalAveragePool", []string{"x"}, "y")),
			[]float64{1, 2, 3, 4}, []string{"*layers.GlobalAvgPool"}, []float64{2.5}},
		{"MaxPool with its Indices unused", graphModel(17, image(1, 2, 2), nil,
			node{opType: "MaxPool", inputs: []string{"x"}, outputs: []string{"y", "indices"}, attrs: []attribute{ints("kernel_shape", 2, 2)}}),
			[]float64{1, 2, 3, 4}, []string{"*layers.Pooling"}, []float64{4}},
		// the padding never wins: each window's maximum is its one value
		{"MaxPool with pads", graphModel(17, image(1, 2, 2), nil,
			op("MaxPool", []string{"x"}, "y", ints("kernel_shape", 2, 2), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))),
			[]float64{-1, -2, -3, -4}, []string{"*layers.MaxPool"}, []float64{-1, -2, -3, -4}},
		// each channel its own filter: 3·2 + 0, 5·10 + 1
		{"Conv in groups", graphModel(17, image(2, 1, 1), []tensorProto{floats("W", []int64{2, 1, 1, 1}, 2, 10), floats("B", []int64{2}, 0, 1)},
			op("Conv", []string{"x", "W", "B"}, "y", intAttribute("group", 2))),
			[]float64{3, 5}, []string{"*layers.GroupedConvolution"}, []float64{6, 51}},
		// taps 2 apart: 1 + 3
		{"Conv dilated", graphModel(17, image(1, 1, 3), []tensorProto{floats("W", []int64{1, 1, 1, 2}, 1, 1)},
			op("Conv", []string{"x", "W"}, "y", ints("dilations", 2, 2))),
			[]float64{1, 2, 3}, []string{"*layers.GroupedConvolution"}, []float64{4}},
		// (3 − 1)/2, (10 − 4)/3
		{"Sub, Div", graphModel(17, []int64{-1, 2}, []tensorProto{floats("m", []int64{1, 2}, 1, 4), floats("s", []int64{2}, 2, 3)},
			op("Sub", []string{"x", "m"}, "c"), op("Div", []string{"c", "s"}, "y")),
			[]float64{3, 10}, []string{"*layers.Standardize"}, []float64{1, 2}},
		{"Sub of one value", graphModel(17, []int64{-1, 2}, []tensorProto{floats("m", nil, 1)}, op("Sub", []string{"x", "m"}, "y")),
			[]float64{3, 10}, []string{"*layers.Standardize"}, []float64{2, 9}},
		// opset 6: pads (x1_begin, x2_begin, …, x1_end, …) as attributes;
		// (1 2) padded by one column on the left with 7
		{"Pad constant, opset 6", graphModel(6, image(1, 1, 2), nil,
			op("Pad", []string{"x"}, "y", ints("pads", 0, 0, 0, 1, 0, 0, 0, 0), floatAttribute("value", 7))),
			[]float64{1, 2}, []string{"*layers.Pad"}, []float64{7, 1, 2}},
		// opset 17: pads an input; reflect on the right: 1 2 3 2
		{"Pad reflect, opset 17", graphModel(17, image(1, 1, 3), []tensorProto{int64s("p", []int64{8}, 0, 0, 0, 0, 0, 0, 0, 1)},
			op("Pad", []string{"x", "p"}, "y", attribute{name: "mode", typ: attrTypeString, s: []byte("reflect")})),
			[]float64{1, 2, 3}, []string{"*layers.Pad"}, []float64{1, 2, 3, 2}},
		// pads from a Constant node, a constant_value: 1 row on top of (1 2)
		{"Pad constant_value, opset 13", graphModel(13, image(1, 1, 2), []tensorProto{floats("v", nil, -1)},
			constNode("p", int64s("", []int64{8}, 0, 0, 1, 0, 0, 0, 0, 0)), op("Pad", []string{"x", "p", "v"}, "y")),
			[]float64{1, 2}, []string{"*layers.Pad"}, []float64{-1, -1, 1, 2}},
		// γ·α·(e⁰ − 1) = 0, γ·3
		{"Selu", graphModel(6, []int64{-1, 2}, nil, op("Selu", []string{"x"}, "y", floatAttribute("alpha", 2), floatAttribute("gamma", 0.5))),
			[]float64{0, 3}, []string{"*layers.SELU"}, []float64{0, 1.5}},
		{"Div alone", graphModel(17, []int64{-1, 2}, []tensorProto{floats("s", []int64{2}, 2, 4)}, op("Div", []string{"x", "s"}, "y")),
			[]float64{3, 10}, []string{"*layers.Standardize"}, []float64{1.5, 2.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m model
			require.NoError(t, m.unmarshal(tt.model))
			shape := []int{1}
			for _, d := range m.graph.inputs[0].shape[1:] {
				shape = append(shape, int(d))
			}
			net, err := Import(bytes.NewReader(tt.model))
			require.NoError(t, err)
			var types []string
			for _, l := range net.Layers() {
				types = append(types, fmt.Sprintf("%T", l))
			}
			assert.Equal(t, tt.layers, types)
			assert.InDeltaSlice(t, tt.want, net.Predict(tensor.FromSlice(tt.x, shape...)).Data(), 1e-15)
		})
	}
}

// TestImportSoftmaxAndScaleLayersByHand: a Softmax or LogSoftmax that the
// heads cannot take — on another axis than the last of (N, classes), or
// before the final node — is a layer along its axis; Neg, and a Mul by a
// constant with no Affine layer to take it, a Scale; Softplus a Softplus.
func TestImportSoftmaxAndScaleLayersByHand(t *testing.T) {
	ln3 := math.Log(3)
	image := func(c, h, w int64) []int64 { return []int64{-1, c, h, w} }
	half := floats("half", nil, 0.5)
	axis := func(a int64) attribute { return intAttribute("axis", a) }
	tests := []struct {
		name   string
		model  []byte
		x      *tensor.Tensor
		layers []string
		head   layers.Head
		want   []float64 // the network's Output
	}{
		// Pixel 0 has channels (ln 3, 0), pixel 1 (0, 0).
		{"Softmax on the channels", graphModel(13, image(2, 1, 2), nil, op("Softmax", []string{"x"}, "y", axis(1))),
			tensor.FromSlice([]float64{ln3, 0, 0, 0}, 1, 2, 1, 2), []string{"*layers.Softmax"}, &layers.IdentityWithLoss{}, []float64{0.75, 0.5, 0.25, 0.5}},
		// Up to version 12, on the axes from 3 on: the last alone.
		{"Softmax of opset 6 on the last axis of images", graphModel(6, image(1, 2, 2), nil, op("Softmax", []string{"x"}, "y", axis(3))),
			tensor.FromSlice([]float64{ln3, 0, 0, 0}, 1, 1, 2, 2), []string{"*layers.Softmax"}, &layers.IdentityWithLoss{}, []float64{0.75, 0.25, 0.5, 0.5}},
		// On the axes from 1 on, of which only axis 1 has more than one value.
		{"LogSoftmax of opset 11 before axes of one value", graphModel(11, image(2, 1, 1), nil, op("LogSoftmax", []string{"x"}, "y")),
			tensor.FromSlice([]float64{ln3, 0}, 1, 2, 1, 1), []string{"*layers.LogSoftmax"}, &layers.IdentityWithLoss{}, []float64{math.Log(0.75), math.Log(0.25)}},
		{"LogSoftmax of opset 17 on the last axis by default", graphModel(17, image(1, 2, 2), nil, op("LogSoftmax", []string{"x"}, "y")),
			tensor.FromSlice([]float64{ln3, 0, 0, 0}, 1, 1, 2, 2), []string{"*layers.LogSoftmax"}, &layers.IdentityWithLoss{},
			[]float64{math.Log(0.75), math.Log(0.25), -math.Ln2, -math.Ln2}},
		// softmax(ln 3, 0)·(4, 0) = ¾·4
		{"Softmax before the end", graphModel(17, []int64{-1, 2}, []tensorProto{floats("W", []int64{2, 1}, 4, 0)},
			op("Softmax", []string{"x"}, "s"), op("MatMul", []string{"s", "W"}, "y")),
			tensor.FromSlice([]float64{ln3, 0}, 1, 2), []string{"*layers.Softmax", "*layers.Affine"}, &layers.IdentityWithLoss{}, []float64{3}},
		// softmax(0, 0, 0, ln 3) = (1, 1, 1, 3)/6, through a ReLU.
		{"Flatten, Softmax, Relu", graphModel(17, image(1, 2, 2), nil,
			op("Flatten", []string{"x"}, "f"), op("Softmax", []string{"f"}, "s"), op("Relu", []string{"s"}, "y")),
			tensor.FromSlice([]float64{0, 0, 0, ln3}, 1, 1, 2, 2), []string{"*layers.Flatten", "*layers.Softmax", "*layers.ReLU"}, &layers.IdentityWithLoss{},
			[]float64{1.0 / 6, 1.0 / 6, 1.0 / 6, 0.5}},
		// PyTorch's Softmin: softmax(0, −ln 3) = (¾, ¼).
		{"Neg then Softmax", graphModel(6, []int64{-1, 2}, nil, op("Neg", []string{"x"}, "n"), op("Softmax", []string{"n"}, "y", axis(1))),
			tensor.FromSlice([]float64{0, ln3}, 1, 2), []string{"*layers.Scale"}, &layers.SoftmaxWithLoss{}, []float64{0.75, 0.25}},
		// −((1, 1)·W + b) = −(4 + 0.5, 6 − 1)
		{"Gemm then Neg", graphModel(17, []int64{-1, 2}, []tensorProto{floats("W", []int64{2, 2}, 1, 2, 3, 4), floats("b", []int64{2}, 0.5, -1)},
			op("Gemm", []string{"x", "W", "b"}, "g"), op("Neg", []string{"g"}, "y")),
			tensor.FromSlice([]float64{1, 1}, 1, 2), []string{"*layers.Affine"}, &layers.IdentityWithLoss{}, []float64{-4.5, -5}},
		{"Neg twice", graphModel(17, []int64{-1, 2}, nil, op("Neg", []string{"x"}, "n"), op("Neg", []string{"n"}, "y")),
			tensor.FromSlice([]float64{-2, 4}, 1, 2), nil, &layers.IdentityWithLoss{}, []float64{-2, 4}},
		{"Softplus", graphModel(17, []int64{-1, 2}, nil, op("Softplus", []string{"x"}, "y")),
			tensor.FromSlice([]float64{0, ln3}, 1, 2), []string{"*layers.Softplus"}, &layers.IdentityWithLoss{}, []float64{math.Ln2, math.Log(4)}},
		{"Mul after Relu", graphModel(17, []int64{-1, 2}, []tensorProto{half}, op("Relu", []string{"x"}, "r"), op("Mul", []string{"r", "half"}, "y")),
			tensor.FromSlice([]float64{-2, 4}, 1, 2), []string{"*layers.ReLU", "*layers.Scale"}, &layers.IdentityWithLoss{}, []float64{0, 2}},
		{"Mul before Relu", graphModel(17, []int64{-1, 2}, []tensorProto{half}, op("Mul", []string{"x", "half"}, "m"), op("Relu", []string{"m"}, "y")),
			tensor.FromSlice([]float64{-2, 4}, 1, 2), []string{"*layers.Scale", "*layers.ReLU"}, &layers.IdentityWithLoss{}, []float64{0, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := Import(bytes.NewReader(tt.model))
			require.NoError(t, err)
			var types []string
			for _, l := range net.Layers() {
				types = append(types, fmt.Sprintf("%T", l))
			}
			assert.Equal(t, tt.layers, types)
			assert.IsType(t, tt.head, net.Head())
			var got tensor.Tensor
			net.Output(&got, tt.x)
			assert.InDeltaSlice(t, tt.want, got.Data(), 1e-15)
		})
	}
}

func TestImportRejectsModernLayers(t *testing.T) {
	ints := intsAttribute
	image := []int64{-1, 2, 2, 2}
	tests := []struct {
		name string
		file []byte
		err  error
		msg  string
	}{
		{"PRelu slope on the last axis", graphModel(17, image, []tensorProto{floats("a", []int64{2}, 1, 2)}, op("PRelu", []string{"x", "a"}, "y")),
			ErrUnsupported, `PRelu slope "a" of shape [2] on a value of shape (N, 2, 2, 2)`},
		{"PRelu slopes of other channels", graphModel(17, image, []tensorProto{floats("a", []int64{3, 1, 1}, 1, 2, 3)}, op("PRelu", []string{"x", "a"}, "y")),
			ErrShape, "PRelu of 3 slopes on a value of 2 channels"},
		{"PRelu per channel after Flatten", graphModel(17, image, []tensorProto{floats("a", []int64{8}, 1, 2, 3, 4, 5, 6, 7, 8)},
			op("Flatten", []string{"x"}, "f"), op("PRelu", []string{"f", "a"}, "y")), ErrUnsupported, "PRelu slope"},
		{"LeakyRelu of NaN", graphModel(17, image, nil, op("LeakyRelu", []string{"x"}, "y", floatAttribute("alpha", float32(math.NaN())))),
			ErrUnsupported, "alpha = NaN"},
		{"AveragePool ceil_mode", graphModel(17, image, nil, op("AveragePool", []string{"x"}, "y", ints("kernel_shape", 2, 2), intAttribute("ceil_mode", 1))),
			ErrUnsupported, "ceil_mode = 1"},
		{"AveragePool pads on one side", graphModel(17, image, nil, op("AveragePool", []string{"x"}, "y", ints("kernel_shape", 2, 2), ints("pads", 0, 0, 1, 1))),
			ErrUnsupported, "pads [0 0 1 1]"},
		{"AveragePool count_include_pad in opset 6", graphModel(6, image, nil, op("AveragePool", []string{"x"}, "y", ints("kernel_shape", 2, 2), intAttribute("count_include_pad", 1))),
			ErrUnsupported, `attribute "count_include_pad", which operator set version 6 does not define`},
		{"GlobalAveragePool of a matrix", graphModel(17, []int64{-1, 2}, nil, op("GlobalAveragePool", []string{"x"}, "y")), ErrShape, "not images"},
		{"Conv channels in groups", graphModel(17, image, []tensorProto{floats("W", []int64{2, 2, 1, 1}, 1, 2, 3, 4)},
			op("Conv", []string{"x", "W"}, "y", intAttribute("group", 2))), ErrShape, "filters of 2 channels in 2 groups on images of 2"},
		{"Div by 0", graphModel(17, []int64{-1, 2}, []tensorProto{floats("s", []int64{2}, 1, 0)}, op("Div", []string{"x", "s"}, "y")),
			ErrUnsupported, "Div by 0"},
		{"Sub of another shape", graphModel(17, []int64{-1, 2}, []tensorProto{floats("m", []int64{3}, 1, 2, 3)}, op("Sub", []string{"x", "m"}, "y")),
			ErrUnsupported, `Sub by "m" of shape [3] on samples of shape (2)`},
		{"Sub of open samples", graphModel(17, []int64{-1, -1}, []tensorProto{floats("m", []int64{3}, 1, 2, 3)}, op("Sub", []string{"x", "m"}, "y")),
			ErrUnsupported, "Sub of a value whose shape the model leaves open"},
		{"LogSoftmax of images in opset 11", graphModel(11, image, nil, op("LogSoftmax", []string{"x"}, "y")),
			ErrUnsupported, "LogSoftmax axis = 1 of a value of shape (N, 2, 2, 2) in operator set version 11"},
		{"Mul by NaN with no Affine layer", graphModel(17, image, []tensorProto{floats("nan", nil, float32(math.NaN()))},
			op("Relu", []string{"x"}, "r"), op("Mul", []string{"r", "nan"}, "y")), ErrUnsupported, "Mul by NaN, with no Affine layer to take it"},
		{"Softmax of an open rank from the end", graphModel(17, nil, nil, op("Softmax", []string{"x"}, "s", intAttribute("axis", -2)), op("Relu", []string{"s"}, "y")),
			ErrUnsupported, "Softmax axis = -2 of a value whose rank the model leaves open"},
		{"Pad of the channels", graphModel(6, image, nil, op("Pad", []string{"x"}, "y", ints("pads", 0, 1, 0, 0, 0, 0, 0, 0))),
			ErrUnsupported, "of the batch or channel axis"},
		{"Pad negative", graphModel(6, image, nil, op("Pad", []string{"x"}, "y", ints("pads", 0, 0, -1, 0, 0, 0, 0, 0))),
			ErrUnsupported, "negative, which crops"},
		{"Pad of a matrix", graphModel(6, []int64{-1, 2}, nil, op("Pad", []string{"x"}, "y", ints("pads", 0, 1, 0, 1))),
			ErrUnsupported, "not those of images"},
		{"Pad reflect as large as the side", graphModel(6, image, nil, op("Pad", []string{"x"}, "y", ints("pads", 0, 0, 2, 0, 0, 0, 0, 0),
			attribute{name: "mode", typ: attrTypeString, s: []byte("reflect")})), ErrUnsupported, "a pad not less than its side"},
		{"Pad wrap", graphModel(19, image, []tensorProto{int64s("p", []int64{8}, 0, 0, 1, 0, 0, 0, 0, 0)}, op("Pad", []string{"x", "p"}, "y",
			attribute{name: "mode", typ: attrTypeString, s: []byte("wrap")})), ErrUnsupported, `Pad mode "wrap"`},
		{"MaxPool's Indices read", graphModel(17, image, nil,
			node{opType: "MaxPool", inputs: []string{"x"}, outputs: []string{"p", "indices"}, attrs: []attribute{ints("kernel_shape", 2, 2)}},
			op("Relu", []string{"indices"}, "y")), ErrUnsupported, `not a chain: the node does not continue from "p"`},
		{"BatchNormalization of training mode", graphModel(9, image, []tensorProto{floats("g", []int64{2}, 1, 1), floats("b", []int64{2}, 0, 0)},
			node{opType: "BatchNormalization", inputs: []string{"x", "g", "b", "b", "g"}, outputs: []string{"y", "mean", "var", "saved_mean", "saved_var"}}),
			ErrUnsupported, "5 outputs, more than the 1 read"},
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

func TestExportRejectsModernLayers(t *testing.T) {
	s, err := layers.NewStandardize(tensor.RandN(newRand(3), 1, 4, 3))
	require.NoError(t, err)
	tests := []struct {
		name string
		net  *numlearn.Network
		opts ExportOptions
		msg  string
	}{
		{"PReLU of other channels", numlearn.NewNetwork(layers.NewPReLU(tensor.New(3))), ExportOptions{InputShape: []int{2, 4, 4}}, "PReLU has 3 slopes"},
		{"BatchNorm2D of other channels", numlearn.NewNetwork(layers.NewBatchNorm2D(tensor.New(3), tensor.New(3))), ExportOptions{InputShape: []int{2, 4, 4}}, "BatchNorm2D has 3 channels"},
		{"Standardize of another shape", numlearn.NewNetwork(s), ExportOptions{InputShape: []int{4}}, "Standardize of samples of shape [3]"},
		{"GlobalAvgPool of a matrix", numlearn.NewNetwork(&layers.GlobalAvgPool{}), ExportOptions{InputShape: []int{4}}, "pooling needs images"},
		{"Softmax beyond a sample's axes", numlearn.NewNetwork(layers.NewSoftmax(2)), ExportOptions{InputShape: []int{4}}, "Softmax along axis 2 of samples of shape [4]"},
		{"LogSoftmax on the batch axis", numlearn.NewNetwork(layers.NewLogSoftmax(-3)), ExportOptions{InputShape: []int{2, 4}}, "LogSoftmax along axis -3 of samples of shape [2 4]"},
		{"grouped filters of other channels", numlearn.NewNetwork(layers.NewGroupedConvolution(tensor.New(2, 1, 1, 1), tensor.New(2), 1, 0, 1, 2)),
			ExportOptions{InputShape: []int{3, 4, 4}}, "in 2 groups need images (2, H, W)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Export(&bytes.Buffer{}, tt.net, tt.opts)
			require.ErrorIs(t, err, ErrShape)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}
