package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bookTol bounds the difference from the book's formulation, which sums
// the same products in another order.
const bookTol = 1e-12

// convCase is a convolution to check: input (n, c, h, w), filters
// (fn, c, fh, fw), stride and padding.
type convCase struct {
	n, c, h, w, fn, fh, fw, stride, pad int
}

func (cc convCase) String() string {
	return fmt.Sprintf("x=%dx%dx%dx%d/W=%dx%dx%dx%d/stride=%d/pad=%d", cc.n, cc.c, cc.h, cc.w, cc.fn, cc.c, cc.fh, cc.fw, cc.stride, cc.pad)
}

var convCases = []convCase{
	{n: 2, c: 1, h: 5, w: 5, fn: 2, fh: 3, fw: 3, stride: 1},
	{n: 1, c: 2, h: 5, w: 6, fn: 3, fh: 3, fw: 2, stride: 2, pad: 1},
	{n: 3, c: 3, h: 4, w: 4, fn: 2, fh: 2, fw: 3, stride: 1, pad: 2},
	{n: 2, c: 2, h: 7, w: 5, fn: 1, fh: 1, fw: 1, stride: 3},
	{n: 1, c: 1, h: 6, w: 6, fn: 4, fh: 5, fw: 5, stride: 1, pad: 2},
}

func TestConvolutionMatchesNumerical(t *testing.T) {
	rng := newRand()
	for _, cc := range convCases {
		t.Run(cc.String(), func(t *testing.T) {
			l := NewConvolution(tensor.RandN(rng, 1, cc.fn, cc.c, cc.fh, cc.fw), tensor.RandN(rng, 1, cc.fn), cc.stride, cc.pad)
			x := tensor.RandN(rng, 1, cc.n, cc.c, cc.h, cc.w)
			oh, ow := (cc.h+2*cc.pad-cc.fh)/cc.stride+1, (cc.w+2*cc.pad-cc.fw)/cc.stride+1
			c := tensor.RandN(rng, 1, cc.n, cc.fn, oh, ow)

			numeric := grad.Numerical(scalarLoss(l, c), x)
			lossOfInput := func(*tensor.Tensor) float64 { return scalarLoss(l, c)(x) }
			dW := grad.Numerical(lossOfInput, l.W)
			dB := grad.Numerical(lossOfInput, l.B)

			y := l.Forward(x)
			require.Equal(t, []int{cc.n, cc.fn, oh, ow}, y.Shape())
			dx := l.Backward(c)
			require.Equal(t, x.Shape(), dx.Shape())
			for i, d := range grad.Check([]*tensor.Tensor{dx, l.DW, l.DB}, []*tensor.Tensor{numeric, dW, dB}) {
				assert.Less(t, d.MaxAbs, gradTol, "%s: %v", []string{"dx", "dW", "db"}[i], d)
			}
		})
	}
}

func TestConvolutionMatchesTheBook(t *testing.T) {
	rng := newRand()
	cases := append(convCases, convCase{n: 4, c: 1, h: 28, w: 28, fn: 30, fh: 5, fw: 5, stride: 1})
	for _, cc := range cases {
		t.Run(cc.String(), func(t *testing.T) {
			l := NewConvolution(tensor.RandN(rng, 1, cc.fn, cc.c, cc.fh, cc.fw), tensor.RandN(rng, 1, cc.fn), cc.stride, cc.pad)
			book := &bookConv{w: l.W.Data(), b: l.B.Data(), fn: cc.fn, c: cc.c, fh: cc.fh, fw: cc.fw, stride: cc.stride, pad: cc.pad}
			x := tensor.RandN(rng, 1, cc.n, cc.c, cc.h, cc.w)
			want := book.forward(x.Data(), cc.n, cc.h, cc.w)
			got := l.Forward(x)
			assert.InDeltaSlice(t, want, got.Data(), bookTol, "out")

			dout := tensor.RandN(rng, 1, got.Shape()...)
			wantDx, wantDW, wantDB := book.backward(dout.Data())
			assert.InDeltaSlice(t, wantDx, l.Backward(dout).Data(), bookTol, "dx")
			assert.InDeltaSlice(t, wantDW, l.DW.Data(), bookTol, "dW")
			assert.InDeltaSlice(t, wantDB, l.DB.Data(), bookTol, "db")

			l.skipInputGrad(true)
			l.Forward(x)
			assert.Nil(t, l.Backward(dout), "no dx as a first layer")
			assert.InDeltaSlice(t, wantDW, l.DW.Data(), bookTol, "dW is overwritten, not accumulated")
			assert.InDeltaSlice(t, wantDB, l.DB.Data(), bookTol, "db")
		})
	}
}

