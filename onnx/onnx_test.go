package onnx

import (
	"bytes"
	"encoding/binary"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

var update = flag.Bool("update", false, "rewrite testdata/small.onnx")

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

// exported returns the ONNX encoding of net.
func exported(t testing.TB, net *numlearn.Network, opts ExportOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Export(&buf, net, opts))
	return buf.Bytes()
}

// testNets are networks of every layer and head that export, with the
// input shape to export them with.
func testNets() []struct {
	name  string
	net   *numlearn.Network
	shape []int
} {
	mlp := func(act layers.Layer, head layers.Head, sizes ...int) *numlearn.Network {
		return numlearn.NewMultiLayerNet(sizes, numlearn.MultiLayerConfig{Activation: act, Head: head}, newRand(uint64(len(sizes))))
	}
	return []struct {
		name  string
		net   *numlearn.Network
		shape []int
	}{
		{"relu softmax", mlp(&layers.ReLU{}, nil, 784, 50, 10), nil},
		{"sigmoid softmax images", mlp(&layers.Sigmoid{}, nil, 784, 30, 20, 10), []int{1, 28, 28}},
		{"tanh sigmoid head", mlp(&layers.Tanh{}, &layers.SigmoidWithLoss{}, 784, 16, 1), []int{28, 28}},
		{"relu identity head", mlp(&layers.ReLU{}, &layers.IdentityWithLoss{}, 784, 8, 3), nil},
		{"sigmoid last layer identity head", numlearn.NewNetworkWithHead(&layers.IdentityWithLoss{},
			layers.NewAffine(tensor.RandN(newRand(5), 0.1, 784, 4), tensor.New(4)), &layers.Sigmoid{}), nil},
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	x := tensor.RandN(newRand(7), 1, 5, 784)
	for _, tt := range testNets() {
		for _, f64 := range []bool{false, true} {
			name := tt.name + map[bool]string{false: " float32", true: " float64"}[f64]
			t.Run(name, func(t *testing.T) {
				b := exported(t, tt.net, ExportOptions{Float64: f64, InputShape: tt.shape})
				got, err := Import(bytes.NewReader(b))
				require.NoError(t, err)
				assert.IsType(t, tt.net.Head(), got.Head())
				require.Len(t, got.Layers(), len(tt.net.Layers()))
				for i, l := range tt.net.Layers() {
					assert.IsType(t, l, got.Layers()[i])
				}
				require.Len(t, got.Params(), len(tt.net.Params()))
				for i, p := range tt.net.Params() {
					want := p.Clone()
					if !f64 { // each weight rounded once to float32, widened exactly
						want.Apply(func(v float64) float64 { return float64(float32(v)) }, p)
					}
					assert.Equal(t, want.Shape(), got.Params()[i].Shape())
					assert.Equal(t, want.Data(), got.Params()[i].Data(), "parameter %d", i)
				}
				in := x
				if tt.shape != nil {
					in = x.Reshape(append([]int{5}, tt.shape...)...)
				}
				if f64 {
					assert.Equal(t, tt.net.Predict(in).Data(), got.Predict(in).Data())
				}
			})
		}
	}
}

// model returns a hand-made ONNX model: nodes in a chain from "x" (of
// shape (N, in)) to "y", with the given weights.
func handModel(in int, weights []tensorProto, nodes ...node) []byte {
	m := model{
		irVersion: irVersion,
		opsets:    []opset{{version: Opset}},
		graph: &graph{
			name:         "hand",
			nodes:        nodes,
			initializers: weights,
			inputs:       []valueInfo{{name: "x", elemType: dataTypeFloat, shape: []int64{-1, int64(in)}, hasShape: true}},
			outputs:      []valueInfo{{name: "y", elemType: dataTypeFloat}},
		},
	}
	return m.marshal()
}

// withInput returns model b with its input of the given shape.
func withInput(shape []int64, b []byte) []byte {
	var m model
	if err := m.unmarshal(b); err != nil {
		panic(err)
	}
	m.graph.inputs[0].shape = shape
	return m.marshal()
}

// floats returns a float weight stored raw.
func floats(name string, dims []int64, v ...float32) tensorProto {
	t := tensorProto{name: name, dims: dims, dataType: dataTypeFloat, raw: []byte{}}
	for _, f := range v {
		t.raw = binary.LittleEndian.AppendUint32(t.raw, math.Float32bits(f))
	}
	return t
}

func TestImportHandMadeModels(t *testing.T) {
	// x = (1, 2) throughout; each model's output worked out by hand.
	x := tensor.FromSlice([]float64{1, 2}, 1, 2)
	w := floats("W", []int64{2, 2}, 1, 2, 3, 4) // rows (1 2), (3 4)
	b := floats("b", []int64{2}, 0.5, -10)
	wt := floats("Wt", []int64{2, 2}, 1, 3, 2, 4) // the transpose of W
	packed := tensorProto{name: "W", dims: []int64{2, 2}, dataType: dataTypeFloat}
	for _, v := range []float32{1, 2, 3, 4} {
		packed.floats = binary.LittleEndian.AppendUint32(packed.floats, math.Float32bits(v))
	}
	doubles := tensorProto{name: "b", dims: []int64{1, 2}, dataType: dataTypeDouble}
	for _, v := range []float64{0.5, -10} {
		doubles.doubles = binary.LittleEndian.AppendUint64(doubles.doubles, math.Float64bits(v))
	}
	gemm := func(w string, attrs ...attribute) node {
		return node{opType: "Gemm", inputs: []string{"x", w, "b"}, outputs: []string{"y"}, attrs: attrs}
	}
	tests := []struct {
		name   string
		model  []byte
		scores []float64 // x·W + b = (1·1 + 2·3, 1·2 + 2·4) + b = (7, 10) + b
		head   layers.Head
	}{
		{"Gemm", handModel(2, []tensorProto{w, b}, gemm("W")), []float64{7.5, 0}, &layers.IdentityWithLoss{}},
		{"Gemm transB", handModel(2, []tensorProto{wt, b}, gemm("Wt", attribute{name: "transB", typ: attrTypeInt, i: 1})), []float64{7.5, 0}, &layers.IdentityWithLoss{}},
		{"Gemm alpha beta", handModel(2, []tensorProto{w, b}, gemm("W",
			attribute{name: "alpha", typ: attrTypeFloat, f: 2}, attribute{name: "beta", typ: attrTypeFloat, f: -1})),
			[]float64{13.5, 30}, &layers.IdentityWithLoss{}},
		{"float_data and double_data", handModel(2, []tensorProto{packed, doubles}, gemm("W")), []float64{7.5, 0}, &layers.IdentityWithLoss{}},
		{"MatMul Add", handModel(2, []tensorProto{w, b},
			node{opType: "MatMul", inputs: []string{"x", "W"}, outputs: []string{"h"}},
			node{opType: "Add", inputs: []string{"h", "b"}, outputs: []string{"y"}}), []float64{7.5, 0}, &layers.IdentityWithLoss{}},
		{"MatMul alone", handModel(2, []tensorProto{w},
			node{opType: "MatMul", inputs: []string{"x", "W"}, outputs: []string{"y"}}), []float64{7, 10}, &layers.IdentityWithLoss{}},
		{"Relu then Softmax head", handModel(2, []tensorProto{w, b}, gemm("W"),
			node{opType: "Relu", inputs: []string{"y"}, outputs: []string{"r"}},
			node{opType: "Softmax", inputs: []string{"r"}, outputs: []string{"s"}}), []float64{7.5, 0}, &layers.SoftmaxWithLoss{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.model
			if tt.name == "Relu then Softmax head" { // the output is the last node's
				var m model
				require.NoError(t, m.unmarshal(b))
				m.graph.nodes[0].outputs = []string{"g"}
				m.graph.nodes[1].inputs = []string{"g"}
				m.graph.outputs[0].name = "s"
				b = m.marshal()
			}
			net, err := Import(bytes.NewReader(b))
			require.NoError(t, err)
			assert.IsType(t, tt.head, net.Head())
			assert.Equal(t, tt.scores, net.Predict(x).Data())
		})
	}
}

func TestImportRejects(t *testing.T) {
	w := floats("W", []int64{2, 2}, 1, 2, 3, 4)
	b := floats("b", []int64{2}, 0.5, -10)
	chain := func(op string, attrs ...attribute) []byte {
		return handModel(2, []tensorProto{w, b}, node{opType: op, inputs: []string{"x", "W", "b"}, outputs: []string{"y"}, attrs: attrs})
	}
	withModel := func(f func(m *model)) []byte {
		var m model
		if err := m.unmarshal(chain("Gemm")); err != nil {
			panic(err)
		}
		f(&m)
		return m.marshal()
	}
	ints := tensorProto{name: "W", dims: []int64{2, 2}, dataType: 7, raw: make([]byte, 32)}
	tests := []struct {
		name string
		file []byte
		err  error
		msg  string
	}{
		{"empty", nil, ErrFormat, ""},
		{"not protobuf", []byte("hello, world"), ErrFormat, ""},
		{"unsupported operator", chain("LSTM"), ErrUnsupported, "operator LSTM"},
		{"unsupported attribute", chain("Gemm", attribute{name: "transA", typ: attrTypeInt, i: 1}), ErrUnsupported, "transA = 1"},
		{"unknown attribute", chain("Gemm", attribute{name: "gamma", typ: attrTypeInt, i: 1}), ErrUnsupported, `attribute "gamma"`},
		{"unsupported data type", handModel(2, []tensorProto{ints, b},
			node{opType: "Gemm", inputs: []string{"x", "W", "b"}, outputs: []string{"y"}}), ErrUnsupported, "data type INT64"},
		{"old opset", withModel(func(m *model) { m.opsets[0].version = 5 }), ErrUnsupported, "operator set version 5 (versions 6 to 28 are read)"},
		{"new opset", withModel(func(m *model) { m.opsets[0].version = 29 }), ErrUnsupported, "operator set version 29"},
		{"Gemm of opset 6 without broadcast", withModel(func(m *model) { m.opsets[0].version = 6 }), ErrUnsupported, "broadcast = 0"},
		{"attribute of another opset", chain("Gemm", attribute{name: "broadcast", typ: attrTypeInt, i: 1}), ErrUnsupported, `attribute "broadcast"`},
		{"no standard opset", withModel(func(m *model) { m.opsets = nil }), ErrFormat, "no standard operator set"},
		{"input of another type", withModel(func(m *model) { m.graph.inputs[0].elemType = 10 }), ErrUnsupported, "FLOAT16"},
		{"two inputs", withModel(func(m *model) {
			m.graph.inputs = append(m.graph.inputs, valueInfo{name: "z", elemType: dataTypeFloat})
		}), ErrUnsupported, "more than one input"},
		{"not a chain", withModel(func(m *model) { m.graph.nodes[0].inputs[0] = "W" }), ErrUnsupported, "not a chain"},
		{"weights too short", withModel(func(m *model) { m.graph.initializers[0].raw = m.graph.initializers[0].raw[:12] }), ErrFormat, "has data for 3 values"},
		{"huge declared shape", withModel(func(m *model) { m.graph.initializers[0].dims = []int64{1 << 40, 1 << 40} }), ErrFormat, "has shape"},
		{"external data", withModel(func(m *model) { m.graph.initializers[0].external = true; m.graph.initializers[0].raw = nil }), ErrUnsupported, "external file"},
		{"input width differs", withModel(func(m *model) { m.graph.inputs[0].shape = []int64{-1, 3} }), ErrShape, "take 2 inputs"},
		{"domain", withModel(func(m *model) { m.graph.nodes[0].domain = "com.microsoft" }), ErrUnsupported, `domain "com.microsoft"`},
		{"output elsewhere", withModel(func(m *model) { m.graph.outputs[0].name = "x" }), ErrUnsupported, `output "x" is not the last node's`},
		{"bias of the wrong size", handModel(2, []tensorProto{w, floats("b", []int64{3}, 1, 2, 3)},
			node{opType: "Gemm", inputs: []string{"x", "W", "b"}, outputs: []string{"y"}}), ErrUnsupported, "bias"},
		{"Flatten before MaxPool", withInput([]int64{-1, 1, 4, 4}, handModel(2, nil,
			node{opType: "Flatten", inputs: []string{"x"}, outputs: []string{"f"}},
			node{opType: "Relu", inputs: []string{"f"}, outputs: []string{"r"}},
			node{opType: "MaxPool", inputs: []string{"r"}, outputs: []string{"y"}, attrs: []attribute{{name: "kernel_shape", typ: attrTypeInts, ints: []int64{2, 2}}}})),
			ErrUnsupported, "Flatten before MaxPool"},
		{"Add alone", handModel(2, []tensorProto{b},
			node{opType: "Add", inputs: []string{"x", "b"}, outputs: []string{"y"}}), ErrUnsupported, "does not follow a MatMul"},
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

func TestExportRejects(t *testing.T) {
	type custom struct{ layers.ReLU }
	tests := []struct {
		name string
		net  *numlearn.Network
		opts ExportOptions
		err  error
		msg  string
	}{
		{"unknown layer", numlearn.NewNetwork(layers.NewAffine(tensor.New(4, 2), tensor.New(2)), &custom{}), ExportOptions{}, ErrUnsupported, "onnx: unsupported: layer 1 (*onnx.custom)"},
		{"input shape", numlearn.NewNetwork(layers.NewAffine(tensor.New(4, 2), tensor.New(2))), ExportOptions{InputShape: []int{5}}, ErrShape, "takes 4 inputs, its input has 5 (layer 0, *layers.Affine)"},
		{"no input shape", numlearn.NewNetwork(&layers.ReLU{}), ExportOptions{}, ErrShape, "no InputShape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Export(&bytes.Buffer{}, tt.net, tt.opts)
			require.ErrorIs(t, err, tt.err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

// leakyReLU is a layer of a program's own: y = max(x, 0.1·x).
type leakyReLU struct{ layers.ReLU }

func TestRegisterLayer(t *testing.T) {
	RegisterLayer(func(g *Graph, l *leakyReLU, x Value) (Value, error) {
		return Value{Name: g.Node("LeakyRelu", []string{x.Name}, FloatAttr("alpha", 0.1)), Shape: x.Shape}, nil
	})
	defer func() {
		exporters.Lock()
		delete(exporters.m, reflect.TypeFor[*leakyReLU]())
		exporters.Unlock()
	}()
	net := numlearn.NewNetwork(layers.NewAffine(tensor.New(4, 2), tensor.New(2)), &leakyReLU{})
	b := exported(t, net, ExportOptions{})
	var m model
	require.NoError(t, m.unmarshal(b))
	ops := []string{}
	for _, n := range m.graph.nodes {
		ops = append(ops, n.opType)
	}
	assert.Equal(t, []string{"Gemm", "LeakyRelu", "Softmax"}, ops)
	back, err := Import(bytes.NewReader(b)) // as the layer that computes the same
	require.NoError(t, err)
	require.Len(t, back.Layers(), 2)
	require.IsType(t, &layers.LeakyReLU{}, back.Layers()[1])
	assert.Equal(t, float64(float32(0.1)), back.Layers()[1].(*layers.LeakyReLU).Alpha)
}

// The small fixture is a 4-3-2 network exported by this package, the seed
// of the fuzz test; go test -run TestSmallFixture -update rewrites it.
func smallNet() *numlearn.Network {
	return numlearn.NewMultiLayerNet([]int{4, 3, 2}, numlearn.MultiLayerConfig{}, newRand(11))
}

func TestSmallFixture(t *testing.T) {
	b := exported(t, smallNet(), ExportOptions{})
	name := filepath.Join("testdata", "small.onnx")
	if *update {
		require.NoError(t, os.WriteFile(name, b, 0o644))
	}
	committed, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, committed, b, "Export writes the same bytes for the same network")
}

func TestEveryPrefixIsRejected(t *testing.T) {
	for _, opts := range []ExportOptions{{}, {Float64: true, InputShape: []int{2, 2}}} {
		b := exported(t, smallNet(), opts)
		_, err := Import(bytes.NewReader(b))
		require.NoError(t, err)
		for n := range len(b) {
			_, err := Import(bytes.NewReader(b[:n]))
			require.ErrorIs(t, err, ErrFormat, "a model cut to %d of %d bytes", n, len(b))
		}
	}
}

// TestImportAllocatesAboutTheFileSize checks the allocation bound: a real
// model of float32 weights costs a small multiple of its size — the file
// itself, its weights widened to float64 (twice its size) and the
// gradients each Affine layer keeps beside them (twice again) — and a
// model that declares huge weights without their data costs next to
// nothing.
func TestImportAllocatesAboutTheFileSize(t *testing.T) {
	torch, err := os.ReadFile(filepath.Join("testdata", "torch_mlp.onnx"))
	require.NoError(t, err)
	var m model
	require.NoError(t, m.unmarshal(handModel(2, []tensorProto{floats("W", []int64{2, 2}, 1, 2, 3, 4)},
		node{opType: "MatMul", inputs: []string{"x", "W"}, outputs: []string{"y"}})))
	m.graph.initializers[0].dims = []int64{1 << 30, 1 << 30}
	huge := m.marshal()
	tests := []struct {
		name  string
		file  []byte
		limit int
	}{
		{"PyTorch's MLP", torch, 6 * len(torch)},
		{"huge declared weights", huge, 64 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allocated := testing.Benchmark(func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					Import(bytes.NewReader(tt.file))
				}
			}).AllocedBytesPerOp()
			t.Logf("%d bytes allocated for a file of %d", allocated, len(tt.file))
			assert.LessOrEqual(t, allocated, int64(tt.limit))
		})
	}
}

// FuzzImport checks what Import promises for any input: it returns an
// error or a network, never panics, stays within the allocation bound
// the package documents, and what it returns predicts (on a zero input
// of the shape the model declares, when that is small enough to run) and
// exports again. The seeds are the models of testdata and the hostile
// files of this package's tests, in small versions.
func FuzzImport(f *testing.F) {
	names, err := filepath.Glob(filepath.Join("testdata", "*.onnx"))
	require.NoError(f, err)
	for _, name := range names {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add(exported(f, smallNet(), ExportOptions{Float64: true, InputShape: []int{2, 2}}))
	f.Add(exported(f, numlearn.NewMultiLayerNet([]int{4, 3, 2}, numlearn.MultiLayerConfig{BatchNorm: true, Dropout: 0.5}, newRand(12)), ExportOptions{}))
	f.Add(exported(f, numlearn.NewNetwork(
		layers.NewConvolution(tensor.RandN(newRand(13), 1, 2, 1, 3, 3), tensor.New(2), 1, 1), &layers.ReLU{},
		layers.NewPooling(2, 2, 2, 0), layers.NewAffine(tensor.New(8, 2), tensor.New(2))), ExportOptions{InputShape: []int{1, 4, 4}}))
	for _, tt := range floodedModels(64) {
		f.Add(tt.file)
	}
	f.Add(sharedWeights(4, 3))
	f.Add(cycle())
	pads := attribute{name: "pads", typ: attrTypeInts, ints: []int64{1, 1, 1, 1}}
	f.Add(geometryModel("Conv", []int64{1, 3, 3}, pads))
	f.Add(geometryModel("Conv", []int64{1, -1, -1}, pads))
	f.Add(geometryModel("MaxPool", []int64{1, 4, 4}, attribute{name: "kernel_shape", typ: attrTypeInts, ints: []int64{2, 2}}))
	// PyTorch's exports of operator set 6, the folding of x.view(x.size(0), -1),
	// and every layer beyond the book's.
	backend, err := filepath.Glob(filepath.Join("testdata", "pytorch-converted", "test_*", "model.onnx"))
	require.NoError(f, err)
	for _, name := range backend {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add(graphModel(17, []int64{-1, 1, 2, 2}, []tensorProto{floats("W", []int64{4, 1}, 1, 1, 1, 1)},
		append(viewChain(17), op("MatMul", []string{"f", "W"}, "y"))...))
	for _, tt := range modernNets() {
		f.Add(exported(f, tt.net, ExportOptions{InputShape: tt.shape}))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		net, err := Import(bytes.NewReader(b))
		runtime.ReadMemStats(&ms1)
		if got := ms1.TotalAlloc - ms0.TotalAlloc; got > allocationBound(len(b)) {
			t.Fatalf("Import allocated %d bytes for a file of %d, more than the bound %d", got, len(b), allocationBound(len(b)))
		}
		if err != nil {
			return
		}
		if shape := declaredShape(t, b, net); shape != nil {
			net.Predict(tensor.New(append([]int{1}, shape...)...))
		}
		_ = Export(&bytes.Buffer{}, net, ExportOptions{})
	})
}

// declaredShape returns the shape of one sample of the model b, which
// Import read as net, when the model declares it or net's first layer is
// an Affine layer, and when predicting on it takes little time and
// memory: no value of more than 1<<20 numbers, no more than 1<<26
// multiplications. Else it returns nil.
func declaredShape(t *testing.T, b []byte, net *numlearn.Network) []int {
	var m model
	require.NoError(t, m.unmarshal(b))
	var shape []int
	for _, in := range m.graph.inputs {
		if !slices.ContainsFunc(m.graph.initializers, func(w tensorProto) bool { return w.name == in.name }) && len(in.shape) > 1 && len(in.shape) <= 4 {
			for _, d := range in.shape[1:] {
				if d <= 0 || d > 1<<20 {
					shape = nil
					break
				}
				shape = append(shape, int(d))
			}
		}
	}
	if shape == nil && len(net.Layers()) > 0 {
		if a, ok := net.Layers()[0].(*layers.Affine); ok {
			shape = []int{a.W.Shape()[0]}
		}
	}
	if shape == nil {
		return nil
	}
	const maxSize, maxWork = 1 << 20, 1 << 26
	size := func(s []int) int {
		n := 1
		for _, d := range s {
			if n > maxSize || d > maxSize {
				return maxSize + 1
			}
			n *= d
		}
		return n
	}
	cur, work := shape, 0
	for _, l := range net.Layers() {
		if size(cur) > maxSize || work > maxWork {
			return nil
		}
		switch l := l.(type) {
		case *layers.Affine:
			work += l.W.Size()
			cur = []int{l.W.Shape()[1]}
		case *layers.Convolution:
			if len(cur) != 3 {
				return nil
			}
			fn, fh, fw := l.W.Shape()[0], l.W.Shape()[2], l.W.Shape()[3]
			oh, ow := (cur[1]+2*l.Pad()-fh)/l.Stride()+1, (cur[2]+2*l.Pad()-fw)/l.Stride()+1
			work += size([]int{l.W.Size(), oh, ow})
			cur = []int{fn, oh, ow}
		case *layers.GroupedConvolution:
			if len(cur) != 3 {
				return nil
			}
			fn, fh, fw := l.W.Shape()[0], dilated(l.W.Shape()[2], l.Dilation()), dilated(l.W.Shape()[3], l.Dilation())
			oh, ow := (cur[1]+2*l.Pad()-fh)/l.Stride()+1, (cur[2]+2*l.Pad()-fw)/l.Stride()+1
			if oh <= 0 || ow <= 0 {
				return nil
			}
			work += size([]int{l.W.Size(), oh, ow})
			cur = []int{fn, oh, ow}
		case *layers.Pooling, *layers.MaxPool, *layers.AvgPool:
			if len(cur) != 3 {
				return nil
			}
			p := l.(interface {
				Window() (int, int)
				Pad() int
				Stride() int
			})
			fh, fw := p.Window()
			oh, ow := (cur[1]+2*p.Pad()-fh)/p.Stride()+1, (cur[2]+2*p.Pad()-fw)/p.Stride()+1
			if oh <= 0 || ow <= 0 {
				return nil
			}
			work += size([]int{cur[0], fh, fw, oh, ow})
			cur = []int{cur[0], oh, ow}
		case *layers.GlobalAvgPool:
			if len(cur) != 3 {
				return nil
			}
			work += size(cur)
			cur = []int{cur[0], 1, 1}
		default:
			work += size(cur)
		}
	}
	if size(cur) > maxSize || work > maxWork {
		return nil
	}
	return shape
}
