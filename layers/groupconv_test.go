package layers

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// groupCase is a grouped convolution to check: input (n, c, h, w), fn
// filters of (c/groups, kh, kw), stride, padding, dilation and groups.
type groupCase struct {
	n, c, h, w, fn, kh, kw, stride, pad, dilation, groups int
}

func (gc groupCase) String() string {
	return fmt.Sprintf("x=%dx%dx%dx%d/W=%dx%dx%dx%d/stride=%d/pad=%d/dilation=%d/groups=%d",
		gc.n, gc.c, gc.h, gc.w, gc.fn, gc.c/gc.groups, gc.kh, gc.kw, gc.stride, gc.pad, gc.dilation, gc.groups)
}

// out returns the output's shape: OH = (h + 2·pad − dilation·(kh − 1) −
// 1)/stride + 1, OW likewise.
func (gc groupCase) out() []int {
	side := func(n, k int) int { return (n+2*gc.pad-gc.dilation*(k-1)-1)/gc.stride + 1 }
	return []int{gc.n, gc.fn, side(gc.h, gc.kh), side(gc.w, gc.kw)}
}

// layer returns a grouped convolution of the case with random filters
// and biases.
func (gc groupCase) layer(rng *rand.Rand) *GroupedConvolution {
	w, b := tensor.RandN(rng, 1, gc.fn, gc.c/gc.groups, gc.kh, gc.kw), tensor.RandN(rng, 1, gc.fn)
	return NewGroupedConvolution(w, b, gc.stride, gc.pad, gc.dilation, gc.groups)
}

var groupCases = []groupCase{
	{n: 2, c: 4, h: 5, w: 5, fn: 6, kh: 3, kw: 3, stride: 1, dilation: 1, groups: 2},
	{n: 2, c: 3, h: 5, w: 6, fn: 3, kh: 3, kw: 3, stride: 1, pad: 1, dilation: 1, groups: 3}, // depthwise
	{n: 1, c: 2, h: 6, w: 5, fn: 4, kh: 3, kw: 2, stride: 2, pad: 1, dilation: 1, groups: 2}, // depthwise, two filters a channel
	{n: 2, c: 2, h: 7, w: 7, fn: 3, kh: 3, kw: 3, stride: 1, dilation: 2, groups: 1},         // dilation 2
	{n: 1, c: 3, h: 8, w: 7, fn: 2, kh: 2, kw: 3, stride: 2, pad: 2, dilation: 2, groups: 1}, // dilation, stride and padding
	{n: 2, c: 6, h: 7, w: 6, fn: 6, kh: 3, kw: 3, stride: 2, pad: 2, dilation: 2, groups: 3}, // all at once
	{n: 1, c: 4, h: 9, w: 9, fn: 4, kh: 3, kw: 3, stride: 1, pad: 3, dilation: 3, groups: 4}, // depthwise atrous, the output the input's size
	{n: 3, c: 2, h: 4, w: 5, fn: 2, kh: 1, kw: 1, stride: 3, dilation: 5, groups: 2},         // a 1×1 kernel has no taps to dilate
	{n: 1, c: 2, h: 3, w: 3, fn: 2, kh: 2, kw: 2, stride: 1, pad: 3, dilation: 2, groups: 2}, // windows all in the padding
	{n: 1, c: 4, h: 7, w: 7, fn: 8, kh: 1, kw: 1, stride: 1, dilation: 1, groups: 2},         // pointwise grouped (ShuffleNet)
}

func TestGroupedConvolutionMatchesNumerical(t *testing.T) {
	rng := newRand()
	for _, gc := range groupCases {
		t.Run(gc.String(), func(t *testing.T) {
			l := gc.layer(rng)
			x := tensor.RandN(rng, 1, gc.n, gc.c, gc.h, gc.w)
			c := tensor.RandN(rng, 1, gc.out()...)

			numeric := grad.Numerical(scalarLoss(l, c), x)
			lossOfInput := func(*tensor.Tensor) float64 { return scalarLoss(l, c)(x) }
			dW := grad.Numerical(lossOfInput, l.W)
			dB := grad.Numerical(lossOfInput, l.B)

			y := l.Forward(x)
			require.Equal(t, gc.out(), y.Shape())
			dx := l.Backward(c)
			require.Equal(t, x.Shape(), dx.Shape())
			for i, d := range grad.Check([]*tensor.Tensor{dx, l.DW, l.DB}, []*tensor.Tensor{numeric, dW, dB}) {
				assert.Less(t, d.MaxAbs, gradTol, "%s: %v", []string{"dx", "dW", "db"}[i], d)
			}
		})
	}
}

