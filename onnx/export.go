package onnx

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"sync"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Opset is the version of the standard ONNX operator set that Export
// writes.
const Opset = 17

// irVersion is the version of the ONNX format (IR) that goes with Opset.
const irVersion = 8

// headKey is the model metadata key under which Export records the
// network's head, so that Import gives back the same one.
const headKey = "numlearn.head"

// ExportOptions sets up Export. The zero value writes float32 with the
// input shape taken from the first layer.
type ExportOptions struct {
	// Float64 writes the weights, the input and the computation as ONNX
	// DOUBLE instead of FLOAT (float32, what inference engines are
	// fastest at). Float32 rounds each weight to the nearest float32.
	Float64 bool
	// InputShape is the shape of one sample, without the batch dimension,
	// which the model leaves open: (1, 28, 28) for an image, which the
	// model flattens before its first Affine layer. Nil means one
	// dimension, the first Affine layer's number of inputs, when the
	// network starts with one; the shape of its statistics when it starts
	// with a Standardize; when it starts with a convolution of C
	// channels, the smallest square image (C, H, H) that the layers turn
	// into the first Affine layer's number of inputs: (1, 28, 28) for
	// the book's SimpleConvNet.
	InputShape []int
}

// Value is a tensor of the graph being exported: its name, and the shape
// of one sample (the batch dimension is left out).
type Value struct {
	Name  string
	Shape []int
}

// Graph is an ONNX graph being built by Export, which a LayerExporter adds
// nodes and weights to.
type Graph struct {
	g        graph
	f64      bool
	dry      bool                      // only shapes are wanted: weights are not encoded
	names    map[*tensor.Tensor]string // the network's parameter names
	used     map[string]bool
	nextNode int
}

// Attribute is an attribute of a node: make one with IntAttr, FloatAttr
// or IntsAttr.
type Attribute struct{ a attribute }

// IntAttr returns an integer attribute, such as Flatten's axis.
func IntAttr(name string, v int64) Attribute {
	return Attribute{attribute{name: name, typ: attrTypeInt, i: v}}
}

// FloatAttr returns a float attribute, such as Gemm's alpha.
func FloatAttr(name string, v float32) Attribute {
	return Attribute{attribute{name: name, typ: attrTypeFloat, f: v}}
}

// IntsAttr returns an attribute that is a list of integers, such as
// Conv's pads.
func IntsAttr(name string, v ...int64) Attribute {
	return Attribute{attribute{name: name, typ: attrTypeInts, ints: v}}
}

// unique returns name, or name with a number after it if the graph
// already has a value of that name.
func (g *Graph) unique(name string) string {
	s := name
	for i := 2; g.used[s]; i++ {
		s = name + "_" + strconv.Itoa(i)
	}
	g.used[s] = true
	return s
}

// Node adds a node of the standard operator op that reads the named
// inputs, and returns the name of its one output.
func (g *Graph) Node(op string, inputs []string, attrs ...Attribute) string {
	g.nextNode++
	out := g.unique(op + strconv.Itoa(g.nextNode) + "_out")
	n := node{name: op + strconv.Itoa(g.nextNode), opType: op, inputs: inputs, outputs: []string{out}}
	for _, a := range attrs {
		n.attrs = append(n.attrs, a.a)
	}
	g.g.nodes = append(g.g.nodes, n)
	return out
}

// Weight adds t to the graph as an initializer (a constant input) in the
// model's element type, and returns its name: the network's name for the
// parameter or state (W1, b1, running_mean1, …) when t is one, else
// "weight". The shape is t's.
func (g *Graph) Weight(t *tensor.Tensor) string {
	dims := make([]int64, 0, t.Dims())
	for _, d := range t.Shape() {
		dims = append(dims, int64(d))
	}
	return g.constant(g.name(t, "weight"), dims, t.Data())
}

// name returns the network's name for the parameter or state t, or def.
func (g *Graph) name(t *tensor.Tensor, def string) string {
	if name, ok := g.names[t]; ok {
		return name
	}
	return def
}

