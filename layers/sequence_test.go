package layers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/tensor"
)

// noBackward is a layer without parameters that passes its input on and
// whose Backward must not run.
type noBackward struct{}

func (noBackward) Forward(x *tensor.Tensor) *tensor.Tensor { return x }

func (noBackward) Backward(dout *tensor.Tensor) *tensor.Tensor {
	panic("Backward of a layer before the first with parameters")
}

// TestSequenceBackwardStopsAtFirstLearnable: the layers before the first
// with learnable parameters are not run backward, and that one leaves out
// its ∂L/∂input; the gradients are those of the whole chain all the same.
func TestSequenceBackwardStopsAtFirstLearnable(t *testing.T) {
	x := tensor.FromRows([][]float64{{1, -2}, {3, 4}})
	std, err := NewStandardize(x)
	require.NoError(t, err)
	w := tensor.FromRows([][]float64{{1, 2}, {3, 4}})
	a := NewAffine(w, tensor.FromSlice([]float64{0.5, -0.5}, 2))
	s := NewSequence(&noBackward{}, std, a)
	require.Equal(t, 2, s.learnFrom)

	y := s.Forward(x)
	dout := tensor.FromRows([][]float64{{1, 0}, {0, 1}})
	require.NotPanics(t, func() { s.Backward(dout) })
	// ∂L/∂W = zᵀ·dout with z the standardised input: column 0 of x is
	// (1, 3), mean 2, std 1, so (−1, 1); column 1 is (−2, 4), mean 1,
	// std 3, so (−1, 1).
	assert.Equal(t, []float64{-1, 1, -1, 1}, a.DW.Data())
	assert.Equal(t, []float64{1, 1}, a.DB.Data())
	assert.Equal(t, []int{2, 2}, y.Shape())
	assert.True(t, a.skipDX == false, "the skip is undone after Backward")
}

// TestSequenceWithoutParametersSkipsBackward: a sequence with no learnable
// parameter has nothing to backpropagate.
func TestSequenceWithoutParametersSkipsBackward(t *testing.T) {
	s := NewSequence(&noBackward{})
	s.Forward(tensor.FromSlice([]float64{1, -1}, 1, 2))
	assert.NotPanics(t, func() { s.Backward(tensor.FromSlice([]float64{1, 1}, 1, 2)) })
}