func TestConvolutionByHand(t *testing.T) {
	// The book's figure 7-12 without padding: a 4×4 input, a 3×3 filter,
	// stride 1, and the book's bias example of figure 7-10 (bias 3).
	x := tensor.FromSlice([]float64{
		1, 2, 3, 0,
		0, 1, 2, 3,
		3, 0, 1, 2,
		2, 3, 0, 1,
	}, 1, 1, 4, 4)
	w := tensor.FromSlice([]float64{
		2, 0, 1,
		0, 1, 2,
		1, 0, 2,
	}, 1, 1, 3, 3)
	l := NewConvolution(w, tensor.FromSlice([]float64{3}), 1, 0)
	// The book prints 15 16 / 6 15 for the filter alone; the bias adds 3.
	assert.Equal(t, []float64{18, 19, 9, 18}, l.Forward(x).Data())
	// dout of ones: db = 4, dW[i][j] = sum of the 2×2 block of x at (i, j),
	// e.g. dW[0][1] = 2+3+1+2 = 8.
	l.Backward(tensor.Full(1, 1, 1, 2, 2))
	assert.Equal(t, []float64{4}, l.DB.Data())
	assert.Equal(t, []float64{4, 8, 8, 4, 4, 8, 8, 4, 4}, l.DW.Data())

	// With padding 1 (figure 7-7) the output is 4×4 and its corner sees
	// only x[0:2][0:2] against W[1:3][1:3]: 1·1 + 2·2 + 0·0 + 1·2 + 3 = 10.
	p := NewConvolution(w, tensor.FromSlice([]float64{3}), 1, 1)
	out := p.Forward(x)
	require.Equal(t, []int{1, 1, 4, 4}, out.Shape())
	assert.Equal(t, 10.0, out.At(0, 0, 0, 0))
}

// poolCase is a pooling to check: input (n, c, h, w), window, stride and
// padding.
type poolCase struct {
	n, c, h, w, ph, pw, stride, pad int
}

func (pc poolCase) String() string {
	return fmt.Sprintf("x=%dx%dx%dx%d/pool=%dx%d/stride=%d/pad=%d", pc.n, pc.c, pc.h, pc.w, pc.ph, pc.pw, pc.stride, pc.pad)
}

var poolCases = []poolCase{
	{n: 2, c: 3, h: 4, w: 4, ph: 2, pw: 2, stride: 2},
	{n: 1, c: 2, h: 5, w: 7, ph: 2, pw: 2, stride: 2}, // odd edges are not covered
	{n: 2, c: 1, h: 5, w: 5, ph: 3, pw: 2, stride: 1}, // overlapping windows
	{n: 1, c: 2, h: 4, w: 5, ph: 3, pw: 3, stride: 2, pad: 1},
	{n: 3, c: 1, h: 6, w: 4, ph: 1, pw: 2, stride: 3},
}

// distinct returns a tensor of the shape whose values are a shuffle of
// −1 + 0.01·k: every window has a single maximum at least 0.01 above the
// rest, so the ±1e-4 steps of a numerical gradient never move it, and
// about half the values are below the zeros of any padding.
func distinct(rng *rand.Rand, shape ...int) *tensor.Tensor {
	x := tensor.New(shape...)
	for i, k := range rng.Perm(x.Size()) {
		x.Data()[i] = -1 + 0.01*float64(k)
	}
	return x
}

