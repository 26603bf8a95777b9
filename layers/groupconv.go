package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/internal/conv"
	"github.com/numlearn/numlearn/tensor"
)

// GroupedConvolution is a 2-D convolution with groups and dilation, as
// ONNX's Conv (attributes group and dilations) and PyTorch's Conv2d
// (groups, dilation) compute it. The input's C channels are split into
// Groups consecutive blocks of C/Groups, the FN filters likewise into
// blocks of FN/Groups, and each block of filters sees only its block of
// channels; Groups = C is a depthwise convolution (MobileNet's), each
// channel filtered on its own. The kernel's taps are Dilation apart, so a
// KH×KW kernel covers (KH−1)·Dilation + 1 rows and (KW−1)·Dilation + 1
// columns (atrous convolution, DeepLab's).
//
// W is (FN, C/Groups, KH, KW), the layout ONNX and PyTorch store, and B is
// (FN). Forward takes x of shape (N, C, H, W) and returns (N, FN, OH, OW),
// where, with d the dilation,
//
//	OH = (H + 2·pad − d·(KH−1) − 1)/stride + 1    OW = (W + 2·pad − d·(KW−1) − 1)/stride + 1
//
// and, for filter f in group γ = f/(FN/Groups) and Cg = C/Groups,
//
//	out[n][f][y][x] = B[f] + Σ_{c<Cg,i,j} W[f][c][i][j]·x[n][γ·Cg + c][y·stride + i·d − pad][x·stride + j·d − pad],
//
// reading 0 in the padding, which is pad on every side: the asymmetric
// pads ONNX allows are not supported.
//
// Each group of each image is unfolded (im2col, with taps d apart) and
// multiplied with its block of filters on the engine tensor uses, and a
// batch's images are shared among the cores as Convolution shares them.
// With Groups = 1 and Dilation = 1 it computes what the book's
// Convolution computes, with the same W and B; Convolution is the fast
// path there (an unfolding in the kernels' own layout, the fused
// convolution-ReLU-pooling block, no input gradient for a first layer),
// so use it for such layers.
//
// Sizes have Convolution's limits: the stride, the padding, the dilation,
// the sides of the kernel, of the dilated kernel, of the image and of the
// padded image are at most 2²⁴, and one image's padded form
// C·(H+2·pad)·(W+2·pad), one group's unfolding (C/Groups)·KH·KW·OH·OW and
// the output FN·OH·OW are at most 2³¹ − 1 values each.
// NewGroupedConvolution refuses settings beyond them; Forward an input
// that makes a size exceed them, before allocating anything.
type GroupedConvolution struct {
	W, B   *tensor.Tensor // the filters (FN, C/Groups, KH, KW) and biases (FN)
	DW, DB *tensor.Tensor // ∂L/∂W and ∂L/∂B from the last Backward

	stride, pad, dilation, groups int
	packed                        bool // the pass in progress runs on tensor's Packed engine

	x       *tensor.Tensor  // the last input; not owned
	g       dilatedGeometry // one group of one image of it
	out, dx buffer.Reusable
	job     convJob
	// The data of the pass in progress, for the participants.
	outData, dout, dxData []float64
}

// NewGroupedConvolution returns a convolution with filters w
// (FN, C/groups, KH, KW) and biases b (FN), used themselves, not copied,
// moving by stride over images padded with pad zeros on every side, with
// kernel taps dilation apart and the channels and filters split into
// groups; its gradients start at zero. It panics if w is not 4-D with
// positive sides, b's shape is not (FN), FN is not a positive multiple of
// groups, stride, dilation or groups is not positive, pad is negative, or
// a size is over 2²⁴ (see GroupedConvolution for the limits).
func NewGroupedConvolution(w, b *tensor.Tensor, stride, pad, dilation, groups int) *GroupedConvolution {
	if err := checkGroupedConvolution(w, b, stride, pad, dilation, groups); err != nil {
		panic("layers: NewGroupedConvolution: " + err.Error())
	}
	return &GroupedConvolution{
		W: w, B: b, DW: tensor.New(w.Shape()...), DB: tensor.New(b.Shape()...),
		stride: stride, pad: pad, dilation: dilation, groups: groups,
	}
}

