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

// block is the fused block of a Sequence, as a Learnable layer for tests:
// its Params are the convolution's.
type block struct {
	*convReLUPool
}

func (b block) Params() []Param { return b.conv.Params() }

// fusedBlock returns the fused block of convolution c followed by a ReLU
// and a 2×2 pooling.
func fusedBlock(c *Convolution) block { return block{newConvReLUPool(c)} }

func TestSequenceFusesTheBooksBlock(t *testing.T) {
	conv := NewConvolution(tensor.New(2, 1, 3, 3), tensor.New(2), 1, 0)
	pool := NewPooling(2, 2, 2, 0)
	s := NewSequence(conv, &ReLU{}, pool, NewAffine(tensor.New(8, 3), tensor.New(3)))
	require.Len(t, s.steps, 2)
	assert.NotNil(t, s.steps[0].fused)
	assert.Same(t, conv.W, s.steps[0].fused.W, "the block uses the convolution's own parameters")
	assert.Equal(t, []Layer{conv, s.layers[1], pool, s.layers[3]}, s.Layers(), "the layers stay the book's")
	for _, ls := range [][]Layer{
		{conv, &Sigmoid{}, pool},
		{conv, &ReLU{}, NewPooling(3, 3, 2, 0)},
		{conv, &ReLU{}, NewPooling(2, 2, 2, 1)},
		{conv, &ReLU{}},
	} {
		assert.Len(t, NewSequence(ls...).steps, len(ls), "nothing to fuse in %T", ls)
	}
}

func TestConvReLUPoolEqualsTheThreeLayers(t *testing.T) {
	rng := newRand()
	for _, cc := range blockCases {
		t.Run(cc.String(), func(t *testing.T) {
			w, b := tensor.RandN(rng, 1, cc.fn, cc.c, cc.fh, cc.fw), tensor.RandN(rng, 0.5, cc.fn)
			conv := NewConvolution(w, b, cc.stride, cc.pad)
			block := newConvReLUPool(NewConvolution(w, b, cc.stride, cc.pad))
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

			block.setMode(Inference)
			assert.InDeltaSlice(t, want.Data(), block.Forward(x).Data(), bookTol, "inference gives the same output")
			assert.PanicsWithValue(t, "layers: Convolution → ReLU → Pooling: Backward after a Forward in inference mode, which keeps no arg-max",
				func() { block.Backward(dout) })
			block.setMode(Training)

			block.skipInputGrad(true)
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
			l := newConvReLUPool(NewConvolution(tensor.RandN(rng, 1, cc.fn, cc.c, cc.fh, cc.fw), tensor.RandN(rng, 0.5, cc.fn), cc.stride, cc.pad))
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
	l := newConvReLUPool(NewConvolution(tensor.RandN(rng, 0.1, 30, 1, 5, 5), tensor.New(30), 1, 0))
	x := tensor.RandN(rng, 1, 100, 1, 28, 28)
	dout := tensor.RandN(rng, 1, 100, 30, 12, 12)
	step := func() {
		l.Forward(x)
		l.Backward(dout)
	}
	step()
	assert.Zero(t, testing.AllocsPerRun(5, step))
}

func TestConvReLUPoolPanicsAndFits(t *testing.T) {
	newBlock := func() *convReLUPool {
		return newConvReLUPool(NewConvolution(tensor.New(2, 1, 3, 3), tensor.New(2), 1, 0))
	}
	assert.False(t, newBlock().fits([]int{1, 1, 3, 3}), "a 1×1 convolution output has no window to pool")
	assert.False(t, newBlock().fits([]int{1, 2, 4, 4}), "W has one channel")
	assert.False(t, newBlock().fits([]int{1, 4, 4}))
	assert.True(t, newBlock().fits([]int{7, 1, 4, 4}))
	assert.PanicsWithValue(t, "layers: Convolution → ReLU → Pooling: Backward called before Forward",
		func() { newBlock().Backward(tensor.New(1, 2, 1, 1)) })
	assert.PanicsWithValue(t, "layers: Pooling.Backward: dout shape [1 2 2 2] does not match output shape [1 2 1 1]",
		func() {
			b := newBlock()
			b.Forward(tensor.New(1, 1, 4, 4))
			b.Backward(tensor.New(1, 2, 2, 2))
		})

	// In a Sequence, an input the block cannot take runs through the
	// three layers, which say what is wrong.
	s := NewSequence(NewConvolution(tensor.New(2, 1, 3, 3), tensor.New(2), 1, 0), &ReLU{}, NewPooling(2, 2, 2, 0))
	assert.PanicsWithValue(t, "layers: Pooling.Forward: input shape [1 2 1 1]: window 2×2 is larger than the padded image 1×1",
		func() { s.Forward(tensor.New(1, 1, 3, 3)) })
}
