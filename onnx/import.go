package onnx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/internal/conv"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Errors that Import and Export return, wrapped with what and where.
var (
	// ErrFormat is wrapped by the errors Import returns for a file that is
	// not a valid ONNX model: not protobuf, cut short, of the wrong wire
	// types, or with weights whose data does not fit their shape.
	ErrFormat = errors.New("onnx: not a valid ONNX model")
	// ErrUnsupported is wrapped by the errors for a valid model, layer or
	// head that this package does not translate: the message names the
	// first unsupported operator, attribute, data type or graph structure.
	ErrUnsupported = errors.New("onnx: unsupported")
	// ErrShape is wrapped by the errors for shapes that do not chain: a
	// layer whose input size differs from what the layer before it gives.
	ErrShape = errors.New("onnx: shapes do not fit")
)

// maxModelSize is the largest model Import reads: protobuf messages are
// limited to 2 GiB.
const maxModelSize = 2 << 30

// minOpset is the oldest operator set Import reads: from version 7 on,
// Gemm broadcasts its bias as numpy does.
const minOpset = 7

// Import reads an ONNX model from r and returns the network it computes.
// It reads models made of the operators Export writes and those that
// PyTorch and other tools write for the same networks:
//
//   - Gemm (any alpha and beta; transB 0 or 1) and MatMul, with or without
//     a following Add of a bias, become a layers.Affine;
//   - Relu, Sigmoid and Tanh become layers.ReLU, Sigmoid and Tanh;
//   - Conv of 2-D images (one group, no dilation, auto_pad NOTSET, one
//     stride in both directions and the same padding on every side)
//     becomes a layers.Convolution, and MaxPool (likewise, without
//     padding or ceil_mode) a layers.Pooling; a Relu between them stays a
//     layers.ReLU;
//   - BatchNormalization (inference mode) of an (N, D) value becomes a
//     layers.BatchNorm whose running statistics are the given mean and
//     variance, with the file's epsilon;
//   - Mul by a single constant value, which is what the book's Dropout
//     does at inference and how Export writes it, is taken into the
//     weights of the Affine layer right before it or else of the next
//     one: the network computes the same, but has no Dropout layer;
//   - Dropout, the identity at inference in ONNX, is dropped;
//   - Flatten (axis 1) right before a Gemm, MatMul or BatchNormalization
//     is dropped, since Affine and BatchNorm flatten their input
//     themselves; Identity is dropped;
//   - a final Softmax (on the last axis) becomes the head
//     layers.SoftmaxWithLoss, a final Sigmoid layers.SigmoidWithLoss
//     (unless the model was exported by numlearn with an identity head),
//     and anything else layers.IdentityWithLoss.
//
// The graph must be a chain: one input, each node reading the output of
// the one before (and weights), one output. Weights may be float or
// double, stored raw or as float_data/double_data, not external.
//
// The graph must follow ONNX's rules for values (each defined once, and
// before it is read), and the geometry of Conv and MaxPool must stay
// within the limits that the package documents.
//
// The error wraps ErrFormat for a damaged file or a graph that breaks
// ONNX's rules, ErrUnsupported (naming the first node, operator,
// attribute or data type it cannot translate) for a model outside this
// subset or beyond the limits, and ErrShape for weights whose shapes do
// not chain. Import allocates at most 9 times the file's size plus 4 MiB
// (see the package documentation): every declared size is checked
// against the data present, and what it builds against a budget
// proportional to the file's size, before anything is allocated.
func Import(r io.Reader) (*numlearn.Network, error) {
	b, err := readAll(r)
	if errors.Is(err, errTooLarge) {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("onnx: import: %w", err)
	}
	var m model
	bud := newBudget(len(b))
	if err := m.decode(bud, b); err != nil {
		return nil, err
	}
	return m.network(bud)
}

// readAll reads r to its end, or to one byte past maxModelSize. A reader
// that knows how much it holds — a bytes.Reader or bytes.Buffer (Len), a
// file (Stat and Seek) — is read into a buffer of that size at once, and
// refused unread if that is more than maxModelSize; another is read into
// a buffer that doubles as it fills.
func readAll(r io.Reader) ([]byte, error) {
	size := -1
	switch r := r.(type) {
	case interface{ Len() int }:
		size = r.Len()
	case interface {
		Stat() (fs.FileInfo, error)
		io.Seeker
	}:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			if at, err := r.Seek(0, io.SeekCurrent); err == nil && at <= fi.Size() {
				size = int(min(fi.Size()-at, maxModelSize+1))
			}
		}
	}
	if size > maxModelSize {
		return nil, errTooLarge
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(size, 0)+bytes.MinRead))
	_, err := buf.ReadFrom(io.LimitReader(r, maxModelSize+1))
	if err == nil && buf.Len() > maxModelSize {
		err = errTooLarge
	}
	return buf.Bytes(), err
}

// errTooLarge is the error for a model larger than Import reads.
var errTooLarge = fmt.Errorf("%w: larger than 2 GiB", ErrFormat)

// importer is the state of one import: the graph's values by name, and
// the layers built so far.
type importer struct {
	values  map[string]definition
	budget  *budget // what is left of the import's budget
	layers  []layers.Layer
	shape   []int // the shape of one sample of the current value; nil when unknown
	flatten bool  // a Flatten was seen, which the next layer must absorb
	matmul  *layers.Affine
	// scale is a factor from a Mul by a constant that the next Affine
	// layer takes into its weights; scaled says there is one.
	scale  float64
	scaled bool
}

// width returns the number of values in one sample of the current value,
// or 0 when it is unknown.
func (im *importer) width() int {
	if im.shape == nil {
		return 0
	}
	n := 1
	for _, d := range im.shape {
		n *= d
	}
	return n
}

