package layers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
)

func TestFlatten(t *testing.T) {
	// Two samples of 2×3: each becomes a row of 6, in row-major order.
	x := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 2, 3)
	var f Flatten
	y := f.Forward(x)
	require.Equal(t, []int{2, 6}, y.Shape())
	assert.Equal(t, x.Data(), y.Data())

	dout := tensor.FromSlice([]float64{-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12}, 2, 6)
	dx := f.Backward(dout)
	require.Equal(t, []int{2, 2, 3}, dx.Shape())
	assert.Equal(t, dout.Data(), dx.Data())

	assert.PanicsWithValue(t, "layers: Flatten.Backward: dout shape [3 4] does not match output shape [2 6]",
		func() { f.Backward(tensor.New(3, 4)) })
	assert.PanicsWithValue(t, "layers: Flatten.Backward: called before Forward", func() { (&Flatten{}).Backward(dout) })
	assert.Equal(t, []int{0, 6}, (&Flatten{}).Forward(tensor.New(0, 2, 3)).Shape())
}

// TestFlattenGradient checks Backward against central differences of
// L = Σ c·Flatten(x) for a fixed c.
func TestFlattenGradient(t *testing.T) {
	rng := newRand()
	x := tensor.RandN(rng, 1, 3, 2, 2, 2)
	c := tensor.RandN(rng, 1, 3, 8)
	var f Flatten
	loss := func(x *tensor.Tensor) float64 {
		var p tensor.Tensor
		p.Mul(f.Forward(x), c)
		return p.Sum()
	}
	want := grad.Numerical(loss, x)
	f.Forward(x)
	got := f.Backward(c)
	assert.InDeltaSlice(t, want.Data(), got.Data(), 1e-8)
}
