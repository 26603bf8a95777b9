package onnx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// graphModel returns a hand-made model of operator set version version: a
// chain of nodes from "x", of shape inShape (batch first, -1 for open),
// to "y".
func graphModel(version int64, inShape []int64, weights []tensorProto, nodes ...node) []byte {
	m := model{
		irVersion: irVersion,
		opsets:    []opset{{version: version}},
		graph: &graph{
			name:         "hand",
			nodes:        nodes,
			initializers: weights,
			inputs:       []valueInfo{{name: "x", elemType: dataTypeFloat, shape: inShape, hasShape: inShape != nil}},
			outputs:      []valueInfo{{name: "y", elemType: dataTypeFloat}},
		},
	}
	return m.marshal()
}

// int64s returns an INT64 tensor stored raw; nil dims for a scalar.
func int64s(name string, dims []int64, v ...int64) tensorProto {
	t := tensorProto{name: name, dims: dims, dataType: dataTypeInt64, raw: []byte{}}
	for _, i := range v {
		t.raw = binary.LittleEndian.AppendUint64(t.raw, uint64(i))
	}
	return t
}

// op returns a node of operator typ from the inputs to the output out.
func op(typ string, inputs []string, out string, attrs ...attribute) node {
	return node{opType: typ, inputs: inputs, outputs: []string{out}, attrs: attrs}
}

// constNode returns a Constant node whose value is t.
func constNode(out string, t tensorProto) node {
	t.name = ""
	return op("Constant", nil, out, attribute{name: "value", typ: attrTypeTensor, t: &t})
}

func intAttribute(name string, v int64) attribute {
	return attribute{name: name, typ: attrTypeInt, i: v}
}

func intsAttribute(name string, v ...int64) attribute {
	return attribute{name: name, typ: attrTypeInts, ints: v}
}

func floatAttribute(name string, v float32) attribute {
	return attribute{name: name, typ: attrTypeFloat, f: v}
}

// viewChain returns the nodes with which PyTorch exports
// x.view(x.size(0), -1) of "x" into "f": Shape, Gather of a Constant,
// Unsqueeze (axes an attribute up to opset 12, an input from 13), Concat
// with a Constant -1, Reshape.
func viewChain(opset int64) []node {
	nodes := []node{
		op("Shape", []string{"x"}, "s"),
		constNode("zero", int64s("", nil, 0)),
		op("Gather", []string{"s", "zero"}, "n", intAttribute("axis", 0)),
	}
	if opset < 13 {
		nodes = append(nodes, op("Unsqueeze", []string{"n"}, "n1", intsAttribute("axes", 0)))
	} else {
		nodes = append(nodes, constNode("axes", int64s("", []int64{1}, 0)), op("Unsqueeze", []string{"n", "axes"}, "n1"))
	}
	return append(nodes,
		constNode("rest", int64s("", []int64{1}, -1)),
		op("Concat", []string{"n1", "rest"}, "shape", intAttribute("axis", 0)),
		op("Reshape", []string{"x", "shape"}, "f"))
}

