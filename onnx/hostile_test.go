package onnx

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/numlearn/numlearn/tensor"
)

// These tests feed Import files made to hurt it: files that would make it
// allocate far more than their size, geometry that would make the layers
// it builds allocate without bound, and graphs that break ONNX's rules.

// allocationBound is the most that Import may allocate for a file of size
// bytes, as the package documents it.
func allocationBound(size int) uint64 { return uint64(9*size + 4<<20) }

// message returns the encoding of one length-delimited field num holding
// content.
func message(num protowire.Number, content []byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, content)
}

// modelOf returns a model with the standard operator set, the given
// extra fields of ModelProto, and a graph of the given GraphProto content.
func modelOf(graph []byte, fields ...[]byte) []byte {
	b := message(modelOpsetImport, appendVarint(nil, opsetVersion, Opset))
	for _, f := range fields {
		b = append(b, f...)
	}
	return append(b, message(modelGraph, graph)...)
}

// allocated returns the bytes that Import allocates for file, and its
// error.
func allocated(file []byte) (uint64, error) {
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	_, err := Import(bytes.NewReader(file))
	runtime.ReadMemStats(&ms1)
	return ms1.TotalAlloc - ms0.TotalAlloc, err
}

// floodedModels returns models of about size bytes that are made almost
// only of one kind of repeated entry, empty or as small as it can be, at
// every level of the schema: each would cost Import tens to hundreds of
// times its size if it built a structure for each entry as it met it.
func floodedModels(size int) []struct {
	name string
	file []byte
} {
	repeat := func(entry []byte) []byte { return bytes.Repeat(entry, size/len(entry)) }
	empty := func(num protowire.Number) []byte { return message(num, nil) } // two bytes
	float := func(num protowire.Number) []byte {                            // five bytes
		return protowire.AppendFixed32(protowire.AppendTag(nil, num, protowire.Fixed32Type), 0)
	}
	x := message(graphInput, appendString(nil, valueName, "x"))
	// A node with one attribute whose content is given.
	attr := func(content []byte) []byte {
		return message(graphNode, append(appendString(nil, nodeOpType, "Relu"), message(nodeAttribute, content)...))
	}
	// An initializer whose content is given after its name and type.
	init := func(content []byte) []byte {
		b := appendVarint(appendString(nil, tensorName, "W"), tensorDataType, dataTypeFloat)
		return message(graphInitializer, append(b, content...))
	}
	// A graph input whose shape has the given content.
	shaped := func(content []byte) []byte {
		tensorType := message(tensorShape, content)
		return message(graphInput, append(appendString(nil, valueName, "x"), message(valueType, message(typeTensor, tensorType))...))
	}
	return []struct {
		name string
		file []byte
	}{
		{"nodes", modelOf(repeat(empty(graphNode)))},
		{"nodes with an operator", modelOf(repeat(message(graphNode, appendString(nil, nodeOpType, "A"))))},
		{"initializers", modelOf(repeat(empty(graphInitializer)))},
		{"graph inputs", modelOf(repeat(empty(graphInput)))},
		{"graph outputs", modelOf(repeat(empty(graphOutput)))},
		{"node inputs", modelOf(append(x, message(graphNode, repeat(empty(nodeInput)))...))},
		{"node outputs", modelOf(append(x, message(graphNode, repeat(empty(nodeOutput)))...))},
		{"attributes", modelOf(message(graphNode, repeat(empty(nodeAttribute))))},
		{"packed ints", modelOf(attr(message(attrInts, make([]byte, size))))}, // one byte each
		{"ints", modelOf(attr(repeat(appendVarint(nil, attrInts, 0))))},
		{"floats", modelOf(attr(repeat(float(attrFloats))))},
		{"packed dims", modelOf(init(message(tensorDims, make([]byte, size))))},
		{"float_data", modelOf(init(repeat(float(tensorFloatData))))},
		{"shape dims", modelOf(shaped(repeat(empty(shapeDim))))},
		{"operator sets", modelOf(nil, repeat(empty(modelOpsetImport)))},
		{"metadata", modelOf(nil, repeat(empty(modelMetadataProps)))},
	}
}

