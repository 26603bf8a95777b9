package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/internal/conv"
	"github.com/numlearn/numlearn/internal/gemm"
	"github.com/numlearn/numlearn/internal/workers"
	"github.com/numlearn/numlearn/tensor"
)

// Convolution is the convolution layer of the book's §7.4: FN filters of
// C×FH×FW slide over each of a batch of images with a stride and a zero
// padding, and each output channel is a filter's response plus its bias.
//
// W is (FN, C, FH, FW) and B is (FN). Forward takes x of shape (N, C, H, W)
// and returns (N, FN, OH, OW), where
//
//	OH = (H + 2·pad − FH)/stride + 1    OW = (W + 2·pad − FW)/stride + 1
//
// and out[n][f][y][x] = B[f] + Σ_{c,i,j} W[f][c][i][j]·x[n][c][y·stride+i−pad][x·stride+j−pad],
// reading 0 in the padding.
//
// As in the book, each image is unfolded by im2col into a matrix whose
// product with the filters is the output; here the unfolding is made one
// image at a time, in the orientation whose product lands directly in
// (FN, OH, OW) order, and images are shared among the cores. Backward
// unfolds each image again rather than keeping a batch's unfolding, which
// would be C·FH·FW times the size of the input. The products run on the
// engine tensor uses (tensor.CurrentEngine): on Packed the unfolding is
// written straight into the layout its kernels read.
//
// Sizes are bounded so that none computed from them can overflow: the
// stride, the padding, the sides of the filters, of the image and of the
// padded image are at most 2²⁴ (16,777,216), and one image's padded form
// C·(H+2·pad)·(W+2·pad), its unfolding C·FH·FW·OH·OW and its output
// FN·OH·OW are at most 2³¹ − 1 values each (16 GiB of float64). Real
// models are far inside: the book's MNIST network unfolds 25·576 values
// per image, VGG's largest layer 29 million. NewConvolution refuses a
// stride, padding or filter beyond the limits; Forward refuses an input
// that makes a size exceed them, before allocating anything.
type Convolution struct {
	W, B   *tensor.Tensor // the filters (FN, C, FH, FW) and biases (FN)
	DW, DB *tensor.Tensor // ∂L/∂W and ∂L/∂B from the last Backward

	stride, pad int
	skipDX      bool // Backward leaves out dx (skipInputGrad)
	packed      bool // the pass in progress runs on tensor's Packed engine

	x       *tensor.Tensor // the last input; not owned
	g       conv.Geometry  // its geometry
	out, dx buffer.Reusable
	job     convJob
	// The data of the pass in progress, for the participants.
	outData, dout, dxData []float64
}

// flops returns the multiply-adds of one pass over n images, doubled.
func (c *Convolution) flops(n int) int { return convFlops(n, c.W.Shape()[0], c.g) }

// convFlops returns the multiply-adds of a convolution of n images with fn
// filters of geometry g, doubled, or about MaxInt/2 if there are more:
// the count only decides whether a pass is worth sharing among cores, and
// the product of sizes within the limits can still overflow an int.
func convFlops(n, fn int, g conv.Geometry) int {
	f := 2 * float64(n) * float64(g.ColRows()) * float64(g.ColCols()) * float64(fn)
	return int(min(f, math.MaxInt/2))
}

// scratchSizes returns the buffers a participant needs: col, and dcol
// when dx is wanted.
func (c *Convolution) scratchSizes(dx bool) [3]int {
	size := c.g.ColRows() * c.g.ColCols()
	col := max(size, c.g.PackedLen(gemm.PanelWidth())) // packed in Forward, plain in Backward
	if dx {
		return [3]int{col, size, 0}
	}
	return [3]int{col, 0, 0}
}