// checkGroupedConvolution returns what NewGroupedConvolution refuses in
// its arguments, for it to panic with and for a model file's builder to
// return.
func checkGroupedConvolution(w, b *tensor.Tensor, stride, pad, dilation, groups int) error {
	if w.Dims() != 4 || b.Dims() != 1 || b.Shape()[0] != w.Shape()[0] {
		return fmt.Errorf("W shape %v and b shape %v do not fit (FN, C/groups, KH, KW) and (FN)", w.Shape(), b.Shape())
	}
	ws := w.Shape()
	switch kh, kw := ws[2], ws[3]; {
	case ws[1] <= 0 || kh <= 0 || kw <= 0:
		return fmt.Errorf("W shape %v has no channels or an empty kernel", ws)
	case groups <= 0 || ws[0] <= 0 || ws[0]%groups != 0:
		return fmt.Errorf("%d filters must be a positive multiple of groups %d", ws[0], groups)
	case stride <= 0 || dilation <= 0 || pad < 0:
		return fmt.Errorf("stride %d and dilation %d must be positive and pad %d not negative", stride, dilation, pad)
	case max(kh, kw, stride, pad, dilation) > conv.MaxSide:
		return fmt.Errorf("kernel %d×%d, stride %d, pad %d and dilation %d must each be at most %d", kh, kw, stride, pad, dilation, conv.MaxSide)
	case max(dilatedSide(kh, dilation), dilatedSide(kw, dilation)) > conv.MaxSide:
		return fmt.Errorf("kernel %d×%d at dilation %d covers %d×%d, a side over %d", kh, kw, dilation,
			dilatedSide(kh, dilation), dilatedSide(kw, dilation), conv.MaxSide)
	}
	return nil
}

// dilatedSide returns the rows a kernel of k rows covers with taps d
// apart, (k − 1)·d + 1; for k and d at most 2²⁴ it cannot overflow.
func dilatedSide(k, d int) int { return (k-1)*d + 1 }

// Stride returns the step between windows.
func (c *GroupedConvolution) Stride() int { return c.stride }

// Pad returns the zero padding on each side.
func (c *GroupedConvolution) Pad() int { return c.pad }

// Dilation returns the distance between the kernel's taps, 1 for a plain
// convolution.
func (c *GroupedConvolution) Dilation() int { return c.dilation }

// Groups returns the number of groups the channels and filters are split
// into.
func (c *GroupedConvolution) Groups() int { return c.groups }

// dilatedGeometry is the shape of the convolution of one group of one
// image: C channels of H×W (the group's), a kernel of KH×KW whose taps are
// Dilation apart, the stride, the padding and the output OH×OW.
type dilatedGeometry struct {
	C, H, W, KH, KW, Stride, Pad, Dilation, OH, OW int
}

// colRows returns the rows of the group's unfolding, C·KH·KW.
func (g dilatedGeometry) colRows() int { return g.C * g.KH * g.KW }

// colCols returns the columns of the unfolding, OH·OW.
func (g dilatedGeometry) colCols() int { return g.OH * g.OW }

// geometry returns the geometry of one group of input shape s, and panics
// if s is not (N, C, H, W) with W's channels times the groups, the dilated
// kernel does not fit the padded image, or a size is beyond the limits —
// before anything of that size is allocated.
func (c *GroupedConvolution) geometry(s []int) dilatedGeometry {
	ws := c.W.Shape()
	if len(s) != 4 || s[1] != ws[1]*c.groups { // ws[1]·groups ≤ W's size: no overflow
		panic(fmt.Sprintf("layers: GroupedConvolution.Forward: input shape %v does not fit W shape %v in %d groups: want (N, %d, H, W)", s, ws, c.groups, ws[1]*c.groups))
	}
	g := conv.Geometry{C: s[1], H: s[2], W: s[3], FH: dilatedSide(ws[2], c.dilation), FW: dilatedSide(ws[3], c.dilation), Stride: c.stride, Pad: c.pad}
	err := checkDilated(g, ws[1], ws[2], ws[3])
	if err == nil {
		err = g.CheckOutput(s[0], ws[0])
	}
	if err != nil {
		panic(fmt.Sprintf("layers: GroupedConvolution.Forward: input shape %v, W shape %v: %v", s, ws, err))
	}
	return dilatedGeometry{C: ws[1], H: s[2], W: s[3], KH: ws[2], KW: ws[3], Stride: c.stride, Pad: c.pad, Dilation: c.dilation, OH: g.OutH(), OW: g.OutW()}
}