// opImporter translates one node into the importer's layers.
type opImporter func(im *importer, n *node) error

// ops maps each operator Import reads to its translation. A new operator
// is one function and one entry here.
var ops = map[string]opImporter{
	"Gemm":     importGemm,
	"MatMul":   importMatMul,
	"Add":      importAdd,
	"Relu":     importElementwise(func() layers.Layer { return &layers.ReLU{} }),
	"Sigmoid":  importElementwise(func() layers.Layer { return &layers.Sigmoid{} }),
	"Tanh":     importElementwise(func() layers.Layer { return &layers.Tanh{} }),
	"Flatten":  importFlatten,
	"Identity": func(*importer, *node) error { return nil },

	"Conv":               importConv,
	"MaxPool":            importMaxPool,
	"BatchNormalization": importBatchNorm,
	"Dropout":            importDropout,
	"Mul":                importMul,
}

// network translates the decoded model into a network, taking what it
// builds from what is left of the import's budget.
func (m *model) network(bud *budget) (*numlearn.Network, error) {
	if err := m.checkOpsets(); err != nil {
		return nil, err
	}
	g := m.graph
	if g == nil {
		return nil, fmt.Errorf("%w: no graph", ErrFormat)
	}
	if g.sparse > 0 {
		return nil, fmt.Errorf("%w: sparse initializers", ErrUnsupported)
	}
	values, err := g.values(bud)
	if err != nil {
		return nil, err
	}
	im := &importer{values: values, budget: bud}
	for i := range g.initializers {
		if err := g.initializers[i].check(); err != nil {
			return nil, err
		}
	}
	// The data input is the one graph input that is not a weight (before
	// IR version 4, weights were listed as inputs too).
	var input *valueInfo
	for i := range g.inputs {
		if values[g.inputs[i].name].init != nil {
			continue
		}
		if input != nil {
			return nil, fmt.Errorf("%w: more than one input (%q, %q)", ErrUnsupported, shown(input.name), shown(g.inputs[i].name))
		}
		input = &g.inputs[i]
	}
	if input == nil {
		return nil, fmt.Errorf("%w: the graph has no input", ErrFormat)
	}
	if input.elemType != dataTypeFloat && input.elemType != dataTypeDouble {
		return nil, fmt.Errorf("%w: input %q has data type %s", ErrUnsupported, shown(input.name), dataTypeName(input.elemType))
	}
	if err := im.inputShape(input); err != nil {
		return nil, err
	}
	if len(g.outputs) != 1 {
		return nil, fmt.Errorf("%w: %d outputs, not one", ErrUnsupported, len(g.outputs))
	}
	if len(g.nodes) == 0 {
		return nil, fmt.Errorf("%w: the graph has no nodes", ErrUnsupported)
	}

	var head layers.Head = &layers.IdentityWithLoss{}
	cur := input.name
	for i := range g.nodes {
		n := &g.nodes[i]
		if n.domain != "" && n.domain != "ai.onnx" {
			return nil, fmt.Errorf("%w: operator %s of domain %q (node %d, %q)", ErrUnsupported, shown(n.opType), shown(n.domain), i, shown(n.name))
		}
		if len(n.inputs) == 0 || n.inputs[0] != cur || len(n.outputs) != 1 || n.outputs[0] == "" {
			return nil, fmt.Errorf("%w: a graph that is not a chain: node %d (%s %q) does not continue from %q with one output", ErrUnsupported, i, shown(n.opType), shown(n.name), shown(cur))
		}
		last := i == len(g.nodes)-1
		err := bud.take(nodeCost, "the layers")
		switch {
		case err != nil:
		case last && n.opType == "Softmax":
			err = importSoftmax(im, n)
			head = &layers.SoftmaxWithLoss{}
		case last && n.opType == "Sigmoid" && m.headName() != "identity":
			err = checkAttrs(n)
			head = &layers.SigmoidWithLoss{}
		default:
			f, ok := ops[n.opType]
			if !ok {
				return nil, fmt.Errorf("%w: operator %s (node %d, %q)", ErrUnsupported, shown(n.opType), i, shown(n.name))
			}
			err = f(im, n)
		}
		if err != nil {
			return nil, fmt.Errorf("%w (node %d, %s %q)", err, i, shown(n.opType), shown(n.name))
		}
		cur = n.outputs[0]
	}
	if g.outputs[0].name != cur {
		return nil, fmt.Errorf("%w: the output %q is not the last node's", ErrUnsupported, shown(g.outputs[0].name))
	}
	if im.flatten {
		return nil, fmt.Errorf("%w: Flatten at the end of the graph", ErrUnsupported)
	}
	if im.scaled {
		return nil, fmt.Errorf("%w: Mul by a constant with no Affine layer to take it", ErrUnsupported)
	}
	if len(im.layers) == 0 {
		return nil, fmt.Errorf("%w: the graph has no layers", ErrUnsupported)
	}
	return numlearn.NewNetworkWithHead(head, im.layers...), nil
}

// inputShape sets the current value's shape from the graph's input, when
// it declares every dimension of a sample; a sample of more than
// maxValues values is refused.
func (im *importer) inputShape(input *valueInfo) error {
	if !input.hasShape || len(input.shape) < 2 {
		return nil
	}
	dims := input.shape[1:]
	for _, d := range dims {
		if d <= 0 {
			return nil // symbolic or unknown: the shape is not known
		}
	}
	size := 1
	for _, d := range dims {
		if d > maxValues || !conv.Within(maxValues, size, int(d)) {
			return fmt.Errorf("%w: input %q of shape %v has more than %d values in a sample", ErrUnsupported, shown(input.name), shownList(input.shape), maxValues)
		}
		size *= int(d)
	}
	im.shape = make([]int, len(dims))
	for i, d := range dims {
		im.shape[i] = int(d)
	}
	return nil
}