func TestPoolingMatchesNumerical(t *testing.T) {
	rng := newRand()
	for _, pc := range poolCases {
		t.Run(pc.String(), func(t *testing.T) {
			l := NewPooling(pc.ph, pc.pw, pc.stride, pc.pad)
			x := distinct(rng, pc.n, pc.c, pc.h, pc.w)
			y := l.Forward(x)
			c := tensor.RandN(rng, 1, y.Shape()...)
			numeric := grad.Numerical(scalarLoss(l, c), x)
			l.Forward(x)
			dx := l.Backward(c)
			require.Equal(t, x.Shape(), dx.Shape())
			d := grad.Check([]*tensor.Tensor{dx}, []*tensor.Tensor{numeric})[0]
			assert.Less(t, d.MaxAbs, gradTol, "dx: %v", d)
		})
	}
}

func TestPoolingMatchesTheBook(t *testing.T) {
	rng := newRand()
	for _, pc := range poolCases {
		for _, ties := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/ties=%t", pc, ties), func(t *testing.T) {
				l := NewPooling(pc.ph, pc.pw, pc.stride, pc.pad)
				book := &bookPool{ph: pc.ph, pw: pc.pw, stride: pc.stride, pad: pc.pad}
				x := tensor.RandN(rng, 1, pc.n, pc.c, pc.h, pc.w)
				if ties { // few values: windows with several equal maxima
					x.Apply(func(v float64) float64 { return float64(int(v * 1.5)) }, x)
				}
				want := book.forward(x.Data(), pc.n, pc.c, pc.h, pc.w)
				got := l.Forward(x)
				assert.InDeltaSlice(t, want, got.Data(), bookTol, "out")
				dout := tensor.RandN(rng, 1, got.Shape()...)
				assert.InDeltaSlice(t, book.backward(dout.Data()), l.Backward(dout).Data(), bookTol, "dx")
			})
		}
	}
}

func TestPoolingByHand(t *testing.T) {
	// The book's figure 7-14: 2×2 max pooling at stride 2.
	x := tensor.FromSlice([]float64{
		1, 2, 1, 0,
		0, 1, 2, 3,
		3, 0, 1, 2,
		2, 4, 0, 1,
	}, 1, 1, 4, 4)
	l := NewPooling(2, 2, 2, 0)
	assert.Equal(t, []float64{2, 3, 4, 2}, l.Forward(x).Data())
	// Ties go to the first maximum: in the last window the 2 at (2, 3)
	// comes before none other, and in the second the 3 is alone; a window
	// of equal values sends its gradient to the top-left.
	dx := l.Backward(tensor.FromSlice([]float64{10, 20, 30, 40}, 1, 1, 2, 2))
	assert.Equal(t, []float64{
		0, 10, 0, 0,
		0, 0, 0, 20,
		0, 0, 0, 40,
		0, 30, 0, 0,
	}, dx.Data())
	eq := NewPooling(2, 2, 2, 0)
	eq.Forward(tensor.Full(1, 1, 1, 2, 2))
	assert.Equal(t, []float64{5, 0, 0, 0}, eq.Backward(tensor.Full(5, 1, 1, 1, 1)).Data())
}

func TestConvolutionAndPoolingAllocateNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	conv := NewConvolution(tensor.RandN(rng, 0.1, 30, 1, 5, 5), tensor.New(30), 1, 0)
	pool := NewPooling(2, 2, 2, 0)
	x := tensor.RandN(rng, 1, 100, 1, 28, 28)
	dout := tensor.RandN(rng, 1, 100, 30, 12, 12)
	step := func() {
		pool.Forward(conv.Forward(x))
		conv.Backward(pool.Backward(dout))
	}
	step()
	assert.Zero(t, testing.AllocsPerRun(5, step))
	conv.skipInputGrad(true)
	step()
	assert.Zero(t, testing.AllocsPerRun(5, step))
}

