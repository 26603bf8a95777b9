package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/internal/conv"
	"github.com/numlearn/numlearn/tensor"
)

// AvgPool is average pooling, as ONNX's AveragePool and PyTorch's
// AvgPool2d compute it: each channel of each image is covered by windows
// of KH×KW moved by a stride over the image padded by pad on every side,
// and each window gives the mean of what it covers.
//
// Forward takes x of shape (N, C, H, W) and returns (N, C, OH, OW), with
//
//	OH = (H + 2·pad − KH)/stride + 1    OW = (W + 2·pad − KW)/stride + 1
//
// and out[n][c][y][x] = Σ x[n][c][y·stride+i−pad][x·stride+j−pad] / count,
// the sum over the window's positions inside the image. With
// CountIncludePad the padding counts as zeros, count = KH·KW (PyTorch's
// default, count_include_pad=True); without it count is the number of the
// window's positions inside the image, so that a window on the border is
// the mean of the image values alone (ONNX's default, count_include_pad
// = 0). Without padding the two agree. The padding is pad on every side:
// the asymmetric pads ONNX allows are not supported.
//
// The padding is less than each side of the window, so that every window
// covers part of the image (PyTorch asks at most half). Other sizes have
// Pooling's limits: the window, stride, padding and the sides of the image
// and the padded image are at most 2²⁴, and one channel's padded form and
// the values its windows read, KH·KW·OH·OW, and one image's output
// C·OH·OW, are at most 2³¹ − 1. NewAvgPool refuses a window, stride or
// padding beyond them; Forward an input that makes a size exceed them,
// before allocating anything. AvgPool has no parameters.
type AvgPool struct {
	kh, kw, stride, pad int
	countIncludePad     bool

	x       *tensor.Tensor // the last input; not owned
	g       conv.Geometry  // one channel of it
	out, dx buffer.Reusable
}

// NewAvgPool returns an average-pooling layer with windows of kh×kw moved
// by stride over images padded with pad on every side, whose padding
// counts in each window's mean when countIncludePad is true. It panics if
// a size or the stride is not positive, pad is negative or not less than
// kh and kw, or any of them is over 2²⁴ (see AvgPool for the limits).
func NewAvgPool(kh, kw, stride, pad int, countIncludePad bool) *AvgPool {
	if err := checkWindow(kh, kw, stride, pad); err != nil {
		panic("layers: NewAvgPool: " + err.Error())
	}
	return &AvgPool{kh: kh, kw: kw, stride: stride, pad: pad, countIncludePad: countIncludePad}
}

// checkWindow returns what NewAvgPool and NewMaxPool refuse in their
// arguments: Pooling's limits, and a padding that a window could lie in
// entirely.
func checkWindow(kh, kw, stride, pad int) error {
	if err := checkPooling(kh, kw, stride, pad); err != nil {
		return err
	}
	if pad >= kh || pad >= kw {
		return fmt.Errorf("pad %d must be less than the window %d×%d", pad, kh, kw)
	}
	return nil
}

// Window returns the height and width of the pooling window.
func (p *AvgPool) Window() (h, w int) { return p.kh, p.kw }

// Stride returns the step between windows.
func (p *AvgPool) Stride() int { return p.stride }

// Pad returns the padding on each side.
func (p *AvgPool) Pad() int { return p.pad }

// CountIncludePad reports whether the padding counts in each window's
// mean.
func (p *AvgPool) CountIncludePad() bool { return p.countIncludePad }

// poolGeometry returns the geometry of one channel of input shape s under
// a window of kh×kw, and panics, naming layer, if s is not (N, C, H, W),
// the window does not fit the padded image, or a size is beyond the limits
// (conv.Geometry's Check and CheckOutput) — before anything of that size
// is allocated.
func poolGeometry(layer string, s []int, kh, kw, stride, pad int) conv.Geometry {
	if len(s) != 4 {
		panic(fmt.Sprintf("layers: %s.Forward: input shape %v is not (N, C, H, W)", layer, s))
	}
	g := conv.Geometry{C: 1, H: s[2], W: s[3], FH: kh, FW: kw, Stride: stride, Pad: pad}
	err := g.Check()
	if err == nil {
		err = g.CheckOutput(s[0], s[1])
	}
	if err != nil {
		panic(fmt.Sprintf("layers: %s.Forward: input shape %v: %v", layer, s, err))
	}
	return g
}

