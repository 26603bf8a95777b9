package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/internal/conv"
	"github.com/numlearn/numlearn/tensor"
)

// Pooling is the max-pooling layer of the book's §7.5: each channel of
// each image is covered by windows of PoolH×PoolW moved by a stride, and
// each window gives its largest value. The book's SimpleConvNet pools 2×2
// windows at stride 2, halving the height and width.
//
// Forward takes x of shape (N, C, H, W) and returns (N, C, OH, OW), with OH
// and OW as for Convolution. Padding, as in the book, surrounds the image
// with zeros that take part in the maximum. Backward routes each output's
// gradient to the position of its window's maximum — the first one, in
// row-major order within the window, when several are equal, as the
// book's np.argmax picks — and adds where windows overlap. It has no
// parameters.
//
// Sizes have Convolution's limits, taking each channel as an image of
// one: the window, stride, padding and the sides of the image and the
// padded image are at most 2²⁴, and one channel's padded form and the
// values its windows read, PoolH·PoolW·OH·OW, and one image's output
// C·OH·OW, are at most 2³¹ − 1. NewPooling refuses a window, stride or
// padding beyond them; Forward an input that makes a size exceed them,
// before allocating anything.
type Pooling struct {
	poolH, poolW, stride, pad int

	x       *tensor.Tensor // the last input; not owned
	y       *tensor.Tensor // the last output
	g       conv.Geometry
	out, dx buffer.Reusable
}

// NewPooling returns a max-pooling layer with windows of poolH×poolW moved
// by stride, over images padded with pad zeros on every side. It panics if
// a size or the stride is not positive, pad is negative, or any of them is
// over 2²⁴ (see Pooling for the limits on sizes).
func NewPooling(poolH, poolW, stride, pad int) *Pooling {
	if err := checkPooling(poolH, poolW, stride, pad); err != nil {
		panic("layers: NewPooling: " + err.Error())
	}
	return &Pooling{poolH: poolH, poolW: poolW, stride: stride, pad: pad}
}

// checkPooling returns what NewPooling refuses in its arguments, for it
// to panic with and for a model file's builder to return.
func checkPooling(poolH, poolW, stride, pad int) error {
	if poolH <= 0 || poolW <= 0 || stride <= 0 || pad < 0 {
		return fmt.Errorf("window %d×%d and stride %d must be positive and pad %d not negative", poolH, poolW, stride, pad)
	}
	if max(poolH, poolW, stride, pad) > conv.MaxSide {
		return fmt.Errorf("window %d×%d, stride %d and pad %d must each be at most %d", poolH, poolW, stride, pad, conv.MaxSide)
	}
	return nil
}

// Window returns the height and width of the pooling window.
func (p *Pooling) Window() (h, w int) { return p.poolH, p.poolW }

// Stride returns the step between windows.
func (p *Pooling) Stride() int { return p.stride }

// Pad returns the zero padding on each side.
func (p *Pooling) Pad() int { return p.pad }

// geometry returns the geometry of one channel of input shape s, and
// panics if it does not fit the window or a size is beyond the limits
// (conv.Geometry's Check and CheckOutput) — before anything of that size
// is allocated.
func (p *Pooling) geometry(s []int) conv.Geometry {
	if len(s) != 4 {
		panic(fmt.Sprintf("layers: Pooling.Forward: input shape %v is not (N, C, H, W)", s))
	}
	g := conv.Geometry{C: 1, H: s[2], W: s[3], FH: p.poolH, FW: p.poolW, Stride: p.stride, Pad: p.pad}
	err := g.Check()
	if err == nil {
		err = g.CheckOutput(s[0], s[1])
	}
	if err != nil {
		panic(fmt.Sprintf("layers: Pooling.Forward: input shape %v: %v", s, err))
	}
	return g
}

// Forward returns the maximum of every window, (N, C, OH, OW). The result
// is owned by the layer and valid until its next Forward. A NaN in a
// window is its maximum, as in np.max. Forward panics if x is not 4-D,
// the window does not fit the padded image, or a size is beyond
// Pooling's limits.
func (p *Pooling) Forward(x *tensor.Tensor) *tensor.Tensor {
	s := x.Shape()
	g := p.geometry(s)
	p.x, p.g = x, g
	oh, ow := g.OutH(), g.OutW()
	out := p.out.Shaped(s[0], s[1], oh, ow)
	p.y = out
	o, in := out.Data(), x.Data()
	plane := g.H * g.W
	if p.fastPath() {
		for ch := range s[0] * s[1] {
			max2x2(o[ch*oh*ow:(ch+1)*oh*ow], in[ch*plane:(ch+1)*plane], g.W, oh, ow)
		}
		return out
	}
	for ch := range s[0] * s[1] {
		src := in[ch*plane : (ch+1)*plane]
		dst := o[ch*oh*ow : (ch+1)*oh*ow]
		for y := range oh {
			for x := range ow {
				if at := p.argmax(src, y, x); at != zeroPad {
					dst[y*ow+x] = src[at]
				} else {
					dst[y*ow+x] = 0
				}
			}
		}
	}
	return out
}

// fastPath reports whether the windows are 2×2 at stride 2 without
// padding, the book's pooling, which has loops of its own: the windows
// tile the image, and none reads padding.
func (p *Pooling) fastPath() bool {
	return p.poolH == 2 && p.poolW == 2 && p.stride == 2 && p.pad == 0
}

// zeroPad is the position argmax returns for a maximum that lies in the
// padding, whose value is 0.
const zeroPad = -1

