package onnx

import (
	"fmt"
	"math"
	"slices"

	"github.com/numlearn/numlearn/internal/conv"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Limits on the geometry of Conv and the poolings, checked when their node is
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
	// Conv's or pooling's padded image, output and unfolding (the windows
	// laid side by side): 2³¹ − 1, 16 GiB of float64. Every position then
	// fits an int32, and a batch of samples overflows no int.
	maxValues = 1<<31 - 1
)

// geometry is that of a Conv or pooling node's windows over 2-D images:
// their height and width, their stride, the padding on every side, and
// the dilation, the distance between the taps of a window (1 for windows
// without holes).
type geometry struct{ fh, fw, stride, pad, dil int }

// windowAttrs reads the attributes that Conv and the poolings share for
// windows of kernel (height, width), which the caller has checked are
// positive and at most maxSide: strides, which must be equal, positive
// and at most maxSide; pads, which must be equal on every side, not
// negative and at most maxSide; and dilations, which must be equal,
// positive and at most maxSide; auto_pad must be NOTSET.
func windowAttrs(n *node, kernel [2]int64) (geometry, error) {
	win := geometry{fh: int(kernel[0]), fw: int(kernel[1]), stride: 1, dil: 1}
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
	switch {
	case dilations == nil:
	case len(dilations) != 2 || dilations[0] != dilations[1]:
		return win, fmt.Errorf("%w: dilations %v (one dilation in both directions is read)", ErrUnsupported, shownList(dilations))
	case dilations[0] <= 0:
		return win, fmt.Errorf("%w: dilations %v are not positive", ErrFormat, shownList(dilations))
	case dilations[0] > maxSide:
		return win, fmt.Errorf("%w: dilations %v: more than %d", ErrUnsupported, shownList(dilations), maxSide)
	default:
		win.dil = int(dilations[0])
	}
	if dilated(win.fh, win.dil) > maxSide || dilated(win.fw, win.dil) > maxSide {
		return win, fmt.Errorf("%w: windows of %d×%d with dilations %d: a side of more than %d", ErrUnsupported, win.fh, win.fw, win.dil, maxSide)
	}
	for _, a := range n.attrs {
		if a.name == "auto_pad" && (a.typ != attrTypeString || string(a.s) != "NOTSET") {
			return win, fmt.Errorf("%w: auto_pad %q", ErrUnsupported, shown(string(a.s)))
		}
	}
	return win, nil
}

// dilated returns the side a window of k taps dil apart covers, which
// for k and dil at most maxSide does not overflow.
func dilated(k, dil int) int { return (k-1)*dil + 1 }

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
	fh, fw := dilated(win.fh, win.dil), dilated(win.fw, win.dil) // the sides the windows cover
	known := h != 0 && w != 0
	if !known {
		h, w = max(1, fh-2*win.pad), max(1, fw-2*win.pad)
	}
	where := fmt.Sprintf("%s of %d×%d windows, strides %d, pads %d on images of %d×%d", op, win.fh, win.fw, win.stride, win.pad, h, w)
	if win.dil != 1 {
		where = fmt.Sprintf("%s of %d×%d windows, strides %d, pads %d, dilations %d on images of %d×%d", op, win.fh, win.fw, win.stride, win.pad, win.dil, h, w)
	}
	hp, wp := h+2*win.pad, w+2*win.pad // terms of at most maxSide: no overflow
	switch {
	case h > maxSide || w > maxSide:
		return fmt.Errorf("%w: %s: a side of more than %d", ErrUnsupported, where, maxSide)
	case hp > maxSide || wp > maxSide:
		return fmt.Errorf("%w: %s: a padded side of %d, more than %d", ErrUnsupported, where, max(hp, wp), maxSide)
	case hp < fh || wp < fw:
		return fmt.Errorf("%w: %s window of %d×%d on images of %d×%d padded by %d", ErrShape, op, fh, fw, h, w, win.pad)
	}
	oh, ow := (hp-fh)/win.stride+1, (wp-fw)/win.stride+1
	switch {
	case !conv.Within(maxValues, out, oh, ow):
		return fmt.Errorf("%w: %s: an output of %d×%d×%d values, more than %d", ErrUnsupported, where, out, oh, ow, maxValues)
	case !conv.Within(maxValues, c, hp, wp):
		return fmt.Errorf("%w: %s: a padded image of %d×%d×%d values, more than %d", ErrUnsupported, where, c, hp, wp, maxValues)
	case !conv.Within(maxValues, unfold, win.fh, win.fw, oh, ow):
		return fmt.Errorf("%w: %s: %d×%d×%d windows at %d×%d places, more than %d values", ErrUnsupported, where, unfold, win.fh, win.fw, oh, ow, maxValues)
	}
	im.shape = []int{out, 0, 0}
	if known {
		im.shape = []int{out, oh, ow}
	}
	return nil
}