// poolSpan returns the rows [lo, hi) of an image of n rows that the window
// of k rows at output row y covers, leaving out the padding:
// [y·stride − pad, y·stride − pad + k) ∩ [0, n). With pad < k and a
// geometry that passed Check, it is never empty. The same holds for
// columns.
func poolSpan(y, stride, pad, k, n int) (lo, hi int) {
	lo = y*stride - pad
	return max(lo, 0), min(lo+k, n)
}

// Forward returns the mean of every window, (N, C, OH, OW):
//
//	out = Σ_window x / count,  count = KH·KW with CountIncludePad, else the positions inside the image.
//
// The result is owned by the layer and valid until its next Forward. It
// panics if x is not 4-D, the window does not fit the padded image, or a
// size is beyond AvgPool's limits.
func (p *AvgPool) Forward(x *tensor.Tensor) *tensor.Tensor {
	s := x.Shape()
	g := poolGeometry("AvgPool", s, p.kh, p.kw, p.stride, p.pad)
	p.x, p.g = x, g
	oh, ow := g.OutH(), g.OutW()
	out := p.out.Shaped(s[0], s[1], oh, ow)
	in, o := x.Data(), out.Data()
	plane := g.H * g.W
	for ch := range s[0] * s[1] {
		src := in[ch*plane : (ch+1)*plane]
		dst := o[ch*oh*ow : (ch+1)*oh*ow]
		for oy := range oh {
			y0, y1 := poolSpan(oy, g.Stride, g.Pad, g.FH, g.H)
			for ox := range ow {
				x0, x1 := poolSpan(ox, g.Stride, g.Pad, g.FW, g.W)
				var sum float64
				for iy := y0; iy < y1; iy++ {
					for _, v := range src[iy*g.W+x0 : iy*g.W+x1] {
						sum += v
					}
				}
				dst[oy*ow+ox] = sum / p.count(y1-y0, x1-x0)
			}
		}
	}
	return out
}

// count returns the divisor of a window that covers rows×cols positions
// of the image.
func (p *AvgPool) count(rows, cols int) float64 {
	if p.countIncludePad {
		return float64(p.kh * p.kw)
	}
	return float64(rows * cols)
}

// Backward returns ∂L/∂x: every position inside a window receives that
// window's dout / count, and positions in several windows the sum,
//
//	∂L/∂x[n][c][h][w] = Σ_{windows ∋ (h, w)} dout[n][c][y][x] / count(y, x).
//
// It panics if dout's shape is not that of the last output, or if Forward
// has not run.
func (p *AvgPool) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if p.x == nil {
		panic("layers: AvgPool.Backward: called before Forward")
	}
	s, g := p.x.Shape(), p.g
	oh, ow := g.OutH(), g.OutW()
	checkPoolDout("AvgPool", dout, s, oh, ow)
	dx := p.dx.Shaped(s...)
	d, gx := dout.Data(), dx.Data()
	clear(gx)
	plane := g.H * g.W
	for ch := range s[0] * s[1] {
		dst := gx[ch*plane : (ch+1)*plane]
		dd := d[ch*oh*ow : (ch+1)*oh*ow]
		for oy := range oh {
			y0, y1 := poolSpan(oy, g.Stride, g.Pad, g.FH, g.H)
			for ox := range ow {
				x0, x1 := poolSpan(ox, g.Stride, g.Pad, g.FW, g.W)
				v := dd[oy*ow+ox] / p.count(y1-y0, x1-x0)
				for iy := y0; iy < y1; iy++ {
					row := dst[iy*g.W+x0 : iy*g.W+x1]
					for k := range row {
						row[k] += v
					}
				}
			}
		}
	}
	return dx
}

// checkPoolDout panics, naming layer, unless dout is (N, C, oh, ow) for
// an input of shape s.
func checkPoolDout(layer string, dout *tensor.Tensor, s []int, oh, ow int) {
	if ds := dout.Shape(); len(ds) != 4 || ds[0] != s[0] || ds[1] != s[1] || ds[2] != oh || ds[3] != ow {
		panic(fmt.Sprintf("layers: %s.Backward: dout shape %v does not match output shape [%d %d %d %d]", layer, ds, s[0], s[1], oh, ow))
	}
}