// NewConvolution returns a convolution layer with filters w (FN, C, FH, FW)
// and biases b (FN), used themselves, not copied, moving by stride and
// padding each image with pad rows and columns of zeros on every side;
// its gradients start at zero. The book's SimpleConvNet uses stride 1 and
// pad 0. It panics if w is not 4-D, b's shape is not (FN), stride is not
// positive, pad is negative, or FH, FW, stride or pad is over 2²⁴ (see
// Convolution for the limits on sizes).
func NewConvolution(w, b *tensor.Tensor, stride, pad int) *Convolution {
	if err := checkConvolution(w, b, stride, pad); err != nil {
		panic("layers: NewConvolution: " + err.Error())
	}
	return &Convolution{W: w, B: b, DW: tensor.New(w.Shape()...), DB: tensor.New(b.Shape()...), stride: stride, pad: pad}
}

// checkConvolution returns what NewConvolution refuses in its arguments,
// for it to panic with and for a model file's builder to return.
func checkConvolution(w, b *tensor.Tensor, stride, pad int) error {
	if w.Dims() != 4 || b.Dims() != 1 || b.Shape()[0] != w.Shape()[0] {
		return fmt.Errorf("W shape %v and b shape %v do not fit (FN, C, FH, FW) and (FN)", w.Shape(), b.Shape())
	}
	if stride <= 0 || pad < 0 {
		return fmt.Errorf("stride %d must be positive and pad %d not negative", stride, pad)
	}
	if fh, fw := w.Shape()[2], w.Shape()[3]; max(fh, fw, stride, pad) > conv.MaxSide {
		return fmt.Errorf("filters %d×%d, stride %d and pad %d must each be at most %d", fh, fw, stride, pad, conv.MaxSide)
	}
	return nil
}

// convConfig is Convolution's configuration in a model file; the filters'
// shape is that of W.
type convConfig struct {
	Stride int `json:"stride"`
	Pad    int `json:"pad"`
}

// Describe returns the description of kind "Convolution", with its stride
// and padding.
func (c *Convolution) Describe() Description {
	return NewDescription("Convolution", convConfig{Stride: c.stride, Pad: c.pad})
}

// buildConvolution makes a Convolution from W (FN, C, FH, FW) and b (FN).
func buildConvolution(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	cfg := convConfig{Stride: 1}
	if err := d.Decode(&cfg); err != nil {
		return nil, err
	}
	if err := wantTensors("Convolution", params, 4, 1); err != nil {
		return nil, err
	}
	w, b := params[0], params[1]
	if err := checkConvolution(w, b, cfg.Stride, cfg.Pad); err != nil {
		return nil, fmt.Errorf("layers: Convolution: %w", err)
	}
	return NewConvolution(w, b, cfg.Stride, cfg.Pad), nil
}

// Stride returns the step between windows.
func (c *Convolution) Stride() int { return c.stride }

// Pad returns the zero padding on each side.
func (c *Convolution) Pad() int { return c.pad }

// geometry returns the geometry of input shape s, and panics if it does
// not fit the filters.
func (c *Convolution) geometry(s []int) conv.Geometry {
	return convGeometry("Convolution", s, c.W, c.stride, c.pad)
}

// convGeometry returns the geometry of filters w moving over input shape
// s by stride with pad, and panics, naming layer, if s is not (N, C, H, W)
// with w's C, the window does not fit the padded image, or a size is
// beyond the limits (conv.Geometry's Check and CheckOutput) — before
// anything of that size is allocated.
func convGeometry(layer string, s []int, w *tensor.Tensor, stride, pad int) conv.Geometry {
	ws := w.Shape()
	if len(s) != 4 || s[1] != ws[1] {
		panic(fmt.Sprintf("layers: %s.Forward: input shape %v does not fit W shape %v: want (N, %d, H, W)", layer, s, ws, ws[1]))
	}
	g := conv.Geometry{C: s[1], H: s[2], W: s[3], FH: ws[2], FW: ws[3], Stride: stride, Pad: pad}
	err := g.Check()
	if err == nil {
		err = g.CheckOutput(s[0], ws[0])
	}
	if err != nil {
		panic(fmt.Sprintf("layers: %s.Forward: input shape %v, W shape %v: %v", layer, s, ws, err))
	}
	return g
}

