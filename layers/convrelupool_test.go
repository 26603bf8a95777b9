package layers

import (
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The block's cases: the convolution's output must have a 2×2 window;
// odd outputs leave a row or column unpooled.
var blockCases = []convCase{
	{n: 2, c: 1, h: 6, w: 6, fn: 2, fh: 3, fw: 3, stride: 1},         // 4×4 → 2×2
	{n: 1, c: 2, h: 5, w: 6, fn: 3, fh: 3, fw: 2, stride: 2, pad: 1}, // 3×4 → 1×2
	{n: 3, c: 3, h: 4, w: 5, fn: 2, fh: 2, fw: 3, stride: 1, pad: 2}, // 7×7 → 3×3
	{n: 2, c: 1, h: 28, w: 28, fn: 30, fh: 5, fw: 5, stride: 1},      // the book's
	{n: 1, c: 1, h: 9, w: 8, fn: 4, fh: 5, fw: 5, stride: 1, pad: 2}, // 9×8 → 4×4
}

func TestConvReLUPoolEqualsTheThreeLayers(t *testing.T) {
	rng := newRand()
	for _, cc := range blockCases {
		t.Run(cc.String(), func(t *testing.T) {
			w, b := tensor.RandN(rng, 1, cc.fn, cc.c, cc.fh, cc.fw), tensor.RandN(rng, 0.5, cc.fn)
			block := NewConvReLUPool(w, b, cc.stride, cc.pad)
			conv := NewConvolution(w, b, cc.stride, cc.pad)
			var relu ReLU
			pool := NewPooling(2, 2, 2, 0)
			x := tensor.RandN(rng, 1, cc.n, cc.c, cc.h, cc.w)

			want := pool.Forward(relu.Forward(conv.Forward(x)))
			got := block.Forward(x)
			require.Equal(t, want.Shape(), got.Shape())
			assert.InDeltaSlice(t, want.Data(), got.Data(), bookTol, "out")

			dout := tensor.RandN(rng, 1, got.Shape()...)
			wantDx := conv.Backward(relu.Backward(pool.Backward(dout)))
			assert.InDeltaSlice(t, wantDx.Data(), block.Backward(dout).Data(), bookTol, "dx")
			assert.InDeltaSlice(t, conv.DW.Data(), block.DW.Data(), bookTol, "dW")
			assert.InDeltaSlice(t, conv.DB.Data(), block.DB.Data(), bookTol, "db")

			block.SetMode(Inference)
			assert.InDeltaSlice(t, want.Data(), block.Forward(x).Data(), bookTol, "inference gives the same output")
			assert.PanicsWithValue(t, "layers: ConvReLUPool.Backward: the last Forward ran in inference mode, which keeps no arg-max",
				func() { block.Backward(dout) })
			block.SetMode(Training)

			block.SkipInputGrad(true)
			block.Forward(x)
			assert.Nil(t, block.Backward(dout))
			assert.InDeltaSlice(t, conv.DW.Data(), block.DW.Data(), bookTol, "dW is overwritten, not accumulated")
		})
	}
}

func TestConvReLUPoolMatchesNumerical(t *testing.T) {
	rng := newRand()
	for _, cc := range blockCases {
		if cc.h*cc.w*cc.fn > 1000 {
			continue // the book's size: covered by the comparison above
		}
		t.Run(cc.String(), func(t *testing.T) {
			l := NewConvReLUPool(tensor.RandN(rng, 1, cc.fn, cc.c, cc.fh, cc.fw), tensor.RandN(rng, 0.5, cc.fn), cc.stride, cc.pad)
			x := tensor.RandN(rng, 1, cc.n, cc.c, cc.h, cc.w)
			y := l.Forward(x)
			c := tensor.RandN(rng, 1, y.Shape()...)

			numeric := grad.Numerical(scalarLoss(l, c), x)
			lossOfInput := func(*tensor.Tensor) float64 { return scalarLoss(l, c)(x) }
			dW := grad.Numerical(lossOfInput, l.W)
			dB := grad.Numerical(lossOfInput, l.B)
			l.Forward(x)
			dx := l.Backward(c)
			for i, d := range grad.Check([]*tensor.Tensor{dx, l.DW, l.DB}, []*tensor.Tensor{numeric, dW, dB}) {
				assert.Less(t, d.MaxAbs, gradTol, "%s: %v", []string{"dx", "dW", "db"}[i], d)
			}
		})
	}
}

func TestConvReLUPoolAllocatesNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	l := NewConvReLUPool(tensor.RandN(rng, 0.1, 30, 1, 5, 5), tensor.New(30), 1, 0)
	x := tensor.RandN(rng, 1, 100, 1, 28, 28)
	dout := tensor.RandN(rng, 1, 100, 30, 12, 12)
	step := func() {
		l.Forward(x)
		l.Backward(dout)
	}
	step()
	assert.Zero(t, testing.AllocsPerRun(5, step))
}

func TestConvReLUPoolCloneAndPanics(t *testing.T) {
	rng := newRand()
	l := NewConvReLUPool(tensor.RandN(rng, 1, 2, 1, 3, 3), tensor.RandN(rng, 1, 2), 1, 1)
	l.SkipInputGrad(true)
	x := tensor.RandN(rng, 1, 2, 1, 5, 5)
	want := l.Forward(x).Clone()
	c := l.Clone().(*ConvReLUPool)
	assert.Equal(t, want.Data(), c.Forward(x).Data())
	assert.Nil(t, c.Backward(want))
	c.W.Fill(0)
	assert.Equal(t, want.Data(), l.Forward(x).Data(), "the copy's parameters are its own")
	assert.Equal(t, 1, c.Stride())
	assert.Equal(t, 1, c.Pad())

	assert.PanicsWithValue(t, "layers: ConvReLUPool.Forward: input shape [1 1 3 3], W shape [2 1 3 3]: the 1×1 convolution output has no 2×2 window to pool",
		func() { NewConvReLUPool(tensor.New(2, 1, 3, 3), tensor.New(2), 1, 0).Forward(tensor.New(1, 1, 3, 3)) })
	assert.PanicsWithValue(t, "layers: ConvReLUPool.Backward: called before Forward",
		func() { NewConvReLUPool(tensor.New(2, 1, 3, 3), tensor.New(2), 1, 0).Backward(tensor.New(1, 2, 1, 1)) })
	assert.PanicsWithValue(t, "layers: ConvReLUPool.Backward: dout shape [1 2 2 2] does not match output shape [1 2 1 1]",
		func() {
			b := NewConvReLUPool(tensor.New(2, 1, 3, 3), tensor.New(2), 1, 0)
			b.Forward(tensor.New(1, 1, 4, 4))
			b.Backward(tensor.New(1, 2, 2, 2))
		})
}