func TestImportFoldsConstants(t *testing.T) {
	// x = (1 2; 3 4) as an image (1, 1, 2, 2), flattened to (1 2 3 4);
	// W rows (1 0), (0 1), (1 1), (2 −1): x·W = (1+3+8, 2+3−4) = (12, 1),
	// and the bias (0.5, −10) gives (12.5, −9).
	x := tensor.FromSlice([]float64{1, 2, 3, 4}, 1, 1, 2, 2)
	w := floats("W", []int64{4, 2}, 1, 0, 0, 1, 1, 1, 2, -1)
	wt := floats("Wt", []int64{2, 4}, 1, 0, 1, 2, 0, 1, 1, -1) // Wᵀ
	b := floats("b", []int64{2}, 0.5, -10)
	image := []int64{-1, 1, 2, 2}
	gemm := op("Gemm", []string{"f", "W", "b"}, "y")
	reshape := func(shape ...int64) []node {
		return []node{constNode("shape", int64s("", []int64{int64(len(shape))}, shape...)), op("Reshape", []string{"x", "shape"}, "f")}
	}
	tests := []struct {
		name  string
		model []byte
		x     *tensor.Tensor
		want  []float64
	}{
		{"x.view(x.size(0), -1), opset 9", graphModel(9, image, []tensorProto{w, b}, append(viewChain(9), gemm)...), x, []float64{12.5, -9}},
		{"x.view(x.size(0), -1), opset 17", graphModel(17, image, []tensorProto{w, b}, append(viewChain(17), gemm)...), x, []float64{12.5, -9}},
		{"Reshape (0, -1)", graphModel(17, image, []tensorProto{w, b}, append(reshape(0, -1), gemm)...), x, []float64{12.5, -9}},
		{"Reshape (-1, 4)", graphModel(17, image, []tensorProto{w, b}, append(reshape(-1, 4), gemm)...), x, []float64{12.5, -9}},
		{"Reshape (0, 4) of open images", graphModel(17, []int64{-1, 1, -1, -1}, []tensorProto{w, b}, append(reshape(0, 4), gemm)...), x, []float64{12.5, -9}},
		{"Reshape to the batch size declared", graphModel(17, []int64{1, 1, 2, 2}, []tensorProto{w, b}, append(reshape(1, -1), gemm)...), x, []float64{12.5, -9}},
		{"Reshape that changes nothing", graphModel(17, image, []tensorProto{w, b}, append(reshape(0, 1, -1, 2),
			op("Flatten", []string{"f"}, "g"), op("Gemm", []string{"g", "W", "b"}, "y"))...), x, []float64{12.5, -9}},
		{"Flatten, Relu, Gemm", graphModel(17, image, []tensorProto{w, b},
			op("Flatten", []string{"x"}, "f"), op("Relu", []string{"f"}, "r"), op("Gemm", []string{"r", "W", "b"}, "y")), x, []float64{12.5, -9}},
		{"Transpose of a weight, MatMul (Linear without bias)", graphModel(6, image, []tensorProto{wt},
			op("Flatten", []string{"x"}, "f"), op("Transpose", []string{"Wt"}, "W", intsAttribute("perm", 1, 0)),
			op("MatMul", []string{"f", "W"}, "y")), x, []float64{12, 1}},
		{"Constant weights", graphModel(17, image, nil, append(reshape(0, -1),
			constNode("W", w), constNode("b", b), gemm)...), x, []float64{12.5, -9}},
		{"Constant value_float, Mul", graphModel(17, image, []tensorProto{w, b}, append(reshape(0, -1),
			op("Gemm", []string{"f", "W", "b"}, "g"), op("Constant", nil, "half", floatAttribute("value_float", 0.5)),
			op("Mul", []string{"g", "half"}, "y"))...), x, []float64{6.25, -4.5}},
		{"Gemm of opset 6, broadcast, one bias value", graphModel(6, []int64{-1, 4}, []tensorProto{w, floats("c", []int64{1}, 2)},
			op("Gemm", []string{"x", "W", "c"}, "y", intAttribute("broadcast", 1))), x.Reshape(1, 4), []float64{14, 3}},
		{"Gemm of a scalar bias", graphModel(17, []int64{-1, 4}, []tensorProto{w, floats("c", nil, 2)},
			op("Gemm", []string{"x", "W", "c"}, "y")), x.Reshape(1, 4), []float64{14, 3}},
		{"MatMul, Add of opset 6", graphModel(6, []int64{-1, 4}, []tensorProto{w, b},
			op("MatMul", []string{"x", "W"}, "h"), op("Add", []string{"h", "b"}, "y", intAttribute("broadcast", 1), intAttribute("axis", 1))),
			x.Reshape(1, 4), []float64{12.5, -9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := Import(bytes.NewReader(tt.model))
			require.NoError(t, err)
			assert.Equal(t, tt.want, net.Predict(tt.x).Data())
		})
	}
}