// Forward returns the convolution of x (N, C, H, W) with the filters plus
// the biases, (N, FN, OH, OW); per image, out = W·col + b, with W
// flattened to (FN, C·FH·FW) and col = im2col(x) of (C·FH·FW, OH·OW). The
// result is owned by the layer and valid until its next Forward. It
// panics if x is not 4-D with W's number of channels, or the window does
// not fit the padded image, or a size is beyond Convolution's limits.
func (c *Convolution) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := c.geometry(x.Shape())
	c.x, c.g, c.packed = x, g, tensor.CurrentEngine() == tensor.Packed
	n := x.Shape()[0]
	out := c.out.Shaped(n, c.W.Shape()[0], g.OutH(), g.OutW())
	c.outData = out.Data()
	c.job.run(c, passForward, n, c.flops(n), c.scratchSizes(false), 0, 0)
	c.outData = nil
	return out
}

// Backward takes dout = ∂L/∂out, fills DW and DB and returns dx = ∂L/∂x.
// Per image, with col = im2col(x):
//
//	∂L/∂W = Σ_n dout·colᵀ    ∂L/∂b = Σ_{n,y,x} dout    ∂L/∂x = col2im(Wᵀ·dout)
//
// DW and DB are overwritten, not accumulated. Backward panics if dout's
// shape is not that of the last output, or if Forward has not run.
func (c *Convolution) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if c.x == nil {
		panic("layers: Convolution.Backward: called before Forward")
	}
	n, fn, g := c.x.Shape()[0], c.W.Shape()[0], c.g
	if s := dout.Shape(); len(s) != 4 || s[0] != n || s[1] != fn || s[2] != g.OutH() || s[3] != g.OutW() {
		panic(fmt.Sprintf("layers: Convolution.Backward: dout shape %v does not match output shape [%d %d %d %d]", s, n, fn, g.OutH(), g.OutW()))
	}
	var dx []float64
	var dxT *tensor.Tensor
	if !c.skipDX {
		dxT = c.dx.Shaped(c.x.Shape()...)
		dx = dxT.Data()
	}
	c.dout, c.dxData, c.packed = dout.Data(), dx, tensor.CurrentEngine() == tensor.Packed
	c.job.run(c, passBackward, n, c.flops(n), c.scratchSizes(dx != nil), c.W.Size(), c.B.Size())
	c.dout, c.dxData = nil, nil
	c.job.sum(c.DW.Data(), c.DB.Data())
	if c.skipDX {
		return nil
	}
	return dxT
}

// skipInputGrad makes Backward compute DW and DB only and return nil when
// skip is true: a Sequence's first layer has no one to pass dx to, and for
// a convolution dx is half the backward work.
func (c *Convolution) skipInputGrad(skip bool) { c.skipDX = skip }

// Params describes W (decayed) and b, the book's names, with DW and DB.
func (c *Convolution) Params() []Param {
	return []Param{{Name: "W", Value: c.W, Grad: c.DW, Decay: true}, {Name: "b", Value: c.B, Grad: c.DB}}
}

// Clone returns an independent copy of the layer, a *Convolution: copied
// parameters and gradients, fresh buffers, the same stride and padding.
func (c *Convolution) Clone() Layer {
	d := NewConvolution(c.W.Clone(), c.B.Clone(), c.stride, c.pad)
	d.DW.CopyFrom(c.DW)
	d.DB.CopyFrom(c.DB)
	return d
}

const (
	passForward = iota
	passBackward
)

// imageWorker is a layer whose passes go image by image: work does pass
// on image i in the participant's scratch space s.
type imageWorker interface {
	work(s *convScratch, pass, i int)
}