// definition says what defines a value of the graph: a graph input, an
// initializer, both, or a node's output.
type definition struct {
	node  int          // the index of the node whose output it is, or -1
	input bool         // a graph input
	init  *tensorProto // the initializer that holds it, or nil
}

// What the import takes from its budget, besides the decoded structures:
// for each entry of its table of values, for each node it translates,
// and for each parameter of a layer. The first two are estimates, which
// TestImportChargesWhatItBuilds checks, of what a Go map takes for an entry,
// with its room to spare, and of what a node's translation allocates
// besides the layer's parameters — the layer itself (a BatchNorm, the
// largest, takes about 3 KiB), the shape of its output and the like.
const (
	valueEntry = 128
	nodeCost   = 4 << 10
	paramCost  = 16 // a float64 value and its gradient
)

// values checks that g follows ONNX's rules for values, and returns what
// defines each, by name. Each value is defined once — by a graph input,
// an initializer or a node's output — except that an initializer may
// also be listed as a graph input (all weights were, before IR version
// 4); each node reads only values defined before it (the nodes are in
// topological order, so there is no cycle); and every graph output is
// defined. An empty name stands for an optional input or output left
// out. The errors wrap ErrFormat.
func (g *graph) values(bud *budget) (map[string]definition, error) {
	n := len(g.initializers) + len(g.inputs)
	for i := range g.nodes {
		n += len(g.nodes[i].outputs)
	}
	if err := bud.reserve("graph", "values", n, valueEntry); err != nil {
		return nil, err
	}
	defs := make(map[string]definition, n)
	for i := range g.initializers {
		t := &g.initializers[i]
		if t.name == "" {
			return nil, fmt.Errorf("%w: initializer %d has no name", ErrFormat, i)
		}
		if _, ok := defs[t.name]; ok {
			return nil, fmt.Errorf("%w: initializer %q is defined twice", ErrFormat, shown(t.name))
		}
		defs[t.name] = definition{node: -1, init: t}
	}
	for i := range g.inputs {
		name := g.inputs[i].name
		if name == "" {
			return nil, fmt.Errorf("%w: graph input %d has no name", ErrFormat, i)
		}
		def, ok := defs[name]
		if ok && def.input {
			return nil, fmt.Errorf("%w: graph input %q is listed twice", ErrFormat, shown(name))
		}
		def.node, def.input = -1, true
		defs[name] = def
	}
	for i := range g.nodes {
		n := &g.nodes[i]
		for _, in := range n.inputs {
			if _, ok := defs[in]; !ok && in != "" {
				return nil, g.undefined(i, in)
			}
		}
		for _, out := range n.outputs {
			if out == "" {
				continue
			}
			if def, ok := defs[out]; ok {
				return nil, fmt.Errorf("%w: node %d (%s %q) defines %q, which %s defines too", ErrFormat, i, shown(n.opType), shown(n.name), shown(out), g.definer(def))
			}
			defs[out] = definition{node: i}
		}
	}
	for i, out := range g.outputs {
		if out.name == "" {
			return nil, fmt.Errorf("%w: graph output %d has no name", ErrFormat, i)
		}
		if _, ok := defs[out.name]; !ok {
			return nil, fmt.Errorf("%w: graph output %q is defined by no node, input or initializer", ErrFormat, shown(out.name))
		}
	}
	return defs, nil
}

// definer names what def says defines a value.
func (g *graph) definer(def definition) string {
	switch {
	case def.input:
		return "the graph input"
	case def.init != nil:
		return "an initializer"
	}
	n := &g.nodes[def.node]
	return fmt.Sprintf("node %d (%s %q)", def.node, shown(n.opType), shown(n.name))
}

// undefined is the error for node i reading name, which nothing defines
// before it.
func (g *graph) undefined(i int, name string) error {
	n := &g.nodes[i]
	for j := i; j < len(g.nodes); j++ {
		if !slices.Contains(g.nodes[j].outputs, name) {
			continue
		}
		if j == i {
			return fmt.Errorf("%w: node %d (%s %q) reads %q, its own output", ErrFormat, i, shown(n.opType), shown(n.name), shown(name))
		}
		later := &g.nodes[j]
		return fmt.Errorf("%w: node %d (%s %q) reads %q, which node %d (%s %q) defines after it: the nodes are not in topological order, or form a cycle",
			ErrFormat, i, shown(n.opType), shown(n.name), shown(name), j, shown(later.opType), shown(later.name))
	}
	return fmt.Errorf("%w: node %d (%s %q) reads %q, which nothing defines", ErrFormat, i, shown(n.opType), shown(n.name), shown(name))
}

// maxShown is the most bytes of a name, and the most numbers of a list,
// that an error message shows: the names and lists of a file can be as
// long as the file, and its messages then as long again, several times
// over.
const maxShown = 64

