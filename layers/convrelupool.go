package layers

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/internal/conv"
	"github.com/numlearn/numlearn/internal/gemm"
	"github.com/numlearn/numlearn/tensor"
)

// ConvReLUPool is the book's convolutional block — Convolution, then ReLU,
// then max Pooling of 2×2 windows at stride 2 — as one layer: its Forward
// and Backward equal those of the three layers in a row, and it is what
// numlearn's SimpleConvNet is built from.
//
// The three layers each pass a whole batch's activations on to the next,
// (N, FN, OH, OW) values written and read again by every layer, which on
// the book's MNIST network is 14 MB per batch of 100, too large for a
// core's cache. ConvReLUPool takes one image at a time through all three
// steps while its activations are in the cache, keeps only the pooled
// output and the position of each window's maximum, and spreads the
// images over the cores: a training step moves about a tenth of the
// memory.
//
// W is (FN, C, FH, FW) and B is (FN), as for Convolution. Forward takes
// x (N, C, H, W) and returns (N, FN, OH/2, OW/2), with OH and OW the
// convolution's output size; an odd last row or column of the convolution
// is not pooled, as in Pooling.
type ConvReLUPool struct {
	W, B   *tensor.Tensor // the filters (FN, C, FH, FW) and biases (FN)
	DW, DB *tensor.Tensor // ∂L/∂W and ∂L/∂B from the last Backward

	stride, pad   int
	skipInputGrad bool
	mode          Mode

	x       *tensor.Tensor // the last input; not owned
	trained bool           // whether the last Forward was in training mode
	g       conv.Geometry
	out, dx buffer.Reusable
	// arg holds, for each pooled output of the last Forward, the offset
	// of its window's first maximum — 0, 1, w or w+1 in the convolution's
	// output of width w — or noGrad when the maximum is not positive, so
	// that ReLU passes no gradient.
	arg []int32
	// pooled lays out the columns of col in the order inference pools
	// them, for the geometry of the last inference Forward.
	pooled *conv.Pooled
	// wpad is W as (FN′, C·FH·FW) for inference, with FN′ rounded up to
	// the kernel's rows with zero filters, so that every tile of the
	// product is whole.
	wpad []float64
	job  convJob
	// The data of the pass in progress, for the participants.
	outData, dout, dxData []float64
}

// noGrad marks a pooled output whose gradient ReLU stops.
const noGrad = -1

// NewConvReLUPool returns the block with filters w (FN, C, FH, FW) and
// biases b (FN), used themselves, not copied, at the given stride and
// zero padding; its gradients start at zero. It panics as NewConvolution
// does.
func NewConvReLUPool(w, b *tensor.Tensor, stride, pad int) *ConvReLUPool {
	c := NewConvolution(w, b, stride, pad) // the checks
	return &ConvReLUPool{W: c.W, B: c.B, DW: c.DW, DB: c.DB, stride: stride, pad: pad}
}

// Stride returns the convolution's stride.
func (l *ConvReLUPool) Stride() int { return l.stride }

// Pad returns the convolution's zero padding on each side.
func (l *ConvReLUPool) Pad() int { return l.pad }

// geometry checks input shape s as Convolution does, and that the
// convolution's output has a 2×2 window to pool.
func (l *ConvReLUPool) geometry(s []int) conv.Geometry {
	g := convGeometry("ConvReLUPool", s, l.W, l.stride, l.pad)
	if g.OutH() < 2 || g.OutW() < 2 {
		panic(fmt.Sprintf("layers: ConvReLUPool.Forward: input shape %v, W shape %v: the %d×%d convolution output has no 2×2 window to pool", s, l.W.Shape(), g.OutH(), g.OutW()))
	}
	return g
}

// Forward returns Pooling(ReLU(Convolution(x))): per image, the
// convolution W·im2col(x) + b, then the largest positive value of each
// 2×2 window (0 if none is positive). In training mode (the default) it
// also records where each maximum was, for Backward; in inference mode it
// does not. The result is owned by the layer and valid until its next
// Forward. It panics if x does not fit the filters or the convolution's
// output is smaller than 2×2.
func (l *ConvReLUPool) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := l.geometry(x.Shape())
	l.x, l.g, l.trained = x, g, l.mode == Training
	n, fn := x.Shape()[0], l.W.Shape()[0]
	out := l.out.Shaped(n, fn, g.OutH()/2, g.OutW()/2)
	l.outData = out.Data()
	sizes := l.scratchSizes(false)
	if l.trained {
		if cap(l.arg) < out.Size() {
			l.arg = make([]int32, out.Size())
		}
		l.arg = l.arg[:out.Size()]
	} else {
		if l.pooled == nil || l.pooled.Geometry() != g {
			l.pooled = conv.NewPooled(g, gemm.PanelWidth())
		}
		sizes[2] = l.pooled.ScratchLen()
		k, mr := g.ColRows(), gemm.PanelHeight()
		fnp := (fn + mr - 1) / mr * mr
		if cap(l.wpad) < fnp*k {
			l.wpad = make([]float64, fnp*k)
		}
		l.wpad = l.wpad[:fnp*k]
		copy(l.wpad, l.W.Data())
		clear(l.wpad[fn*k:])
		sizes[1] = max(sizes[1], fnp*g.PooledCols())
	}
	l.job.run(l, passForward, n, l.flops(n), sizes, 0, 0)
	l.outData = nil
	return out
}