// TestImportOfFloodedModels checks the allocation bound that the package
// documents on files made of many tiny entries: Import refuses them
// having allocated about what the file holds, not a structure per entry.
func TestImportOfFloodedModels(t *testing.T) {
	for _, tt := range floodedModels(2 << 20) {
		t.Run(tt.name, func(t *testing.T) {
			got, err := allocated(tt.file)
			t.Logf("%d bytes allocated for a file of %d (%.1f times)", got, len(tt.file), float64(got)/float64(len(tt.file)))
			require.Error(t, err)
			assert.LessOrEqual(t, got, allocationBound(len(tt.file)))
		})
	}
}

// TestImportRefusesTooManyNodes checks the error for a graph of more
// nodes than its file can meaningfully hold.
func TestImportRefusesTooManyNodes(t *testing.T) {
	_, err := Import(bytes.NewReader(floodedModels(1 << 16)[0].file))
	require.ErrorIs(t, err, ErrFormat)
	assert.Contains(t, err.Error(), "onnx: not a valid ONNX model: graph: 32768 nodes")
}

// sharedWeights returns a chain of k Gemm nodes that all read one n×n
// weight.
func sharedWeights(n, k int) []byte {
	w := floats("W", []int64{int64(n), int64(n)}, make([]float32, n*n)...)
	nodes := make([]node, k)
	for i := range nodes {
		nodes[i] = node{opType: "Gemm", inputs: []string{fmt.Sprint("v", i), "W"}, outputs: []string{fmt.Sprint("v", i+1)}}
	}
	nodes[0].inputs[0] = "x"
	nodes[k-1].outputs[0] = "y"
	return handModel(n, []tensorProto{w}, nodes...)
}

// TestImportOfSharedWeights checks that a weight read by many layers does
// not multiply the allocation: each layer holds its own copy of its
// weights, which Import takes from its budget each time.
func TestImportOfSharedWeights(t *testing.T) {
	t.Run("read twice", func(t *testing.T) {
		_, err := Import(bytes.NewReader(sharedWeights(4, 2)))
		require.NoError(t, err)
	})
	t.Run("read by 200 layers", func(t *testing.T) {
		file := sharedWeights(256, 200)
		got, err := allocated(file)
		t.Logf("%d bytes allocated for a file of %d (%.1f times)", got, len(file), float64(got)/float64(len(file)))
		require.ErrorIs(t, err, ErrUnsupported)
		assert.Contains(t, err.Error(), "the layers' parameters would take more memory than a model of 266597 bytes can meaningfully need (node 4, Gemm")
		assert.LessOrEqual(t, got, allocationBound(len(file)))
	})
}

// chainOf returns a model of k op nodes in a chain, each reading the same
// weights of a single value when op needs weights, on samples of one
// value, or images of one channel of 1×1.
func chainOf(op string, k int, attrs ...attribute) []byte {
	var weights []tensorProto
	var names []string
	shape := []int64{-1, 1}
	switch op {
	case "Gemm", "MatMul":
		weights, names = []tensorProto{floats("W", []int64{1, 1}, 1)}, []string{"W"}
	case "Conv":
		weights, names = []tensorProto{floats("W", []int64{1, 1, 1, 1}, 1)}, []string{"W"}
		shape = []int64{-1, 1, 1, 1}
	case "MaxPool", "AveragePool", "GlobalAveragePool":
		shape = []int64{-1, 1, 1, 1}
	case "PRelu", "Sub":
		weights, names = []tensorProto{floats("a", []int64{1}, 1)}, []string{"a"}
	case "BatchNormalization":
		names = []string{"γ", "β", "mean", "var"}
		for _, name := range names {
			weights = append(weights, floats(name, []int64{1}, 1))
		}
	}
	nodes := make([]node, k)
	for i := range nodes {
		nodes[i] = node{opType: op, inputs: append([]string{fmt.Sprint(i)}, names...), outputs: []string{fmt.Sprint(i + 1)}, attrs: attrs}
	}
	nodes[0].inputs[0] = "x"
	nodes[k-1].outputs[0] = "y"
	var m model
	if err := m.unmarshal(handModel(1, weights, nodes...)); err != nil {
		panic(err)
	}
	m.graph.inputs[0].shape = shape
	return m.marshal()
}