// directGrouped computes a grouped convolution and its gradients straight
// from the sums of GroupedConvolution's doc, one term at a time: the
// reference for the unfolded products.
func directGrouped(gc groupCase, x, w, b, dout []float64) (out, dx, dw, db []float64) {
	shape := gc.out()
	oh, ow := shape[2], shape[3]
	cg, fg := gc.c/gc.groups, gc.fn/gc.groups
	out, dx = make([]float64, gc.n*gc.fn*oh*ow), make([]float64, len(x))
	dw, db = make([]float64, len(w)), make([]float64, len(b))
	for n := range gc.n {
		for f := range gc.fn {
			for y := range oh {
				for xx := range ow {
					o := ((n*gc.fn+f)*oh+y)*ow + xx
					out[o] = b[f]
					db[f] += dout[o]
					for c := range cg {
						ch := f/fg*cg + c
						for i := range gc.kh {
							for j := range gc.kw {
								iy, ix := y*gc.stride+i*gc.dilation-gc.pad, xx*gc.stride+j*gc.dilation-gc.pad
								if iy < 0 || iy >= gc.h || ix < 0 || ix >= gc.w {
									continue
								}
								xi, wi := ((n*gc.c+ch)*gc.h+iy)*gc.w+ix, ((f*cg+c)*gc.kh+i)*gc.kw+j
								out[o] += w[wi] * x[xi]
								dw[wi] += x[xi] * dout[o]
								dx[xi] += w[wi] * dout[o]
							}
						}
					}
				}
			}
		}
	}
	return out, dx, dw, db
}

// TestGroupedConvolutionMatchesTheSums: on every engine, the unfolded
// products equal the sums of the definition up to rounding, and a second
// Backward overwrites the gradients.
func TestGroupedConvolutionMatchesTheSums(t *testing.T) {
	const tol = 1e-12
	rng := newRand()
	prev := tensor.CurrentEngine()
	defer tensor.SetEngine(prev)
	for _, e := range []tensor.Engine{tensor.Packed, tensor.Gonum} {
		tensor.SetEngine(e)
		// The last case is enough work to be shared among the cores.
		for _, gc := range append(groupCases, groupCase{n: 16, c: 8, h: 16, w: 16, fn: 8, kh: 3, kw: 3, stride: 1, pad: 2, dilation: 2, groups: 2}) {
			t.Run(fmt.Sprintf("%v/%s", e, gc), func(t *testing.T) {
				l := gc.layer(rng)
				x := tensor.RandN(rng, 1, gc.n, gc.c, gc.h, gc.w)
				dout := tensor.RandN(rng, 1, gc.out()...)
				out, dx, dw, db := directGrouped(gc, x.Data(), l.W.Data(), l.B.Data(), dout.Data())
				for range 2 {
					assert.InDeltaSlice(t, out, l.Forward(x).Data(), tol, "out")
					assert.InDeltaSlice(t, dx, l.Backward(dout).Data(), tol, "dx")
					assert.InDeltaSlice(t, dw, l.DW.Data(), tol, "dW")
					assert.InDeltaSlice(t, db, l.DB.Data(), tol, "db")
				}
			})
		}
	}
}

// TestGroupedConvolutionWithOneGroupIsTheBooks: with one group and no
// dilation it is the book's Convolution, with the same W and b.
func TestGroupedConvolutionWithOneGroupIsTheBooks(t *testing.T) {
	rng := newRand()
	cases := append(convCases, convCase{n: 4, c: 1, h: 28, w: 28, fn: 30, fh: 5, fw: 5, stride: 1})
	for _, cc := range cases {
		t.Run(cc.String(), func(t *testing.T) {
			book := NewConvolution(tensor.RandN(rng, 1, cc.fn, cc.c, cc.fh, cc.fw), tensor.RandN(rng, 1, cc.fn), cc.stride, cc.pad)
			l := NewGroupedConvolution(book.W, book.B, cc.stride, cc.pad, 1, 1)
			x := tensor.RandN(rng, 1, cc.n, cc.c, cc.h, cc.w)
			want := book.Forward(x)
			assert.InDeltaSlice(t, want.Data(), l.Forward(x).Data(), bookTol, "out")
			dout := tensor.RandN(rng, 1, want.Shape()...)
			assert.InDeltaSlice(t, book.Backward(dout).Data(), l.Backward(dout).Data(), bookTol, "dx")
			assert.InDeltaSlice(t, book.DW.Data(), l.DW.Data(), bookTol, "dW")
			assert.InDeltaSlice(t, book.DB.Data(), l.DB.Data(), bookTol, "db")
		})
	}
}