// checkDilated is conv.Geometry's Check for g, whose window FH×FW is the
// dilated kernel's span (at most conv.MaxSide, as the constructor
// ensures), with the unfolding counted as it is made: cg channels of
// kh×kw taps, not the span's FH·FW positions.
func checkDilated(g conv.Geometry, cg, kh, kw int) error {
	switch {
	case g.H <= 0 || g.W <= 0:
		return fmt.Errorf("image %d×%d must be positive", g.H, g.W)
	case max(g.H, g.W) > conv.MaxSide:
		return fmt.Errorf("image %d×%d must have sides of at most %d", g.H, g.W, conv.MaxSide)
	}
	// Each term is at most MaxSide = 2²⁴: the sums fit any int.
	hp, wp := g.H+2*g.Pad, g.W+2*g.Pad
	switch {
	case hp > conv.MaxSide || wp > conv.MaxSide:
		return fmt.Errorf("the padded image %d×%d has a side over %d", hp, wp, conv.MaxSide)
	case g.FH > hp || g.FW > wp:
		return fmt.Errorf("the dilated kernel %d×%d is larger than the padded image %d×%d", g.FH, g.FW, hp, wp)
	case !conv.Within(conv.MaxValues, g.C, hp, wp):
		return fmt.Errorf("the padded image %d×%d×%d has more than %d values", g.C, hp, wp, conv.MaxValues)
	case !conv.Within(conv.MaxValues, cg, kh, kw, g.OutH(), g.OutW()):
		return fmt.Errorf("windows of %d×%d×%d at %d×%d positions read more than %d values", cg, kh, kw, g.OutH(), g.OutW(), conv.MaxValues)
	}
	return nil
}

// flops returns the multiply-adds of one pass over n images, doubled, or
// about MaxInt/2 if there are more: W.Size() per output position.
func (c *GroupedConvolution) flops(n int) int {
	f := 2 * float64(n) * float64(c.W.Size()) * float64(c.g.colCols())
	return int(min(f, math.MaxInt/2))
}

// Forward returns the convolution of x (N, C, H, W) with the filters plus
// the biases, (N, FN, OH, OW); per image and group γ,
//
//	out_γ = W_γ·col_γ + b_γ
//
// with W_γ the group's filters flattened to (FN/Groups, C/Groups·KH·KW)
// and col_γ the unfolding of its channels, (C/Groups·KH·KW, OH·OW). The
// result is owned by the layer and valid until its next Forward. It
// panics if x is not 4-D with C/Groups·Groups channels, the dilated
// kernel does not fit the padded image, or a size is beyond the limits.
func (c *GroupedConvolution) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := c.geometry(x.Shape())
	c.x, c.g, c.packed = x, g, tensor.CurrentEngine() == tensor.Packed
	n := x.Shape()[0]
	out := c.out.Shaped(n, c.W.Shape()[0], g.OH, g.OW)
	c.outData = out.Data()
	c.job.run(c, passForward, n, c.flops(n), [3]int{g.colRows() * g.colCols()}, 0, 0)
	c.outData = nil
	return out
}

// Backward takes dout = ∂L/∂out, fills DW and DB and returns dx = ∂L/∂x.
// Per image and group γ, with col_γ its unfolding:
//
//	∂L/∂W_γ = Σ_n dout_γ·col_γᵀ    ∂L/∂b = Σ_{n,y,x} dout    ∂L/∂x_γ = col2im(W_γᵀ·dout_γ)
//
// DW and DB are overwritten, not accumulated. Backward panics if dout's
// shape is not that of the last output, or if Forward has not run.
func (c *GroupedConvolution) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if c.x == nil {
		panic("layers: GroupedConvolution.Backward: called before Forward")
	}
	n, fn, g := c.x.Shape()[0], c.W.Shape()[0], c.g
	if s := dout.Shape(); len(s) != 4 || s[0] != n || s[1] != fn || s[2] != g.OH || s[3] != g.OW {
		panic(fmt.Sprintf("layers: GroupedConvolution.Backward: dout shape %v does not match output shape [%d %d %d %d]", s, n, fn, g.OH, g.OW))
	}
	dx := c.dx.Shaped(c.x.Shape()...)
	c.dout, c.dxData, c.packed = dout.Data(), dx.Data(), tensor.CurrentEngine() == tensor.Packed
	size := g.colRows() * g.colCols()
	c.job.run(c, passBackward, n, c.flops(n), [3]int{size, size}, c.W.Size(), c.B.Size())
	c.dout, c.dxData = nil, nil
	if n == 0 {
		c.DW.Zero()
		c.DB.Zero()
	} else {
		c.job.sum(c.DW.Data(), c.DB.Data())
	}
	return dx
}

