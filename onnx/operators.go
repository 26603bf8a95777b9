package onnx

import (
	"fmt"
	"math"
	"slices"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// operator is how Import reads one operator of the standard operator
// set: as layers (or the network's head) on the path of the network's
// data, or folded at import when every input is a constant, or both.
type operator struct {
	// layer translates a node that continues the chain of the network's
	// data; nil for an operator Import only folds.
	layer opImporter
	// fold computes the output of a node whose inputs are all constants;
	// nil for an operator Import never folds.
	fold folder
	// attrs are the attributes Import reads, each in the operator set
	// versions that define it; any other attribute is refused.
	attrs []attr
	// outputs is the most outputs a node may list (0 means 1): the
	// others, optional, must be left unused.
	outputs int
}

// attr is an attribute an operator reads, in the versions from since to
// until of the operator set (0: no limit).
type attr struct {
	name         string
	since, until int64
}

// attrs returns attributes that every version Import reads defines.
func attrs(names ...string) []attr {
	out := make([]attr, len(names))
	for i, name := range names {
		out[i] = attr{name: name}
	}
	return out
}

// defines reports whether operator set version v defines a.
func (a attr) defines(v int64) bool {
	return v >= a.since && (a.until == 0 || v <= a.until)
}

// opImporter translates one node into the importer's layers.
type opImporter func(im *importer, n *node) error

// consumedInputs is an attribute of operator set versions up to 5, a
// hint for reusing memory that changes no value. Import accepts it in
// version 6 as well, in case an exporter of that time still wrote it, and
// ignores it.
var consumedInputs = attr{name: "consumed_inputs", until: 6}

// operators maps each operator Import reads to how it reads it. A new
// operator is one function and one entry here; OPERATORS.md, which a
// test checks against this table, lists them for users.
var operators = map[string]*operator{
	"Gemm":   {layer: importGemm, attrs: append(attrs("alpha", "beta", "transA", "transB"), attr{name: "broadcast", until: 6})},
	"MatMul": {layer: importMatMul},
	"Add":    {layer: importAdd, attrs: []attr{{name: "broadcast", until: 6}, {name: "axis", until: 6}, consumedInputs}},
	"Mul":    {layer: importMul, attrs: []attr{{name: "broadcast", until: 6}, {name: "axis", until: 6}, consumedInputs}},

	"Sub": {layer: importSub, attrs: []attr{{name: "broadcast", until: 6}, {name: "axis", until: 6}, consumedInputs}},
	"Div": {layer: importDiv, attrs: []attr{{name: "broadcast", until: 6}, {name: "axis", until: 6}, consumedInputs}},

	"Relu":       {layer: importElementwise(func() layers.Layer { return &layers.ReLU{} }), attrs: []attr{consumedInputs}},
	"Tanh":       {layer: importElementwise(func() layers.Layer { return &layers.Tanh{} }), attrs: []attr{consumedInputs}},
	"LeakyRelu":  {layer: importLeakyRelu, attrs: []attr{{name: "alpha"}, consumedInputs}},
	"Elu":        {layer: importElu, attrs: []attr{{name: "alpha"}, consumedInputs}},
	"PRelu":      {layer: importPRelu, attrs: []attr{consumedInputs}},
	"Sigmoid":    {layer: importSigmoid, attrs: []attr{consumedInputs}},
	"Softmax":    {layer: importSoftmax, attrs: attrs("axis")},
	"LogSoftmax": {layer: importLogSoftmax, attrs: attrs("axis")},
	"Softplus":   {layer: importElementwise(func() layers.Layer { return &layers.Softplus{} })},
	"Neg":        {layer: importNeg, attrs: []attr{consumedInputs}},
	"Selu":       {layer: importSelu, attrs: []attr{{name: "alpha"}, {name: "gamma"}, consumedInputs}},

	"Conv": {layer: importConv, attrs: attrs("kernel_shape", "strides", "pads", "dilations", "group", "auto_pad")},
	"MaxPool": {layer: importMaxPool, outputs: 2, attrs: append(attrs("kernel_shape", "strides", "pads", "auto_pad"),
		attr{name: "storage_order", since: 8}, attr{name: "ceil_mode", since: 10}, attr{name: "dilations", since: 10})},
	"AveragePool": {layer: importAveragePool, attrs: append(attrs("kernel_shape", "strides", "pads", "auto_pad"),
		attr{name: "count_include_pad", since: 7}, attr{name: "ceil_mode", since: 10}, attr{name: "dilations", since: 19})},
	"GlobalAveragePool": {layer: importGlobalAveragePool},
	"Pad":               {layer: importPad, attrs: []attr{{name: "mode"}, {name: "pads", until: 10}, {name: "value", until: 10}}},
	"BatchNormalization": {layer: importBatchNorm, attrs: append(attrs("epsilon", "momentum"),
		attr{name: "is_test", until: 6}, attr{name: "spatial", until: 8}, attr{name: "training_mode", since: 14}, consumedInputs)},
	"Dropout": {layer: importDropout, outputs: 2, attrs: []attr{
		{name: "is_test", until: 6}, {name: "ratio", until: 11}, {name: "seed", since: 12}, consumedInputs}},

	"Flatten":  {layer: importFlatten, attrs: attrs("axis")},
	"Reshape":  {layer: importReshape, fold: foldReshape, attrs: []attr{{name: "allowzero", since: 14}}},
	"Identity": {layer: func(*importer, *node) error { return nil }, fold: foldIdentity},

	"Constant":  {fold: foldConstant, attrs: append(attrs("value"), attr{name: "value_float", since: 12}, attr{name: "value_floats", since: 12}, attr{name: "value_int", since: 12}, attr{name: "value_ints", since: 12})},
	"Transpose": {fold: foldTranspose, attrs: attrs("perm")},
	"Shape":     {fold: foldShape, attrs: []attr{{name: "start", since: 15}, {name: "end", since: 15}}},
	"Gather":    {fold: foldGather, attrs: attrs("axis")},
	"Unsqueeze": {fold: foldUnsqueeze, attrs: []attr{{name: "axes", until: 12}}},
	"Squeeze":   {fold: foldSqueeze, attrs: []attr{{name: "axes", until: 12}}},
	"Concat":    {fold: foldConcat, attrs: attrs("axis")},
}

// checkAttrs returns an error naming the first attribute of n that op
// does not read in operator set version v.
func (op *operator) checkAttrs(n *node, v int64) error {
	for _, a := range n.attrs {
		i := slices.IndexFunc(op.attrs, func(b attr) bool { return b.name == a.name })
		if i < 0 {
			return fmt.Errorf("%w: attribute %q", ErrUnsupported, shown(a.name))
		}
		if !op.attrs[i].defines(v) {
			return fmt.Errorf("%w: attribute %q, which operator set version %d does not define", ErrUnsupported, shown(a.name), v)
		}
	}
	return nil
}

// legacyBroadcast checks the attributes with which an Add, Mul, Sub or
// Div of operator set version 6 broadcasts its second input B: broadcast
// must be 1 (0 asks for B of the value's whole shape, batch included),
// and axis, if given, must be lastAxis, where B's last axis meets the
// value's (a negative lastAxis, for a B of one value, allows any axis).
// From version 7 on, the operators broadcast as numpy does, and these
// attributes are gone.
func legacyBroadcast(n *node, lastAxis int64) error {
	b, err := intAttr(n, "broadcast", 0)
	if err != nil {
		return err
	}
	if b != 1 {
		return fmt.Errorf("%w: broadcast = %d (B must then have the value's shape, batch included)", ErrUnsupported, b)
	}
	if !hasAttr(n, "axis") || lastAxis < 0 {
		return nil
	}
	axis, err := intAttr(n, "axis", 0)
	if err != nil {
		return err
	}
	if axis != lastAxis {
		return fmt.Errorf("%w: axis = %d (B is read aligned with the value's last axes, from axis %d)", ErrUnsupported, axis, lastAxis)
	}
	return nil
}

// biasAxis returns the axis at which a constant c broadcasts into a value
// of the given rank, suffixes aligned, or −1 for a single value, which
// broadcasts at any.
func biasAxis(c *tensorProto, rank int) int64 {
	if c.size() == 1 {
		return -1
	}
	return int64(rank - len(c.dims))
}

// importGemm reads Y = alpha·A·B' + beta·C, B' being B or Bᵀ, as an Affine
// layer with W = alpha·B' and b = beta·C. C is a bias: (N), (1, N) or a
// single value, which broadcasts; in operator set version 6 only when
// broadcast is 1.
func importGemm(im *importer, n *node) error {
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
	hasC := len(n.inputs) > 2 && n.inputs[2] != ""
	if im.opset <= 6 && hasC {
		if b, err := intAttr(n, "broadcast", 0); err != nil {
			return err
		} else if b != 1 {
			return fmt.Errorf("%w: broadcast = %d (C is then a whole (M, N) matrix, not a bias)", ErrUnsupported, b)
		}
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
	if hasC {
		cp, err := im.weight(n, 2)
		if err != nil {
			return err
		}
		if b, err = bias(cp, w.Shape()[1], true); err != nil {
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
// yet: an Add right after it gives the bias. A must be (N, K), or be
// flattened to it: MatMul of a value of more dimensions multiplies each
// of its matrices.
func importMatMul(im *importer, n *node) error {
	if len(im.shape) > 1 && !im.flatten {
		return fmt.Errorf("%w: MatMul of a value of shape (N, %s), which multiplies each of its matrices", ErrUnsupported, shownShape(im.shape))
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
	if im.matmul == nil {
		return fmt.Errorf("%w: Add that does not follow a MatMul", ErrUnsupported)
	}
	cp, err := im.weight(n, 1)
	if err != nil {
		return err
	}
	if im.opset <= 6 {
		if err := legacyBroadcast(n, biasAxis(cp, 2)); err != nil {
			return err
		}
	}
	if err := im.params(cp.size()); err != nil {
		return err
	}
	b, err := bias(cp, im.matmul.B.Size(), true)
	if err != nil {
		return err
	}
	copy(im.matmul.B.Data(), b.Data())
	im.matmul = nil
	return nil
}

// importFlatten reads Flatten(axis=1), which flattens each sample: the
// Affine layer that follows, perhaps after element-wise layers, does it
// itself.
func importFlatten(im *importer, n *node) error {
	axis, err := intAttr(n, "axis", 1)
	if err != nil {
		return err
	}
	if axis < 0 && im.shape != nil { // from version 11: counted from the end
		axis += int64(len(im.shape)) + 1
	}
	if axis != 1 {
		return fmt.Errorf("%w: Flatten axis = %d (only each sample is flattened, axis 1)", ErrUnsupported, axis)
	}
	im.flattenSamples()
	return nil
}

// flattenSamples makes the current value the flattening of each sample,
// (N, rest), which the layers do not do but leave to the next Affine
// layer: nothing at all if the samples are flat already.
func (im *importer) flattenSamples() {
	im.matmul, im.standardize = nil, nil
	if len(im.shape) == 1 {
		return
	}
	im.shape = []int{im.width()}
	im.flatten = true
}

// importBatchNorm reads BatchNormalization in inference mode, which
// normalizes by the mean and variance it is given, with the file's
// epsilon and momentum, as a layer whose running statistics are those:
// a layers.BatchNorm, the book's, which normalizes each feature, for a
// value (N, D), or one flattened to it; a layers.BatchNorm2D, which
// normalizes each channel, for (N, C, …) — images (N, C, H, W), or
// (N, C, L); and a layers.BatchNorm for spatial = 0 (operator set
// versions up to 8), which normalizes each feature of any value. The
// float32 nearest the layer's own ε and momentum — the book's 1e-6 and
// 0.9 for a BatchNorm, PyTorch's 1e-5 and 0.9 for a BatchNorm2D — stands
// for that value itself, so that an exported network comes back exactly.
func importBatchNorm(im *importer, n *node) error {
	eps, err := floatAttr(n, "epsilon", 1e-5)
	if err != nil {
		return err
	}
	momentum, err := floatAttr(n, "momentum", 0.9)
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
	if im.opset <= 6 {
		if test, err := intAttr(n, "is_test", 0); err != nil {
			return err
		} else if test == 0 {
			return fmt.Errorf("%w: is_test = 0 (training mode, which normalizes by the batch's statistics)", ErrUnsupported)
		}
	}
	spatial, err := intAttr(n, "spatial", 1)
	if err != nil {
		return err
	}
	if len(n.inputs) != 5 {
		return fmt.Errorf("%w: %d inputs, not 5", ErrFormat, len(n.inputs))
	}
	perChannel := spatial != 0 && !im.flatten && len(im.shape) != 1
	var v [4]*tensor.Tensor // scale, B, mean, var
	for i := range v {
		t, err := im.weight(n, i+1)
		if err != nil {
			return err
		}
		d := t.size()
		if spatial != 0 && len(t.dims) != 1 || i > 0 && d != v[0].Size() || d == 0 {
			return fmt.Errorf("%w: BatchNormalization input %q has shape %v", ErrShape, shown(t.name), shownList(t.dims))
		}
		if i == 0 { // γ and β with their gradients, the running statistics, and the layer's own two
			if err := im.params(5 * d); err != nil {
				return err
			}
		}
		v[i] = t.values(false).Reshape(d)
	}
	d := v[0].Size()
	if perChannel {
		if len(im.shape) > 0 && im.shape[0] != 0 && im.shape[0] != d {
			return fmt.Errorf("%w: BatchNormalization has %d channels, the value before has %d", ErrShape, d, im.shape[0])
		}
		b := layers.NewBatchNorm2D(v[0], v[1])
		if eps != float32(b.Epsilon) { // the file's ε, unless it is PyTorch's 1e-5 rounded to float32
			b.Epsilon = float64(eps)
		}
		if momentum != float32(b.Momentum) {
			b.Momentum = float64(momentum)
		}
		b.RunningMean.CopyFrom(v[2])
		b.RunningVar.CopyFrom(v[3])
		return im.add(b)
	}
	if w := im.width(); w != 0 && w != d {
		return fmt.Errorf("%w: BatchNormalization has %d features, the value before has %d", ErrShape, d, w)
	}
	b := layers.NewBatchNorm(v[0], v[1])
	if eps != float32(b.Epsilon) { // the file's ε, unless it is the book's rounded to float32
		b.Epsilon = float64(eps)
	}
	if momentum != float32(b.Momentum) {
		b.Momentum = float64(momentum)
	}
	b.RunningMean.CopyFrom(v[2])
	b.RunningVar.CopyFrom(v[3])
	return im.add(b)
}

// importDropout reads Dropout in inference mode, where it passes its
// input on unchanged (ONNX's dropout scales in training instead), as
// nothing. A training_mode input is rejected, as it may turn dropping on,
// and so is is_test = 0 in operator set version 6.
func importDropout(im *importer, n *node) error {
	if len(n.inputs) > 2 && n.inputs[2] != "" {
		return fmt.Errorf("%w: Dropout with a training_mode input", ErrUnsupported)
	}
	if im.opset <= 6 {
		if test, err := intAttr(n, "is_test", 0); err != nil {
			return err
		} else if test == 0 {
			return fmt.Errorf("%w: is_test = 0 (training mode, which drops values)", ErrUnsupported)
		}
	}
	return nil
}

// importMul reads the multiplication by a constant factor that the
// book's Dropout is at inference (Export writes it so, and so it writes
// a layers.Scale) as the factor of multiply.
func importMul(im *importer, n *node) error {
	if im.opset <= 6 {
		if err := legacyBroadcast(n, -1); err != nil {
			return err
		}
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
	im.multiply(c.values(false).Data()[0])
	return nil
}

// importNeg reads Neg, y = −x, as a factor of −1 for multiply: PyTorch's
// Softmin exports as Neg then Softmax.
func importNeg(im *importer, _ *node) error {
	im.multiply(-1)
	return nil
}

// multiply takes a factor s into the network. The Affine layer right
// before takes it into its weights, (x·W + b)·s = x·(s·W) + s·b, or else
// it waits for the next layer: an Affine layer takes it into its weights,
// (s·x)·W = x·(s·W), and before any other, or at the end, it is a
// layers.Scale (see add). Either way the network computes the same
// function; with an Affine layer it has no layer for the factor, as an
// exported Dropout comes back as none.
func (im *importer) multiply(s float64) {
	if last := len(im.layers) - 1; last >= 0 && !im.flatten && !im.scaled {
		if a, ok := im.layers[last].(*layers.Affine); ok {
			a.W.Scale(s, a.W)
			a.B.Scale(s, a.B)
			im.matmul = nil // a later Add would not be scaled
			return
		}
	}
	if !im.scaled {
		im.scale, im.scaled = 1, true
	}
	im.scale *= s
	im.matmul = nil
}

// importSoftmax reads Softmax as the head layers.SoftmaxWithLoss or a
// layers.Softmax (see softmax).
func importSoftmax(im *importer, n *node) error {
	return im.softmax(n, &layers.SoftmaxWithLoss{}, func(axis int) layers.Layer { return layers.NewSoftmax(axis) })
}

// importLogSoftmax reads LogSoftmax, with which PyTorch's MNIST example
// ends, as the head layers.LogSoftmaxWithLoss or a layers.LogSoftmax
// (see softmax).
func importLogSoftmax(im *importer, n *node) error {
	return im.softmax(n, &layers.LogSoftmaxWithLoss{}, func(axis int) layers.Layer { return layers.NewLogSoftmax(axis) })
}

// softmax reads a Softmax or LogSoftmax node as the given head when it is
// the final node and works on the last axis of a value (N, classes) (or
// of a value whose rank the model leaves open, on axis 1 or −1), unless
// numlearn exported the model with an identity head; else as the layer
// that layer makes along the node's axis, which counts the axes as the
// layers do, the batch axis 0 included.
//
// Up to operator set version 12 the operator works on the axes from its
// axis (by default 1) on, flattened, and from 13 on that axis alone (by
// default −1). The two agree on the last axis, and on an axis after which
// every axis has one value, which is what a layer is read for in the
// older versions; another axis is refused there, as is the batch axis in
// every version.
func (im *importer) softmax(n *node, head layers.Head, layer func(axis int) layers.Layer) error {
	op := n.opType
	axis, err := intAttr(n, "axis", map[bool]int64{true: 1, false: -1}[im.opset < 13])
	if err != nil {
		return err
	}
	im.addFlatten() // a pending Flatten is the value the operator works on
	rank := 0       // of the whole value, the batch axis included; 0 when unknown
	if im.shape != nil {
		rank = len(im.shape) + 1
	}
	if im.final && !im.identityHead && (rank == 2 || rank == 0) && (axis == 1 || axis == -1) {
		im.head = head
		return nil
	}
	given := axis
	if axis < 0 && rank > 0 {
		axis += int64(rank)
	}
	switch {
	case axis == 0:
		return fmt.Errorf("%w: %s axis = %d, the batch axis, which would mix the samples", ErrUnsupported, op, given)
	case rank == 0 && (im.opset < 13 || axis < -1):
		return fmt.Errorf("%w: %s axis = %d of a value whose rank the model leaves open", ErrUnsupported, op, given)
	case rank > 0 && (axis < 0 || axis >= int64(rank)):
		return fmt.Errorf("%w: %s axis = %d of a value of shape (N, %s)", ErrShape, op, given, shownShape(im.shape))
	case rank > 0 && im.opset < 13 && slices.ContainsFunc(im.shape[axis:], func(d int) bool { return d != 1 }):
		return fmt.Errorf("%w: %s axis = %d of a value of shape (N, %s) in operator set version %d, which works on the axes from %d on together (a softmax along one axis is read)",
			ErrUnsupported, op, given, shownShape(im.shape), im.opset, axis)
	}
	return im.add(layer(int(given)))
}

// importSigmoid reads a final Sigmoid as the head layers.SigmoidWithLoss,
// unless numlearn exported the model with an identity head, and another
// as a layers.Sigmoid.
func importSigmoid(im *importer, n *node) error {
	if im.final && !im.identityHead {
		im.head = &layers.SigmoidWithLoss{}
		return nil
	}
	return im.add(&layers.Sigmoid{})
}

// importElementwise returns the importer of an activation without
// attributes.
func importElementwise(make func() layers.Layer) opImporter {
	return func(im *importer, n *node) error {
		return im.add(make())
	}
}

// alphaAttr returns the finite attribute alpha of n, or def.
func alphaAttr(n *node, def float32) (float64, error) {
	alpha, err := floatAttr(n, "alpha", def)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(float64(alpha)) || math.IsInf(float64(alpha), 0) {
		return 0, fmt.Errorf("%w: alpha = %v", ErrUnsupported, alpha)
	}
	return float64(alpha), nil
}

// importLeakyRelu reads LeakyRelu (alpha by default 0.01) as a
// layers.LeakyReLU.
func importLeakyRelu(im *importer, n *node) error {
	alpha, err := alphaAttr(n, 0.01)
	if err != nil {
		return err
	}
	return im.add(layers.NewLeakyReLU(alpha))
}

// importElu reads Elu (alpha by default 1) as a layers.ELU.
func importElu(im *importer, n *node) error {
	alpha, err := alphaAttr(n, 1)
	if err != nil {
		return err
	}
	return im.add(layers.NewELU(alpha))
}

// importSelu reads Selu (alpha and gamma by default SELU's constants,
// which are float32 values) as a layers.SELU.
func importSelu(im *importer, n *node) error {
	alpha, err := alphaAttr(n, layers.SELUAlpha)
	if err != nil {
		return err
	}
	gamma, err := floatAttr(n, "gamma", layers.SELUGamma)
	if err != nil {
		return err
	}
	if math.IsNaN(float64(gamma)) || math.IsInf(float64(gamma), 0) {
		return fmt.Errorf("%w: gamma = %v", ErrUnsupported, gamma)
	}
	return im.add(layers.NewSELU(alpha, float64(gamma)))
}

// importPRelu reads PRelu with a constant slope as a layers.PReLU: one
// slope shared by every value (of one element, any shape), or one slope
// per channel, the values' axis 1. Up to operator set version 6 a slope
// of C values is per channel; from 7 on the slope broadcasts as numpy
// does, so per channel is (C, 1, …, 1) with a 1 for each axis after the
// channel's — (C, 1, 1) for images (N, C, H, W), PyTorch's export of
// nn.PReLU(C) — or (C) for (N, C).
func importPRelu(im *importer, n *node) error {
	sp, err := im.weight(n, 1)
	if err != nil {
		return err
	}
	size := sp.size()
	if size == 0 {
		return fmt.Errorf("%w: PRelu slope %q of shape %v", ErrShape, shown(sp.name), shownList(sp.dims))
	}
	if size > 1 {
		// dims without leading ones must be (C) or (C, 1, …, 1) on the axes after the channel's
		dims := sp.dims
		for len(dims) > 1 && dims[0] == 1 {
			dims = dims[1:]
		}
		ok := dims[0] == int64(size) && im.shape != nil && !im.flatten
		if ok && im.opset >= 7 {
			ok = len(dims) == len(im.shape)
		}
		if ok && len(im.shape) > 0 && im.shape[0] != 0 && im.shape[0] != size {
			return fmt.Errorf("%w: PRelu of %d slopes on a value of %d channels", ErrShape, size, im.shape[0])
		}
		if !ok {
			return fmt.Errorf("%w: PRelu slope %q of shape %v on a value of shape (N, %s) (one slope, or one for each channel of axis 1, is read)",
				ErrUnsupported, shown(sp.name), shownList(sp.dims), shownShape(im.shape))
		}
	}
	if err := im.params(2 * size); err != nil {
		return err
	}
	return im.add(layers.NewPReLU(sp.values(false).Reshape(size)))
}

// importSub reads the subtraction of a constant of the shape of a
// sample (or one value), the first half of a standardization, as a
// layers.Standardize with that mean and a standard deviation of 1; a Div
// right after it gives the standard deviation.
func importSub(im *importer, n *node) error {
	mean, err := im.sampleConstant(n)
	if err != nil {
		return err
	}
	std := tensor.Full(1, mean.Shape()...)
	s := &layers.Standardize{Mean: mean, Std: std}
	if err := im.add(s); err != nil {
		return err
	}
	im.standardize = s
	return nil
}

// importDiv reads the division by a constant of the shape of a sample (or
// one value), all finite and positive, into the standard deviation of the
// Standardize layer a Sub gave right before, or else as a Standardize
// with a mean of 0.
func importDiv(im *importer, n *node) error {
	s := im.standardize
	std, err := im.sampleConstant(n)
	if err != nil {
		return err
	}
	for _, v := range std.Data() {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: Div by %v, which is not a standard deviation (finite and positive)", ErrUnsupported, v)
		}
	}
	if s != nil {
		s.Std.CopyFrom(std)
		im.standardize = nil
		return nil
	}
	return im.add(&layers.Standardize{Mean: tensor.New(std.Shape()...), Std: std})
}

// sampleConstant returns the constant second input of an elementwise n
// (Sub, Div) as values of the shape of a sample, which must be known:
// the constant has that shape, perhaps after leading ones, or is one
// value.
func (im *importer) sampleConstant(n *node) (*tensor.Tensor, error) {
	c, err := im.weight(n, 1)
	if err != nil {
		return nil, err
	}
	if im.opset <= 6 {
		if err := legacyBroadcast(n, biasAxis(c, len(im.shape)+1)); err != nil {
			return nil, err
		}
	}
	if im.flatten {
		return nil, fmt.Errorf("%w: Flatten before %s", ErrUnsupported, n.opType)
	}
	if im.shape == nil || im.width() == 0 {
		return nil, fmt.Errorf("%w: %s of a value whose shape the model leaves open", ErrUnsupported, n.opType)
	}
	dims := c.dims
	for len(dims) > len(im.shape) && dims[0] == 1 {
		dims = dims[1:]
	}
	same := len(dims) == len(im.shape)
	for i := range dims {
		same = same && dims[i] == int64(im.shape[i])
	}
	if !same && c.size() != 1 {
		return nil, fmt.Errorf("%w: %s by %q of shape %v on samples of shape (%s) (a constant of a sample's shape, or one value, is read)",
			ErrUnsupported, n.opType, shown(c.name), shownList(c.dims), shownShape(im.shape))
	}
	if err := im.params(2 * im.width()); err != nil {
		return nil, err
	}
	v := tensor.Full(c.values(false).Data()[0], im.shape...)
	if same {
		v = c.values(false).Reshape(im.shape...)
	}
	return v, nil
}

// bias returns the values of c as a bias of n outputs: c may be (n) or
// (1, n), or, if single is set, a single value of any shape of ones,
// which every output adds.
func bias(c *tensorProto, n int, single bool) (*tensor.Tensor, error) {
	ok := len(c.dims) == 1 && c.dims[0] == int64(n) || len(c.dims) == 2 && c.dims[0] == 1 && c.dims[1] == int64(n)
	if !ok && single && len(c.dims) <= 2 && c.size() == 1 {
		b := tensor.New(n)
		v := c.values(false).Data()[0]
		for i := range b.Data() {
			b.Data()[i] = v
		}
		return b, nil
	}
	if !ok {
		return nil, fmt.Errorf("%w: bias %q has shape %v for %d outputs", ErrUnsupported, shown(c.name), shownList(c.dims), n)
	}
	return c.values(false).Reshape(n), nil
}

// shownShape returns the dimensions of a sample as an error message
// shows them, "?" standing for one that is unknown.
func shownShape(shape []int) string {
	var s []byte
	for i, d := range shape {
		if i == maxShown {
			s = fmt.Appendf(s, ", … of %d", len(shape))
			break
		}
		if i > 0 {
			s = append(s, ", "...)
		}
		if d == 0 {
			s = append(s, '?')
		} else {
			s = fmt.Appendf(s, "%d", d)
		}
	}
	return string(s)
}