// constant adds an initializer of the given shape (nil for a scalar) and
// values in the model's element type, named name or name with a number
// after it, and returns its name.
func (g *Graph) constant(name string, dims []int64, data []float64) string {
	name = g.unique(name)
	tp := tensorProto{name: name, dataType: dataTypeFloat, dims: dims}
	if g.dry {
		return name
	}
	if g.f64 {
		tp.dataType = dataTypeDouble
		tp.raw = make([]byte, 0, 8*len(data))
		for _, v := range data {
			tp.raw = binary.LittleEndian.AppendUint64(tp.raw, math.Float64bits(v))
		}
	} else {
		tp.raw = make([]byte, 0, 4*len(data))
		for _, v := range data {
			tp.raw = binary.LittleEndian.AppendUint32(tp.raw, math.Float32bits(float32(v)))
		}
	}
	g.g.initializers = append(g.g.initializers, tp)
	return name
}

// Flat returns x as a (batch, features) matrix: x itself if it is one
// already, else the output of a Flatten node added for it. An exporter of
// a layer that flattens its input, as Affine does, calls it first.
func (g *Graph) Flat(x Value) Value {
	if len(x.Shape) == 1 {
		return x
	}
	size := 1
	for _, d := range x.Shape {
		size *= d
	}
	return Value{Name: g.Node("Flatten", []string{x.Name}, IntAttr("axis", 1)), Shape: []int{size}}
}

// A LayerExporter adds to g the nodes that compute layer l from the value
// x and returns their output. It returns an error wrapping ErrUnsupported
// if this layer, as configured, has no ONNX form.
type LayerExporter[L layers.Layer] func(g *Graph, l L, x Value) (Value, error)

// exporter is a LayerExporter with its layer type erased.
type exporter func(g *Graph, l layers.Layer, x Value) (Value, error)

// exporters is the registry of layer exporters, keyed by the layer's
// dynamic type: the layers this package knows, and those that programs
// add with RegisterLayer.
var exporters = struct {
	sync.RWMutex
	m map[reflect.Type]exporter
}{m: builtinExporters()}

// RegisterLayer makes Export write every layer of type L with f, in place
// of any exporter registered for L before: this is how a layer type of
// your own (or one this package does not cover yet) exports. It is safe
// to call from several goroutines, and usually called once at the start
// of main.
func RegisterLayer[L layers.Layer](f LayerExporter[L]) {
	exporters.Lock()
	defer exporters.Unlock()
	exporters.m[reflect.TypeFor[L]()] = erase(f)
}

func erase[L layers.Layer](f LayerExporter[L]) exporter {
	return func(g *Graph, l layers.Layer, x Value) (Value, error) { return f(g, l.(L), x) }
}

// builtinExporters returns the exporters of the layers of package layers
// that ONNX covers.
func builtinExporters() map[reflect.Type]exporter {
	elementwise := func(op string) func(g *Graph, _ layers.Layer, x Value) (Value, error) {
		return func(g *Graph, _ layers.Layer, x Value) (Value, error) {
			return Value{Name: g.Node(op, []string{x.Name}), Shape: x.Shape}, nil
		}
	}
	return map[reflect.Type]exporter{
		reflect.TypeFor[*layers.Affine]():    erase(exportAffine),
		reflect.TypeFor[*layers.ReLU]():      elementwise("Relu"),
		reflect.TypeFor[*layers.Sigmoid]():   elementwise("Sigmoid"),
		reflect.TypeFor[*layers.Tanh]():      elementwise("Tanh"),
		reflect.TypeFor[*layers.BatchNorm](): erase(exportBatchNorm),
		reflect.TypeFor[*layers.Dropout]():   erase(exportDropout),

		reflect.TypeFor[*layers.Convolution](): erase(exportConvolution),
		reflect.TypeFor[*layers.Pooling]():     erase(exportPooling),

		reflect.TypeFor[*layers.LeakyReLU](): erase(func(g *Graph, l *layers.LeakyReLU, x Value) (Value, error) {
			return Value{Name: g.Node("LeakyRelu", []string{x.Name}, FloatAttr("alpha", float32(l.Alpha))), Shape: x.Shape}, nil
		}),
		reflect.TypeFor[*layers.ELU](): erase(func(g *Graph, l *layers.ELU, x Value) (Value, error) {
			return Value{Name: g.Node("Elu", []string{x.Name}, FloatAttr("alpha", float32(l.Alpha))), Shape: x.Shape}, nil
		}),
		reflect.TypeFor[*layers.PReLU]():              erase(exportPReLU),
		reflect.TypeFor[*layers.BatchNorm2D]():        erase(exportBatchNorm2D),
		reflect.TypeFor[*layers.GroupedConvolution](): erase(exportGroupedConvolution),
		reflect.TypeFor[*layers.MaxPool]():            erase(exportMaxPool),
		reflect.TypeFor[*layers.AvgPool]():            erase(exportAvgPool),
		reflect.TypeFor[*layers.GlobalAvgPool]():      erase(exportGlobalAvgPool),
		reflect.TypeFor[*layers.Standardize]():        erase(exportStandardize),
		reflect.TypeFor[*layers.Flatten](): erase(func(g *Graph, _ *layers.Flatten, x Value) (Value, error) {
			return g.Flat(x), nil
		}),
		reflect.TypeFor[*layers.Softmax](): erase(func(g *Graph, l *layers.Softmax, x Value) (Value, error) {
			return g.alongAxis("Softmax", l.Axis, x)
		}),
		reflect.TypeFor[*layers.LogSoftmax](): erase(func(g *Graph, l *layers.LogSoftmax, x Value) (Value, error) {
			return g.alongAxis("LogSoftmax", l.Axis, x)
		}),
		reflect.TypeFor[*layers.Softplus](): elementwise("Softplus"),
		reflect.TypeFor[*layers.Scale]():    erase(exportScale),
		reflect.TypeFor[*layers.SELU](): erase(func(g *Graph, l *layers.SELU, x Value) (Value, error) {
			return Value{Name: g.Node("Selu", []string{x.Name}, FloatAttr("alpha", float32(l.Alpha)), FloatAttr("gamma", float32(l.Gamma))), Shape: x.Shape}, nil
		}),
		reflect.TypeFor[*layers.Pad](): erase(exportPad),
	}
}