// argmax returns the index in src, one channel of g, of the first maximum
// of output (y, x)'s window, or zeroPad if it is a padding zero. NaN is
// larger than anything, as np.argmax has it.
func (p *Pooling) argmax(src []float64, y, x int) int {
	g := p.g
	best, at := 0.0, zeroPad
	first := true
	for i := range g.FH {
		iy := y*g.Stride + i - g.Pad
		for j := range g.FW {
			ix := x*g.Stride + j - g.Pad
			v, idx := 0.0, zeroPad
			if iy >= 0 && iy < g.H && ix >= 0 && ix < g.W {
				idx = iy*g.W + ix
				v = src[idx]
			}
			if first || v > best || (v != v && best == best) {
				best, at, first = v, idx, false
			}
		}
	}
	return at
}

// Backward returns ∂L/∂x: each output's gradient dout goes to its window's
// first maximum in the last input, and the rest of dx is zero. It panics
// if dout's shape is not that of the last output, or if Forward has not
// run.
func (p *Pooling) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if p.x == nil {
		panic("layers: Pooling.Backward: called before Forward")
	}
	s, g := p.x.Shape(), p.g
	oh, ow := g.OutH(), g.OutW()
	if ds := dout.Shape(); len(ds) != 4 || ds[0] != s[0] || ds[1] != s[1] || ds[2] != oh || ds[3] != ow {
		panic(fmt.Sprintf("layers: Pooling.Backward: dout shape %v does not match output shape [%d %d %d %d]", ds, s[0], s[1], oh, ow))
	}
	dx := p.dx.Shaped(s...)
	in, y, d, gx := p.x.Data(), p.y.Data(), dout.Data(), dx.Data()
	plane := g.H * g.W
	if p.fastPath() {
		for ch := range s[0] * s[1] {
			route2x2(gx[ch*plane:(ch+1)*plane], in[ch*plane:(ch+1)*plane], y[ch*oh*ow:(ch+1)*oh*ow], d[ch*oh*ow:(ch+1)*oh*ow], g.W, oh, ow)
		}
		return dx
	}
	clear(gx)
	for ch := range s[0] * s[1] {
		src := in[ch*plane : (ch+1)*plane]
		dst := gx[ch*plane : (ch+1)*plane]
		dd := d[ch*oh*ow : (ch+1)*oh*ow]
		for y := range oh {
			for x := range ow {
				if at := p.argmax(src, y, x); at != zeroPad {
					dst[at] += dd[y*ow+x]
				}
			}
		}
	}
	return dx
}

// Clone returns a new Pooling layer with the same window, stride and
// padding (it has no parameters to copy).
func (p *Pooling) Clone() Layer { return NewPooling(p.poolH, p.poolW, p.stride, p.pad) }

// poolingConfig is Pooling's configuration in a model file.
type poolingConfig struct {
	Height int `json:"height"`
	Width  int `json:"width"`
	Stride int `json:"stride"`
	Pad    int `json:"pad"`
}

// Describe returns the description of kind "Pooling", with its window,
// stride and padding.
func (p *Pooling) Describe() Description {
	return NewDescription("Pooling", poolingConfig{Height: p.poolH, Width: p.poolW, Stride: p.stride, Pad: p.pad})
}

// buildPooling makes a Pooling layer from its configuration.
func buildPooling(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	var cfg poolingConfig
	if err := d.Decode(&cfg); err != nil {
		return nil, err
	}
	if err := checkPooling(cfg.Height, cfg.Width, cfg.Stride, cfg.Pad); err != nil {
		return nil, fmt.Errorf("layers: Pooling: %w", err)
	}
	if err := wantTensors("Pooling", params); err != nil {
		return nil, err
	}
	return NewPooling(cfg.Height, cfg.Width, cfg.Stride, cfg.Pad), nil
}

// max2x2 writes the maximum of each 2×2 block of one channel src of width
// w into dst (oh, ow). An odd last row or column is not covered, as with
// the general windows. Go's max is NaN when an operand is, as np.max.
func max2x2(dst, src []float64, w, oh, ow int) {
	for y := range oh {
		r0 := src[2*y*w : 2*y*w+2*ow]
		r1 := src[(2*y+1)*w : (2*y+1)*w+2*ow]
		d := dst[y*ow : (y+1)*ow]
		for x := range d {
			d[x] = max(max(r0[2*x], r0[2*x+1]), max(r1[2*x], r1[2*x+1]))
		}
	}
}

// route2x2 writes the gradient of max2x2 into dst, one channel of width
// w, given the block maxima out that max2x2 wrote: each block's dout at
// its first maximum in row-major order, zero elsewhere, and zero in an odd
// last row or column.
func route2x2(dst, src, out, dout []float64, w, oh, ow int) {
	h := len(dst) / w
	for y := range oh {
		r0 := src[2*y*w : 2*y*w+2*ow]
		r1 := src[(2*y+1)*w : (2*y+1)*w+2*ow]
		g := dst[2*y*w : (2*y+2)*w] // rows 2y and 2y+1
		m, d := out[y*ow:(y+1)*ow], dout[y*ow:(y+1)*ow]
		for x, v := range d {
			a, b, c, e := r0[2*x], r0[2*x+1], r1[2*x], r1[2*x+1]
			off := conv.FirstMax(a, b, c, e, m[x], w) // the first maximum, or NaN, as np.argmax
			g[2*x], g[2*x+1], g[w+2*x], g[w+2*x+1] = 0, 0, 0, 0
			g[2*x+off] = v
		}
		clear(g[2*ow : w])
		clear(g[w+2*ow:])
	}
	clear(dst[2*oh*w : h*w])
}