// Backward takes dout = ∂L/∂out, fills DW and DB and returns dx = ∂L/∂x
// (nil after SkipInputGrad(true)). Per image, the gradient of the
// convolution's output d is dout at each window's first maximum where that
// maximum is positive, and 0 elsewhere (Pooling's and ReLU's backward
// passes); then, with col = im2col(x),
//
//	∂L/∂W = Σ_n d·colᵀ    ∂L/∂b = Σ_{n,y,x} d    ∂L/∂x = col2im(Wᵀ·d)
//
// DW and DB are overwritten, not accumulated. Backward panics if dout's
// shape is not that of the last output, or if Forward has not run in
// training mode.
func (l *ConvReLUPool) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if l.x == nil {
		panic("layers: ConvReLUPool.Backward: called before Forward")
	}
	if !l.trained {
		panic("layers: ConvReLUPool.Backward: the last Forward ran in inference mode, which keeps no arg-max")
	}
	n, fn, g := l.x.Shape()[0], l.W.Shape()[0], l.g
	if s := dout.Shape(); len(s) != 4 || s[0] != n || s[1] != fn || s[2] != g.OutH()/2 || s[3] != g.OutW()/2 {
		panic(fmt.Sprintf("layers: ConvReLUPool.Backward: dout shape %v does not match output shape [%d %d %d %d]", s, n, fn, g.OutH()/2, g.OutW()/2))
	}
	var dx []float64
	var dxT *tensor.Tensor
	if !l.skipInputGrad {
		dxT = l.dx.Shaped(l.x.Shape()...)
		dx = dxT.Data()
	}
	l.dout, l.dxData = dout.Data(), dx
	l.job.run(l, passBackward, n, l.flops(n), l.scratchSizes(dx != nil), l.W.Size(), l.B.Size())
	l.dout, l.dxData = nil, nil
	l.job.sum(l.DW.Data(), l.DB.Data())
	if l.skipInputGrad {
		return nil
	}
	return dxT
}

// flops returns the multiply-adds of one pass over n images, doubled.
func (l *ConvReLUPool) flops(n int) int {
	return 2 * n * l.g.ColRows() * l.g.ColCols() * l.W.Shape()[0]
}

// scratchSizes returns the buffers a participant needs: col (packed for
// the product in Forward, plain in Backward), the
// convolution's output (or its gradient) for one image, and dcol when dx
// is wanted.
func (l *ConvReLUPool) scratchSizes(dx bool) [3]int {
	col := max(l.g.ColRows()*l.g.ColCols(), l.g.PackedLen(gemm.PanelWidth()))
	act := l.W.Shape()[0] * l.g.ColCols()
	if dx {
		return [3]int{col, act, col}
	}
	return [3]int{col, act, 0}
}

// work does pass on image i.
func (l *ConvReLUPool) work(s *convScratch, pass, i int) {
	if pass == passForward {
		l.forwardImage(s, i)
	} else {
		l.backwardImage(s, i)
	}
}

// forwardImage convolves image i into scratch and pools its positive
// part into the output, recording each window's arg-max in training mode.
func (l *ConvReLUPool) forwardImage(s *convScratch, i int) {
	if !l.trained {
		l.inferImage(s, i)
		return
	}
	g := l.g
	fn, k, m := l.W.Shape()[0], g.ColRows(), g.ColCols()
	in := g.C * g.H * g.W
	col, act := s.buf[0], s.buf[1][:fn*m]
	conv.Im2colPacked(col, l.x.Data()[i*in:(i+1)*in], g, gemm.PanelWidth())
	for f, b := range l.B.Data() {
		row := act[f*m : (f+1)*m]
		for x := range row {
			row[x] = b
		}
	}
	gemm.GemmPackedB(fn, m, k, l.W.Data(), k, col, 1, act, m) // W·col + b
	ow := g.OutW()
	ph, pw := g.OutH()/2, ow/2
	out := l.outData[i*fn*ph*pw : (i+1)*fn*ph*pw]
	arg := l.arg[i*fn*ph*pw : (i+1)*fn*ph*pw]
	for f := range fn {
		a := act[f*m : (f+1)*m]
		for y := range ph {
			r0 := a[2*y*ow : 2*y*ow+2*pw]
			r1 := a[(2*y+1)*ow : (2*y+1)*ow+2*pw]
			o := out[(f*ph+y)*pw : (f*ph+y+1)*pw]
			ar := arg[(f*ph+y)*pw : (f*ph+y+1)*pw]
			base := int32(2 * y * ow)
			for x := range o {
				v0, v1, v2, v3 := r0[2*x], r0[2*x+1], r1[2*x], r1[2*x+1]
				mx := max(max(v0, v1), max(v2, v3))
				// The first maximum, chosen without branches, as in Pooling.
				off := int32(ow + 1)
				if v2 == mx {
					off = int32(ow)
				}
				if v1 == mx {
					off = 1
				}
				if v0 == mx {
					off = 0
				}
				pos := base + int32(2*x) + off
				if !(mx > 0) { // ReLU: max(0, ·) passes no gradient here
					pos = noGrad
				}
				if mx != mx { // NaN, which ReLU keeps: the first one
					pos = base + int32(2*x) + int32(firstNaN(v0, v1, v2, v3, ow))
				}
				ar[x] = pos
				o[x] = max(mx, 0)
			}
		}
	}
}

