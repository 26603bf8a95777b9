package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/internal/conv"
	"github.com/numlearn/numlearn/tensor"
)

// MaxPool is max pooling as ONNX's MaxPool and PyTorch's MaxPool2d
// compute it: each channel of each image is covered by windows of KH×KW
// moved by a stride over the image padded by pad on every side, and each
// window gives the largest image value it covers. The padding never wins:
// it acts as −∞. ResNet's stem pools 3×3 windows at stride 2 with pad 1.
//
// Forward takes x of shape (N, C, H, W) and returns (N, C, OH, OW), with
//
//	OH = (H + 2·pad − KH)/stride + 1    OW = (W + 2·pad − KW)/stride + 1
//
// and out[n][c][y][x] = max x[n][c][y·stride+i−pad][x·stride+j−pad] over
// the window's positions inside the image. Backward routes each output's
// gradient to the position of its window's maximum — the first one, in
// row-major order within the window, when several are equal — and adds
// where windows overlap.
//
// The book's Pooling differs only in its padding, which is zeros that
// take part in the maximum: a window on the border whose image values are
// all negative gives 0 there, and its gradient goes nowhere, where MaxPool
// gives the largest of those values and routes the gradient to it. Without
// padding the two layers compute the same maxima and gradients. A NaN in a
// window is its maximum in both, as in np.max and PyTorch.
//
// The padding is less than each side of the window, so that every window
// covers part of the image (PyTorch asks at most half). Other sizes have
// Pooling's limits: the window, stride, padding and the sides of the image
// and the padded image are at most 2²⁴, and one channel's padded form and
// the values its windows read, KH·KW·OH·OW, and one image's output
// C·OH·OW, are at most 2³¹ − 1. NewMaxPool refuses a window, stride or
// padding beyond them; Forward an input that makes a size exceed them,
// before allocating anything. MaxPool has no parameters.
type MaxPool struct {
	kh, kw, stride, pad int

	x       *tensor.Tensor // the last input; not owned
	g       conv.Geometry  // one channel of it
	arg     []int32        // each output's maximum, its position in its channel
	out, dx buffer.Reusable
}

// NewMaxPool returns a max-pooling layer with windows of kh×kw moved by
// stride over images padded with pad on every side, the padding taking no
// part in the maximum. It panics if a size or the stride is not positive,
// pad is negative or not less than kh and kw, or any of them is over 2²⁴
// (see MaxPool for the limits).
func NewMaxPool(kh, kw, stride, pad int) *MaxPool {
	if err := checkWindow(kh, kw, stride, pad); err != nil {
		panic("layers: NewMaxPool: " + err.Error())
	}
	return &MaxPool{kh: kh, kw: kw, stride: stride, pad: pad}
}

// Window returns the height and width of the pooling window.
func (p *MaxPool) Window() (h, w int) { return p.kh, p.kw }

// Stride returns the step between windows.
func (p *MaxPool) Stride() int { return p.stride }

// Pad returns the padding on each side.
func (p *MaxPool) Pad() int { return p.pad }

// Forward returns the maximum of every window's image values,
// (N, C, OH, OW), and remembers where each is for Backward. The result is
// owned by the layer and valid until its next Forward. It panics if x is
// not 4-D, the window does not fit the padded image, or a size is beyond
// MaxPool's limits.
func (p *MaxPool) Forward(x *tensor.Tensor) *tensor.Tensor {
	s := x.Shape()
	g := poolGeometry("MaxPool", s, p.kh, p.kw, p.stride, p.pad)
	p.x, p.g = x, g
	oh, ow := g.OutH(), g.OutW()
	out := p.out.Shaped(s[0], s[1], oh, ow)
	in, o := x.Data(), out.Data()
	if n := out.Size(); cap(p.arg) < n {
		p.arg = make([]int32, n)
	} else {
		p.arg = p.arg[:n]
	}
	plane := g.H * g.W
	for ch := range s[0] * s[1] {
		src := in[ch*plane : (ch+1)*plane]
		dst := o[ch*oh*ow : (ch+1)*oh*ow]
		arg := p.arg[ch*oh*ow : (ch+1)*oh*ow]
		for oy := range oh {
			y0, y1 := poolSpan(oy, g.Stride, g.Pad, g.FH, g.H)
			for ox := range ow {
				x0, x1 := poolSpan(ox, g.Stride, g.Pad, g.FW, g.W)
				at := windowArgMax(src, g.W, y0, y1, x0, x1)
				dst[oy*ow+ox], arg[oy*ow+ox] = src[at], int32(at) // a channel has fewer than 2³¹ positions
			}
		}
	}
	return out
}

// windowArgMax returns the index in src, a channel of width w, of the
// first maximum of rows [y0, y1) and columns [x0, x1), a window that is
// not empty. NaN is larger than anything, as np.argmax has it.
func windowArgMax(src []float64, w, y0, y1, x0, x1 int) int {
	at := y0*w + x0
	best := src[at]
	for iy := y0; iy < y1; iy++ {
		for k, v := range src[iy*w+x0 : iy*w+x1] {
			if v > best || (v != v && best == best) {
				best, at = v, iy*w+x0+k
			}
		}
	}
	return at
}

// Backward returns ∂L/∂x: each output's gradient dout goes to its window's
// first maximum in the last input, and adds up where windows share it;
// the rest of dx is zero. It panics if dout's shape is not that of the
// last output, or if Forward has not run.
func (p *MaxPool) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if p.x == nil {
		panic("layers: MaxPool.Backward: called before Forward")
	}
	s, g := p.x.Shape(), p.g
	oh, ow := g.OutH(), g.OutW()
	checkPoolDout("MaxPool", dout, s, oh, ow)
	dx := p.dx.Shaped(s...)
	d, gx := dout.Data(), dx.Data()
	clear(gx)
	plane := g.H * g.W
	for ch := range s[0] * s[1] {
		dst := gx[ch*plane : (ch+1)*plane]
		for k, at := range p.arg[ch*oh*ow : (ch+1)*oh*ow] {
			dst[at] += d[ch*oh*ow+k]
		}
	}
	return dx
}

// Clone returns a new MaxPool layer with the same window, stride and
// padding (it has no parameters to copy).
func (p *MaxPool) Clone() Layer { return NewMaxPool(p.kh, p.kw, p.stride, p.pad) }

// Describe returns the description of kind "MaxPool", with its window,
// stride and padding, named as Pooling's.
func (p *MaxPool) Describe() Description {
	return NewDescription("MaxPool", poolingConfig{Height: p.kh, Width: p.kw, Stride: p.stride, Pad: p.pad})
}

// buildMaxPool makes a MaxPool layer from its configuration.
func buildMaxPool(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	var cfg poolingConfig
	if err := d.Decode(&cfg); err != nil {
		return nil, err
	}
	if err := checkWindow(cfg.Height, cfg.Width, cfg.Stride, cfg.Pad); err != nil {
		return nil, fmt.Errorf("layers: MaxPool: %w", err)
	}
	if err := wantTensors("MaxPool", params); err != nil {
		return nil, err
	}
	return NewMaxPool(cfg.Height, cfg.Width, cfg.Stride, cfg.Pad), nil
}