func TestGroupedConvolutionByHand(t *testing.T) {
	t.Run("depthwise", func(t *testing.T) {
		// Two channels, each with a filter of its own: channel 0 (1…9)
		// with the diagonal [[1 0] [0 1]], so out = x[y][x] + x[y+1][x+1];
		// channel 1 (ones) with [[1 1] [1 1]] plus bias 10, so 14
		// everywhere — it never sees channel 0.
		x := tensor.FromSlice([]float64{
			1, 2, 3, 4, 5, 6, 7, 8, 9,
			1, 1, 1, 1, 1, 1, 1, 1, 1,
		}, 1, 2, 3, 3)
		w := tensor.FromSlice([]float64{1, 0, 0, 1, 1, 1, 1, 1}, 2, 1, 2, 2)
		l := NewGroupedConvolution(w, tensor.FromSlice([]float64{0, 10}), 1, 0, 1, 2)
		assert.Equal(t, []float64{6, 8, 12, 14, 14, 14, 14, 14}, l.Forward(x).Data())
		// dout of ones: channel 0's gradient counts the windows that read
		// each position through a 1 of the diagonal; channel 1's the
		// windows that cover it.
		dx := l.Backward(tensor.Full(1, 1, 2, 2, 2))
		assert.Equal(t, []float64{
			1, 1, 0, 1, 2, 1, 0, 1, 1,
			1, 2, 1, 2, 4, 2, 1, 2, 1,
		}, dx.Data())
		// dW[f][i][j] sums the 2×2 block of f's channel at (i, j): 1+2+4+5,
		// 2+3+5+6, 4+5+7+8, 5+6+8+9, then 4 ones each.
		assert.Equal(t, []float64{12, 16, 24, 28, 4, 4, 4, 4}, l.DW.Data())
		assert.Equal(t, []float64{4, 4}, l.DB.Data())
	})
	t.Run("dilation 2", func(t *testing.T) {
		// x[r][c] = 5r + c over 5×5; a 2×2 kernel of ones with taps 2
		// apart covers 3×3, and reads x[y][x] + x[y][x+2] + x[y+2][x] +
		// x[y+2][x+2] = 4·(5y + x) + 24.
		x := tensor.New(1, 1, 5, 5)
		for i := range x.Data() {
			x.Data()[i] = float64(i)
		}
		l := NewGroupedConvolution(tensor.Full(1, 1, 1, 2, 2), tensor.New(1), 1, 0, 2, 1)
		y := l.Forward(x)
		require.Equal(t, []int{1, 1, 3, 3}, y.Shape())
		assert.Equal(t, []float64{24, 28, 32, 44, 48, 52, 64, 68, 72}, y.Data())
		// dout of ones: dW[i][j] = Σ_{y,x<3} x[y+2i][x+2j]
		// = 9·(5·1 + 1) + 9·(10i + 2j).
		l.Backward(tensor.Full(1, 1, 1, 3, 3))
		assert.Equal(t, []float64{54, 72, 144, 162}, l.DW.Data())
		assert.Equal(t, []float64{9}, l.DB.Data())
	})
	t.Run("dilation 2, stride 2, pad 1", func(t *testing.T) {
		// Over the same x padded by 1 the kernel's taps sit at rows and
		// columns −1 and 1 from 2·(y, x): out(0, 0) reads only x[1][1] = 6;
		// out(1, 1) reads x[1][1], x[1][3], x[3][1], x[3][3] = 6+8+16+18.
		x := tensor.New(1, 1, 5, 5)
		for i := range x.Data() {
			x.Data()[i] = float64(i)
		}
		l := NewGroupedConvolution(tensor.Full(1, 1, 1, 2, 2), tensor.New(1), 2, 1, 2, 1)
		y := l.Forward(x)
		require.Equal(t, []int{1, 1, 3, 3}, y.Shape()) // (5 + 2 − 3)/2 + 1
		assert.Equal(t, 6.0, y.At(0, 0, 0, 0))
		assert.Equal(t, 48.0, y.At(0, 0, 1, 1))
	})
}

func TestGroupedConvolutionAllocatesNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	l := groupCase{n: 8, c: 8, h: 12, w: 12, fn: 8, kh: 3, kw: 3, stride: 1, pad: 2, dilation: 2, groups: 8}.layer(rng)
	x := tensor.RandN(rng, 1, 8, 8, 12, 12)
	dout := tensor.RandN(rng, 1, 8, 8, 12, 12)
	step := func() {
		l.Forward(x)
		l.Backward(dout)
	}
	step()
	assert.Zero(t, testing.AllocsPerRun(5, step))
}

func TestGroupedConvolutionClone(t *testing.T) {
	rng := newRand()
	l := groupCase{c: 4, fn: 4, kh: 3, kw: 2, stride: 2, pad: 1, dilation: 2, groups: 2}.layer(rng)
	x := tensor.RandN(rng, 1, 2, 4, 7, 6)
	want := l.Forward(x).Clone()
	l.Backward(tensor.RandN(rng, 1, want.Shape()...))
	c := l.Clone().(*GroupedConvolution)
	assert.Equal(t, want.Data(), c.Forward(x).Data())
	assert.Equal(t, l.DW.Data(), c.DW.Data(), "the gradients are copied")
	c.W.Fill(0)
	assert.Equal(t, want.Data(), l.Forward(x).Data(), "the copy's parameters are its own")
	assert.Equal(t, []int{2, 1, 2, 2}, []int{c.Stride(), c.Pad(), c.Dilation(), c.Groups()})
	params := c.Params()
	require.Len(t, params, 2)
	assert.Equal(t, Param{Name: "W", Value: c.W, Grad: c.DW, Decay: true}, params[0])
	assert.Equal(t, Param{Name: "b", Value: c.B, Grad: c.DB}, params[1])
}

func TestGroupedConvolutionPanics(t *testing.T) {
	w := tensor.New(4, 3, 3, 3) // 4 filters of 3 channels: C = 6 in 2 groups
	tests := []struct {
		name, msg string
		f         func()
	}{
		{"W not 4-D", "layers: NewGroupedConvolution: W shape [4 3] and b shape [4] do not fit (FN, C/groups, KH, KW) and (FN)",
			func() { NewGroupedConvolution(tensor.New(4, 3), tensor.New(4), 1, 0, 1, 1) }},
		{"empty kernel", "layers: NewGroupedConvolution: W shape [4 3 0 3] has no channels or an empty kernel",
			func() { NewGroupedConvolution(tensor.New(4, 3, 0, 3), tensor.New(4), 1, 0, 1, 1) }},
		{"groups not dividing the filters", "layers: NewGroupedConvolution: 4 filters must be a positive multiple of groups 3",
			func() { NewGroupedConvolution(w, tensor.New(4), 1, 0, 1, 3) }},
		{"no groups", "layers: NewGroupedConvolution: 4 filters must be a positive multiple of groups 0",
			func() { NewGroupedConvolution(w, tensor.New(4), 1, 0, 1, 0) }},
		{"zero dilation", "layers: NewGroupedConvolution: stride 1 and dilation 0 must be positive and pad 0 not negative",
			func() { NewGroupedConvolution(w, tensor.New(4), 1, 0, 0, 2) }},
		{"dilation of 2⁴⁰", "layers: NewGroupedConvolution: kernel 3×3, stride 1, pad 0 and dilation 1099511627776 must each be at most 16777216",
			func() { NewGroupedConvolution(w, tensor.New(4), 1, 0, 1<<40, 2) }},
		{"dilated kernel over 2²⁴", "layers: NewGroupedConvolution: kernel 3×3 at dilation 16777216 covers 33554433×33554433, a side over 16777216",
			func() { NewGroupedConvolution(w, tensor.New(4), 1, 0, 1<<24, 2) }},
		{"wrong channels", "layers: GroupedConvolution.Forward: input shape [1 3 5 5] does not fit W shape [4 3 3 3] in 2 groups: want (N, 6, H, W)",
			func() { NewGroupedConvolution(w, tensor.New(4), 1, 0, 1, 2).Forward(tensor.New(1, 3, 5, 5)) }},
		{"input not 4-D", "layers: GroupedConvolution.Forward: input shape [6 5 5] does not fit W shape [4 3 3 3] in 2 groups: want (N, 6, H, W)",
			func() { NewGroupedConvolution(w, tensor.New(4), 1, 0, 1, 2).Forward(tensor.New(6, 5, 5)) }},
		{"image without rows", "layers: GroupedConvolution.Forward: input shape [1 6 0 5], W shape [4 3 3 3]: image 0×5 must be positive",
			func() { NewGroupedConvolution(w, tensor.New(4), 1, 0, 1, 2).Forward(tensor.New(1, 6, 0, 5)) }},
		{"dilated kernel larger than the image", "layers: GroupedConvolution.Forward: input shape [1 6 4 5], W shape [4 3 3 3]: the dilated kernel 5×5 is larger than the padded image 4×5",
			func() { NewGroupedConvolution(w, tensor.New(4), 1, 0, 2, 2).Forward(tensor.New(1, 6, 4, 5)) }},
		{"backward first", "layers: GroupedConvolution.Backward: called before Forward",
			func() { NewGroupedConvolution(w, tensor.New(4), 1, 0, 1, 2).Backward(tensor.New(1, 4, 1, 1)) }},
		{"dout shape", "layers: GroupedConvolution.Backward: dout shape [1 4 2 2] does not match output shape [1 4 1 1]",
			func() {
				c := NewGroupedConvolution(w, tensor.New(4), 1, 0, 1, 2)
				c.Forward(tensor.New(1, 6, 3, 3))
				c.Backward(tensor.New(1, 4, 2, 2))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.PanicsWithValue(t, tt.msg, tt.f) })
	}
}

