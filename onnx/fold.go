package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// This file folds what a graph computes of constants alone — Constant
// nodes, a Transpose of a weight, the shape that PyTorch computes for
// x.view(x.size(0), -1) — into constants at import, and reads the
// Reshape of the network's data that such a shape asks for.
//
// PyTorch exports x.view(x.size(0), -1) as
//
//	s = Shape(x); n = Gather(s, 0); n1 = Unsqueeze(n, [0])
//	shape = Concat(n1, [-1]); y = Reshape(x, shape)
//
// Shape of the network's data gives the batch size as a symbol, batchDim,
// which Gather, Unsqueeze and Concat carry along, and Reshape of the
// data to (batchDim, -1) is a flattening of each sample.

// Sizes that a folded shape holds in place of a number, as they are
// known only when the network runs.
const (
	batchDim   = math.MinInt64     // the batch size, N
	unknownDim = math.MinInt64 + 1 // another size the model leaves open
)

// maxFoldInts is the most integers a folded constant holds: shapes,
// indices and axes are short, and Import refuses longer ones rather than
// budget for them.
const maxFoldInts = 64

// folded is a constant of the graph: a tensor of floats or doubles (a
// weight), or a scalar or vector of integers (a shape, indices, axes), in
// which batchDim and unknownDim stand for sizes known only when the
// network runs.
type folded struct {
	w      *tensorProto // a weight, or nil
	ints   []int64      // else the integers
	vector bool         // ints is a vector (1-D); else it is a scalar
}

// folder computes the output of a node from its inputs, all constants
// (nil for an input left out).
type folder func(im *importer, n *node, in []*folded) (*folded, error)

// constant returns the constant that name holds — an initializer or the
// output of a folded node — or nil if it is not a constant.
func (im *importer) constant(name string) (*folded, error) {
	if f := im.folded[name]; f != nil {
		return f, nil
	}
	if t := im.values[name].init; t != nil {
		return constantOf(t)
	}
	return nil, nil
}

// constantOf returns t, which has passed check, as a constant: a weight,
// or integers of at most one dimension and maxFoldInts values.
func constantOf(t *tensorProto) (*folded, error) {
	if t.isFloat() {
		return &folded{w: t}, nil
	}
	if len(t.dims) > 1 || t.size() > maxFoldInts {
		return nil, fmt.Errorf("%w: integer constant %q of shape %v (shapes, indices and axes of at most %d values are read)", ErrUnsupported, shown(t.name), shownList(t.dims), maxFoldInts)
	}
	return &folded{ints: t.integers(), vector: len(t.dims) == 1}, nil
}

// constantInputs reports whether every input of n is a constant, or, for
// a Shape, the current value cur of the network's data, whose shape the
// importer knows as far as the model declares it.
func (im *importer) constantInputs(n *node, cur string) bool {
	if n.opType == "Shape" && len(n.inputs) == 1 && n.inputs[0] == cur {
		return true
	}
	for _, in := range n.inputs {
		if in != "" && im.folded[in] == nil && im.values[in].init == nil {
			return false
		}
	}
	return true
}

// foldNode computes the output of n, whose inputs are constants or, for
// a Shape, cur.
func (im *importer) foldNode(op *operator, n *node, cur string) error {
	if len(n.outputs) != 1 || n.outputs[0] == "" {
		return fmt.Errorf("%w: %d outputs, not one", ErrUnsupported, len(n.outputs))
	}
	var out *folded
	var err error
	if n.opType == "Shape" && len(n.inputs) == 1 && n.inputs[0] == cur {
		out, err = im.dataShape(n)
	} else {
		in := make([]*folded, len(n.inputs))
		for i, name := range n.inputs {
			if name == "" {
				continue
			}
			if in[i], err = im.constant(name); err != nil {
				return err
			}
			if w := in[i].w; w != nil && len(w.dims) > maxFoldInts {
				return fmt.Errorf("%w: constant %q of %d dimensions (at most %d are read)", ErrUnsupported, shown(w.name), len(w.dims), maxFoldInts)
			}
		}
		out, err = op.fold(im, n, in)
	}
	if err != nil {
		return err
	}
	if out.w != nil && out.w.name == "" {
		out.w.name = n.outputs[0]
	}
	im.folded[n.outputs[0]] = out
	return nil
}