// work does pass on image i.
func (c *GroupedConvolution) work(s *convScratch, pass, i int) {
	if pass == passForward {
		c.forwardImage(s, i)
	} else {
		c.backwardImage(s, i)
	}
}

// forwardImage computes image i's output, out_γ = W_γ·col_γ + b_γ for
// every group γ.
func (c *GroupedConvolution) forwardImage(s *convScratch, i int) {
	g := c.g
	fn := c.W.Shape()[0]
	fg, k, m := fn/c.groups, g.colRows(), g.colCols()
	in := g.C * g.H * g.W // one group's channels of one image
	x := c.x.Data()[i*c.groups*in : (i+1)*c.groups*in]
	o := c.outData[i*fn*m : (i+1)*fn*m]
	for f, b := range c.B.Data() {
		row := o[f*m : (f+1)*m]
		for p := range row {
			row[p] = b
		}
	}
	w, col := c.W.Data(), s.buf[0][:k*m]
	for gr := range c.groups {
		dilatedIm2col(col, x[gr*in:(gr+1)*in], g)
		s.mul(c.packed, false, false, fg, m, k, 1, w[gr*fg*k:(gr+1)*fg*k], col, 1, o[gr*fg*m:(gr+1)*fg*m])
	}
}

// backwardImage adds image i's share of ∂L/∂W and ∂L/∂b to s and writes
// its ∂L/∂x.
func (c *GroupedConvolution) backwardImage(s *convScratch, i int) {
	g := c.g
	fn := c.W.Shape()[0]
	fg, k, m := fn/c.groups, g.colRows(), g.colCols()
	in := g.C * g.H * g.W
	x := c.x.Data()[i*c.groups*in : (i+1)*c.groups*in]
	dx := c.dxData[i*c.groups*in : (i+1)*c.groups*in]
	d := c.dout[i*fn*m : (i+1)*fn*m]
	for f := range fn {
		var sum float64
		for _, v := range d[f*m : (f+1)*m] {
			sum += v
		}
		s.db[f] += sum
	}
	w, col, dcol := c.W.Data(), s.buf[0][:k*m], s.buf[1][:k*m]
	for gr := range c.groups {
		dg, wg := d[gr*fg*m:(gr+1)*fg*m], w[gr*fg*k:(gr+1)*fg*k]
		dilatedIm2col(col, x[gr*in:(gr+1)*in], g)
		s.mul(c.packed, false, true, fg, k, m, 1, dg, col, 1, s.dw[gr*fg*k:(gr+1)*fg*k]) // ∂L/∂W_γ += dout_γ·colᵀ
		s.mul(c.packed, true, false, k, m, fg, 1, wg, dg, 0, dcol)                       // ∂L/∂col = W_γᵀ·dout_γ
		dilatedCol2im(dx[gr*in:(gr+1)*in], dcol, g)
	}
}

// Params describes W (decayed) and b, with DW and DB, as Convolution's.
func (c *GroupedConvolution) Params() []Param {
	return []Param{{Name: "W", Value: c.W, Grad: c.DW, Decay: true}, {Name: "b", Value: c.B, Grad: c.DB}}
}

// Clone returns an independent copy of the layer, a *GroupedConvolution:
// copied parameters and gradients, fresh buffers, the same settings.
func (c *GroupedConvolution) Clone() Layer {
	d := NewGroupedConvolution(c.W.Clone(), c.B.Clone(), c.stride, c.pad, c.dilation, c.groups)
	d.DW.CopyFrom(c.DW)
	d.DB.CopyFrom(c.DB)
	return d
}

// groupedConvConfig is GroupedConvolution's configuration in a model
// file; the filters' shape is that of W.
type groupedConvConfig struct {
	Stride   int `json:"stride"`
	Pad      int `json:"pad"`
	Dilation int `json:"dilation"`
	Groups   int `json:"groups"`
}

// Describe returns the description of kind "GroupedConvolution", with
// its stride, padding, dilation and groups.
func (c *GroupedConvolution) Describe() Description {
	return NewDescription("GroupedConvolution", groupedConvConfig{Stride: c.stride, Pad: c.pad, Dilation: c.dilation, Groups: c.groups})
}