// alongAxis adds op (Softmax, LogSoftmax) along axis of x, which counts
// the axes of the whole value, batch included, as the operator set's
// version 13 and later do, and as the layers do. The axis must be one of
// a sample's.
func (g *Graph) alongAxis(op string, axis int, x Value) (Value, error) {
	a, rank := axis, len(x.Shape)+1
	if a < 0 {
		a += rank
	}
	if a <= 0 || a >= rank {
		return Value{}, fmt.Errorf("%w: %s along axis %d of samples of shape %v", ErrShape, op, axis, x.Shape)
	}
	return Value{Name: g.Node(op, []string{x.Name}, IntAttr("axis", int64(axis))), Shape: x.Shape}, nil
}

// exportScale writes y = Factor·x as Mul(x, Factor), which Import takes
// into the weights of an Affine layer right before or after it.
func exportScale(g *Graph, s *layers.Scale, x Value) (Value, error) {
	factor := g.constant("scale", nil, []float64{s.Factor})
	return Value{Name: g.Node("Mul", []string{x.Name, factor}), Shape: x.Shape}, nil
}

// exportPad writes a Pad of images as Pad (mode) with its pads, of
// operator set version 11 and later, an initializer of integers, and for
// a value other than 0 its constant_value.
func exportPad(g *Graph, p *layers.Pad, x Value) (Value, error) {
	if len(x.Shape) != 3 {
		return Value{}, fmt.Errorf("%w: Pad of samples of shape %v, not images (C, H, W)", ErrShape, x.Shape)
	}
	mode := p.Mode
	if mode == "" {
		mode = layers.PadConstant
	}
	if mode == layers.PadReflect && (max(p.Top, p.Bottom) >= x.Shape[1] || max(p.Left, p.Right) >= x.Shape[2]) {
		return Value{}, fmt.Errorf("%w: Pad reflect pads %d, %d, %d, %d of images of %d×%d", ErrShape, p.Top, p.Bottom, p.Left, p.Right, x.Shape[1], x.Shape[2])
	}
	pads := g.unique("pads")
	if !g.dry {
		tp := tensorProto{name: pads, dataType: dataTypeInt64, dims: []int64{8}}
		for _, v := range []int{0, 0, p.Top, p.Left, 0, 0, p.Bottom, p.Right} {
			tp.raw = binary.LittleEndian.AppendUint64(tp.raw, uint64(v))
		}
		g.g.initializers = append(g.g.initializers, tp)
	}
	inputs := []string{x.Name, pads}
	if mode == layers.PadConstant && p.Value != 0 {
		inputs = append(inputs, g.constant("pad_value", nil, []float64{p.Value}))
	}
	modeAttr := Attribute{attribute{name: "mode", typ: attrTypeString, s: []byte(mode)}}
	shape := []int{x.Shape[0], x.Shape[1] + p.Top + p.Bottom, x.Shape[2] + p.Left + p.Right}
	return Value{Name: g.Node("Pad", inputs, modeAttr), Shape: shape}, nil
}