// inferImage convolves image i with its columns in the order of
// conv.Pooled — the four places of each 2×2 window in four blocks —
// so that the pooling is an elementwise maximum of the blocks, and only
// the positions the pooling reads are computed. Per window,
//
//	out = max(0, max_{d} (W·col_d + b))
//
// with the bias added to each of the four sums before the maximum, as the
// convolution does, so the result is that of training mode bit for bit
// (conv.ReLUPool).
func (l *ConvReLUPool) inferImage(s *convScratch, i int) {
	g := l.g
	fn, k, m := l.W.Shape()[0], g.ColRows(), g.PooledCols()
	fnp := len(l.wpad) / k
	in := g.C * g.H * g.W
	col, act := s.buf[0], s.buf[1][:fnp*m]
	l.pooled.Im2col(col, s.buf[2], l.x.Data()[i*in:(i+1)*in])
	gemm.GemmPackedB(fnp, m, k, l.wpad, k, col, 0, act, m) // W·col

	n := m / 4 // the pooled outputs per filter
	out := l.outData[i*fn*n : (i+1)*fn*n]
	for f, b := range l.B.Data() {
		conv.ReLUPool(out[f*n:(f+1)*n], act[f*m:(f+1)*m], b)
	}
}

// backwardImage routes image i's dout to the convolution's output and
// adds its share of ∂L/∂W and ∂L/∂b to s; with dx, it writes ∂L/∂x.
func (l *ConvReLUPool) backwardImage(s *convScratch, i int) {
	g := l.g
	fn, k, m := l.W.Shape()[0], g.ColRows(), g.ColCols()
	in := g.C * g.H * g.W
	ph, pw := g.OutH()/2, g.OutW()/2
	col, d := s.buf[0], s.buf[1][:fn*m]
	dout := l.dout[i*fn*ph*pw : (i+1)*fn*ph*pw]
	arg := l.arg[i*fn*ph*pw : (i+1)*fn*ph*pw]
	clear(d)
	for f := range fn {
		df := d[f*m : (f+1)*m]
		var sum float64
		for j, pos := range arg[f*ph*pw : (f+1)*ph*pw] {
			if pos != noGrad {
				v := dout[f*ph*pw+j]
				df[pos] = v
				sum += v
			}
		}
		s.db[f] += sum // ∂L/∂b = Σ d
	}
	conv.Im2col(col, l.x.Data()[i*in:(i+1)*in], g)
	gemm.Gemm(false, true, fn, k, m, 1, d, m, col, m, 1, s.dw, k) // ∂L/∂W += d·colᵀ
	if l.dxData == nil {
		return
	}
	dcol := s.buf[2]
	gemm.Gemm(true, false, k, m, fn, 1, l.W.Data(), k, d, m, 0, dcol, m) // ∂L/∂col = Wᵀ·d
	conv.Col2im(l.dxData[i*in:(i+1)*in], dcol, g)
}

// SetMode sets the mode of the next passes: Inference leaves out what
// only Backward needs.
func (l *ConvReLUPool) SetMode(m Mode) { l.mode = m }

// SkipInputGrad makes Backward compute DW and DB only and return nil when
// skip is true, as a network's first layer may.
func (l *ConvReLUPool) SkipInputGrad(skip bool) { l.skipInputGrad = skip }

// Params returns the learnable tensors {W, B}.
func (l *ConvReLUPool) Params() []*tensor.Tensor { return []*tensor.Tensor{l.W, l.B} }

// Grads returns {DW, DB}, aligned with Params.
func (l *ConvReLUPool) Grads() []*tensor.Tensor { return []*tensor.Tensor{l.DW, l.DB} }

// ParamNames returns {"W", "b"}, the book's names for the convolution's
// parameters.
func (l *ConvReLUPool) ParamNames() []string { return []string{"W", "b"} }

// Clone returns an independent copy of the layer, a *ConvReLUPool: copied
// parameters and gradients, fresh buffers, the same stride, padding and
// SkipInputGrad setting and mode.
func (l *ConvReLUPool) Clone() Layer {
	c := NewConvReLUPool(l.W.Clone(), l.B.Clone(), l.stride, l.pad)
	c.mode = l.mode
	c.DW.CopyFrom(l.DW)
	c.DB.CopyFrom(l.DB)
	c.skipInputGrad = l.skipInputGrad
	return c
}