// Clone returns a new AvgPool layer with the same settings (it has no
// parameters to copy).
func (p *AvgPool) Clone() Layer {
	return NewAvgPool(p.kh, p.kw, p.stride, p.pad, p.countIncludePad)
}

// avgPoolConfig is AvgPool's configuration in a model file.
type avgPoolConfig struct {
	Height          int  `json:"height"`
	Width           int  `json:"width"`
	Stride          int  `json:"stride"`
	Pad             int  `json:"pad"`
	CountIncludePad bool `json:"count_include_pad"`
}

// Describe returns the description of kind "AvgPool", with its window,
// stride, padding and count_include_pad.
func (p *AvgPool) Describe() Description {
	return NewDescription("AvgPool", avgPoolConfig{Height: p.kh, Width: p.kw, Stride: p.stride, Pad: p.pad, CountIncludePad: p.countIncludePad})
}

// buildAvgPool makes an AvgPool layer from its configuration.
func buildAvgPool(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	var cfg avgPoolConfig
	if err := d.Decode(&cfg); err != nil {
		return nil, err
	}
	if err := checkWindow(cfg.Height, cfg.Width, cfg.Stride, cfg.Pad); err != nil {
		return nil, fmt.Errorf("layers: AvgPool: %w", err)
	}
	if err := wantTensors("AvgPool", params); err != nil {
		return nil, err
	}
	return NewAvgPool(cfg.Height, cfg.Width, cfg.Stride, cfg.Pad, cfg.CountIncludePad), nil
}

// GlobalAvgPool averages each channel of each image over all its
// positions, as ONNX's GlobalAveragePool and PyTorch's
// AdaptiveAvgPool2d(1) do: Forward takes x of shape (N, C, H, W) and
// returns (N, C, 1, 1) with
//
//	out[n][c] = Σ_{h,w} x[n][c][h][w] / (H·W).
//
// It is the pooling before a classifier's last Affine in ResNet and its
// kin, whatever the size of the image. The zero value is ready to use; it
// has no parameters.
type GlobalAvgPool struct {
	x       *tensor.Tensor // the last input; not owned
	out, dx buffer.Reusable
}

// Forward returns the mean of every channel, (N, C, 1, 1). The result is
// owned by the layer and valid until its next Forward. It panics if x is
// not 4-D or has no positions (H or W is 0).
func (p *GlobalAvgPool) Forward(x *tensor.Tensor) *tensor.Tensor {
	s := x.Shape()
	if len(s) != 4 || s[2] == 0 || s[3] == 0 {
		panic(fmt.Sprintf("layers: GlobalAvgPool.Forward: input shape %v is not (N, C, H, W) with positive H and W", s))
	}
	p.x = x
	out := p.out.Shaped(s[0], s[1], 1, 1)
	in, o := x.Data(), out.Data()
	plane := s[2] * s[3]
	for ch := range o {
		var sum float64
		for _, v := range in[ch*plane : (ch+1)*plane] {
			sum += v
		}
		o[ch] = sum / float64(plane)
	}
	return out
}

// Backward returns ∂L/∂x = dout[n][c] / (H·W) at every position of
// channel c of image n. It panics if dout's shape is not that of the last
// output, (N, C, 1, 1), or if Forward has not run.
func (p *GlobalAvgPool) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if p.x == nil {
		panic("layers: GlobalAvgPool.Backward: called before Forward")
	}
	s := p.x.Shape()
	checkPoolDout("GlobalAvgPool", dout, s, 1, 1)
	dx := p.dx.Shaped(s...)
	gx := dx.Data()
	plane := s[2] * s[3]
	for ch, v := range dout.Data() {
		v /= float64(plane)
		row := gx[ch*plane : (ch+1)*plane]
		for k := range row {
			row[k] = v
		}
	}
	return dx
}

// Clone returns a new GlobalAvgPool (it has no parameters to copy).
func (p *GlobalAvgPool) Clone() Layer { return &GlobalAvgPool{} }

// Describe returns the description of kind "GlobalAvgPool", which has no
// configuration.
func (p *GlobalAvgPool) Describe() Description { return Description{Kind: "GlobalAvgPool"} }