func TestImportFoldsTransposes(t *testing.T) {
	// Filters stored as (C, FN, FH, FW) = (2, 1, 1, 2), transposed to
	// (FN, C, FH, FW) = (1, 2, 1, 2): filter channel 0 is (1 2), channel 1
	// (3 4). On the image of channel 0 (1 1), channel 1 (1 −1): 1+2+3−4.
	w := floats("Wc", []int64{2, 1, 1, 2}, 1, 2, 3, 4)
	model := graphModel(17, []int64{-1, 2, 1, 2}, []tensorProto{w},
		op("Transpose", []string{"Wc"}, "W", intsAttribute("perm", 1, 0, 2, 3)),
		op("Conv", []string{"x", "W"}, "y"))
	net, err := Import(bytes.NewReader(model))
	require.NoError(t, err)
	assert.Equal(t, []float64{2}, net.Predict(tensor.FromSlice([]float64{1, 1, 1, -1}, 1, 2, 1, 2)).Data())

	// The default perm reverses the axes: (2, 3) of rows (1 2 3), (4 5 6)
	// becomes (3, 2) of rows (1 4), (2 5), (3 6).
	model = graphModel(17, []int64{-1, 3}, []tensorProto{floats("Wt", []int64{2, 3}, 1, 2, 3, 4, 5, 6)},
		op("Transpose", []string{"Wt"}, "W"), op("MatMul", []string{"x", "W"}, "y"))
	net, err = Import(bytes.NewReader(model))
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 4, 2, 5, 3, 6}, net.Layers()[0].(*layers.Affine).W.Data())
}

func TestImportOfHeadsAlone(t *testing.T) {
	x := tensor.FromSlice([]float64{0, 0, 0, 1}, 1, 4)
	tests := []struct {
		name string
		node node
		head layers.Head
	}{
		{"Softmax", op("Softmax", []string{"x"}, "y"), &layers.SoftmaxWithLoss{}},
		{"Sigmoid", op("Sigmoid", []string{"x"}, "y"), &layers.SigmoidWithLoss{}},
		{"LogSoftmax", op("LogSoftmax", []string{"x"}, "y", intAttribute("axis", 1)), &layers.LogSoftmaxWithLoss{}},
		{"Identity", op("Identity", []string{"x"}, "y"), &layers.IdentityWithLoss{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := Import(bytes.NewReader(graphModel(11, []int64{-1, 4}, nil, tt.node)))
			require.NoError(t, err)
			assert.Empty(t, net.Layers())
			assert.IsType(t, tt.head, net.Head())
			var got, want tensor.Tensor
			net.Output(&got, x)
			tt.head.Predict(&want, x)
			assert.Equal(t, want.Data(), got.Data())
		})
	}
}

// TestImportOfTrailingFlatten checks a Flatten after the last layer, and
// one before a final Softmax: the output is each sample flattened, (N,
// rest), as ONNX Runtime and PyTorch give it.
func TestImportOfTrailingFlatten(t *testing.T) {
	model := graphModel(17, []int64{-1, 1, 2, 2}, nil, op("Relu", []string{"x"}, "r"), op("Flatten", []string{"r"}, "y"))
	net, err := Import(bytes.NewReader(model))
	require.NoError(t, err)
	var got tensor.Tensor
	net.Output(&got, tensor.FromSlice([]float64{-1, 2, -3, 4}, 1, 1, 2, 2))
	assert.Equal(t, []int{1, 4}, got.Shape())
	assert.Equal(t, []float64{0, 2, 0, 4}, got.Data())

	// softmax(0, 0, 0, ln 3) = (1, 1, 1, 3)/6.
	model = graphModel(17, []int64{-1, 1, 2, 2}, nil, op("Flatten", []string{"x"}, "f"), op("Softmax", []string{"f"}, "y"))
	net, err = Import(bytes.NewReader(model))
	require.NoError(t, err)
	assert.IsType(t, &layers.SoftmaxWithLoss{}, net.Head())
	net.Output(&got, tensor.FromSlice([]float64{0, 0, 0, math.Log(3)}, 1, 1, 2, 2))
	assert.Equal(t, []int{1, 4}, got.Shape())
	assert.InDeltaSlice(t, []float64{1.0 / 6, 1.0 / 6, 1.0 / 6, 0.5}, got.Data(), 1e-15)
}