// TestImportChargesWhatItBuilds checks the estimates behind the budget:
// what Import allocates for a model, besides the strings it copies from
// the file, it has taken from the budget first.
func TestImportChargesWhatItBuilds(t *testing.T) {
	type file struct {
		name string
		file []byte
	}
	window := attribute{name: "kernel_shape", typ: attrTypeInts, ints: []int64{1, 1}}
	tests := []file{{"shared weights", sharedWeights(16, 4)}}
	for _, op := range []string{"Gemm", "MatMul", "Relu", "Sigmoid", "Tanh", "Conv", "MaxPool", "BatchNormalization", "Identity",
		"LeakyRelu", "Elu", "PRelu", "AveragePool", "GlobalAveragePool", "Sub"} {
		var attrs []attribute
		if op == "MaxPool" || op == "AveragePool" {
			attrs = []attribute{window}
		}
		tests = append(tests, file{"300 " + op, chainOf(op, 300, attrs...)})
	}
	ints := func(name string, v ...int64) attribute { return attribute{name: name, typ: attrTypeInts, ints: v} }
	tests = append(tests,
		file{"300 BatchNormalization of images", withInput([]int64{-1, 1, 1, 1}, chainOf("BatchNormalization", 300))},
		file{"300 dilated Conv", chainOf("Conv", 300, ints("dilations", 2, 2))},
		file{"300 padded MaxPool", chainOf("MaxPool", 300, ints("kernel_shape", 2, 2), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))},
		file{"300 Transposes of a weight", transposes(16, 300)},
		file{"view chain", graphModel(17, []int64{-1, 1, 2, 2}, []tensorProto{floats("W", []int64{4, 1}, 1, 1, 1, 1)},
			append(viewChain(17), op("MatMul", []string{"f", "W"}, "y"))...)})
	names, err := filepath.Glob(filepath.Join("testdata", "*.onnx"))
	require.NoError(t, err)
	for _, name := range names {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		tests = append(tests, file{name, b})
	}
	for _, tt := range tests {
		name, file := tt.name, tt.file
		t.Run(name, func(t *testing.T) {
			bud := newBudget(len(file))
			start := bud.left
			var ms0, ms1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			var m model
			err := m.decode(bud, file)
			if err == nil {
				_, err = m.network(bud)
			}
			runtime.ReadMemStats(&ms1)
			if name != "300 Identity" { // a graph of no layers
				require.NoError(t, err)
			}
			got, charged := ms1.TotalAlloc-ms0.TotalAlloc, start-bud.left
			t.Logf("%d bytes allocated, %d taken from the budget, for a file of %d", got, charged, len(file))
			assert.LessOrEqual(t, got, uint64(charged+len(file)/2+64<<10))
		})
	}
}

// transposes returns a model of k Transpose nodes that each fold an n×n
// weight into a copy, and one Relu of the input.
func transposes(n, k int) []byte {
	w := floats("W", []int64{int64(n), int64(n)}, make([]float32, n*n)...)
	nodes := []node{op("Relu", []string{"x"}, "y")}
	for i := range k {
		nodes = append(nodes, op("Transpose", []string{"W"}, fmt.Sprint("t", i)))
	}
	return graphModel(17, []int64{-1, 2}, []tensorProto{w}, nodes...)
}

// TestImportOfFoldedCopies checks the allocation bound on constants that
// a small file folds into large ones: each Transpose of a weight copies
// it, which the budget refuses when the copies would take more than a
// file of that size can meaningfully need.
func TestImportOfFoldedCopies(t *testing.T) {
	file := transposes(256, 1000)
	got, err := allocated(file)
	t.Logf("%d bytes allocated for a file of %d (%.1f times)", got, len(file), float64(got)/float64(len(file)))
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Contains(t, err.Error(), "the constants would take more memory than a model of")
	assert.LessOrEqual(t, got, allocationBound(len(file)))
}

// TestImportOfLongChains checks the allocation bound on chains of many
// layers that a small file describes: each layer costs far more than the
// bytes of its node, so the budget refuses the chain when its layers
// would take more than a file of that size can meaningfully need.
func TestImportOfLongChains(t *testing.T) {
	for _, op := range []string{"Gemm", "Relu", "Conv", "BatchNormalization"} {
		t.Run(op, func(t *testing.T) {
			file := chainOf(op, 5000)
			got, err := allocated(file)
			t.Logf("%d bytes allocated for a file of %d (%.1f times)", got, len(file), float64(got)/float64(len(file)))
			require.ErrorIs(t, err, ErrUnsupported)
			assert.Contains(t, err.Error(), "the layers would take more memory than a model of")
			assert.LessOrEqual(t, got, allocationBound(len(file)))
		})
	}
}