// dataShape folds the Shape of the network's data: the batch size N, then
// the dimensions of a sample, unknownDim for one the model leaves open.
func (im *importer) dataShape(n *node) (*folded, error) {
	if im.shape == nil {
		return nil, fmt.Errorf("%w: Shape of a value whose rank the model leaves open", ErrUnsupported)
	}
	if len(im.shape) >= maxFoldInts {
		return nil, fmt.Errorf("%w: Shape of a value of %d dimensions (at most %d are read)", ErrUnsupported, len(im.shape)+1, maxFoldInts)
	}
	dims := []int64{batchDim}
	for _, d := range im.shape {
		if d == 0 {
			dims = append(dims, unknownDim)
		} else {
			dims = append(dims, int64(d))
		}
	}
	return shapeSlice(n, dims)
}

// input returns input i of a folded node, or an error if it is missing.
func input(in []*folded, i int) (*folded, error) {
	if i >= len(in) || in[i] == nil {
		return nil, fmt.Errorf("%w: input %d missing", ErrFormat, i)
	}
	return in[i], nil
}

// intsOf returns the integers of constant f, or an error naming what if
// it is a weight.
func intsOf(f *folded, what string) ([]int64, error) {
	if f.w != nil {
		return nil, fmt.Errorf("%w: %s is not integers", ErrFormat, what)
	}
	return f.ints, nil
}

// known returns an error if v holds a size known only when the network
// runs, where what needs a number.
func known(v []int64, what string) error {
	if slices.Contains(v, batchDim) || slices.Contains(v, unknownDim) {
		return fmt.Errorf("%w: %s %s depends on the size of the network's input", ErrUnsupported, what, shownDims(v))
	}
	return nil
}

// shownDims returns v as an error message shows it, N standing for the
// batch size and ? for another size not known at import.
func shownDims(v []int64) string {
	s := []byte{'['}
	for i, d := range v {
		if i == maxShown {
			s = fmt.Appendf(s, " … of %d", len(v))
			break
		}
		if i > 0 {
			s = append(s, ' ')
		}
		switch d {
		case batchDim:
			s = append(s, 'N')
		case unknownDim:
			s = append(s, '?')
		default:
			s = strconv.AppendInt(s, d, 10)
		}
	}
	return string(append(s, ']'))
}

// foldIdentity passes its input on.
func foldIdentity(_ *importer, _ *node, in []*folded) (*folded, error) {
	return input(in, 0)
}