// convJob shares the images of a batch among the cores: every
// participant claims work one piece at a time and works in scratch space
// of its own, so that a partial gradient needs no locking. A forward pass
// is claimed image by image. A backward pass is claimed in convChunks
// runs of consecutive images, whatever the number of participants, each
// run summing its images' gradients in order into a partial gradient of
// its own; sum then adds the runs in order. So the gradient's rounding,
// and a training run with a given seed, do not depend on how many cores
// took part or which took what.
type convJob struct {
	w       imageWorker
	pass    int
	n       int
	chunks  int // the runs of a backward pass
	split   workers.Split
	scratch []convScratch
	// parts holds the partial gradients of the runs of the last backward
	// pass: dw then db, in one slice per run.
	parts [][]float64
	dw    int // the length of dw in parts
	wg    sync.WaitGroup
}

// convChunks is the number of runs a backward pass is cut into: enough to
// keep sixteen cores busy (a batch of 100 in runs of six or seven
// images), few enough that adding up the partial gradients costs little
// (16 × 36,864 values for DeepConvNet's largest filter bank, some 0.3 %
// of its step on one core).
const convChunks = 16

// convScratch is one participant's working space: buffers for one image
// (an unfolding, its gradient, …) and, in a backward pass, the partial
// parameter gradients of the run in progress.
type convScratch struct {
	buf    [3][]float64
	idx    []int32
	dw, db []float64
	views  [3]tensor.Tensor // the operands of a product on an engine other than Packed
}

// mul computes c = alpha·op(a)·op(b) + beta·c, with op(a) (m, k), op(b)
// (k, n) and c (m, n), all row-major without gaps, on the engine tensor
// uses: internal/gemm directly when packed, else tensor's Gemm on views
// kept in s.
func (s *convScratch) mul(packed, transA, transB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
	if packed {
		lda, ldb := k, n
		if transA {
			lda = m
		}
		if transB {
			ldb = k
		}
		gemm.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
		return
	}
	av, bv, cv := &s.views[0], &s.views[1], &s.views[2]
	if transA {
		av.Wrap(a[:k*m], k, m)
	} else {
		av.Wrap(a[:m*k], m, k)
	}
	if transB {
		bv.Wrap(b[:n*k], n, k)
	} else {
		bv.Wrap(b[:k*n], k, n)
	}
	cv.Wrap(c[:m*n], m, n)
	cv.Gemm(transA, transB, alpha, av, bv, beta)
}

// parallelConvFlops is the work of a pass below which sharing it among
// cores costs more than it saves.
const parallelConvFlops = 1 << 20

// run does one pass over n images, of about flops floating-point
// operations in all, on as many cores as are free. Each participant's
// buffers hold at least sizes values; in a backward pass the partial
// gradients dw and db, of dw and db values, start at zero, and sum gives
// their total.
func (j *convJob) run(w imageWorker, pass, n int, flops int, sizes [3]int, dw, db int) {
	pieces := n
	if pass == passBackward {
		pieces = min(n, convChunks)
	}
	helpers := 0
	if flops >= parallelConvFlops {
		helpers = workers.Helpers(pieces)
	}
	if len(j.scratch) < helpers+1 {
		j.scratch = make([]convScratch, max(helpers+1, runtime.GOMAXPROCS(0)))
	}
	for p := range helpers + 1 {
		s := &j.scratch[p]
		for b, size := range sizes {
			if len(s.buf[b]) < size {
				s.buf[b] = make([]float64, size)
			}
		}
	}
	if pass == passBackward {
		j.chunks, j.dw = min(n, convChunks), dw
		if len(j.parts) < j.chunks {
			j.parts = append(j.parts, make([][]float64, j.chunks-len(j.parts))...)
		}
		for c := range j.chunks {
			if len(j.parts[c]) != dw+db {
				j.parts[c] = make([]float64, dw+db)
			}
			clear(j.parts[c])
		}
	}
	j.w, j.pass, j.n = w, pass, n
	if pass == passBackward {
		j.split.Reset(j.chunks, helpers+1)
	} else {
		j.split.Reset(n, helpers+1)
	}
	workers.Share(j, helpers, &j.wg)
	j.w = nil
}

