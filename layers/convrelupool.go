package layers

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/internal/conv"
	"github.com/numlearn/numlearn/internal/gemm"
	"github.com/numlearn/numlearn/tensor"
)

// convReLUPool is a Sequence's fused block for the book's convolutional
// block — a Convolution, then a ReLU, then max Pooling of 2×2 windows at
// stride 2 — whose Forward and Backward equal those of the three layers in
// a row, and which updates the Convolution's own parameters and
// gradients.
//
// The three layers each pass a whole batch's activations on to the next,
// (N, FN, OH, OW) values written and read again by every layer, which on
// the book's MNIST network is 14 MB per batch of 100, too large for a
// core's cache. The block takes one image at a time through all three
// steps while its activations are in the cache, keeps only the pooled
// output and the position of each window's maximum, and spreads the
// images over the cores: a training step moves about a tenth of the
// memory. It runs on tensor's Packed engine only, whose layout its
// unfolding writes.
//
// Forward takes x (N, C, H, W) and returns (N, FN, OH/2, OW/2), with OH
// and OW the convolution's output size; an odd last row or column of the
// convolution is not pooled, as in Pooling.
type convReLUPool struct {
	conv   *Convolution
	W, B   *tensor.Tensor // the convolution's filters (FN, C, FH, FW) and biases (FN)
	DW, DB *tensor.Tensor // and their gradients

	stride, pad int
	skipDX      bool
	mode        Mode

	x       *tensor.Tensor // the last input; not owned
	trained bool           // whether the last Forward was in training mode
	g       conv.Geometry
	out, dx buffer.Reusable
	// arg holds, for each pooled output of the last training Forward, the
	// position y·OW + x in the convolution's output of its window's first
	// maximum, or noGrad when the maximum is not positive, so that ReLU
	// passes no gradient (conv.Pooled.ReLUPoolArg).
	arg []int32
	// pooled lays out the columns of col in the order the pooling reads
	// them, for the geometry of the last Forward.
	pooled *conv.Pooled
	// fields locates the receptive fields of the geometry of the last
	// Backward, from which the weight gradient is summed.
	fields *conv.Fields
	// wpad is W as (FN′, C·FH·FW), with FN′ rounded up to
	// the kernel's rows with zero filters, so that every tile of the
	// product is whole.
	wpad []float64
	job  convJob
	// The data of the pass in progress, for the participants.
	outData, dout, dxData []float64
}

// noGrad marks a pooled output whose gradient ReLU stops, as
// conv.Pooled.ReLUPoolArg writes it.
const noGrad = -1

// newConvReLUPool returns the block for convolution c, sharing its
// parameters and gradients.
func newConvReLUPool(c *Convolution) *convReLUPool {
	return &convReLUPool{conv: c, W: c.W, B: c.B, DW: c.DW, DB: c.DB, stride: c.stride, pad: c.pad}
}

// fits reports whether input shape s fits the convolution and leaves a
// 2×2 window to pool; when it does not, the three layers run instead and
// say what is wrong.
func (l *convReLUPool) fits(s []int) bool {
	ws := l.W.Shape()
	if len(s) != 4 || s[1] != ws[1] {
		return false
	}
	g := conv.Geometry{C: s[1], H: s[2], W: s[3], FH: ws[2], FW: ws[3], Stride: l.stride, Pad: l.pad}
	return g.Check() == nil && g.CheckOutput(s[0], ws[0]) == nil && g.OutH() >= 2 && g.OutW() >= 2
}