// geometryModel returns a model of one Conv (with 2×2 filters of one
// channel) or MaxPool node with the given attributes, on images of the
// given shape: -1 for a dimension the model leaves open.
func geometryModel(op string, shape []int64, attrs ...attribute) []byte {
	var m model
	n := node{opType: op, inputs: []string{"x"}, outputs: []string{"y"}, attrs: attrs}
	var weights []tensorProto
	if op == "Conv" {
		n.inputs = append(n.inputs, "W", "b")
		weights = []tensorProto{floats("W", []int64{2, 1, 2, 2}, 1, 1, 1, 1, 1, 1, 1, 1), floats("b", []int64{2}, 0, 0)}
	}
	if err := m.unmarshal(handModel(1, weights, n)); err != nil {
		panic(err)
	}
	m.graph.inputs[0].shape = append([]int64{-1}, shape...)
	return m.marshal()
}

func TestImportRejectsHugeGeometry(t *testing.T) {
	ints := func(name string, v ...int64) attribute { return attribute{name: name, typ: attrTypeInts, ints: v} }
	pads := func(p int64) attribute { return ints("pads", p, p, p, p) }
	strides := func(s int64) attribute { return ints("strides", s, s) }
	kernel := func(k int64) attribute { return ints("kernel_shape", k, k) }
	image := []int64{1, 3, 3}
	open := []int64{1, -1, -1}
	tests := []struct {
		name string
		file []byte
		err  error
		msg  string
	}{
		{"Conv pads of 2³¹−1", geometryModel("Conv", image, pads(1<<31-1)), ErrUnsupported, "pads [2147483647 2147483647 2147483647 2147483647]: more than 65536 (node 0, Conv"},
		{"Conv pads past the side limit", geometryModel("Conv", image, pads(40000)), ErrUnsupported, "pads 40000 on images of 3×3: a padded side of 80003, more than 65536"},
		{"Conv output too large", geometryModel("Conv", image, pads(30000)), ErrUnsupported, "an output of 2×60002×60002 values, more than 2147483647"},
		{"Conv pads on images of any size", geometryModel("Conv", open, pads(30000)), ErrUnsupported, "pads 30000 on images of 1×1: an output of 2×60000×60000 values"},
		{"Conv strides", geometryModel("Conv", image, strides(1<<40)), ErrUnsupported, "strides [1099511627776 1099511627776]: more than 65536"},
		{"Conv negative pads", geometryModel("Conv", image, pads(-1)), ErrFormat, "pads [-1 -1 -1 -1]"},
		{"Conv zero strides", geometryModel("Conv", image, strides(0)), ErrFormat, "strides [0 0]"},
		{"Conv images too wide", geometryModel("Conv", []int64{1, 1, 100000}), ErrUnsupported, "images of 1×100000: a side of more than 65536"},
		{"Conv images too large", geometryModel("Conv", []int64{1, 40000, 40000}), ErrUnsupported, "an output of 2×39999×39999 values, more than 2147483647"},
		{"input too large", geometryModel("Conv", []int64{1, 50000, 50000}), ErrUnsupported, `input "x" of shape [-1 1 50000 50000] has more than 2147483647 values`},
		{"MaxPool kernel_shape", geometryModel("MaxPool", open, kernel(1<<31)), ErrUnsupported, "kernel_shape [2147483648 2147483648]: more than 65536 (node 0, MaxPool"},
		{"MaxPool strides", geometryModel("MaxPool", image, kernel(2), strides(1<<31)), ErrUnsupported, "strides [2147483648 2147483648]: more than 65536"},
		{"MaxPool kernel_shape of one wide side", geometryModel("MaxPool", image, ints("kernel_shape", 1, 65537)), ErrUnsupported, "kernel_shape [1 65537]: more than 65536"},
		{"Conv filters too wide", handModel(1, []tensorProto{floats("W", []int64{1, 1, 1, 65537}, make([]float32, 65537)...)},
			node{opType: "Conv", inputs: []string{"x", "W"}, outputs: []string{"y"}}), ErrUnsupported, `filters "W" of shape [1 1 1 65537]: windows with a side of more than 65536`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := Import(bytes.NewReader(tt.file))
			require.ErrorIs(t, err, tt.err)
			assert.Nil(t, net)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Contains(t, err.Error(), "onnx: ")
		})
	}
}