// sum writes the total of the last backward pass's partial gradients
// into dw and db, adding them in the order of their runs.
func (j *convJob) sum(dw, db []float64) {
	for c, part := range j.parts[:j.chunks] {
		pw, pb := part[:j.dw], part[j.dw:]
		if c == 0 {
			copy(dw, pw)
			copy(db, pb)
			continue
		}
		for i, v := range pw {
			dw[i] += v
		}
		for i, v := range pb {
			db[i] += v
		}
	}
}

// Run does images, or runs of images in a backward pass, until none is
// left, alone: it is RunPart(0, 1), on participant 0's scratch (Share
// calls RunPart).
func (j *convJob) Run() { j.RunPart(0, 1) }

// RunPart is Run for participant p (a workers.PartJob), who starts with
// its own share of the images, the same share in every pass, so that
// an image's values tend to stay with the core that computed them.
func (j *convJob) RunPart(p, _ int) {
	s := &j.scratch[p] // the same buffers for participant p from pass to pass
	cursor := 0
	if j.pass == passBackward {
		for {
			c, ok := j.split.Take(p, &cursor)
			if !ok {
				return
			}
			s.dw, s.db = j.parts[c][:j.dw], j.parts[c][j.dw:]
			for i := c * j.n / j.chunks; i < (c+1)*j.n/j.chunks; i++ {
				j.w.work(s, j.pass, i)
			}
		}
	}
	for {
		i, ok := j.split.Take(p, &cursor)
		if !ok {
			return
		}
		j.w.work(s, j.pass, i)
	}
}

// work does pass on image i.
func (c *Convolution) work(s *convScratch, pass, i int) {
	if pass == passForward {
		c.forwardImage(s, i, c.outData)
	} else {
		c.backwardImage(s, i, c.dout, c.dxData)
	}
}

// forwardImage computes image i's output, out = W·im2col(x) + b.
func (c *Convolution) forwardImage(s *convScratch, i int, out []float64) {
	g := c.g
	fn, k, m := c.W.Shape()[0], g.ColRows(), g.ColCols()
	in := g.C * g.H * g.W
	col := s.buf[0]
	o := out[i*fn*m : (i+1)*fn*m]
	for f, b := range c.B.Data() {
		row := o[f*m : (f+1)*m]
		for x := range row {
			row[x] = b
		}
	}
	if !c.packed {
		conv.Im2col(col, c.x.Data()[i*in:(i+1)*in], g)
		s.mul(false, false, false, fn, m, k, 1, c.W.Data(), col, 1, o)
		return
	}
	conv.Im2colPacked(col, c.x.Data()[i*in:(i+1)*in], g, gemm.PanelWidth())
	gemm.GemmPackedB(fn, m, k, c.W.Data(), k, col, 1, o, m) // col packed as the product reads it
}

// backwardImage adds image i's share of ∂L/∂W and ∂L/∂b to s and, when dx
// is not nil, writes its ∂L/∂x.
func (c *Convolution) backwardImage(s *convScratch, i int, dout, dx []float64) {
	g := c.g
	fn, k, m := c.W.Shape()[0], g.ColRows(), g.ColCols()
	in := g.C * g.H * g.W
	d := dout[i*fn*m : (i+1)*fn*m]
	col := s.buf[0]
	conv.Im2col(col, c.x.Data()[i*in:(i+1)*in], g)
	s.mul(c.packed, false, true, fn, k, m, 1, d, col, 1, s.dw) // ∂L/∂W += dout·colᵀ
	for f := range fn {
		var sum float64
		for _, v := range d[f*m : (f+1)*m] {
			sum += v
		}
		s.db[f] += sum
	}
	if dx == nil {
		return
	}
	dcol := s.buf[1]
	s.mul(c.packed, true, false, k, m, fn, 1, c.W.Data(), d, 0, dcol) // ∂L/∂col = Wᵀ·dout
	conv.Col2im(dx[i*in:(i+1)*in], dcol, g)
}