// buildGroupedConvolution makes a GroupedConvolution from W
// (FN, C/groups, KH, KW) and b (FN); a setting the configuration leaves
// out is 1 (stride, dilation, groups) or 0 (pad).
func buildGroupedConvolution(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	cfg := groupedConvConfig{Stride: 1, Dilation: 1, Groups: 1}
	if err := d.Decode(&cfg); err != nil {
		return nil, err
	}
	if err := wantTensors("GroupedConvolution", params, 4, 1); err != nil {
		return nil, err
	}
	w, b := params[0], params[1]
	if err := checkGroupedConvolution(w, b, cfg.Stride, cfg.Pad, cfg.Dilation, cfg.Groups); err != nil {
		return nil, fmt.Errorf("layers: GroupedConvolution: %w", err)
	}
	return NewGroupedConvolution(w, b, cfg.Stride, cfg.Pad, cfg.Dilation, cfg.Groups), nil
}

// tapSpan returns the output positions x in [lo, hi) whose input
// x·stride + off − pad falls inside [0, n), for a kernel tap at offset off
// of the window's first row or column: the others read padding.
func tapSpan(off, n, out, stride, pad int) (lo, hi int) {
	// x·S + off − P ≥ 0  ⇔  x ≥ ⌈(P − off)/S⌉
	if d := pad - off; d > 0 {
		lo = min((d+stride-1)/stride, out)
	}
	// x·S + off − P ≤ n − 1  ⇔  x ≤ ⌊(n − 1 + P − off)/S⌋
	hi = out
	if d := n - 1 + pad - off; d < 0 {
		hi = 0
	} else if h := d/stride + 1; h < hi {
		hi = h
	}
	return lo, max(lo, hi)
}

// dilatedIm2col writes into dst the unfolding of one group's channels
// img (C, H, W): C·KH·KW rows of OH·OW values, row (c, i, j) and column
// (y, x) holding
//
//	img[c][y·S + i·D − P][x·S + j·D − P]
//
// (zero in the padding) — conv.Im2col's layout, with taps D apart.
func dilatedIm2col(dst, img []float64, g dilatedGeometry) {
	oh, ow := g.OH, g.OW
	s, p := g.Stride, g.Pad
	row := 0
	for c := range g.C {
		ch := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for i := range g.KH {
			oi := i * g.Dilation
			ylo, yhi := tapSpan(oi, g.H, oh, s, p)
			for j := range g.KW {
				oj := j * g.Dilation
				xlo, xhi := tapSpan(oj, g.W, ow, s, p)
				d := dst[row*oh*ow : (row+1)*oh*ow]
				row++
				clear(d[:ylo*ow])
				clear(d[yhi*ow:])
				for y := ylo; y < yhi; y++ {
					src := ch[(y*s+oi-p)*g.W : (y*s+oi-p+1)*g.W]
					dr := d[y*ow : (y+1)*ow]
					clear(dr[:xlo])
					clear(dr[xhi:])
					if s == 1 {
						copy(dr[xlo:xhi], src[xlo+oj-p:])
						continue
					}
					for x := xlo; x < xhi; x++ {
						dr[x] = src[x*s+oj-p]
					}
				}
			}
		}
	}
}

// dilatedCol2im writes into dst (C, H, W) the adjoint of dilatedIm2col
// applied to col: each image position receives the sum of the col entries
// dilatedIm2col would have read from it; entries in the padding are
// dropped. dst is overwritten.
func dilatedCol2im(dst, col []float64, g dilatedGeometry) {
	oh, ow := g.OH, g.OW
	s, p := g.Stride, g.Pad
	clear(dst[:g.C*g.H*g.W])
	row := 0
	for c := range g.C {
		ch := dst[c*g.H*g.W : (c+1)*g.H*g.W]
		for i := range g.KH {
			oi := i * g.Dilation
			ylo, yhi := tapSpan(oi, g.H, oh, s, p)
			for j := range g.KW {
				oj := j * g.Dilation
				xlo, xhi := tapSpan(oj, g.W, ow, s, p)
				d := col[row*oh*ow : (row+1)*oh*ow]
				row++
				for y := ylo; y < yhi; y++ {
					out := ch[(y*s+oi-p)*g.W : (y*s+oi-p+1)*g.W]
					for x, v := range d[y*ow+xlo : y*ow+xhi] {
						out[(xlo+x)*s+oj-p] += v
					}
				}
			}
		}
	}
}