func TestConvolutionAndPoolingClone(t *testing.T) {
	rng := newRand()
	conv := NewConvolution(tensor.RandN(rng, 1, 2, 1, 3, 3), tensor.RandN(rng, 1, 2), 2, 1)
	x := tensor.RandN(rng, 1, 2, 1, 5, 5)
	want := conv.Forward(x).Clone()
	c := conv.Clone().(*Convolution)
	assert.Equal(t, want.Data(), c.Forward(x).Data())
	c.W.Fill(0)
	assert.Equal(t, want.Data(), conv.Forward(x).Data(), "the copy's parameters are its own")
	assert.Equal(t, 2, c.Stride())
	assert.Equal(t, 1, c.Pad())

	pool := NewPooling(3, 2, 1, 1)
	assert.Equal(t, pool.Forward(x).Data(), pool.Clone().Forward(x).Data())
}

func TestConvolutionAndPoolingPanics(t *testing.T) {
	w := tensor.New(2, 3, 3, 3)
	tests := []struct {
		name, msg string
		f         func()
	}{
		{"W not 4-D", "layers: NewConvolution: W shape [2 3] and b shape [2] do not fit (FN, C, FH, FW) and (FN)",
			func() { NewConvolution(tensor.New(2, 3), tensor.New(2), 1, 0) }},
		{"zero stride", "layers: NewConvolution: stride 0 must be positive and pad 0 not negative",
			func() { NewConvolution(w, tensor.New(2), 0, 0) }},
		{"wrong channels", "layers: Convolution.Forward: input shape [1 2 5 5] does not fit W shape [2 3 3 3]: want (N, 3, H, W)",
			func() { NewConvolution(w, tensor.New(2), 1, 0).Forward(tensor.New(1, 2, 5, 5)) }},
		{"image too small", "layers: Convolution.Forward: input shape [1 3 2 5], W shape [2 3 3 3]: window 3×3 is larger than the padded image 2×5",
			func() { NewConvolution(w, tensor.New(2), 1, 0).Forward(tensor.New(1, 3, 2, 5)) }},
		{"conv backward first", "layers: Convolution.Backward: called before Forward",
			func() { NewConvolution(w, tensor.New(2), 1, 0).Backward(tensor.New(1, 2, 1, 1)) }},
		{"conv dout shape", "layers: Convolution.Backward: dout shape [1 2 2 2] does not match output shape [1 2 1 1]",
			func() {
				c := NewConvolution(w, tensor.New(2), 1, 0)
				c.Forward(tensor.New(1, 3, 3, 3))
				c.Backward(tensor.New(1, 2, 2, 2))
			}},
		{"pool size", "layers: NewPooling: window 0×2 and stride 2 must be positive and pad 0 not negative",
			func() { NewPooling(0, 2, 2, 0) }},
		{"pool input not 4-D", "layers: Pooling.Forward: input shape [4 4] is not (N, C, H, W)",
			func() { NewPooling(2, 2, 2, 0).Forward(tensor.New(4, 4)) }},
		{"pool backward first", "layers: Pooling.Backward: called before Forward",
			func() { NewPooling(2, 2, 2, 0).Backward(tensor.New(1, 1, 1, 1)) }},
		{"pool dout shape", "layers: Pooling.Backward: dout shape [1 1 1 1] does not match output shape [1 1 2 2]",
			func() {
				p := NewPooling(2, 2, 2, 0)
				p.Forward(tensor.New(1, 1, 4, 4))
				p.Backward(tensor.New(1, 1, 1, 1))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.PanicsWithValue(t, tt.msg, tt.f) })
	}
}

