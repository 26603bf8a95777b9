package layers

import (
	"testing"

	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPreparedEqualsPlainForward: forwarding prepared rows and ranges gives
// what Forward gives for the same rows, and Backward the same gradients.
func TestPreparedEqualsPlainForward(t *testing.T) {
	for _, tt := range []struct {
		name    string
		x       *tensor.Tensor
		density float64
		sparse  bool
	}{
		{"sparse", sparseData(30, 40, 0.15), 0.15, true},
		{"dense", sparseData(30, 40, 0.9), 0.9, false},
		{"sparse 3-D", sparseData(30, 40, 0.15).Reshape(30, 4, 10), 0.15, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := Prepare(tt.x)
			assert.Equal(t, tt.sparse, p.Sparse())
			assert.Equal(t, 30, p.Len())
			rng := newRand()
			w, b := tensor.RandN(rng, 1, 40, 6), tensor.RandN(rng, 1, 6)
			flat := tt.x.Reshape(30, 40)

			rows := []int{29, 3, 3, 17}
			prepared, plain := NewAffine(w, b), NewAffine(w, b)
			y := prepared.ForwardPrepared(p, rows).Clone()
			assertSame(t, plain.Forward(gatherTensor(flat, 40, rows)), y, "ForwardPrepared y")
			dout := tensor.RandN(rng, 1, len(rows), 6)
			dx := prepared.Backward(dout).Clone()
			assertSame(t, plain.Backward(dout), dx, "dx")
			assertSame(t, plain.DW, prepared.DW, "DW")
			assertSame(t, plain.DB, prepared.DB, "DB")

			y = prepared.ForwardPreparedRange(p, 10, 25).Clone()
			assertSame(t, plain.Forward(flat.Slice(10, 25)), y, "ForwardPreparedRange y")
			dout = tensor.RandN(rng, 1, 15, 6)
			prepared.Backward(dout)
			plain.Backward(dout)
			assertSame(t, plain.DW, prepared.DW, "DW of a range")
		})
	}
}

func TestPreparedPanics(t *testing.T) {
	p := Prepare(sparseData(5, 4, 0.2))
	a := NewAffine(tensor.New(4, 3), tensor.New(3))
	assert.PanicsWithValue(t, "layers: Affine.ForwardPrepared: row 5 out of range for 5 rows", func() { a.ForwardPrepared(p, []int{5}) })
	assert.PanicsWithValue(t, "layers: Affine.ForwardPreparedRange: range [2:6] out of bounds for 5 rows", func() { a.ForwardPreparedRange(p, 2, 6) })
	wide := NewAffine(tensor.New(6, 3), tensor.New(3))
	assert.PanicsWithValue(t, "layers: Affine.ForwardPrepared: prepared rows of 4 entries do not fit W shape [6 3]", func() { wide.ForwardPrepared(p, []int{0}) })
	assert.PanicsWithValue(t, "layers: Prepare: shape [] has no rows", func() { Prepare(tensor.Scalar(1)) })
}

func TestForwardPreparedAllocatesNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	p := Prepare(sparseData(1000, 784, 0.19))
	require.True(t, p.Sparse())
	a := NewAffine(tensor.RandN(newRand(), 0.01, 784, 50), tensor.New(50))
	a.SkipInputGrad = true
	rows := make([]int, 100)
	for i := range rows {
		rows[i] = (i * 37) % 1000
	}
	dout := tensor.RandN(newRand(), 1, 100, 50)
	step := func() { a.ForwardPrepared(p, rows); a.Backward(dout) }
	step()
	assert.Equal(t, 0.0, testing.AllocsPerRun(20, step))
}