// exportAffine writes y = x·W + b as Gemm(x, W, b), flattening x first if
// it has more than one dimension per sample.
func exportAffine(g *Graph, a *layers.Affine, x Value) (Value, error) {
	in, out := a.W.Shape()[0], a.W.Shape()[1]
	x = g.Flat(x)
	if x.Shape[0] != in {
		return Value{}, fmt.Errorf("%w: Affine takes %d inputs, its input has %d", ErrShape, in, x.Shape[0])
	}
	return Value{Name: g.Node("Gemm", []string{x.Name, g.Weight(a.W), g.Weight(a.B)}), Shape: []int{out}}, nil
}

// exportBatchNorm writes the inference form of b — its running
// statistics, not a batch's — as BatchNormalization(x, γ, β, running
// mean, running variance) with its epsilon. The
// book's BatchNorm normalizes each feature of the flattened sample, while
// ONNX's normalizes each channel (axis 1), so a sample of more than one
// dimension is flattened first and the result stays flat.
func exportBatchNorm(g *Graph, b *layers.BatchNorm, x Value) (Value, error) {
	x = g.Flat(x)
	if d := b.Gamma.Size(); x.Shape[0] != d {
		return Value{}, fmt.Errorf("%w: BatchNorm has %d features, its input has %d", ErrShape, d, x.Shape[0])
	}
	name := g.Node("BatchNormalization",
		[]string{x.Name, g.Weight(b.Gamma), g.Weight(b.Beta), g.Weight(b.RunningMean), g.Weight(b.RunningVar)},
		FloatAttr("epsilon", float32(b.Epsilon)))
	return Value{Name: name, Shape: x.Shape}, nil
}

// exportDropout writes the inference form of the book's Dropout, which is
// not ONNX's: the book scales by 1 − ratio at inference (ONNX's Dropout
// scales in training instead and is the identity at inference), so it
// becomes Mul(x, 1 − ratio), and nothing at all when the ratio is 0.
func exportDropout(g *Graph, d *layers.Dropout, x Value) (Value, error) {
	if d.Ratio == 0 {
		return x, nil
	}
	keep := g.constant("dropout_keep", nil, []float64{1 - d.Ratio})
	return Value{Name: g.Node("Mul", []string{x.Name, keep}), Shape: x.Shape}, nil
}

// conv adds Conv(x, W, B) with square strides and equal padding on every
// side, for filters w (FN, C/groups, FH, FW) on images x (C, H, W), and
// the attributes group and dilations when they are not 1.
func (g *Graph) conv(x Value, w, b *tensor.Tensor, stride, pad, dil, groups int) (Value, error) {
	ws := w.Shape()
	fn, c, fh, fw := ws[0], ws[1]*groups, ws[2], ws[3]
	if len(x.Shape) != 3 || x.Shape[0] != c {
		return Value{}, fmt.Errorf("%w: filters of shape %v in %d groups need images (%d, H, W), the input is %v", ErrShape, ws, groups, c, x.Shape)
	}
	oh, ow, err := window(x.Shape, dilated(fh, dil), dilated(fw, dil), stride, pad)
	if err != nil {
		return Value{}, err
	}
	attrs := []Attribute{
		IntsAttr("kernel_shape", int64(fh), int64(fw)),
		IntsAttr("strides", int64(stride), int64(stride)),
		IntsAttr("pads", int64(pad), int64(pad), int64(pad), int64(pad)),
	}
	if dil != 1 {
		attrs = append(attrs, IntsAttr("dilations", int64(dil), int64(dil)))
	}
	if groups != 1 {
		attrs = append(attrs, IntAttr("group", int64(groups)))
	}
	name := g.Node("Conv", []string{x.Name, g.Weight(w), g.Weight(b)}, attrs...)
	return Value{Name: name, Shape: []int{fn, oh, ow}}, nil
}