// TestHostileGeometryPanicsBeforeAllocating: strides, paddings and
// windows whose sizes would overflow an int or exceed the limits are
// refused with a message naming the layer and the shapes — by the
// constructors when the numbers alone are too large, by Forward when the
// input makes them so — and nothing of their size is allocated: the
// process survives and the heap barely moves.
func TestHostileGeometryPanicsBeforeAllocating(t *testing.T) {
	// The tensors are made first, outside the measurement.
	w29, w1, wide, w4096 := tensor.New(1, 1, 29, 29), tensor.New(1, 1, 1, 1), tensor.New(1, 1, 1, 1<<24+1), tensor.New(4096, 1, 1, 1)
	b1, b4096 := tensor.New(1), tensor.New(4096)
	x28, x4, x1024, x4096 := tensor.New(1, 1, 28, 28), tensor.New(1, 1, 4, 4), tensor.New(1, 1, 1024, 1024), tensor.New(1, 4096, 1, 1)
	// unchecked builds the layer the constructor would refuse, to show
	// that Forward checks too.
	unchecked := func(w *tensor.Tensor, stride, pad int) *Convolution {
		return &Convolution{W: w, B: b1, DW: w, DB: b1, stride: stride, pad: pad}
	}
	fused := func(c *Convolution) *Sequence {
		s := NewSequence(c, &ReLU{}, NewPooling(2, 2, 2, 0))
		require.NotNil(t, s.steps[0].fused, "the block is fused")
		return s
	}
	tests := []struct {
		name, msg string
		f         func()
	}{
		{"convolution padding of 2³¹", "layers: NewConvolution: filters 29×29, stride 1 and pad 2147483648 must each be at most 16777216",
			func() { NewConvolution(w29, b1, 1, 1<<31) }},
		{"convolution stride of 2⁴⁰", "layers: NewConvolution: filters 1×1, stride 1099511627776 and pad 0 must each be at most 16777216",
			func() { NewConvolution(w1, b1, 1<<40, 0) }},
		{"convolution filters wider than the limit", "layers: NewConvolution: filters 1×16777217, stride 1 and pad 0 must each be at most 16777216",
			func() { NewConvolution(wide, b1, 1, 0) }},
		{"pooling padding of 2³¹", "layers: NewPooling: window 2×2, stride 1 and pad 2147483648 must each be at most 16777216",
			func() { NewPooling(2, 2, 1, 1<<31) }},
		{"pooling window of 2⁴⁰", "layers: NewPooling: window 1099511627776×2, stride 2 and pad 0 must each be at most 16777216",
			func() { NewPooling(1<<40, 2, 2, 0) }},
		{"Forward with a padding of 2³¹", "layers: Convolution.Forward: input shape [1 1 28 28], W shape [1 1 29 29]: image 28×28, window 29×29, stride 1 and padding 2147483648 must each be at most 16777216",
			func() { unchecked(w29, 1, 1<<31).Forward(x28) }},
		{"Forward with a padding that wraps", "layers: Convolution.Forward: input shape [1 1 28 28], W shape [1 1 29 29]: image 28×28, window 29×29, stride 1 and padding 4611686018427387904 must each be at most 16777216",
			func() { unchecked(w29, 1, 1<<62).Forward(x28) }},
		{"Forward with a padding of 2²⁰", "layers: Convolution.Forward: input shape [1 1 4 4], W shape [1 1 1 1]: the padded image 1×2097156×2097156 has more than 2147483647 values",
			func() { NewConvolution(w1, b1, 1, 1<<20).Forward(x4) }},
		{"Forward with an output of 2³² values per image", "layers: Convolution.Forward: input shape [1 1 1024 1024], W shape [4096 1 1 1]: an output of 4096×1024×1024 values per image is more than 2147483647",
			func() { NewConvolution(w4096, b4096, 1, 0).Forward(x1024) }},
		{"fused block with a padding of 2³¹", "layers: Convolution.Forward: input shape [1 1 28 28], W shape [1 1 29 29]: image 28×28, window 29×29, stride 1 and padding 2147483648 must each be at most 16777216",
			func() { fused(unchecked(w29, 1, 1<<31)).Forward(x28) }},
		{"fused block with a padding of 2²⁰", "layers: Convolution.Forward: input shape [1 1 4 4], W shape [1 1 1 1]: the padded image 1×2097156×2097156 has more than 2147483647 values",
			func() { fused(NewConvolution(w1, b1, 1, 1<<20)).Forward(x4) }},
		{"pooling Forward with a padding of 2²⁰", "layers: Pooling.Forward: input shape [1 1 4 4]: the padded image 1×2097156×2097156 has more than 2147483647 values",
			func() { NewPooling(1, 1, 1, 1<<20).Forward(x4) }},
		{"pooling Forward with an output of 2³² values per image", "layers: Pooling.Forward: input shape [1 4096 1 1]: an output of 4096×1025×1025 values per image is more than 2147483647",
			func() { NewPooling(1, 1, 1, 512).Forward(x4096) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			assert.PanicsWithValue(t, tt.msg, tt.f)
			runtime.ReadMemStats(&after)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated")
		})
	}
}