// Forward returns Pooling(ReLU(Convolution(x))): per image, the
// convolution W·im2col(x) + b, then the largest positive value of each
// 2×2 window (0 if none is positive). In training mode (the default) it
// also records where each maximum was, for Backward; in inference mode it
// does not. The result is owned by the block and valid until its next
// Forward. x must fit (fits).
func (l *convReLUPool) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := convGeometry("Convolution", x.Shape(), l.W, l.stride, l.pad)
	l.x, l.g, l.trained = x, g, l.mode == Training
	n, fn := x.Shape()[0], l.W.Shape()[0]
	out := l.out.Shaped(n, fn, g.OutH()/2, g.OutW()/2)
	l.outData = out.Data()
	if l.trained {
		if cap(l.arg) < out.Size() {
			l.arg = make([]int32, out.Size())
		}
		l.arg = l.arg[:out.Size()]
	}
	if l.pooled == nil || l.pooled.Geometry() != g {
		l.pooled = conv.NewPooled(g, gemm.PanelWidth())
	}
	k, mr := g.ColRows(), gemm.PanelHeight()
	fnp := (fn + mr - 1) / mr * mr
	if cap(l.wpad) < fnp*k {
		l.wpad = make([]float64, fnp*k)
	}
	l.wpad = l.wpad[:fnp*k]
	copy(l.wpad, l.W.Data())
	clear(l.wpad[fn*k:])
	sizes := [3]int{g.PooledLen(gemm.PanelWidth()), fnp * g.PooledCols(), l.pooled.ScratchLen()}
	l.job.run(l, passForward, n, l.flops(n), sizes, 0, 0)
	l.outData = nil
	return out
}

// Backward takes dout = ∂L/∂out, fills DW and DB and returns dx = ∂L/∂x
// (nil after skipInputGrad(true)). Per image, the gradient of the
// convolution's output d is dout at each window's first maximum where that
// maximum is positive, and 0 elsewhere (Pooling's and ReLU's backward
// passes); then, with col = im2col(x),
//
//	∂L/∂W = Σ_n d·colᵀ    ∂L/∂b = Σ_{n,y,x} d    ∂L/∂x = col2im(Wᵀ·d)
//
// DW and DB are overwritten, not accumulated. Backward panics if dout's
// shape is not that of the last output, or if Forward has not run in
// training mode.
func (l *convReLUPool) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if l.x == nil {
		panic("layers: Convolution → ReLU → Pooling: Backward called before Forward")
	}
	if !l.trained {
		panic("layers: Convolution → ReLU → Pooling: Backward after a Forward in inference mode, which keeps no arg-max")
	}
	n, fn, g := l.x.Shape()[0], l.W.Shape()[0], l.g
	if s := dout.Shape(); len(s) != 4 || s[0] != n || s[1] != fn || s[2] != g.OutH()/2 || s[3] != g.OutW()/2 {
		panic(fmt.Sprintf("layers: Pooling.Backward: dout shape %v does not match output shape [%d %d %d %d]", s, n, fn, g.OutH()/2, g.OutW()/2))
	}
	var dx []float64
	var dxT *tensor.Tensor
	if !l.skipDX {
		dxT = l.dx.Shaped(l.x.Shape()...)
		dx = dxT.Data()
	}
	if l.fields == nil || l.fields.Geometry() != g {
		l.fields = conv.NewFields(g)
	}
	l.dout, l.dxData = dout.Data(), dx
	l.job.run(l, passBackward, n, l.flops(n), l.backwardSizes(dx != nil), l.W.Size(), l.B.Size())
	l.dout, l.dxData = nil, nil
	l.job.sum(l.DW.Data(), l.DB.Data())
	if l.skipDX {
		return nil
	}
	return dxT
}

// flops returns the multiply-adds of one pass over n images, doubled.
func (l *convReLUPool) flops(n int) int { return convFlops(n, l.W.Shape()[0], l.g) }

// backwardSizes returns the buffers a participant needs in Backward: the
// gradients of one filter's pooled outputs and the padded image; and,
// when dx is wanted, the gradient of the convolution's output and of col.
func (l *convReLUPool) backwardSizes(dx bool) [3]int {
	g := l.g
	sizes := [3]int{(g.OutH()/2)*(g.OutW()/2) + l.fields.PaddedLen(), 0, 0}
	if dx {
		sizes[1], sizes[2] = l.W.Shape()[0]*g.ColCols(), g.ColRows()*g.ColCols()
	}
	return sizes
}

// work does pass on image i.
func (l *convReLUPool) work(s *convScratch, pass, i int) {
	if pass == passForward {
		l.forwardImage(s, i)
	} else {
		l.backwardImage(s, i)
	}
}