// importConv reads Conv of 2-D images as a layers.Convolution, or, with
// groups or dilations, a layers.GroupedConvolution.
func importConv(im *importer, n *node) error {
	group, err := intAttr(n, "group", 1)
	if err != nil {
		return err
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
	fn, fc := int(wp.dims[0]), int(wp.dims[1])
	if group <= 0 || group > int64(fn) || int64(fn)%group != 0 {
		return fmt.Errorf("%w: group = %d for %d filters", ErrFormat, group, fn)
	}
	if err := im.params(wp.size() + fn); err != nil {
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
	in := fc * int(group) // at most fc·fn, the filters' size
	if c != 0 && c != in {
		return fmt.Errorf("%w: filters of %d channels in %d groups on images of %d", ErrShape, fc, group, c)
	}
	var b *tensor.Tensor
	if len(n.inputs) > 2 && n.inputs[2] != "" {
		bp, err := im.weight(n, 2)
		if err != nil {
			return err
		}
		if b, err = bias(bp, fn, false); err != nil {
			return err
		}
	} else {
		b = tensor.New(fn)
	}
	if err := im.windows("Conv", win, in, h, w, fn, fc); err != nil {
		return err
	}
	if group == 1 && win.dil == 1 {
		return im.add(layers.NewConvolution(wp.values(false), b, win.stride, win.pad))
	}
	return im.add(layers.NewGroupedConvolution(wp.values(false), b, win.stride, win.pad, win.dil, int(group)))
}

// poolWindow reads the window of a pooling node (MaxPool, AveragePool):
// its kernel_shape, of 2-D images, and the attributes windowAttrs reads,
// without dilation; ceil_mode must be 0.
func poolWindow(n *node) (geometry, error) {
	if v, err := intAttr(n, "ceil_mode", 0); err != nil {
		return geometry{}, err
	} else if v != 0 {
		return geometry{}, fmt.Errorf("%w: ceil_mode = %d", ErrUnsupported, v)
	}
	k, err := intsAttr(n, "kernel_shape")
	if err != nil {
		return geometry{}, err
	}
	switch {
	case len(k) != 2 || k[0] <= 0 || k[1] <= 0:
		return geometry{}, fmt.Errorf("%w: kernel_shape %v, not a window of 2-D images", ErrUnsupported, shownList(k))
	case k[0] > maxSide || k[1] > maxSide:
		return geometry{}, fmt.Errorf("%w: kernel_shape %v: more than %d", ErrUnsupported, shownList(k), maxSide)
	}
	win, err := windowAttrs(n, [2]int64{k[0], k[1]})
	if err != nil {
		return win, err
	}
	if win.dil != 1 {
		return win, fmt.Errorf("%w: %s with dilations %d", ErrUnsupported, n.opType, win.dil)
	}
	if win.pad >= win.fh || win.pad >= win.fw {
		return win, fmt.Errorf("%w: %s with pads %d, not less than the window %d×%d", ErrUnsupported, n.opType, win.pad, win.fh, win.fw)
	}
	return win, nil
}

// importMaxPool reads MaxPool of 2-D images as a layers.Pooling, the
// book's layer, without padding, and as a layers.MaxPool with padding,
// which never wins as the book's zeros can.
func importMaxPool(im *importer, n *node) error {
	if v, err := intAttr(n, "storage_order", 0); err != nil {
		return err
	} else if v != 0 {
		return fmt.Errorf("%w: storage_order = %d", ErrUnsupported, v)
	}
	win, err := poolWindow(n)
	if err != nil {
		return err
	}
	c, h, w, err := im.image("MaxPool")
	if err != nil {
		return err
	}
	if err := im.windows("MaxPool", win, c, h, w, c, 1); err != nil {
		return err
	}
	if win.pad == 0 {
		return im.add(layers.NewPooling(win.fh, win.fw, win.stride, 0))
	}
	return im.add(layers.NewMaxPool(win.fh, win.fw, win.stride, win.pad))
}

// importAveragePool reads AveragePool of 2-D images as a layers.AvgPool,
// whose padding counts in the mean as count_include_pad (from operator
// set version 7; by default 0) says.
func importAveragePool(im *importer, n *node) error {
	include, err := intAttr(n, "count_include_pad", 0)
	if err != nil {
		return err
	}
	win, err := poolWindow(n)
	if err != nil {
		return err
	}
	c, h, w, err := im.image("AveragePool")
	if err != nil {
		return err
	}
	if err := im.windows("AveragePool", win, c, h, w, c, 1); err != nil {
		return err
	}
	return im.add(layers.NewAvgPool(win.fh, win.fw, win.stride, win.pad, include != 0))
}

// importGlobalAveragePool reads GlobalAveragePool of 2-D images as a
// layers.GlobalAvgPool: (N, C, H, W) to (N, C, 1, 1).
func importGlobalAveragePool(im *importer, n *node) error {
	c, _, _, err := im.image("GlobalAveragePool")
	if err != nil {
		return err
	}
	if err := im.add(&layers.GlobalAvgPool{}); err != nil {
		return err
	}
	im.shape = []int{c, 1, 1}
	return nil
}

// importPad reads Pad of images (N, C, H, W) that pads the rows and
// columns alone, by pads that are not negative (a negative pad crops), as
// a layers.Pad: mode constant (with its value), reflect or edge. Up to
// operator set version 10 the pads and the value are attributes, from 11
// on inputs, which must be constants (version 18's axes input is refused).
// Pads are ONNX's (x1_begin, x2_begin, …, x1_end, x2_end, …): those of
// the batch and channel axes must be 0.
func importPad(im *importer, n *node) error {
	mode := layers.PadConstant
	for _, a := range n.attrs {
		if a.name == "mode" {
			if a.typ != attrTypeString {
				return fmt.Errorf("%w: attribute %q is not a string", ErrFormat, "mode")
			}
			mode = layers.PadMode(a.s)
		}
	}
	if mode != layers.PadConstant && mode != layers.PadReflect && mode != layers.PadEdge {
		return fmt.Errorf("%w: Pad mode %q (constant, reflect and edge are read)", ErrUnsupported, shown(string(mode)))
	}
	pads, value, err := im.padValues(n)
	if err != nil {
		return err
	}
	if len(pads) != 8 {
		return fmt.Errorf("%w: Pad pads %v, not those of images (N, C, H, W)", ErrUnsupported, shownList(pads))
	}
	if pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 {
		return fmt.Errorf("%w: Pad pads %v of the batch or channel axis (only rows and columns are padded)", ErrUnsupported, shownList(pads))
	}
	top, left, bottom, right := pads[2], pads[3], pads[6], pads[7]
	for _, p := range []int64{top, left, bottom, right} {
		switch {
		case p < 0:
			return fmt.Errorf("%w: Pad pads %v: negative, which crops", ErrUnsupported, shownList(pads))
		case p > maxSide:
			return fmt.Errorf("%w: Pad pads %v: more than %d", ErrUnsupported, shownList(pads), maxSide)
		}
	}
	c, h, w, err := im.image("Pad")
	if err != nil {
		return err
	}
	if h != 0 && w != 0 {
		oh, ow := h+int(top+bottom), w+int(left+right)
		switch {
		case mode == layers.PadReflect && (max(top, bottom) >= int64(h) || max(left, right) >= int64(w)):
			return fmt.Errorf("%w: Pad reflect pads %v of images of %d×%d: a pad not less than its side", ErrUnsupported, shownList(pads), h, w)
		case oh > maxSide || ow > maxSide:
			return fmt.Errorf("%w: Pad pads %v of images of %d×%d: a padded side of more than %d", ErrUnsupported, shownList(pads), h, w, maxSide)
		case !conv.Within(maxValues, c, oh, ow):
			return fmt.Errorf("%w: Pad pads %v of images of %d×%d×%d: more than %d values", ErrUnsupported, shownList(pads), c, h, w, maxValues)
		}
		im.shape = []int{c, oh, ow}
	} else {
		im.shape = []int{c, 0, 0}
	}
	return im.add(layers.NewPad(int(top), int(bottom), int(left), int(right), mode, value))
}

// padValues returns the pads and the constant value of Pad node n: its
// attributes up to operator set version 10, its constant inputs from 11.
func (im *importer) padValues(n *node) (pads []int64, value float64, err error) {
	if im.opset <= 10 {
		if pads, err = intsAttr(n, "pads"); err != nil {
			return nil, 0, err
		}
		if pads == nil {
			return nil, 0, fmt.Errorf("%w: Pad without pads", ErrFormat)
		}
		v, err := floatAttr(n, "value", 0)
		if err != nil {
			return nil, 0, err
		}
		value = float64(v)
	} else {
		if len(n.inputs) > 3 && n.inputs[3] != "" {
			return nil, 0, fmt.Errorf("%w: Pad with an axes input", ErrUnsupported)
		}
		if len(n.inputs) < 2 || n.inputs[1] == "" {
			return nil, 0, fmt.Errorf("%w: Pad without pads", ErrFormat)
		}
		p, err := im.constant(n.inputs[1])
		if err != nil {
			return nil, 0, err
		}
		if p == nil || p.w != nil || !p.vector {
			return nil, 0, fmt.Errorf("%w: Pad pads %q, not a constant vector of integers", ErrUnsupported, shown(n.inputs[1]))
		}
		pads = p.ints
		if len(n.inputs) > 2 && n.inputs[2] != "" {
			cv, err := im.weight(n, 2)
			if err != nil {
				return nil, 0, err
			}
			if cv.size() != 1 {
				return nil, 0, fmt.Errorf("%w: Pad constant_value %q of shape %v, not one value", ErrFormat, shown(cv.name), shownList(cv.dims))
			}
			value = cv.values(false).Data()[0]
		}
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return nil, 0, fmt.Errorf("%w: Pad value %v", ErrUnsupported, value)
	}
	return pads, value, nil
}