// TestImportReadsGeometryUpToTheLimits checks that the limits leave room
// for what real models do: a window as wide as the largest side, padding
// on images of any size, and padding on images of a known size.
func TestImportReadsGeometryUpToTheLimits(t *testing.T) {
	ints := func(name string, v ...int64) attribute { return attribute{name: name, typ: attrTypeInts, ints: v} }
	tests := []struct {
		name   string
		file   []byte
		x      *tensor.Tensor
		scores int // how many the network gives for x, all 0
	}{
		{"MaxPool as wide as the limit", geometryModel("MaxPool", []int64{1, 1, 65536}, ints("kernel_shape", 1, 65536), ints("strides", 65536, 65536)),
			tensor.New(1, 1, 1, 65536), 1},
		{"Conv pads on images of any size", geometryModel("Conv", []int64{1, -1, -1}, ints("pads", 3, 3, 3, 3), ints("strides", 2, 2)),
			tensor.New(1, 1, 5, 5), 2 * 5 * 5}, // (5 + 6 − 2)/2 + 1 = 5
		{"Conv pads on 28×28", geometryModel("Conv", []int64{1, 28, 28}, ints("pads", 1, 1, 1, 1)),
			tensor.New(1, 1, 28, 28), 2 * 29 * 29},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := Import(bytes.NewReader(tt.file))
			require.NoError(t, err)
			assert.Equal(t, make([]float64, tt.scores), net.Predict(tt.x).Data())
		})
	}
}

// cycle is a graph whose nodes read each other's outputs: Gemm(x) → h,
// Relu(h) → x, with x also the graph's input and its output.
func cycle() []byte {
	w := floats("W", []int64{2, 2}, 1, 2, 3, 4)
	m := model{irVersion: irVersion, opsets: []opset{{version: Opset}}, graph: &graph{
		nodes: []node{
			{opType: "Gemm", inputs: []string{"x", "W"}, outputs: []string{"h"}},
			{opType: "Relu", inputs: []string{"h"}, outputs: []string{"x"}},
		},
		initializers: []tensorProto{w},
		inputs:       []valueInfo{{name: "x", elemType: dataTypeFloat, shape: []int64{-1, 2}, hasShape: true}},
		outputs:      []valueInfo{{name: "x", elemType: dataTypeFloat}},
	}}
	return m.marshal()
}