// TestGroupedConvolutionRefusesHostileGeometryBeforeAllocating: sizes
// beyond the limits are refused with a message naming the shapes, and
// nothing of their size is allocated.
func TestGroupedConvolutionRefusesHostileGeometryBeforeAllocating(t *testing.T) {
	w1, b1, w4096, b4096 := tensor.New(1, 1, 1, 1), tensor.New(1), tensor.New(4096, 1, 1, 1), tensor.New(4096)
	w216 := tensor.New(1, 1, 216, 216)
	x1, x4, x1024 := tensor.New(1, 1, 1, 1), tensor.New(1, 1, 4, 4), tensor.New(1, 1, 1024, 1024)
	tests := []struct {
		name, msg string
		f         func()
	}{
		{"padding of 2³¹", "layers: NewGroupedConvolution: kernel 1×1, stride 1, pad 2147483648 and dilation 1 must each be at most 16777216",
			func() { NewGroupedConvolution(w1, b1, 1, 1<<31, 1, 1) }},
		{"Forward with a padding of 2²⁰", "layers: GroupedConvolution.Forward: input shape [1 1 4 4], W shape [1 1 1 1]: the padded image 1×2097156×2097156 has more than 2147483647 values",
			func() { NewGroupedConvolution(w1, b1, 1, 1<<20, 1, 1).Forward(x4) }},
		{"Forward with an output of 2³² values per image", "layers: GroupedConvolution.Forward: input shape [1 1 1024 1024], W shape [4096 1 1 1]: an output of 4096×1024×1024 values per image is more than 2147483647",
			func() { NewGroupedConvolution(w4096, b4096, 1, 0, 1, 1).Forward(x1024) }},
		{"Forward with an unfolding of 2³¹ values", "layers: GroupedConvolution.Forward: input shape [1 1 1 1], W shape [1 1 216 216]: windows of 1×216×216 at 216×216 positions read more than 2147483647 values",
			func() { NewGroupedConvolution(w216, b1, 1, 215, 1, 1).Forward(x1) }},
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

func TestGroupedConvolutionBuilder(t *testing.T) {
	build := func(cfg string, params ...*tensor.Tensor) (Layer, error) {
		return Build(Description{Kind: "GroupedConvolution", Config: json.RawMessage(cfg)}, params, nil)
	}
	w, b := tensor.New(4, 1, 3, 3), tensor.New(4)
	l, err := build(``, w, b)
	require.NoError(t, err)
	g := l.(*GroupedConvolution)
	assert.Equal(t, []int{1, 0, 1, 1}, []int{g.Stride(), g.Pad(), g.Dilation(), g.Groups()}, "the defaults")
	l, err = build(`{"stride": 2, "pad": 1, "dilation": 2, "groups": 4}`, w, b)
	require.NoError(t, err)
	g = l.(*GroupedConvolution)
	assert.Equal(t, []int{2, 1, 2, 4}, []int{g.Stride(), g.Pad(), g.Dilation(), g.Groups()})

	tests := []struct {
		name, cfg string
		params    []*tensor.Tensor
		msg       string
	}{
		{"groups", `{"groups": 3}`, []*tensor.Tensor{w, b}, "layers: GroupedConvolution: 4 filters must be a positive multiple of groups 3"},
		{"dilation", `{"dilation": -1}`, []*tensor.Tensor{w, b}, "layers: GroupedConvolution: stride 1 and dilation -1 must be positive and pad 0 not negative"},
		{"dilated too far", `{"dilation": 16777216}`, []*tensor.Tensor{w, b}, "layers: GroupedConvolution: kernel 3×3 at dilation 16777216 covers 33554433×33554433, a side over 16777216"},
		{"bias", `{}`, []*tensor.Tensor{w, tensor.New(3)}, "layers: GroupedConvolution: W shape [4 1 3 3] and b shape [3] do not fit (FN, C/groups, KH, KW) and (FN)"},
		{"tensors", `{}`, []*tensor.Tensor{w}, "layers: GroupedConvolution has 2 tensors, the model gives 1"},
		{"unknown field", `{"auto_pad": "SAME_UPPER"}`, []*tensor.Tensor{w, b}, `layers: GroupedConvolution: config {"auto_pad": "SAME_UPPER"}: json: unknown field "auto_pad"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := build(tt.cfg, tt.params...)
			assert.Nil(t, l)
			assert.EqualError(t, err, tt.msg)
		})
	}
}

// The capabilities of the pooling and grouped-convolution layers.
var (
	_ Cloner    = (*AvgPool)(nil)
	_ Cloner    = (*GlobalAvgPool)(nil)
	_ Cloner    = (*MaxPool)(nil)
	_ Learnable = (*GroupedConvolution)(nil)
	_ Cloner    = (*GroupedConvolution)(nil)
)

// TestGroupedConvolutionGradientsDoNotDependOnTheCores: as Convolution's,
// a batch's weight and bias gradients come out the same bit for bit on
// one core and on several.
func TestGroupedConvolutionGradientsDoNotDependOnTheCores(t *testing.T) {
	rng := newRand()
	l := groupCase{c: 8, fn: 16, kh: 3, kw: 3, stride: 1, pad: 2, dilation: 2, groups: 4}.layer(rng)
	x := tensor.RandN(rng, 1, 40, 8, 16, 16)
	dout := tensor.RandN(rng, 1, l.Forward(x).Shape()...)
	grads := func(procs int) []uint64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		l.Forward(x)
		l.Backward(dout)
		return append(bits(l.DW), bits(l.DB)...)
	}
	one := grads(1)
	for range 5 {
		require.Equal(t, one, grads(max(2, runtime.NumCPU())))
	}
}

// BenchmarkGroupedConvolution measures a training step (Forward and
// Backward) of a batch of 8 on shapes from MobileNet and DeepLab: a
// depthwise 3×3, a grouped 3×3, a dilated 3×3, and the book's
// Convolution on the same plain 3×3 for comparison.
func BenchmarkGroupedConvolution(b *testing.B) {
	rng := newRand()
	for _, gc := range []groupCase{
		{n: 8, c: 64, h: 56, w: 56, fn: 64, kh: 3, kw: 3, stride: 1, pad: 1, dilation: 1, groups: 64},
		{n: 8, c: 64, h: 56, w: 56, fn: 64, kh: 3, kw: 3, stride: 1, pad: 1, dilation: 1, groups: 8},
		{n: 8, c: 64, h: 28, w: 28, fn: 64, kh: 3, kw: 3, stride: 1, pad: 4, dilation: 4, groups: 1},
		{n: 8, c: 64, h: 28, w: 28, fn: 64, kh: 3, kw: 3, stride: 1, pad: 1, dilation: 1, groups: 1},
	} {
		l := gc.layer(rng)
		x := tensor.RandN(rng, 1, gc.n, gc.c, gc.h, gc.w)
		dout := tensor.RandN(rng, 1, gc.out()...)
		name := fmt.Sprintf("shape=%dx%dx%dx%d/groups=%d/dilation=%d", gc.n, gc.c, gc.h, gc.w, gc.groups, gc.dilation)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l.Forward(x)
				l.Backward(dout)
			}
		})
		if gc.groups == 1 && gc.dilation == 1 {
			book := NewConvolution(l.W, l.B, gc.stride, gc.pad)
			b.Run(name+"/layer=Convolution", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					book.Forward(x)
					book.Backward(dout)
				}
			})
		}
	}
}