// forwardImage convolves image i with its columns in the order of
// conv.Pooled — the four places of each 2×2 window in four blocks — so
// that the pooling is an elementwise maximum of the blocks, and only the
// positions the pooling reads are computed. Per window,
//
//	out = max(0, max_{d} (W·col_d + b))
//
// with the bias added to each of the four sums before the maximum, as the
// convolution does, so the result is that of the three layers bit for
// bit. In training mode it records where each maximum came from
// (conv.Pooled.ReLUPoolArg); in inference mode it does not (conv.ReLUPool).
func (l *convReLUPool) forwardImage(s *convScratch, i int) {
	g := l.g
	fn, k, m := l.W.Shape()[0], g.ColRows(), g.PooledCols()
	fnp := len(l.wpad) / k
	in := g.C * g.H * g.W
	col, act := s.buf[0], s.buf[1][:fnp*m]
	l.pooled.Im2col(col, s.buf[2], l.x.Data()[i*in:(i+1)*in])
	gemm.GemmPackedB(fnp, m, k, l.wpad, k, col, 0, act, m) // W·col

	n := m / 4 // the pooled outputs per filter
	out := l.outData[i*fn*n : (i+1)*fn*n]
	if !l.trained {
		for f, b := range l.B.Data() {
			conv.ReLUPool(out[f*n:(f+1)*n], act[f*m:(f+1)*m], b)
		}
		return
	}
	arg := l.arg[i*fn*n : (i+1)*fn*n]
	for f, b := range l.B.Data() {
		l.pooled.ReLUPoolArg(out[f*n:(f+1)*n], arg[f*n:(f+1)*n], act[f*m:(f+1)*m], b)
	}
}

// backwardImage adds image i's share of ∂L/∂W and ∂L/∂b to s and, with
// dx, writes ∂L/∂x. The gradient of the convolution's output, d, is dout
// at each window's first maximum where that maximum is positive and 0
// elsewhere, so each filter's row of ∂L/∂W = Σ d·colᵀ is the sum of the
// receptive fields of those positions, weighted by dout: conv.Fields forms
// it from the image, a quarter of the work of the product with col.
func (l *convReLUPool) backwardImage(s *convScratch, i int) {
	g := l.g
	fn, k, m := l.W.Shape()[0], g.ColRows(), g.ColCols()
	in := g.C * g.H * g.W
	np := (g.OutH() / 2) * (g.OutW() / 2) // pooled outputs per filter
	dout := l.dout[i*fn*np : (i+1)*fn*np]
	arg := l.arg[i*fn*np : (i+1)*fn*np]
	f := l.fields
	img := f.Padded(s.buf[0][np:], l.x.Data()[i*in:(i+1)*in])
	weights := s.buf[0][:np]
	if len(s.idx) < np {
		s.idx = make([]int32, np)
	}
	corners := s.idx[:np]
	for fi := range fn {
		n := 0
		var sum float64
		for j, pos := range arg[fi*np : (fi+1)*np] {
			if pos != noGrad {
				v := dout[fi*np+j]
				corners[n], weights[n] = f.Corner(pos), v
				sum += v
				n++
			}
		}
		s.db[fi] += sum // ∂L/∂b = Σ d
		f.AddWeighted(s.dw[fi*k:(fi+1)*k], img, corners[:n], weights[:n])
	}
	if l.dxData == nil {
		return
	}
	d := s.buf[1][:fn*m]
	clear(d)
	for j, pos := range arg {
		if pos != noGrad {
			d[j/np*m+int(pos)] = dout[j]
		}
	}
	dcol := s.buf[2]
	gemm.Gemm(true, false, k, m, fn, 1, l.W.Data(), k, d, m, 0, dcol, m) // ∂L/∂col = Wᵀ·d
	conv.Col2im(l.dxData[i*in:(i+1)*in], dcol, g)
}

// setMode sets the mode of the next passes: Inference leaves out what
// only Backward needs.
func (l *convReLUPool) setMode(m Mode) { l.mode = m }

// skipInputGrad makes Backward compute DW and DB only and return nil when
// skip is true, as a Sequence's first layer may.
func (l *convReLUPool) skipInputGrad(skip bool) { l.skipDX = skip }
