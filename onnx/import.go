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

// The versions of the standard operator set that Import reads: from 6,
// which PyTorch's first exporter wrote (and the ONNX project's backend
// tests converted from PyTorch use), to 28, the newest the ONNX
// specification defines as of its release 1.23. An operator's attributes
// and its meaning are read as the model's version defines them: Gemm's
// broadcast and BatchNormalization's is_test exist up to version 6, and
// Softmax works on the axes from its axis on up to version 12 and on that
// axis alone from 13.
const (
	minOpset = 6
	maxOpset = 28
)

// Import reads an ONNX model from r and returns the network it computes.
// It reads models of the standard operator set, versions 6 to 28, made of
// the operators Export writes and those that PyTorch and other tools
// write for the same networks (OPERATORS.md lists them all):
//
//   - Gemm (any alpha and beta; transB 0 or 1; a bias of (N), (1, N) or
//     one value) and MatMul, with or without a following Add of a bias,
//     become a layers.Affine;
//   - Relu, Sigmoid, Tanh, LeakyRelu, Elu, Selu and Softplus become
//     layers.ReLU, Sigmoid, Tanh, LeakyReLU, ELU, SELU and Softplus, and
//     PRelu with one slope or one for each channel a layers.PReLU;
//   - Pad of images on their rows and columns (constant, reflect or edge)
//     becomes a layers.Pad;
//   - Conv of 2-D images (auto_pad NOTSET, one stride and one dilation in
//     both directions and the same padding on every side) becomes a
//     layers.Convolution, or with groups or dilation a
//     layers.GroupedConvolution; MaxPool (likewise, without ceil_mode) a
//     layers.Pooling, or with padding a layers.MaxPool; AveragePool a
//     layers.AvgPool, and GlobalAveragePool a layers.GlobalAvgPool;
//   - BatchNormalization (inference mode) becomes a layer whose running
//     statistics are the given mean and variance, with the file's epsilon
//     and momentum: a layers.BatchNorm of an (N, D) value, a
//     layers.BatchNorm2D of each channel of (N, C, …);
//   - Sub and Div by constants of a sample's shape become a
//     layers.Standardize;
//   - Mul by a single constant value, which is what the book's Dropout
//     does at inference and how Export writes it, is taken into the
//     weights of the Affine layer right before it or else of the next
//     one: the network computes the same, but has no Dropout layer;
//     before another layer, or at the end, it becomes a layers.Scale, and
//     so does Neg, a factor of −1;
//   - Dropout, the identity at inference in ONNX, is dropped;
//   - Flatten (axis 1), and a Reshape of each sample to (N, rest) such as
//     PyTorch's x.view(x.size(0), -1), is dropped, since the Affine layer
//     after it flattens its input itself; Identity is dropped;
//   - Constant, and Transpose, Shape, Gather, Unsqueeze, Squeeze, Concat
//     and Reshape of constants, are computed at import;
//   - a final Softmax (on the last axis of (N, classes)) becomes the head
//     layers.SoftmaxWithLoss, a final LogSoftmax layers.LogSoftmaxWithLoss,
//     a final Sigmoid layers.SigmoidWithLoss (unless the model was
//     exported by numlearn with an identity head), and anything else
//     layers.IdentityWithLoss; a Softmax or LogSoftmax on another axis,
//     or before the final node, becomes a layers.Softmax or
//     layers.LogSoftmax along its axis.
//
// The graph must be a chain: one input, each node reading the output of
// the one before (and constants), one output. Weights may be float or
// double, stored raw or as float_data/double_data, not external.
//
// The graph must follow ONNX's rules for values (each defined once, and
// before it is read), and the geometry of Conv and the poolings must stay
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