func TestImportRejectsGraphsThatBreakONNXRules(t *testing.T) {
	w := floats("W", []int64{2, 2}, 1, 2, 3, 4)
	gemm := func(in, out string) node {
		return node{opType: "Gemm", inputs: []string{in, "W"}, outputs: []string{out}, name: "fc"}
	}
	relu := func(in, out string) node {
		return node{opType: "Relu", inputs: []string{in}, outputs: []string{out}, name: "act"}
	}
	edit := func(b []byte, f func(g *graph)) []byte {
		var m model
		if err := m.unmarshal(b); err != nil {
			panic(err)
		}
		f(m.graph)
		return m.marshal()
	}
	tests := []struct {
		name string
		file []byte
		msg  string
	}{
		{"cycle", cycle(), `node 1 (Relu "") defines "x", which the graph input defines`},
		{"value defined by two nodes", handModel(2, []tensorProto{w}, gemm("x", "h"), relu("h", "h"), relu("h", "y")),
			`node 1 (Relu "act") defines "h", which node 0 (Gemm "fc") defines`},
		{"node output names a weight", handModel(2, []tensorProto{w}, gemm("x", "W"), relu("W", "y")),
			`node 0 (Gemm "fc") defines "W", which an initializer defines`},
		{"reads a value nothing defines", handModel(2, []tensorProto{w}, gemm("x", "h"), relu("z", "y")),
			`node 1 (Relu "act") reads "z", which nothing defines`},
		{"reads a value defined later", handModel(2, []tensorProto{w}, relu("h", "y"), gemm("x", "h")),
			`node 0 (Relu "act") reads "h", which node 1 (Gemm "fc") defines after it`},
		{"output nothing defines", edit(handModel(2, []tensorProto{w}, gemm("x", "y")), func(g *graph) { g.outputs[0].name = "z" }),
			`graph output "z" is defined by no node, input or initializer`},
		{"initializer twice", handModel(2, []tensorProto{w, w}, gemm("x", "y")), `initializer "W" is defined twice`},
		{"input twice", edit(handModel(2, []tensorProto{w}, gemm("x", "y")), func(g *graph) { g.inputs = append(g.inputs, g.inputs[0]) }),
			`graph input "x" is listed twice`},
		{"input without a name", edit(handModel(2, []tensorProto{w}, gemm("x", "y")), func(g *graph) { g.inputs[0].name = "" }),
			`graph input 0 has no name`},
		{"initializer without a name", handModel(2, []tensorProto{w, floats("", nil, 1)}, gemm("x", "y")), `initializer 1 has no name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := Import(bytes.NewReader(tt.file))
			require.ErrorIs(t, err, ErrFormat)
			assert.Nil(t, net)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Contains(t, err.Error(), "onnx: ")
		})
	}
}

// TestImportErrorsShowNamesShort checks that an error shows the start of
// a long name, not all of it: a name can be as long as the file, and an
// error quotes it, escapes its bytes four times longer and is wrapped
// again, which would make a message many times the file's size.
func TestImportErrorsShowNamesShort(t *testing.T) {
	long := string(bytes.Repeat([]byte{0xff}, 1<<20))
	w := floats("W", []int64{2, 2}, 1, 2, 3, 4)
	tests := []struct {
		name string
		file []byte
	}{
		{"node name", handModel(2, []tensorProto{w}, node{opType: "Foo", name: long, inputs: []string{"x", "W"}, outputs: []string{"y"}})},
		{"operator", handModel(2, []tensorProto{w}, node{opType: long, inputs: []string{"x", "W"}, outputs: []string{"y"}})},
		{"input", handModel(2, []tensorProto{w}, node{opType: "Gemm", name: long, inputs: []string{"x", long}, outputs: []string{"y"}})},
		{"attribute", handModel(2, []tensorProto{w}, node{opType: "Gemm", name: long, inputs: []string{"x", "W"}, outputs: []string{"y"}, attrs: []attribute{{name: long}}})},
		{"list", geometryModel("Conv", []int64{1, 3, 3}, attribute{name: "pads", typ: attrTypeInts, ints: make([]int64, 1<<18)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := allocated(tt.file)
			require.Error(t, err)
			t.Logf("%d bytes allocated for a file of %d; %s", got, len(tt.file), err)
			assert.Less(t, len(err.Error()), 1<<10)
			assert.LessOrEqual(t, got, allocationBound(len(tt.file)))
		})
	}
}

// TestImportReadsAFileAtOnce checks that Import reads a file, whose size
// it can learn, into one buffer of that size, and refuses a file larger
// than 2 GiB without reading it.
func TestImportReadsAFileAtOnce(t *testing.T) {
	dir := t.TempDir()
	file := floodedModels(2 << 20)[0].file
	name := filepath.Join(dir, "nodes.onnx")
	require.NoError(t, os.WriteFile(name, append([]byte{0x08, 0x08}, file...), 0o644)) // an ir_version first
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Seek(2, io.SeekStart) // Import reads from where the file is
	require.NoError(t, err)
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	_, err = Import(f)
	runtime.ReadMemStats(&ms1)
	require.ErrorIs(t, err, ErrFormat)
	assert.Contains(t, err.Error(), "graph: 1048576 nodes")
	got := ms1.TotalAlloc - ms0.TotalAlloc
	t.Logf("%d bytes allocated for a file of %d", got, len(file))
	assert.LessOrEqual(t, got, uint64(len(file)+64<<10))

	huge := filepath.Join(dir, "huge.onnx")
	require.NoError(t, os.WriteFile(huge, nil, 0o644))
	require.NoError(t, os.Truncate(huge, 3<<30)) // sparse: nothing is written
	f, err = os.Open(huge)
	require.NoError(t, err)
	defer f.Close()
	runtime.ReadMemStats(&ms0)
	_, err = Import(f)
	runtime.ReadMemStats(&ms1)
	require.ErrorIs(t, err, ErrFormat)
	assert.Contains(t, err.Error(), "larger than 2 GiB")
	assert.Less(t, ms1.TotalAlloc-ms0.TotalAlloc, uint64(64<<10))
}
