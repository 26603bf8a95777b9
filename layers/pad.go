package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/tensor"
)

// PadMode says what values Pad puts around an image.
type PadMode string

// The modes of Pad, named as ONNX's Pad names them, with PyTorch's and
// numpy's names for the same.
const (
	// PadConstant pads with a constant value: PyTorch's ZeroPad2d and
	// ConstantPad2d, numpy's "constant".
	PadConstant PadMode = "constant"
	// PadReflect mirrors the image about its edge, the edge itself left
	// out (1 2 3 padded by 2 on the left is 3 2 1 2 3): PyTorch's
	// ReflectionPad2d, numpy's "reflect". A pad must be less than the
	// side it mirrors.
	PadReflect PadMode = "reflect"
	// PadEdge repeats the edge (1 2 3 padded by 2 on the left is
	// 1 1 1 2 3): PyTorch's ReplicationPad2d, numpy's "edge".
	PadEdge PadMode = "edge"
)

// valid reports whether m is one of the three modes.
func (m PadMode) valid() bool { return m == PadConstant || m == PadReflect || m == PadEdge }

// Pad is the layer that pads images (N, C, H, W) on their four sides, by
// Top and Bottom rows and Left and Right columns, to (N, C, Top + H +
// Bottom, Left + W + Right), with values that Mode says: Value, a mirror
// of the image, or its edge. It has no parameters. The zero value pads
// nothing, in PadConstant mode; the empty Mode is PadConstant.
type Pad struct {
	// Top, Bottom, Left and Right are the rows and columns added on each
	// side, none negative.
	Top, Bottom, Left, Right int
	// Mode is the values padded: PadConstant (also the empty mode),
	// PadReflect or PadEdge.
	Mode PadMode
	// Value is the value PadConstant pads with.
	Value float64

	shape    []int // the last input's
	rows     []int // for each output row, its input row, or −1 for Value
	cols     []int // for each output column, its input column, or −1
	out, dgx buffer.Reusable
}

// NewPad returns a Pad layer with the given pads (top, bottom, left,
// right), mode and value. It panics if a pad is negative, if mode is not
// one of the three, or if value is not finite.
func NewPad(top, bottom, left, right int, mode PadMode, value float64) *Pad {
	if err := checkPad(padConfig{top, bottom, left, right, string(mode), value}); err != nil {
		panic("layers: NewPad: " + err.Error())
	}
	return &Pad{Top: top, Bottom: bottom, Left: left, Right: right, Mode: mode, Value: value}
}

// checkPad returns an error naming what the configuration gets wrong.
func checkPad(cfg padConfig) error {
	switch {
	case cfg.Top < 0 || cfg.Bottom < 0 || cfg.Left < 0 || cfg.Right < 0:
		return fmt.Errorf("pads %d, %d, %d, %d: negative", cfg.Top, cfg.Bottom, cfg.Left, cfg.Right)
	case !PadMode(cfg.Mode).valid() && cfg.Mode != "":
		return fmt.Errorf("mode %q is not constant, reflect or edge", cfg.Mode)
	case math.IsNaN(cfg.Value) || math.IsInf(cfg.Value, 0):
		return fmt.Errorf("value %v is not finite", cfg.Value)
	}
	return nil
}

// source returns, for each of the before + n + after places of a padded
// side of n, the place of the input it copies, or −1 for Value.
func (p *Pad) source(dst []int, n, before, after int) []int {
	dst = dst[:0]
	for i := -before; i < n+after; i++ {
		s := i
		switch {
		case i >= 0 && i < n:
		case p.Mode == PadReflect && i < 0:
			s = -i
		case p.Mode == PadReflect:
			s = 2*(n-1) - i
		case p.Mode == PadEdge:
			s = min(max(i, 0), n-1)
		default:
			s = -1
		}
		dst = append(dst, s)
	}
	return dst
}