// importer is the state of one import: the graph's values by name, the
// constants folded so far, and the layers built so far.
type importer struct {
	values map[string]definition
	folded map[string]*folded // the outputs of the nodes folded at import
	budget *budget            // what is left of the import's budget
	opset  int64              // the version of the standard operator set the model imports

	layers []layers.Layer
	head   layers.Head // the head that a final Softmax, Sigmoid or LogSoftmax gives, or nil
	// final says that the node being translated gives the graph's output;
	// identityHead that numlearn exported the model with an identity head,
	// so that a final Sigmoid is a layer.
	final, identityHead bool

	// shape is the shape of one sample of the current value, the batch
	// dimension left out: nil when even its rank is unknown, and 0 for a
	// dimension that is unknown. batch is the batch size the graph's input
	// declares, or 0 when it leaves it open.
	shape []int
	batch int64
	// flatten says that the current value is the flattening to (N, rest)
	// of what the layers give, which a Flatten or Reshape asked for: the
	// next Affine layer flattens its input itself, and element-wise
	// layers may come between.
	flatten bool
	// matmul is the Affine layer of a MatMul right before, which an Add
	// gives its bias; standardize the Standardize layer of a Sub right
	// before, which a Div gives its standard deviation.
	matmul      *layers.Affine
	standardize *layers.Standardize
	// scale is a factor from a Mul by a constant (or a Neg) that the next
	// Affine layer takes into its weights, or a layers.Scale before
	// another layer computes; scaled says there is one.
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

// network translates the decoded model into a network, taking what it
// builds from what is left of the import's budget.
func (m *model) network(bud *budget) (*numlearn.Network, error) {
	opset, err := m.checkOpsets()
	if err != nil {
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
	im := &importer{values: values, folded: map[string]*folded{}, budget: bud, opset: opset, identityHead: m.headName() == "identity"}
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

	cur := input.name
	for i := range g.nodes {
		n := &g.nodes[i]
		if n.domain != "" && n.domain != "ai.onnx" {
			return nil, fmt.Errorf("%w: operator %s of domain %q (node %d, %q)", ErrUnsupported, shown(n.opType), shown(n.domain), i, shown(n.name))
		}
		op, ok := operators[n.opType]
		if !ok {
			return nil, fmt.Errorf("%w: operator %s (node %d, %q)", ErrUnsupported, shown(n.opType), i, shown(n.name))
		}
		next, err := im.translate(op, n, cur, g.outputs[0].name)
		if err != nil {
			return nil, fmt.Errorf("%w (node %d, %s %q)", err, i, shown(n.opType), shown(n.name))
		}
		cur = next
	}
	if g.outputs[0].name != cur {
		return nil, fmt.Errorf("%w: the output %q is not the last node's", ErrUnsupported, shown(g.outputs[0].name))
	}
	if err := im.addScale(); err != nil {
		return nil, err
	}
	im.addFlatten()
	head := im.head
	if head == nil {
		head = &layers.IdentityWithLoss{}
	}
	return numlearn.NewNetworkWithHead(head, im.layers...), nil
}

// translate translates node n, given that cur is the current value of
// the network's data and out the graph's output, and returns the current
// value after it. A node whose inputs are all constants is folded: its
// output is computed at import, and the current value stays. Another
// node must continue the chain of the network's data: read cur as its
// first input, and constants for the others.
func (im *importer) translate(op *operator, n *node, cur, out string) (string, error) {
	if err := im.budget.take(nodeCost, "the layers"); err != nil {
		return "", err
	}
	if err := op.checkAttrs(n, im.opset); err != nil {
		return "", err
	}
	if op.fold != nil && im.constantInputs(n, cur) {
		return cur, im.foldNode(op, n, cur)
	}
	if op.layer == nil {
		return "", fmt.Errorf("%w: %s of a value computed from the network's input (Import computes it only of constants)", ErrUnsupported, shown(n.opType))
	}
	if len(n.inputs) == 0 || n.inputs[0] != cur || len(n.outputs) == 0 || n.outputs[0] == "" {
		return "", fmt.Errorf("%w: a graph that is not a chain: the node does not continue from %q with one output", ErrUnsupported, shown(cur))
	}
	if len(n.outputs) > max(op.outputs, 1) {
		return "", fmt.Errorf("%w: %d outputs, more than the %d read (a BatchNormalization's are those of training mode)", ErrUnsupported, len(n.outputs), max(op.outputs, 1))
	}
	im.final = n.outputs[0] == out
	if im.head != nil {
		return "", fmt.Errorf("%w: a node after the head's", ErrUnsupported)
	}
	return n.outputs[0], op.layer(im, n)
}

// inputShape sets the current value's shape from the graph's input, when
// it declares its rank: a dimension that is symbolic or unknown is 0. A
// sample of more than maxValues values is refused.
func (im *importer) inputShape(input *valueInfo) error {
	if !input.hasShape || len(input.shape) < 2 {
		return nil
	}
	im.batch = max(input.shape[0], 0)
	dims := input.shape[1:]
	size := 1
	for _, d := range dims {
		if d <= 0 {
			continue // symbolic or unknown
		}
		if d > maxValues || !conv.Within(maxValues, size, int(d)) {
			return fmt.Errorf("%w: input %q of shape %v has more than %d values in a sample", ErrUnsupported, shown(input.name), shownList(input.shape), maxValues)
		}
		size *= int(d)
	}
	im.shape = make([]int, len(dims))
	for i, d := range dims {
		im.shape[i] = int(max(d, 0))
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
// version Import reads, and returns that version.
func (m *model) checkOpsets() (int64, error) {
	for _, o := range m.opsets {
		if o.domain != "" && o.domain != "ai.onnx" {
			continue // another domain is an error only if a node uses it
		}
		if o.version < minOpset || o.version > maxOpset {
			return 0, fmt.Errorf("%w: operator set version %d (versions %d to %d are read)", ErrUnsupported, o.version, minOpset, maxOpset)
		}
		return o.version, nil
	}
	return 0, fmt.Errorf("%w: no standard operator set is imported", ErrFormat)
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

// add appends a layer. A pending Flatten goes into an Affine layer, which
// flattens its input itself, and waits across the layers that compute
// the same on a value and on its flattening (element-wise layers, and the
// book's BatchNorm, which normalizes each feature of the flattened
// sample); before any other layer it is refused. A pending factor goes
// into an Affine layer's weights, and before another layer is a
// layers.Scale of its own.
func (im *importer) add(l layers.Layer) error {
	a, affine := l.(*layers.Affine)
	if im.flatten && !affine && !flatAlike(l) {
		return fmt.Errorf("%w: Flatten before %T, which does not flatten", ErrUnsupported, l)
	}
	if affine {
		im.flatten = false
	}
	if im.scaled && affine {
		a.W.Scale(im.scale, a.W) // (s·x)·W = x·(s·W)
		im.scaled = false
	}
	if err := im.addScale(); err != nil {
		return err
	}
	im.matmul, im.standardize = nil, nil
	im.layers = append(im.layers, l)
	return nil
}

// addScale appends a layers.Scale for a pending factor that no Affine
// layer took, which must be finite; a factor of 1 (two Negs) is none.
func (im *importer) addScale() error {
	if !im.scaled {
		return nil
	}
	if math.IsNaN(im.scale) || math.IsInf(im.scale, 0) {
		return fmt.Errorf("%w: Mul by %v, with no Affine layer to take it", ErrUnsupported, im.scale)
	}
	if im.scale != 1 {
		im.layers = append(im.layers, layers.NewScale(im.scale))
	}
	im.scaled = false
	return nil
}

// addFlatten appends a Flatten layer for a pending Flatten that no
// Affine layer took: the network's output, or its head's input, is then
// each sample flattened, as the file says.
func (im *importer) addFlatten() {
	if im.flatten {
		im.layers = append(im.layers, &layers.Flatten{})
		im.flatten = false
	}
}

// flatAlike reports whether layer l computes the same on a value and on
// its flattening to (N, rest), in the same order.
func flatAlike(l layers.Layer) bool {
	switch l := l.(type) {
	case *layers.ReLU, *layers.Sigmoid, *layers.Tanh, *layers.LeakyReLU, *layers.ELU, *layers.BatchNorm, *layers.Softplus, *layers.Scale:
		return true
	case *layers.PReLU:
		return l.Slope.Size() == 1
	}
	return false
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

// floatsAttr returns n's attribute name, a list of floats, or nil when
// it is absent.
func floatsAttr(n *node, name string) ([]float32, error) {
	for _, a := range n.attrs {
		if a.name == name {
			if a.typ != attrTypeFloats || a.other {
				return nil, fmt.Errorf("%w: attribute %q is not a list of floats", ErrFormat, name)
			}
			return a.floats, nil
		}
	}
	return nil, nil
}

// hasAttr reports whether n has the attribute name.
func hasAttr(n *node, name string) bool {
	return slices.ContainsFunc(n.attrs, func(a attribute) bool { return a.name == name })
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

// params takes from the budget what a layer keeps for n parameters, each
// with its gradient: each layer holds its own copy of its weights, so a
// weight that many layers read costs as many times.
func (im *importer) params(n int) error {
	return im.budget.take(n*paramCost, "the layers' parameters")
}

// weight returns the weight that input i of n names: an initializer, or
// a constant folded at import, of floats or doubles.
func (im *importer) weight(n *node, i int) (*tensorProto, error) {
	if i >= len(n.inputs) || n.inputs[i] == "" {
		return nil, fmt.Errorf("%w: input %d missing", ErrFormat, i)
	}
	t := im.values[n.inputs[i]].init
	if f := im.folded[n.inputs[i]]; f != nil {
		t = f.w
		if t == nil {
			return nil, fmt.Errorf("%w: input %q is integers, not a weight", ErrUnsupported, shown(n.inputs[i]))
		}
	}
	if t == nil {
		return nil, fmt.Errorf("%w: input %q is not a weight (an initializer or a constant)", ErrUnsupported, shown(n.inputs[i]))
	}
	if !t.isFloat() {
		return nil, fmt.Errorf("%w: weight %q has data type %s", ErrUnsupported, shown(t.name), dataTypeName(t.dataType))
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

// check validates a tensor before anything is allocated for it: a
// float, double or integer tensor, stored in the file, whose data is
// exactly as long as its dimensions say.
func (t *tensorProto) check() error {
	if t.external {
		return fmt.Errorf("%w: weight %q is stored in an external file", ErrUnsupported, shown(t.name))
	}
	var width int
	switch t.dataType {
	case dataTypeFloat, dataTypeInt32:
		width = 4
	case dataTypeDouble, dataTypeInt64:
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
	var have int64
	switch {
	case t.raw != nil:
		have = int64(len(t.raw) / width)
		if len(t.raw)%width != 0 || len(t.floats)+len(t.doubles)+len(t.ints) > 0 {
			have = -1
		}
	case t.dataType == dataTypeFloat:
		have = int64(len(t.floats) / 4)
		if len(t.doubles)+len(t.ints) > 0 {
			have = -1
		}
	case t.dataType == dataTypeDouble:
		have = int64(len(t.doubles) / 8)
		if len(t.floats)+len(t.ints) > 0 {
			have = -1
		}
	default:
		have = int64(len(t.ints))
		if len(t.floats)+len(t.doubles) > 0 {
			have = -1
		}
	}
	if have != n {
		return fmt.Errorf("%w: weight %q of shape %v has data for %d values", ErrFormat, shown(t.name), shownList(t.dims), have)
	}
	return nil
}

// isFloat reports whether t holds floats or doubles.
func (t *tensorProto) isFloat() bool {
	return t.dataType == dataTypeFloat || t.dataType == dataTypeDouble
}

// size returns the number of values of t, which has passed check.
func (t *tensorProto) size() int {
	n := 1
	for _, d := range t.dims {
		n *= int(d)
	}
	return n
}

// values returns the values of t, a float or double tensor, as a tensor
// of its shape, or of the transposed shape with the values transposed if
// t is 2-D and transpose is set; t has passed check.
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

// integers returns the values of t, an integer tensor that has passed
// check.
func (t *tensorProto) integers() []int64 {
	if t.raw == nil {
		return slices.Clone(t.ints)
	}
	out := make([]int64, t.size())
	for i := range out {
		if t.dataType == dataTypeInt32 {
			out[i] = int64(int32(binary.LittleEndian.Uint32(t.raw[4*i:])))
		} else {
			out[i] = int64(binary.LittleEndian.Uint64(t.raw[8*i:]))
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