// pool adds a pooling op (MaxPool, AveragePool) of x with windows of h×w,
// square strides, the same padding on every side (none written when it
// is 0) and the given attributes besides.
func (g *Graph) pool(op string, x Value, h, w, stride, pad int, attrs ...Attribute) (Value, error) {
	if len(x.Shape) != 3 {
		return Value{}, fmt.Errorf("%w: pooling needs images (C, H, W), the input is %v", ErrShape, x.Shape)
	}
	oh, ow, err := window(x.Shape, h, w, stride, pad)
	if err != nil {
		return Value{}, err
	}
	attrs = append([]Attribute{
		IntsAttr("kernel_shape", int64(h), int64(w)),
		IntsAttr("strides", int64(stride), int64(stride)),
	}, attrs...)
	if pad != 0 {
		attrs = append(attrs, IntsAttr("pads", int64(pad), int64(pad), int64(pad), int64(pad)))
	}
	name := g.Node(op, []string{x.Name}, attrs...)
	return Value{Name: name, Shape: []int{x.Shape[0], oh, ow}}, nil
}

// window returns the output size of windows of fh×fw moved by stride over
// images (C, H, W) padded by pad, or an error if no window fits.
func window(x []int, fh, fw, stride, pad int) (oh, ow int, err error) {
	h, w := x[1]+2*pad, x[2]+2*pad
	if h < fh || w < fw {
		return 0, 0, fmt.Errorf("%w: a window of %d×%d does not fit images of %d×%d padded by %d", ErrShape, fh, fw, x[1], x[2], pad)
	}
	return (h-fh)/stride + 1, (w-fw)/stride + 1, nil
}

// exportConvolution writes c as Conv with its kernel_shape, strides and
// pads.
func exportConvolution(g *Graph, c *layers.Convolution, x Value) (Value, error) {
	return g.conv(x, c.W, c.B, c.Stride(), c.Pad(), 1, 1)
}

// exportGroupedConvolution writes c as Conv with its kernel_shape,
// strides, pads, dilations and group.
func exportGroupedConvolution(g *Graph, c *layers.GroupedConvolution, x Value) (Value, error) {
	return g.conv(x, c.W, c.B, c.Stride(), c.Pad(), c.Dilation(), c.Groups())
}

// exportPooling writes p as MaxPool with its kernel_shape and strides. The
// book's Pooling pads with zeros that take part in the maximum, where
// MaxPool's padding never wins, so only a Pooling without padding exports.
func exportPooling(g *Graph, p *layers.Pooling, x Value) (Value, error) {
	if p.Pad() != 0 {
		return Value{}, fmt.Errorf("%w: Pooling with padding %d (its zeros count in the maximum, MaxPool's padding does not)", ErrUnsupported, p.Pad())
	}
	h, w := p.Window()
	return g.pool("MaxPool", x, h, w, p.Stride(), 0)
}

// exportMaxPool writes p as MaxPool with its kernel_shape, strides and
// pads: its padding never wins, as MaxPool's.
func exportMaxPool(g *Graph, p *layers.MaxPool, x Value) (Value, error) {
	h, w := p.Window()
	return g.pool("MaxPool", x, h, w, p.Stride(), p.Pad())
}

// exportAvgPool writes p as AveragePool with its kernel_shape, strides,
// pads and count_include_pad.
func exportAvgPool(g *Graph, p *layers.AvgPool, x Value) (Value, error) {
	h, w := p.Window()
	include := int64(0)
	if p.CountIncludePad() {
		include = 1
	}
	return g.pool("AveragePool", x, h, w, p.Stride(), p.Pad(), IntAttr("count_include_pad", include))
}

// exportGlobalAvgPool writes GlobalAveragePool: images (C, H, W) to
// (C, 1, 1).
func exportGlobalAvgPool(g *Graph, _ *layers.GlobalAvgPool, x Value) (Value, error) {
	if len(x.Shape) != 3 {
		return Value{}, fmt.Errorf("%w: pooling needs images (C, H, W), the input is %v", ErrShape, x.Shape)
	}
	return Value{Name: g.Node("GlobalAveragePool", []string{x.Name}), Shape: []int{x.Shape[0], 1, 1}}, nil
}

// exportPReLU writes p as PRelu: its one slope as (1), or its slopes per
// channel (axis 1 of the value, C) as (C, 1, …, 1), with a 1 for each axis
// after the channel's, which broadcasts to the channels.
func exportPReLU(g *Graph, p *layers.PReLU, x Value) (Value, error) {
	c := p.Slope.Size()
	dims := []int64{1}
	if c > 1 {
		if len(x.Shape) == 0 || x.Shape[0] != c {
			return Value{}, fmt.Errorf("%w: PReLU has %d slopes, its input %v has not as many channels", ErrShape, c, x.Shape)
		}
		dims = make([]int64, len(x.Shape))
		for i := range dims {
			dims[i] = 1
		}
		dims[0] = int64(c)
	}
	slope := g.constant(g.name(p.Slope, "slope"), dims, p.Slope.Data())
	return Value{Name: g.Node("PRelu", []string{x.Name, slope}), Shape: x.Shape}, nil
}