// TestConvFlopsSaturates: the work of a pass, which decides whether to
// share it among cores, does not wrap around to a negative count for
// sizes within the limits whose product overflows an int.
func TestConvFlopsSaturates(t *testing.T) {
	// 1×1 filters over 1024 channels of 1024×1024: an unfolding of 2³⁰.
	g := convGeometry("Convolution", []int{1, 1 << 10, 1024, 1024}, tensor.New(1, 1<<10, 1, 1), 1, 0)
	assert.Equal(t, 2*3*(1<<30)*5, convFlops(3, 5, g))
	assert.Equal(t, math.MaxInt/2+1, convFlops(1<<30, 1<<20, g))
}

// TestBuildersRefuseWhatTheConstructorsRefuse: a model file's stride,
// padding or window beyond the limits is an error, not a panic.
func TestBuildersRefuseWhatTheConstructorsRefuse(t *testing.T) {
	tests := []struct {
		name, kind, config string
		params             []*tensor.Tensor
		msg                string
	}{
		{"convolution padding", "Convolution", `{"stride": 1, "pad": 2147483648}`, []*tensor.Tensor{tensor.New(1, 1, 29, 29), tensor.New(1)},
			"layers: Convolution: filters 29×29, stride 1 and pad 2147483648 must each be at most 16777216"},
		{"convolution stride", "Convolution", `{"stride": 4611686018427387904}`, []*tensor.Tensor{tensor.New(1, 1, 3, 3), tensor.New(1)},
			"layers: Convolution: filters 3×3, stride 4611686018427387904 and pad 0 must each be at most 16777216"},
		{"pooling padding", "Pooling", `{"height": 2, "width": 2, "stride": 1, "pad": 2147483648}`, nil,
			"layers: Pooling: window 2×2, stride 1 and pad 2147483648 must each be at most 16777216"},
		{"pooling window", "Pooling", `{"height": 16777217, "width": 2, "stride": 1}`, nil,
			"layers: Pooling: window 16777217×2, stride 1 and pad 0 must each be at most 16777216"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Build(Description{Kind: tt.kind, Config: json.RawMessage(tt.config)}, tt.params, nil)
			assert.Nil(t, l)
			assert.EqualError(t, err, tt.msg)
		})
	}
}

func TestPoolingNaNIsTheMaximum(t *testing.T) {
	// np.max of a window with a NaN is NaN, and np.argmax points at the
	// first NaN; the general path (3×1 windows) and the 2×2 one agree.
	nan := math.NaN()
	for _, l := range []*Pooling{NewPooling(2, 2, 2, 0), NewPooling(1, 3, 1, 0)} {
		x := tensor.FromSlice([]float64{1, nan, 3, 2, nan, 0}, 1, 1, 2, 3)
		if l.poolH == 2 {
			x = tensor.FromSlice([]float64{1, nan, nan, 2}, 1, 1, 2, 2)
		}
		y := l.Forward(x)
		assert.True(t, math.IsNaN(y.Data()[0]), "%v", y.Data())
		dx := l.Backward(tensor.Full(1, y.Shape()...))
		assert.Equal(t, 1.0, dx.Data()[1], "the first NaN takes the gradient: %v", dx.Data())
	}
}