func TestImportRejectsWhatItCannotFold(t *testing.T) {
	w := floats("W", []int64{4, 2}, 1, 0, 0, 1, 1, 1, 2, -1)
	image := []int64{-1, 1, 2, 2}
	reshape := func(in []int64, shape ...int64) []byte {
		return graphModel(17, in, []tensorProto{w, int64s("shape", []int64{int64(len(shape))}, shape...)},
			op("Reshape", []string{"x", "shape"}, "f"), op("MatMul", []string{"f", "W"}, "y"))
	}
	tests := []struct {
		name string
		file []byte
		err  error
		msg  string
	}{
		{"Reshape that is not a flattening", reshape(image, 0, 2, 2), ErrUnsupported, "Reshape of a value of shape (N, 1, 2, 2) to [0 2 2]"},
		{"Reshape to rows of another width", reshape(image, 0, 2), ErrShape, "Reshape to [0 2] of samples of 4 values"},
		{"Reshape across samples", reshape(image, 2, -1), ErrUnsupported, "to [2 -1]"},
		{"Reshape (-1, 4) of open images", reshape([]int64{-1, 1, -1, -1}, -1, 4), ErrUnsupported, "to [-1 4]"},
		{"Reshape with two -1", reshape(image, -1, -1), ErrFormat, "two dimensions are -1"},
		{"Reshape with allowzero", graphModel(17, image, []tensorProto{w, int64s("shape", []int64{2}, 0, -1)},
			op("Reshape", []string{"x", "shape"}, "f", intAttribute("allowzero", 1)), op("MatMul", []string{"f", "W"}, "y")), ErrUnsupported, "allowzero = 1"},
		{"Reshape to a computed shape", graphModel(17, image, []tensorProto{w},
			op("Relu", []string{"x"}, "r"), op("Reshape", []string{"r", "r"}, "y")), ErrUnsupported, `shape "r" that is not a constant`},
		{"Unsqueeze of the data", graphModel(17, image, []tensorProto{w, int64s("axes", []int64{1}, 0)},
			op("Unsqueeze", []string{"x", "axes"}, "y")), ErrUnsupported, "Unsqueeze of a value computed from the network's input"},
		{"Shape of an open rank", graphModel(17, nil, []tensorProto{w}, append(viewChain(17), op("MatMul", []string{"f", "W"}, "y"))...), ErrUnsupported, "whose rank the model leaves open"},
		{"Gather out of range", graphModel(17, image, []tensorProto{w, int64s("i", nil, 7)},
			op("Shape", []string{"x"}, "s"), op("Gather", []string{"s", "i"}, "n"), op("Relu", []string{"x"}, "y")), ErrFormat, "Gather index 7 of a vector of 4"},
		{"long integers", graphModel(17, image, []tensorProto{int64s("shape", []int64{65}, make([]int64, 65)...)},
			op("Reshape", []string{"x", "shape"}, "y")), ErrUnsupported, "of at most 64 values"},
		{"integers as weights", graphModel(17, []int64{-1, 2}, []tensorProto{int64s("W", []int64{2, 2}, 1, 2, 3, 4)},
			op("MatMul", []string{"x", "W"}, "y")), ErrUnsupported, `weight "W" has data type INT64`},
		{"a constant of strings", graphModel(17, image, []tensorProto{{name: "s", dataType: 8, dims: []int64{1}}},
			op("Relu", []string{"x"}, "y")), ErrUnsupported, "data type STRING"},
		{"attribute of a later opset", graphModel(11, image, nil, op("Constant", nil, "c", floatAttribute("value_float", 1)),
			op("Relu", []string{"x"}, "y")), ErrUnsupported, `attribute "value_float", which operator set version 11 does not define`},
		{"Softmax of opset 11 over several axes", graphModel(11, image, nil, op("Softmax", []string{"x"}, "y", intAttribute("axis", 1))),
			ErrUnsupported, "Softmax axis = 1 of a value of shape (N, 1, 2, 2) in operator set version 11, which works on the axes from 1 on together"},
		{"Softmax of opset 6 of an open rank", graphModel(6, nil, nil, op("Softmax", []string{"x"}, "s"), op("Relu", []string{"s"}, "y")),
			ErrUnsupported, "Softmax axis = 1 of a value whose rank the model leaves open"},
		{"Softmax beyond the last axis", graphModel(17, image, nil, op("Softmax", []string{"x"}, "y", intAttribute("axis", 4))),
			ErrShape, "Softmax axis = 4 of a value of shape (N, 1, 2, 2)"},
		{"Softmax on the batch axis", graphModel(11, []int64{-1, 4}, nil, op("Softmax", []string{"x"}, "y", intAttribute("axis", 0))), ErrUnsupported, "Softmax axis = 0, the batch axis"},
		{"LogSoftmax on the batch axis from the end", graphModel(17, image, nil, op("LogSoftmax", []string{"x"}, "y", intAttribute("axis", -4))),
			ErrUnsupported, "LogSoftmax axis = -4, the batch axis"},
		{"MatMul of images", graphModel(17, []int64{-1, 2, 4}, []tensorProto{w}, op("MatMul", []string{"x", "W"}, "y")), ErrUnsupported, "MatMul of a value of shape (N, 2, 4)"},
		{"Gemm of opset 6 without broadcast", graphModel(6, []int64{-1, 4}, []tensorProto{w, floats("c", []int64{2}, 1, 2)},
			op("Gemm", []string{"x", "W", "c"}, "y")), ErrUnsupported, "broadcast = 0"},
		{"Dropout of opset 6 in training", graphModel(6, []int64{-1, 4}, nil, op("Dropout", []string{"x"}, "y")), ErrUnsupported, "is_test = 0"},
		{"Dropout's ratio in opset 13", graphModel(13, []int64{-1, 4}, nil, op("Dropout", []string{"x"}, "y", floatAttribute("ratio", 0.5))), ErrUnsupported, `attribute "ratio"`},
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

// TestImportReadsOldAttributes checks the attributes of operator set
// version 6 that later versions dropped.
func TestImportReadsOldAttributes(t *testing.T) {
	x := tensor.FromSlice([]float64{1, -2}, 1, 2)
	tests := []struct {
		name  string
		nodes []node
		want  []float64
	}{
		{"Dropout is_test ratio", []node{op("Dropout", []string{"x"}, "y", intAttribute("is_test", 1), floatAttribute("ratio", 0.5))}, []float64{1, -2}},
		{"Relu consumed_inputs", []node{op("Relu", []string{"x"}, "y", intsAttribute("consumed_inputs", 0))}, []float64{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := Import(bytes.NewReader(graphModel(6, []int64{-1, 2}, nil, tt.nodes...)))
			require.NoError(t, err)
			var got tensor.Tensor
			net.Output(&got, x)
			assert.Equal(t, tt.want, got.Data())
		})
	}
	for _, v := range []int64{6, 7, 12, 13, 17, 28} {
		t.Run(fmt.Sprint("view chain of opset ", v), func(t *testing.T) {
			model := graphModel(v, []int64{-1, 1, 2, 2}, []tensorProto{floats("W", []int64{4, 1}, 1, 1, 1, 1)},
				append(viewChain(v), op("MatMul", []string{"f", "W"}, "y"))...)
			net, err := Import(bytes.NewReader(model))
			require.NoError(t, err)
			assert.Equal(t, []float64{10}, net.Predict(tensor.FromSlice([]float64{1, 2, 3, 4}, 1, 1, 2, 2)).Data())
		})
	}
}