// exportBatchNorm2D writes the inference form of b as
// BatchNormalization(x, γ, β, running mean, running variance) with its
// epsilon and momentum, which normalizes each channel (axis 1) as b does.
func exportBatchNorm2D(g *Graph, b *layers.BatchNorm2D, x Value) (Value, error) {
	if c := b.Gamma.Size(); len(x.Shape) == 0 || x.Shape[0] != c {
		return Value{}, fmt.Errorf("%w: BatchNorm2D has %d channels, its input %v has not as many", ErrShape, c, x.Shape)
	}
	name := g.Node("BatchNormalization",
		[]string{x.Name, g.Weight(b.Gamma), g.Weight(b.Beta), g.Weight(b.RunningMean), g.Weight(b.RunningVar)},
		FloatAttr("epsilon", float32(b.Epsilon)), FloatAttr("momentum", float32(b.Momentum)))
	return Value{Name: name, Shape: x.Shape}, nil
}

// exportStandardize writes y = (x − Mean)/Std as Sub(x, Mean) then
// Div(·, Std), with the statistics as weights of a sample's shape, which
// broadcast over the batch.
func exportStandardize(g *Graph, s *layers.Standardize, x Value) (Value, error) {
	if !slices.Equal(x.Shape, s.Mean.Shape()) {
		return Value{}, fmt.Errorf("%w: Standardize of samples of shape %v, its input is %v", ErrShape, s.Mean.Shape(), x.Shape)
	}
	centred := g.Node("Sub", []string{x.Name, g.Weight(s.Mean)})
	return Value{Name: g.Node("Div", []string{centred, g.Weight(s.Std)}), Shape: x.Shape}, nil
}

// heads maps the heads that export to the operator that computes their
// prediction ("" for none) and the name recorded in the model.
var heads = map[reflect.Type]struct{ op, name string }{
	reflect.TypeFor[*layers.SoftmaxWithLoss]():    {"Softmax", "softmax"},
	reflect.TypeFor[*layers.LogSoftmaxWithLoss](): {"LogSoftmax", "logsoftmax"},
	reflect.TypeFor[*layers.SigmoidWithLoss]():    {"Sigmoid", "sigmoid"},
	reflect.TypeFor[*layers.IdentityWithLoss]():   {"", "identity"},
}

// Export writes net to w as an ONNX model (opset 17) that computes, for a
// batch of inputs, the network's Output: the class probabilities for a
// softmax head (Softmax), the probability of label 1 for a sigmoid head
// (Sigmoid), the scores themselves for an identity head. Its input is
// named "input", of shape (N, InputShape…), and its output "output", of
// shape (N, outputs), N being left open. Weights are named as the
// network's ParamNames and StateNames (W1, b1, running_mean1, …).
//
// Export returns an error wrapping ErrUnsupported, naming the layer, when
// a layer or the head has no ONNX form, and one wrapping ErrShape when
// the input shape does not fit the first layer. Layers export through
// the exporters registered for their types (see RegisterLayer).
func Export(w io.Writer, net *numlearn.Network, opts ExportOptions) error {
	b, err := marshalNetwork(net, opts)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("onnx: export: %w", err)
	}
	return nil
}