// Forward returns x padded: y[n, c, i, j] = x[n, c, r(i), c(j)], where r
// and c map each row and column of the output to the input's (i − Top,
// j − Left inside, mirrored or clamped outside), or Value for PadConstant
// outside. It panics if x is not 4-D, if a pad is negative or the mode
// unknown, or if PadReflect's pad is not less than the side it mirrors,
// or PadEdge pads an empty side. The result is owned by the layer and
// valid until its next Forward.
func (p *Pad) Forward(x *tensor.Tensor) *tensor.Tensor {
	if x.Dims() != 4 {
		panic(fmt.Sprintf("layers: Pad.Forward: input shape %v, not images (N, C, H, W)", x.Shape()))
	}
	if err := checkPad(padConfig{p.Top, p.Bottom, p.Left, p.Right, string(p.Mode), p.Value}); err != nil {
		panic("layers: Pad.Forward: " + err.Error())
	}
	s := x.Shape()
	n, c, h, w := s[0], s[1], s[2], s[3]
	switch {
	case p.Mode == PadReflect && (max(p.Top, p.Bottom) >= max(h, 1) || max(p.Left, p.Right) >= max(w, 1)):
		panic(fmt.Sprintf("layers: Pad.Forward: reflect pads %d, %d, %d, %d of images of %d×%d: a pad not less than its side", p.Top, p.Bottom, p.Left, p.Right, h, w))
	case p.Mode == PadEdge && (h == 0 || w == 0) && p.Top+p.Bottom+p.Left+p.Right > 0:
		panic(fmt.Sprintf("layers: Pad.Forward: edge pads of empty images of %d×%d", h, w))
	}
	p.shape = append(p.shape[:0], s...)
	p.rows = p.source(p.rows, h, p.Top, p.Bottom)
	p.cols = p.source(p.cols, w, p.Left, p.Right)
	oh, ow := len(p.rows), len(p.cols)
	y := p.out.Shaped(n, c, oh, ow)
	xs, ys := x.Data(), y.Data()
	for plane := range n * c {
		src, dst := xs[plane*h*w:(plane+1)*h*w], ys[plane*oh*ow:(plane+1)*oh*ow]
		for i, r := range p.rows {
			for j, col := range p.cols {
				if r < 0 || col < 0 {
					dst[i*ow+j] = p.Value
				} else {
					dst[i*ow+j] = src[r*w+col]
				}
			}
		}
	}
	return y
}

// Backward returns ∂L/∂x[n, c, r, k] = Σ dout[n, c, i, j] over the places
// (i, j) of the output that copy x[n, c, r, k]: the place itself, and for
// PadReflect and PadEdge its mirror images or the edge's repeats. Value
// depends on no input. It panics if dout's shape is not the last output's,
// or if Forward has not run.
func (p *Pad) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if p.shape == nil {
		panic("layers: Pad.Backward: called before Forward")
	}
	n, c, h, w := p.shape[0], p.shape[1], p.shape[2], p.shape[3]
	oh, ow := len(p.rows), len(p.cols)
	if !slices.Equal(dout.Shape(), []int{n, c, oh, ow}) {
		panic(fmt.Sprintf("layers: Pad.Backward: dout shape %v does not match output shape %v", dout.Shape(), []int{n, c, oh, ow}))
	}
	dx := p.dgx.Shaped(p.shape...)
	ds, gs := dout.Data(), dx.Data()
	clear(gs)
	for plane := range n * c {
		src, dst := ds[plane*oh*ow:(plane+1)*oh*ow], gs[plane*h*w:(plane+1)*h*w]
		for i, r := range p.rows {
			if r < 0 {
				continue
			}
			for j, col := range p.cols {
				if col >= 0 {
					dst[r*w+col] += src[i*ow+j]
				}
			}
		}
	}
	return dx
}

// Describe returns the description of kind "Pad", with its pads as "top",
// "bottom", "left" and "right", its mode as "mode" and its value as
// "value". A model file's Pad without them pads nothing, with zeros.
func (p *Pad) Describe() Description {
	mode := p.Mode
	if mode == "" {
		mode = PadConstant
	}
	return NewDescription("Pad", padConfig{p.Top, p.Bottom, p.Left, p.Right, string(mode), p.Value})
}

// Clone returns a new Pad layer with the same pads, mode and value.
func (p *Pad) Clone() Layer {
	return &Pad{Top: p.Top, Bottom: p.Bottom, Left: p.Left, Right: p.Right, Mode: p.Mode, Value: p.Value}
}

// padConfig is the configuration of Pad in a model file.
type padConfig struct {
	Top    int     `json:"top"`
	Bottom int     `json:"bottom"`
	Left   int     `json:"left"`
	Right  int     `json:"right"`
	Mode   string  `json:"mode"`
	Value  float64 `json:"value"`
}

// buildPad makes a Pad layer from pads that are not negative, a mode
// (constant when left out) and a finite value.
func buildPad(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	cfg := padConfig{Mode: string(PadConstant)}
	if err := d.Decode(&cfg); err != nil {
		return nil, err
	}
	if err := checkPad(cfg); err != nil {
		return nil, fmt.Errorf("layers: Pad: %w", err)
	}
	if len(params) != 0 {
		return nil, fmt.Errorf("layers: Pad has no tensors, the model gives %d", len(params))
	}
	return NewPad(cfg.Top, cfg.Bottom, cfg.Left, cfg.Right, PadMode(cfg.Mode), cfg.Value), nil
}