// foldConstant reads a Constant node's value: a tensor (value), or from
// operator set version 12 on a float, an integer or a list of either.
func foldConstant(im *importer, n *node, _ []*folded) (*folded, error) {
	if len(n.attrs) != 1 {
		return nil, fmt.Errorf("%w: Constant with %d attributes, not one", ErrFormat, len(n.attrs))
	}
	a := &n.attrs[0]
	var t *tensorProto
	switch a.name {
	case "value":
		if a.typ != attrTypeTensor || a.t == nil {
			return nil, fmt.Errorf("%w: attribute %q is not a tensor", ErrFormat, a.name)
		}
		c := *a.t
		t = &c
	case "value_float", "value_floats":
		v := []float32{a.f}
		var dims []int64
		if a.name == "value_floats" {
			var err error
			if v, err = floatsAttr(n, a.name); err != nil {
				return nil, err
			}
			dims = []int64{int64(len(v))}
		} else if _, err := floatAttr(n, a.name, 0); err != nil {
			return nil, err
		}
		if err := im.budget.take(4*len(v), "the constants"); err != nil {
			return nil, err
		}
		t = &tensorProto{dims: dims, dataType: dataTypeFloat, raw: make([]byte, 0, 4*len(v))}
		for _, f := range v {
			t.raw = binary.LittleEndian.AppendUint32(t.raw, math.Float32bits(f))
		}
	case "value_int":
		v, err := intAttr(n, a.name, 0)
		if err != nil {
			return nil, err
		}
		return &folded{ints: []int64{v}}, nil
	case "value_ints":
		v, err := intsAttr(n, a.name)
		if err != nil {
			return nil, err
		}
		if len(v) > maxFoldInts {
			return nil, fmt.Errorf("%w: value_ints of %d values (at most %d are read)", ErrUnsupported, len(v), maxFoldInts)
		}
		return &folded{ints: slices.Clone(v), vector: true}, nil
	}
	if t.name == "" {
		t.name = n.outputs[0]
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	return constantOf(t)
}

// foldTranspose transposes a weight, as PyTorch exports a Linear layer
// without bias (MatMul by the transposed weight). perm, by default the
// axes reversed, must be a permutation of them.
func foldTranspose(im *importer, n *node, in []*folded) (*folded, error) {
	x, err := input(in, 0)
	if err != nil {
		return nil, err
	}
	if x.w == nil {
		if len(n.attrs) == 0 || !x.vector {
			return x, nil // a scalar or a vector: the same
		}
		if perm, err := intsAttr(n, "perm"); err != nil {
			return nil, err
		} else if !slices.Equal(perm, []int64{0}) {
			return nil, fmt.Errorf("%w: perm %v of a vector", ErrFormat, shownList(perm))
		}
		return x, nil
	}
	t := x.w
	r := len(t.dims)
	perm, err := intsAttr(n, "perm")
	if err != nil {
		return nil, err
	}
	if perm == nil {
		for i := range r {
			perm = append(perm, int64(r-1-i))
		}
	}
	seen := make([]bool, r)
	for _, p := range perm {
		if p < 0 || p >= int64(r) || seen[p] {
			seen = nil
			break
		}
		seen[p] = true
	}
	if len(perm) != r || seen == nil {
		return nil, fmt.Errorf("%w: perm %v for a weight of shape %v", ErrFormat, shownList(perm), shownList(t.dims))
	}
	width := 4
	if t.dataType == dataTypeDouble {
		width = 8
	}
	if err := im.budget.take(width*t.size()+64*r, "the constants"); err != nil {
		return nil, err
	}
	dims := make([]int64, r)
	for i, p := range perm {
		dims[i] = t.dims[p]
	}
	// strides[i] is the step in t's data for axis perm[i] of the result.
	strides := make([]int, r)
	step := 1
	for i := r - 1; i >= 0; i-- {
		strides[slices.Index(perm, int64(i))] = step
		step *= int(t.dims[i])
	}
	src, dst := t.data(), make([]byte, width*t.size())
	idx := make([]int, r)
	for o := range t.size() {
		at := 0
		for i, v := range idx {
			at += v * strides[i]
		}
		copy(dst[o*width:(o+1)*width], src[at*width:(at+1)*width])
		for i := r - 1; i >= 0; i-- { // the next index of the result, row-major
			idx[i]++
			if idx[i] < int(dims[i]) {
				break
			}
			idx[i] = 0
		}
	}
	return &folded{w: &tensorProto{dims: dims, dataType: t.dataType, raw: dst}}, nil
}

// foldShape returns the shape of a constant.
func foldShape(_ *importer, n *node, in []*folded) (*folded, error) {
	x, err := input(in, 0)
	if err != nil {
		return nil, err
	}
	dims := []int64{}
	switch {
	case x.w != nil:
		dims = x.w.dims
	case x.vector:
		dims = []int64{int64(len(x.ints))}
	}
	return shapeSlice(n, dims)
}

// shapeSlice returns the dimensions dims of a Shape node's input from its
// start to its end (operator set version 15; by default all of them).
func shapeSlice(n *node, dims []int64) (*folded, error) {
	if len(dims) > maxFoldInts {
		return nil, fmt.Errorf("%w: Shape of a value of %d dimensions (at most %d are read)", ErrUnsupported, len(dims), maxFoldInts)
	}
	r := int64(len(dims))
	start, err := intAttr(n, "start", 0)
	if err != nil {
		return nil, err
	}
	end, err := intAttr(n, "end", r)
	if err != nil {
		return nil, err
	}
	clamp := func(v int64) int64 {
		if v < 0 {
			v += r
		}
		return min(max(v, 0), r)
	}
	start, end = clamp(start), clamp(end)
	return &folded{ints: slices.Clone(dims[start:max(start, end)]), vector: true}, nil
}

// foldGather picks values of a vector of integers (axis 0) by index.
func foldGather(_ *importer, n *node, in []*folded) (*folded, error) {
	data, err := input(in, 0)
	if err != nil {
		return nil, err
	}
	indices, err := input(in, 1)
	if err != nil {
		return nil, err
	}
	if data.w != nil || !data.vector {
		return nil, fmt.Errorf("%w: Gather of a constant that is not a vector of integers (a shape)", ErrUnsupported)
	}
	axis, err := intAttr(n, "axis", 0)
	if err != nil {
		return nil, err
	}
	if axis != 0 && axis != -1 {
		return nil, fmt.Errorf("%w: Gather axis = %d of a vector", ErrFormat, axis)
	}
	idx, err := intsOf(indices, "Gather's indices")
	if err != nil {
		return nil, err
	}
	if err := known(idx, "indices"); err != nil {
		return nil, err
	}
	out := &folded{ints: make([]int64, len(idx)), vector: indices.vector}
	size := int64(len(data.ints))
	for i, j := range idx {
		if j < -size || j >= size {
			return nil, fmt.Errorf("%w: Gather index %d of a vector of %d", ErrFormat, j, size)
		}
		if j < 0 {
			j += size
		}
		out.ints[i] = data.ints[j]
	}
	return out, nil
}

// axesOf returns the axes of an Unsqueeze or Squeeze: the attribute up to
// operator set version 12, the second input from 13 on.
func axesOf(im *importer, n *node, in []*folded) ([]int64, error) {
	if im.opset < 13 {
		return intsAttr(n, "axes")
	}
	if len(in) < 2 || in[1] == nil {
		return nil, nil
	}
	axes, err := intsOf(in[1], "axes")
	if err != nil {
		return nil, err
	}
	return axes, known(axes, "axes")
}

// foldUnsqueeze inserts dimensions of 1: into a weight's shape, or into
// an integer scalar, which becomes a vector.
func foldUnsqueeze(im *importer, n *node, in []*folded) (*folded, error) {
	x, err := input(in, 0)
	if err != nil {
		return nil, err
	}
	axes, err := axesOf(im, n, in)
	if err != nil {
		return nil, err
	}
	if x.w == nil {
		if x.vector || len(axes) != 1 || (axes[0] != 0 && axes[0] != -1) {
			return nil, fmt.Errorf("%w: Unsqueeze of integers with axes %v (a scalar becomes a vector)", ErrUnsupported, shownList(axes))
		}
		return &folded{ints: x.ints, vector: true}, nil
	}
	r := len(x.w.dims) + len(axes)
	ones := make([]bool, r)
	for _, a := range axes {
		if a < 0 {
			a += int64(r)
		}
		if a < 0 || a >= int64(r) || ones[a] {
			return nil, fmt.Errorf("%w: Unsqueeze axes %v of a weight of shape %v", ErrFormat, shownList(axes), shownList(x.w.dims))
		}
		ones[a] = true
	}
	if len(axes) == 0 {
		return nil, fmt.Errorf("%w: Unsqueeze without axes", ErrFormat)
	}
	dims, j := make([]int64, r), 0
	for i := range dims {
		dims[i] = 1
		if !ones[i] {
			dims[i] = x.w.dims[j]
			j++
		}
	}
	return reshaped(x.w, dims), nil
}

// foldSqueeze removes dimensions of 1: from a weight's shape (all of them
// without axes), or from a vector of one integer, which becomes a scalar.
func foldSqueeze(im *importer, n *node, in []*folded) (*folded, error) {
	x, err := input(in, 0)
	if err != nil {
		return nil, err
	}
	axes, err := axesOf(im, n, in)
	if err != nil {
		return nil, err
	}
	if x.w == nil {
		if !x.vector || len(x.ints) != 1 || len(axes) > 1 || len(axes) == 1 && axes[0] != 0 && axes[0] != -1 {
			return nil, fmt.Errorf("%w: Squeeze of integers with axes %v (a vector of one value becomes a scalar)", ErrUnsupported, shownList(axes))
		}
		return &folded{ints: x.ints}, nil
	}
	r := int64(len(x.w.dims))
	drop := make([]bool, r)
	for _, a := range axes {
		if a < 0 {
			a += r
		}
		if a < 0 || a >= r || x.w.dims[a] != 1 {
			return nil, fmt.Errorf("%w: Squeeze axes %v of a weight of shape %v", ErrFormat, shownList(axes), shownList(x.w.dims))
		}
		drop[a] = true
	}
	var dims []int64
	for i, d := range x.w.dims {
		if !drop[i] && (axes != nil || d != 1) {
			dims = append(dims, d)
		}
	}
	return reshaped(x.w, dims), nil
}

// foldConcat joins vectors of integers (axis 0).
func foldConcat(_ *importer, n *node, in []*folded) (*folded, error) {
	axis, err := intAttr(n, "axis", 0)
	if err != nil {
		return nil, err
	}
	if axis != 0 && axis != -1 {
		return nil, fmt.Errorf("%w: Concat axis = %d of vectors", ErrUnsupported, axis)
	}
	out := &folded{ints: []int64{}, vector: true}
	for i := range in {
		x, err := input(in, i)
		if err != nil {
			return nil, err
		}
		if x.w != nil || !x.vector {
			return nil, fmt.Errorf("%w: Concat of constants that are not vectors of integers (shapes)", ErrUnsupported)
		}
		if len(out.ints)+len(x.ints) > maxFoldInts {
			return nil, fmt.Errorf("%w: Concat of more than %d integers", ErrUnsupported, maxFoldInts)
		}
		out.ints = append(out.ints, x.ints...)
	}
	return out, nil
}

// foldReshape gives a weight another shape of as many values.
func foldReshape(im *importer, n *node, in []*folded) (*folded, error) {
	x, err := input(in, 0)
	if err != nil {
		return nil, err
	}
	s, err := input(in, 1)
	if err != nil {
		return nil, err
	}
	if x.w == nil {
		return nil, fmt.Errorf("%w: Reshape of integers", ErrUnsupported)
	}
	shape, err := reshapeTarget(im, n, s)
	if err != nil {
		return nil, err
	}
	if err := known(shape, "shape"); err != nil {
		return nil, err
	}
	dims := make([]int64, len(shape))
	infer, size := -1, int64(1)
	for i, d := range shape {
		switch {
		case d == 0:
			if i >= len(x.w.dims) {
				return nil, fmt.Errorf("%w: Reshape to %v copies dimension %d of a weight of shape %v", ErrFormat, shownList(shape), i, shownList(x.w.dims))
			}
			d = x.w.dims[i]
		case d == -1:
			if infer >= 0 {
				return nil, fmt.Errorf("%w: Reshape to %v: two dimensions are -1", ErrFormat, shownList(shape))
			}
			infer = i
			continue
		case d < 0:
			return nil, fmt.Errorf("%w: Reshape to %v", ErrFormat, shownList(shape))
		}
		if d > maxModelSize || size*d > maxModelSize {
			return nil, fmt.Errorf("%w: Reshape to %v", ErrFormat, shownList(shape))
		}
		dims[i] = d
		size *= d
	}
	total := int64(x.w.size())
	if infer >= 0 && size > 0 && total%size == 0 {
		dims[infer] = total / size
		size = total
	}
	if size != total {
		return nil, fmt.Errorf("%w: Reshape of a weight of shape %v to %v", ErrFormat, shownList(x.w.dims), shownList(shape))
	}
	return reshaped(x.w, dims), nil
}

// reshapeTarget returns the shape a Reshape node asks for: its second
// input, a vector of integers, in which 0 stands for the dimension of the
// same index, unless allowzero (operator set version 14) is set, which
// Import refuses where a 0 would then mean an empty value.
func reshapeTarget(_ *importer, n *node, s *folded) ([]int64, error) {
	shape, err := intsOf(s, "Reshape's shape")
	if err != nil {
		return nil, err
	}
	if !s.vector {
		return nil, fmt.Errorf("%w: Reshape's shape is a scalar, not a vector", ErrFormat)
	}
	allowZero, err := intAttr(n, "allowzero", 0)
	if err != nil {
		return nil, err
	}
	if allowZero != 0 && slices.Contains(shape, 0) {
		return nil, fmt.Errorf("%w: Reshape to %v with allowzero = %d (an empty value)", ErrUnsupported, shownDims(shape), allowZero)
	}
	return shape, nil
}

// reshaped returns weight t with the given dimensions, of as many
// values, sharing its data.
func reshaped(t *tensorProto, dims []int64) *folded {
	c := *t
	c.dims = dims
	return &folded{w: &c}
}

// importReshape reads the Reshape of the network's data to a constant
// shape, which may hold the batch size that a Shape of the data gives:
// a flattening of each sample to (N, rest), as Flatten, or a shape that
// leaves the value as it is. The first dimension must be the batch size
// — N from a Shape, 0 (copy), or the batch size the input declares — or
// -1 with the rest known; the others may hold a -1 or 0.
func importReshape(im *importer, n *node) error {
	if len(n.inputs) < 2 {
		return fmt.Errorf("%w: Reshape without a shape", ErrFormat)
	}
	s, err := im.constant(n.inputs[1])
	if err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("%w: Reshape to a shape %q that is not a constant", ErrUnsupported, shown(n.inputs[1]))
	}
	shape, err := reshapeTarget(im, n, s)
	if err != nil {
		return err
	}
	// in is the value's shape, batch included, as far as shape reaches
	// (shape holds at most maxFoldInts dimensions, the value perhaps
	// many more); same[i] says that dimension i of the result is
	// dimension i of the value.
	var in []int64
	if im.shape != nil {
		in = []int64{batchDim}
		for _, d := range im.shape[:min(len(im.shape), len(shape))] {
			in = append(in, map[bool]int64{true: unknownDim, false: int64(d)}[d == 0])
		}
	}
	same := make([]bool, len(shape))
	infer := -1
	for i, d := range shape {
		switch {
		case d == 0 && i == 0, d == batchDim && i == 0, d == im.batch && im.batch > 0 && i == 0:
			same[i] = true
		case d == 0:
			if in != nil && i >= len(in) {
				return fmt.Errorf("%w: Reshape to %v copies dimension %d of a value of %d", ErrFormat, shownDims(shape), i, len(im.shape)+1)
			}
			same[i] = true
		case d == -1:
			if infer >= 0 {
				return fmt.Errorf("%w: Reshape to %v: two dimensions are -1", ErrFormat, shownDims(shape))
			}
			infer = i
		case d > 0 && in != nil && i < len(in) && d == in[i]:
			same[i] = true
		case d < 0 && d != batchDim && d != unknownDim:
			return fmt.Errorf("%w: Reshape to %v", ErrFormat, shownDims(shape))
		}
	}
	width := int64(im.width())
	switch {
	case im.shape != nil && len(shape) == len(im.shape)+1 && allSame(same, infer):
		return nil // the value as it is
	case len(shape) == 2 && same[0] && infer == 1:
	case len(shape) == 2 && same[0] && shape[1] > 0:
		if width != 0 && shape[1] != width {
			return fmt.Errorf("%w: Reshape to %v of samples of %d values", ErrShape, shownDims(shape), width)
		}
	case len(shape) == 2 && infer == 0 && shape[1] > 0 && shape[1] == width:
	default:
		value := "a value of open rank"
		if im.shape != nil {
			value = "a value of shape (N, " + shownShape(im.shape) + ")"
		}
		return fmt.Errorf("%w: Reshape of %s to %v (a flattening of each sample to (N, rest), or no change, is read)", ErrUnsupported, value, shownDims(shape))
	}
	im.flattenSamples()
	if width == 0 && shape[1] > 0 {
		im.shape = []int{int(shape[1])}
	}
	return nil
}

// allSame reports whether every dimension of a Reshape's result is that
// of its input, but the one to infer, which then is too.
func allSame(same []bool, infer int) bool {
	for i, s := range same {
		if !s && i != infer {
			return false
		}
	}
	return true
}