// marshalNetwork returns the ONNX encoding of net.
func marshalNetwork(net *numlearn.Network, opts ExportOptions) ([]byte, error) {
	ls := net.Layers()
	head, ok := heads[reflect.TypeOf(net.Head())]
	if !ok {
		return nil, fmt.Errorf("%w: head %T has no ONNX form", ErrUnsupported, net.Head())
	}
	g := &Graph{
		g:     graph{name: "numlearn"},
		f64:   opts.Float64,
		names: map[*tensor.Tensor]string{},
		used:  map[string]bool{"input": true, "output": true},
	}
	for i, p := range net.Params() {
		g.names[p] = net.ParamNames()[i]
	}
	for i, st := range net.State() {
		g.names[st] = net.StateNames()[i]
	}
	elem := int64(dataTypeFloat)
	if opts.Float64 {
		elem = dataTypeDouble
	}
	shape := opts.InputShape
	if shape == nil {
		var err error
		if shape, err = inputShape(ls); err != nil {
			return nil, err
		}
	}
	for _, d := range shape {
		if d <= 0 {
			return nil, fmt.Errorf("%w: InputShape %v", ErrShape, shape)
		}
	}
	x := Value{Name: "input", Shape: shape}
	g.g.inputs = []valueInfo{{name: "input", elemType: elem, shape: batched(shape)}}
	for i, l := range ls {
		exporters.RLock()
		f, ok := exporters.m[reflect.TypeOf(l)]
		exporters.RUnlock()
		if !ok {
			return nil, fmt.Errorf("%w: layer %d (%T) has no ONNX exporter", ErrUnsupported, i, l)
		}
		var err error
		if x, err = f(g, l, x); err != nil {
			return nil, fmt.Errorf("%w (layer %d, %T)", err, i, l)
		}
	}
	if head.op != "" {
		attrs := []Attribute(nil)
		if head.op == "Softmax" || head.op == "LogSoftmax" {
			attrs = append(attrs, IntAttr("axis", -1))
		}
		x.Name = g.Node(head.op, []string{x.Name}, attrs...)
	}
	if len(g.g.nodes) == 0 {
		x.Name = g.Node("Identity", []string{x.Name})
	}
	// The last node writes the graph's output.
	last := &g.g.nodes[len(g.g.nodes)-1]
	last.outputs[0] = "output"
	g.g.outputs = []valueInfo{{name: "output", elemType: elem, shape: batched(x.Shape)}}
	m := model{
		irVersion: irVersion,
		opsets:    []opset{{version: Opset}},
		producer:  "numlearn",
		version:   "1",
		metadata:  []entry{{key: headKey, value: head.name}},
		graph:     &g.g,
	}
	return m.marshal(), nil
}

// maxTriedSide is the largest image side that inputShape tries.
const maxTriedSide = 4096

// inputShape returns the shape of one sample that the network takes when
// ExportOptions.InputShape does not say: the first Affine layer's number
// of inputs if it is the first layer; the shape of its statistics if the
// first layer is a Standardize; for a network that starts with a
// convolution of C channels, the smallest square image (C, H, H) whose
// size after the layers before the first Affine layer is what that layer
// takes.
func inputShape(ls []layers.Layer) ([]int, error) {
	if len(ls) > 0 {
		if a, ok := ls[0].(*layers.Affine); ok {
			return []int{a.W.Shape()[0]}, nil
		}
	}
	var c int
	if len(ls) > 0 {
		switch l := ls[0].(type) {
		case *layers.Standardize:
			return slices.Clone(l.Mean.Shape()), nil
		case *layers.Convolution:
			c = l.W.Shape()[1]
		case *layers.GroupedConvolution:
			c = l.W.Shape()[1] * l.Groups()
		}
	}
	if c == 0 {
		return nil, fmt.Errorf("%w: no InputShape, and the first layer is neither Affine nor a convolution", ErrShape)
	}
	for side := 1; side <= maxTriedSide; side++ {
		shape := []int{c, side, side}
		if fitsFirstAffine(ls, shape) {
			return shape, nil
		}
	}
	return nil, fmt.Errorf("%w: no InputShape, and no square image of up to %d×%d fits the first Affine layer", ErrShape, maxTriedSide, maxTriedSide)
}

// fitsFirstAffine reports whether the layers up to the first Affine layer
// export for a sample of the given shape.
func fitsFirstAffine(ls []layers.Layer, shape []int) bool {
	g := &Graph{dry: true, names: map[*tensor.Tensor]string{}, used: map[string]bool{}}
	x := Value{Name: "input", Shape: shape}
	for _, l := range ls {
		exporters.RLock()
		f, ok := exporters.m[reflect.TypeOf(l)]
		exporters.RUnlock()
		if !ok {
			return false
		}
		var err error
		if x, err = f(g, l, x); err != nil {
			return false
		}
		if _, ok := l.(*layers.Affine); ok {
			return true
		}
	}
	return false
}

// batched returns shape with an open batch dimension (−1) in front.
func batched(shape []int) []int64 {
	s := []int64{-1}
	for _, d := range shape {
		s = append(s, int64(d))
	}
	return s
}