// shown returns s as an error message shows it: its first maxShown bytes
// or fewer, not to cut a character, and "…" after them if there are more.
func shown(s string) string {
	if len(s) <= maxShown {
		return s
	}
	n := maxShown
	for n > maxShown-utf8.UTFMax && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// shownList returns v as an error message shows it: its first maxShown
// numbers, and how many there are if there are more.
func shownList[T int | int64](v []T) string {
	if len(v) <= maxShown {
		return fmt.Sprint(v)
	}
	s := fmt.Sprint(v[:maxShown])
	return fmt.Sprintf("%s … of %d]", s[:len(s)-1], len(v))
}

// checkOpsets checks that the model uses the standard operator set, in a
// version Import reads.
func (m *model) checkOpsets() error {
	for _, o := range m.opsets {
		if o.domain != "" && o.domain != "ai.onnx" {
			continue // another domain is an error only if a node uses it
		}
		if o.version < minOpset {
			return fmt.Errorf("%w: operator set version %d (the oldest read is %d)", ErrUnsupported, o.version, minOpset)
		}
		return nil
	}
	return fmt.Errorf("%w: no standard operator set is imported", ErrFormat)
}

// headName returns the head that numlearn recorded when it exported the
// model, or "".
func (m *model) headName() string {
	for _, e := range m.metadata {
		if e.key == headKey {
			return e.value
		}
	}
	return ""
}

// add appends a layer, absorbing a pending Flatten only into an Affine or
// a BatchNorm, which flatten their input themselves, and a pending factor
// only into an Affine.
func (im *importer) add(l layers.Layer) error {
	a, affine := l.(*layers.Affine)
	if im.flatten {
		if _, bn := l.(*layers.BatchNorm); !affine && !bn {
			return fmt.Errorf("%w: Flatten before %T, which does not flatten", ErrUnsupported, l)
		}
		im.flatten = false
	}
	if im.scaled {
		if !affine {
			return fmt.Errorf("%w: Mul by a constant before %T, which cannot take it into its weights", ErrUnsupported, l)
		}
		a.W.Scale(im.scale, a.W) // (s·x)·W = x·(s·W)
		im.scaled = false
	}
	im.matmul = nil
	im.layers = append(im.layers, l)
	return nil
}

// checkAttrs returns an error naming the first attribute of n that is not
// one of known.
func checkAttrs(n *node, known ...string) error {
	for _, a := range n.attrs {
		if !slices.Contains(known, a.name) {
			return fmt.Errorf("%w: attribute %q", ErrUnsupported, shown(a.name))
		}
	}
	return nil
}

// intAttr returns n's integer attribute name, or def when it is absent.
func intAttr(n *node, name string, def int64) (int64, error) {
	for _, a := range n.attrs {
		if a.name == name {
			if a.typ != attrTypeInt || a.other {
				return 0, fmt.Errorf("%w: attribute %q is not an integer", ErrFormat, name)
			}
			return a.i, nil
		}
	}
	return def, nil
}

// floatAttr returns n's float attribute name, or def when it is absent.
func floatAttr(n *node, name string, def float32) (float32, error) {
	for _, a := range n.attrs {
		if a.name == name {
			if a.typ != attrTypeFloat || a.other {
				return 0, fmt.Errorf("%w: attribute %q is not a float", ErrFormat, name)
			}
			return a.f, nil
		}
	}
	return def, nil
}

// intsAttr returns n's attribute name, a list of integers, or nil when it
// is absent.
func intsAttr(n *node, name string) ([]int64, error) {
	for _, a := range n.attrs {
		if a.name == name {
			if a.typ != attrTypeInts || a.other {
				return nil, fmt.Errorf("%w: attribute %q is not a list of integers", ErrFormat, name)
			}
			return a.ints, nil
		}
	}
	return nil, nil
}

// Limits on the geometry of Conv and MaxPool, checked when their node is
// read, so that a model Import accepts builds layers whose sizes are
// exact and fit in memory for a sample. Real models stay far inside
// them: the book's MNIST images have sides of 28, ImageNet's 224, and the
// largest unfolding of VGG (64 channels of 3×3 windows at 224×224 places)
// has 29 million values. With every side, stride and padding at most
// 2¹⁶, a padded side (at most 3·2¹⁶) cannot overflow, and products of
// sides with channel counts are formed by within, which stops before
// they could.
const (
	// maxSide is the largest side of an image, of a window and of a
	// padded image, and the largest stride and padding: 2¹⁶.
	maxSide = 1 << 16
	// maxValues is the most values of one sample's input, and of a
	// Conv's or MaxPool's padded image, output and unfolding (the windows
	// laid side by side): 2³¹ − 1, 16 GiB of float64. Every position then
	// fits an int32, and a batch of samples overflows no int.
	maxValues = 1<<31 - 1
)

// geometry is that of a Conv or MaxPool node's windows over 2-D images:
// their height and width, their stride, and the padding on every side.
type geometry struct{ fh, fw, stride, pad int }

// windowAttrs reads the attributes that Conv and MaxPool share for
// windows of kernel (height, width), which the caller has checked are
// positive and at most maxSide: strides, which must be equal, positive
// and at most maxSide; pads, which must be equal on every side, not
// negative and at most maxSide; and dilations, which must be 1; auto_pad
// must be NOTSET.
func windowAttrs(n *node, kernel [2]int64) (geometry, error) {
	win := geometry{fh: int(kernel[0]), fw: int(kernel[1]), stride: 1}
	if k, err := intsAttr(n, "kernel_shape"); err != nil {
		return win, err
	} else if k != nil && !slices.Equal(k, kernel[:]) {
		return win, fmt.Errorf("%w: kernel_shape %v for a window of %v", ErrFormat, shownList(k), kernel)
	}
	strides, err := intsAttr(n, "strides")
	if err != nil {
		return win, err
	}
	switch {
	case strides == nil:
	case len(strides) != 2 || strides[0] != strides[1]:
		return win, fmt.Errorf("%w: strides %v (one stride in both directions is read)", ErrUnsupported, shownList(strides))
	case strides[0] <= 0:
		return win, fmt.Errorf("%w: strides %v are not positive", ErrFormat, shownList(strides))
	case strides[0] > maxSide:
		return win, fmt.Errorf("%w: strides %v: more than %d", ErrUnsupported, shownList(strides), maxSide)
	default:
		win.stride = int(strides[0])
	}
	pads, err := intsAttr(n, "pads")
	if err != nil {
		return win, err
	}
	if pads != nil {
		ok := len(pads) == 4
		for _, p := range pads {
			ok = ok && p == pads[0]
		}
		switch {
		case !ok:
			return win, fmt.Errorf("%w: pads %v (the same padding on every side is read)", ErrUnsupported, shownList(pads))
		case pads[0] < 0:
			return win, fmt.Errorf("%w: pads %v are negative", ErrFormat, shownList(pads))
		case pads[0] > maxSide:
			return win, fmt.Errorf("%w: pads %v: more than %d", ErrUnsupported, shownList(pads), maxSide)
		}
		win.pad = int(pads[0])
	}
	dilations, err := intsAttr(n, "dilations")
	if err != nil {
		return win, err
	}
	for _, d := range dilations {
		if d != 1 {
			return win, fmt.Errorf("%w: dilations %v", ErrUnsupported, shownList(dilations))
		}
	}
	for _, a := range n.attrs {
		if a.name == "auto_pad" && (a.typ != attrTypeString || string(a.s) != "NOTSET") {
			return win, fmt.Errorf("%w: auto_pad %q", ErrUnsupported, shown(string(a.s)))
		}
	}
	return win, nil
}

// image returns the (C, H, W) of the current value, or an error if it
// is known not to be an image; all three are 0 when unknown.
func (im *importer) image(op string) (c, h, w int, err error) {
	if im.flatten {
		return 0, 0, 0, fmt.Errorf("%w: Flatten before %s", ErrUnsupported, op)
	}
	if im.shape == nil {
		return 0, 0, 0, nil
	}
	if len(im.shape) != 3 {
		return 0, 0, 0, fmt.Errorf("%w: %s of a value of shape %v, not images (C, H, W)", ErrShape, op, shownList(im.shape))
	}
	return im.shape[0], im.shape[1], im.shape[2], nil
}

// windows checks op's windows win over the current value, images of c
// channels and h×w, and makes the current value their output, of out
// channels. The sides, and the values of the padded image, the output
// and the unfolding — the windows laid side by side, each of unfold
// channels: a convolution's input channels, or 1 for a pooling, which
// takes each channel alone — must stay within maxSide and maxValues.
// When the images' size is not known (h is 0), the check is for the
// smallest image the windows fit, whose sizes every other image's exceed.
func (im *importer) windows(op string, win geometry, c, h, w, out, unfold int) error {
	known := h != 0
	if !known {
		h, w = max(1, win.fh-2*win.pad), max(1, win.fw-2*win.pad)
	}
	where := fmt.Sprintf("%s of %d×%d windows, strides %d, pads %d on images of %d×%d", op, win.fh, win.fw, win.stride, win.pad, h, w)
	hp, wp := h+2*win.pad, w+2*win.pad // terms of at most maxSide: no overflow
	switch {
	case h > maxSide || w > maxSide:
		return fmt.Errorf("%w: %s: a side of more than %d", ErrUnsupported, where, maxSide)
	case hp > maxSide || wp > maxSide:
		return fmt.Errorf("%w: %s: a padded side of %d, more than %d", ErrUnsupported, where, max(hp, wp), maxSide)
	case hp < win.fh || wp < win.fw:
		return fmt.Errorf("%w: %s window of %d×%d on images of %d×%d padded by %d", ErrShape, op, win.fh, win.fw, h, w, win.pad)
	}
	oh, ow := (hp-win.fh)/win.stride+1, (wp-win.fw)/win.stride+1
	switch {
	case !conv.Within(maxValues, out, oh, ow):
		return fmt.Errorf("%w: %s: an output of %d×%d×%d values, more than %d", ErrUnsupported, where, out, oh, ow, maxValues)
	case !conv.Within(maxValues, c, hp, wp):
		return fmt.Errorf("%w: %s: a padded image of %d×%d×%d values, more than %d", ErrUnsupported, where, c, hp, wp, maxValues)
	case !conv.Within(maxValues, unfold, win.fh, win.fw, oh, ow):
		return fmt.Errorf("%w: %s: %d×%d×%d windows at %d×%d places, more than %d values", ErrUnsupported, where, unfold, win.fh, win.fw, oh, ow, maxValues)
	}
	im.shape = nil
	if known {
		im.shape = []int{out, oh, ow}
	}
	return nil
}

// importConv reads Conv of 2-D images, with one group and no dilation,
// as a layers.Convolution.
func importConv(im *importer, n *node) error {
	if err := checkAttrs(n, "kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"); err != nil {
		return err
	}
	if group, err := intAttr(n, "group", 1); err != nil {
		return err
	} else if group != 1 {
		return fmt.Errorf("%w: group = %d", ErrUnsupported, group)
	}
	wp, err := im.weight(n, 1)
	if err != nil {
		return err
	}
	if len(wp.dims) != 4 || slices.Contains(wp.dims, 0) {
		return fmt.Errorf("%w: filters %q of shape %v, not (FN, C, FH, FW)", ErrUnsupported, shown(wp.name), shownList(wp.dims))
	}
	if wp.dims[2] > maxSide || wp.dims[3] > maxSide {
		return fmt.Errorf("%w: filters %q of shape %v: windows with a side of more than %d", ErrUnsupported, shown(wp.name), shownList(wp.dims), maxSide)
	}
	if err := im.params(wp.size() + int(wp.dims[0])); err != nil {
		return err
	}
	win, err := windowAttrs(n, [2]int64{wp.dims[2], wp.dims[3]})
	if err != nil {
		return err
	}
	c, h, w, err := im.image("Conv")
	if err != nil {
		return err
	}
	fn, fc := int(wp.dims[0]), int(wp.dims[1])
	if c != 0 && c != fc {
		return fmt.Errorf("%w: filters of %d channels on images of %d", ErrShape, fc, c)
	}
	var b *tensor.Tensor
	if len(n.inputs) > 2 && n.inputs[2] != "" {
		bp, err := im.weight(n, 2)
		if err != nil {
			return err
		}
		if b, err = bias(bp, fn); err != nil {
			return err
		}
	} else {
		b = tensor.New(fn)
	}
	if err := im.windows("Conv", win, fc, h, w, fn, fc); err != nil {
		return err
	}
	return im.add(layers.NewConvolution(wp.values(false), b, win.stride, win.pad))
}

// importMaxPool reads MaxPool of 2-D images without padding (the book's
// Pooling pads with zeros that count in the maximum, MaxPool's padding
// does not), dilation or ceil_mode as a layers.Pooling.
func importMaxPool(im *importer, n *node) error {
	if err := checkAttrs(n, "kernel_shape", "strides", "pads", "dilations", "ceil_mode", "storage_order", "auto_pad"); err != nil {
		return err
	}
	for _, name := range []string{"ceil_mode", "storage_order"} {
		if v, err := intAttr(n, name, 0); err != nil {
			return err
		} else if v != 0 {
			return fmt.Errorf("%w: %s = %d", ErrUnsupported, name, v)
		}
	}
	k, err := intsAttr(n, "kernel_shape")
	if err != nil {
		return err
	}
	switch {
	case len(k) != 2 || k[0] <= 0 || k[1] <= 0:
		return fmt.Errorf("%w: kernel_shape %v, not a window of 2-D images", ErrUnsupported, shownList(k))
	case k[0] > maxSide || k[1] > maxSide:
		return fmt.Errorf("%w: kernel_shape %v: more than %d", ErrUnsupported, shownList(k), maxSide)
	}
	win, err := windowAttrs(n, [2]int64{k[0], k[1]})
	if err != nil {
		return err
	}
	if win.pad != 0 {
		return fmt.Errorf("%w: MaxPool with pads (the book's Pooling pads with zeros that count in the maximum)", ErrUnsupported)
	}
	c, h, w, err := im.image("MaxPool")
	if err != nil {
		return err
	}
	if err := im.windows("MaxPool", win, c, h, w, c, 1); err != nil {
		return err
	}
	return im.add(layers.NewPooling(win.fh, win.fw, win.stride, 0))
}

// params takes from the budget what a layer keeps for n parameters, each
// with its gradient: each layer holds its own copy of its weights, so a
// weight that many layers read costs as many times.
func (im *importer) params(n int) error {
	return im.budget.take(n*paramCost, "the layers' parameters")
}

// weight returns the values of the weight that input i of n names.
func (im *importer) weight(n *node, i int) (*tensorProto, error) {
	if i >= len(n.inputs) {
		return nil, fmt.Errorf("%w: input %d missing", ErrFormat, i)
	}
	t := im.values[n.inputs[i]].init
	if t == nil {
		return nil, fmt.Errorf("%w: input %q is not a weight (an initializer)", ErrUnsupported, shown(n.inputs[i]))
	}
	return t, nil
}

// affine builds an Affine layer from w (in, out) and b (out, or nil for
// zeros), checking in against the width of the current value.
func (im *importer) affine(w *tensor.Tensor, b *tensor.Tensor) (*layers.Affine, error) {
	in, out := w.Shape()[0], w.Shape()[1]
	if in == 0 || out == 0 {
		return nil, fmt.Errorf("%w: weights of shape %v", ErrShape, w.Shape())
	}
	if w := im.width(); w != 0 && w != in {
		return nil, fmt.Errorf("%w: the weights take %d inputs, the value before has %d", ErrShape, in, w)
	}
	if b == nil {
		b = tensor.New(out)
	}
	im.shape = []int{out}
	return layers.NewAffine(w, b), nil
}

// importGemm reads Y = alpha·A·B' + beta·C, B' being B or Bᵀ, as an Affine
// layer with W = alpha·B' and b = beta·C.
func importGemm(im *importer, n *node) error {
	if err := checkAttrs(n, "alpha", "beta", "transA", "transB"); err != nil {
		return err
	}
	alpha, err := floatAttr(n, "alpha", 1)
	if err != nil {
		return err
	}
	beta, err := floatAttr(n, "beta", 1)
	if err != nil {
		return err
	}
	transA, err := intAttr(n, "transA", 0)
	if err != nil {
		return err
	}
	transB, err := intAttr(n, "transB", 0)
	if err != nil {
		return err
	}
	if transA != 0 {
		return fmt.Errorf("%w: transA = %d", ErrUnsupported, transA)
	}
	bp, err := im.weight(n, 1)
	if err != nil {
		return err
	}
	if len(bp.dims) != 2 {
		return fmt.Errorf("%w: B has shape %v, not 2-D", ErrShape, shownList(bp.dims))
	}
	out := bp.dims[1]
	if transB != 0 {
		out = bp.dims[0]
	}
	if err := im.params(bp.size() + int(out)); err != nil {
		return err
	}
	w := bp.values(transB != 0)
	if alpha != 1 {
		w.Scale(float64(alpha), w)
	}
	var b *tensor.Tensor
	if len(n.inputs) > 2 && n.inputs[2] != "" {
		cp, err := im.weight(n, 2)
		if err != nil {
			return err
		}
		if b, err = bias(cp, w.Shape()[1]); err != nil {
			return err
		}
		if beta != 1 {
			b.Scale(float64(beta), b)
		}
	}
	a, err := im.affine(w, b)
	if err != nil {
		return err
	}
	return im.add(a)
}

// importMatMul reads Y = A·B as an Affine layer with W = B and no bias
// yet: an Add right after it gives the bias.
func importMatMul(im *importer, n *node) error {
	if err := checkAttrs(n); err != nil {
		return err
	}
	bp, err := im.weight(n, 1)
	if err != nil {
		return err
	}
	if len(bp.dims) != 2 {
		return fmt.Errorf("%w: B has shape %v, not 2-D", ErrUnsupported, shownList(bp.dims))
	}
	if err := im.params(bp.size() + int(bp.dims[1])); err != nil {
		return err
	}
	a, err := im.affine(bp.values(false), nil)
	if err != nil {
		return err
	}
	if err := im.add(a); err != nil {
		return err
	}
	im.matmul = a
	return nil
}

// importAdd reads the Add of a bias right after a MatMul into the bias of
// its Affine layer.
func importAdd(im *importer, n *node) error {
	if err := checkAttrs(n); err != nil {
		return err
	}
	if im.matmul == nil {
		return fmt.Errorf("%w: Add that does not follow a MatMul", ErrUnsupported)
	}
	cp, err := im.weight(n, 1)
	if err != nil {
		return err
	}
	if err := im.params(cp.size()); err != nil {
		return err
	}
	b, err := bias(cp, im.matmul.B.Size())
	if err != nil {
		return err
	}
	copy(im.matmul.B.Data(), b.Data())
	im.matmul = nil
	return nil
}

// importFlatten reads Flatten(axis=1), which the Affine layer that must
// follow does itself.
func importFlatten(im *importer, n *node) error {
	if err := checkAttrs(n, "axis"); err != nil {
		return err
	}
	axis, err := intAttr(n, "axis", 1)
	if err != nil {
		return err
	}
	if axis != 1 {
		return fmt.Errorf("%w: Flatten axis = %d", ErrUnsupported, axis)
	}
	if im.shape != nil {
		im.shape = []int{im.width()}
	}
	im.flatten = true
	im.matmul = nil
	return nil
}

// importBatchNorm reads BatchNormalization in inference mode, which
// normalizes by the mean and variance it is given, as a layers.BatchNorm
// with those as its running statistics. ONNX normalizes each channel
// (axis 1) and numlearn each feature of the flattened sample, so the
// value must be (N, D), or follow a Flatten. The layer takes the file's
// epsilon, except that the float32 nearest the book's 1e-6, which Export
// writes, stands for 1e-6 itself, so that an exported network comes back
// exactly.
func importBatchNorm(im *importer, n *node) error {
	if err := checkAttrs(n, "epsilon", "momentum", "training_mode"); err != nil {
		return err
	}
	eps, err := floatAttr(n, "epsilon", 1e-5)
	if err != nil {
		return err
	}
	training, err := intAttr(n, "training_mode", 0)
	if err != nil {
		return err
	}
	if training != 0 {
		return fmt.Errorf("%w: training_mode = %d", ErrUnsupported, training)
	}
	if len(n.inputs) != 5 {
		return fmt.Errorf("%w: %d inputs, not 5", ErrFormat, len(n.inputs))
	}
	if !im.flatten && len(im.shape) > 1 {
		return fmt.Errorf("%w: BatchNormalization of each channel of a value of shape %v; numlearn's BatchNorm normalizes each feature of (N, D)", ErrUnsupported, shownList(im.shape))
	}
	var v [4]*tensor.Tensor // scale, B, mean, var
	for i := range v {
		t, err := im.weight(n, i+1)
		if err != nil {
			return err
		}
		if len(t.dims) != 1 || (i > 0 && t.dims[0] != int64(v[0].Size())) {
			return fmt.Errorf("%w: BatchNormalization input %q has shape %v", ErrShape, shown(t.name), shownList(t.dims))
		}
		if i == 0 { // γ and β with their gradients, the running statistics, and the layer's own two
			if err := im.params(5 * int(t.dims[0])); err != nil {
				return err
			}
		}
		v[i] = t.values(false)
	}
	d := v[0].Size()
	if w := im.width(); w != 0 && w != d {
		return fmt.Errorf("%w: BatchNormalization has %d features, the value before has %d", ErrShape, d, w)
	}
	b := layers.NewBatchNorm(v[0], v[1])
	if eps != float32(b.Epsilon) { // the file's ε, unless it is the book's rounded to float32
		b.Epsilon = float64(eps)
	}
	b.RunningMean.CopyFrom(v[2])
	b.RunningVar.CopyFrom(v[3])
	if err := im.add(b); err != nil {
		return err
	}
	if im.shape != nil {
		im.shape = []int{d}
	}
	return nil
}

// importDropout reads Dropout in inference mode, where it passes its
// input on unchanged (ONNX's dropout scales in training instead), as
// nothing. A training_mode input is rejected, as it may turn dropping on.
func importDropout(im *importer, n *node) error {
	if err := checkAttrs(n, "seed"); err != nil {
		return err
	}
	if len(n.inputs) > 2 && n.inputs[2] != "" {
		return fmt.Errorf("%w: Dropout with a training_mode input", ErrUnsupported)
	}
	return nil
}

// importMul reads the multiplication by a constant factor that the
// book's Dropout is at inference (Export writes it so) into the weights
// of an Affine layer: of the layer right before, (x·W + b)·s =
// x·(s·W) + s·b, or else of the next Affine layer, (s·x)·W = x·(s·W).
// Either way the network has no Dropout layer, and computes the same
// function.
func importMul(im *importer, n *node) error {
	if err := checkAttrs(n); err != nil {
		return err
	}
	c, err := im.weight(n, 1)
	if err != nil {
		return err
	}
	for _, d := range c.dims {
		if d != 1 {
			return fmt.Errorf("%w: Mul by %q of shape %v, not a single value", ErrUnsupported, shown(c.name), shownList(c.dims))
		}
	}
	if len(c.dims) > max(1, len(im.shape)+1) {
		return fmt.Errorf("%w: Mul by %q of shape %v, which adds dimensions", ErrUnsupported, shown(c.name), shownList(c.dims))
	}
	s := c.values(false).Data()[0]
	if last := len(im.layers) - 1; last >= 0 && !im.flatten && !im.scaled {
		if a, ok := im.layers[last].(*layers.Affine); ok {
			a.W.Scale(s, a.W)
			a.B.Scale(s, a.B)
			im.matmul = nil // a later Add would not be scaled
			return nil
		}
	}
	if !im.scaled {
		im.scale, im.scaled = 1, true
	}
	im.scale *= s
	im.matmul = nil
	return nil
}

// importSoftmax checks that a final Softmax works on the last axis of a
// (batch, classes) value, as the softmax head does.
func importSoftmax(im *importer, n *node) error {
	if err := checkAttrs(n, "axis"); err != nil {
		return err
	}
	axis, err := intAttr(n, "axis", -1)
	if err != nil {
		return err
	}
	if axis != -1 && axis != 1 {
		return fmt.Errorf("%w: Softmax axis = %d", ErrUnsupported, axis)
	}
	if im.flatten {
		return fmt.Errorf("%w: Flatten before Softmax", ErrUnsupported)
	}
	return nil
}

// importElementwise returns the importer of an activation without
// attributes.
func importElementwise(make func() layers.Layer) opImporter {
	return func(im *importer, n *node) error {
		if err := checkAttrs(n); err != nil {
			return err
		}
		return im.add(make())
	}
}

// bias returns the values of c as a bias of n outputs: c may be (n) or
// (1, n).
func bias(c *tensorProto, n int) (*tensor.Tensor, error) {
	ok := len(c.dims) == 1 && c.dims[0] == int64(n) || len(c.dims) == 2 && c.dims[0] == 1 && c.dims[1] == int64(n)
	if !ok {
		return nil, fmt.Errorf("%w: bias %q has shape %v for %d outputs", ErrUnsupported, shown(c.name), shownList(c.dims), n)
	}
	return c.values(false).Reshape(n), nil
}

// check validates a weight before anything is allocated for it: a float
// or double tensor, stored in the file, whose data is exactly as long as
// its dimensions say.
func (t *tensorProto) check() error {
	if t.external {
		return fmt.Errorf("%w: weight %q is stored in an external file", ErrUnsupported, shown(t.name))
	}
	var width int
	switch t.dataType {
	case dataTypeFloat:
		width = 4
	case dataTypeDouble:
		width = 8
	default:
		return fmt.Errorf("%w: weight %q has data type %s", ErrUnsupported, shown(t.name), dataTypeName(t.dataType))
	}
	n := int64(1)
	for _, d := range t.dims {
		if d < 0 || d > maxModelSize || n*d > maxModelSize {
			return fmt.Errorf("%w: weight %q has shape %v", ErrFormat, shown(t.name), shownList(t.dims))
		}
		n *= d
	}
	data := t.data()
	have := int64(len(data) / width)
	if len(data)%width != 0 || (len(t.floats) > 0 && width != 4) || (len(t.doubles) > 0 && width != 8) {
		have = -1
	}
	if have != n {
		return fmt.Errorf("%w: weight %q of shape %v has data for %d values", ErrFormat, shown(t.name), shownList(t.dims), have)
	}
	return nil
}

// size returns the number of values of t, which has passed check.
func (t *tensorProto) size() int {
	n := 1
	for _, d := range t.dims {
		n *= int(d)
	}
	return n
}

// values returns t's values as a tensor of its shape, or of the
// transposed shape with the values transposed if t is 2-D and transpose
// is set; t has passed check.
func (t *tensorProto) values(transpose bool) *tensor.Tensor {
	shape := make([]int, len(t.dims))
	for i, d := range t.dims {
		shape[i] = int(d)
	}
	rows, cols := 1, 1 // the file's layout, (rows, cols) row-major
	if len(shape) == 2 {
		rows, cols = shape[0], shape[1]
	}
	if transpose && len(shape) == 2 {
		shape[0], shape[1] = cols, rows
	}
	out := tensor.New(shape...)
	data, b := out.Data(), t.data()
	for i := range data {
		var v float64
		if t.dataType == dataTypeFloat {
			v = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		} else {
			v = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		if transpose && len(shape) == 2 {
			r, c := i/cols, i%cols
			data[c*rows+r] = v // element (r, c) of the file is (c, r) of the result
		} else {
			data[i] = v
		}
	}
	return out
}

// data returns the bytes of t's values, wherever the file stored them.
func (t *tensorProto) data() []byte {
	switch {
	case t.raw != nil:
		return t.raw
	case t.dataType == dataTypeDouble:
		return t.doubles
	}
	return t.floats
}

// dataTypeName names an ONNX TensorProto.DataType.
func dataTypeName(t int64) string {
	names := map[int64]string{
		0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16",
		6: "INT32", 7: "INT64", 8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE",
		12: "UINT32", 13: "UINT64", 14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16",
	}
	if s, ok := names[t]; ok {
		return s
	}
	return fmt.Sprintf("%d", t)
}
