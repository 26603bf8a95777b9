package layers

import (
	"math"
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

// TestSequenceAffineAfterReLUAtNonzeros: an Affine whose sparse input comes
// from a ReLU, or from ReLU and max Pooling (the fused convolution block
// too), computes its ∂L/∂input only at the input's nonzeros, and every
// gradient of the sequence is still that of the layers run one by one,
// each with its whole Backward — even when the entries left out hold NaN
// from before.
func TestSequenceAffineAfterReLUAtNonzeros(t *testing.T) {
	rng := newRand()
	const n = 8
	shifted := func(t *tensor.Tensor, by float64) *tensor.Tensor {
		for i := range t.Data() {
			t.Data()[i] += by
		}
		return t
	}
	conv := func() []Layer {
		// Biases of −6 keep about a tenth of the pooled outputs positive.
		c := NewConvolution(tensor.RandN(rng, 1, 3, 1, 3, 3), shifted(tensor.RandN(rng, 0.1, 3), -6), 1, 0)
		return []Layer{c, &ReLU{}, NewPooling(2, 2, 2, 0), NewAffine(tensor.RandN(rng, 1, 12, 5), tensor.RandN(rng, 1, 5))}
	}
	dense := func() []Layer {
		return []Layer{
			NewAffine(tensor.RandN(rng, 1, 12, 40), shifted(tensor.RandN(rng, 0.1, 40), -3)), &ReLU{},
			NewAffine(tensor.RandN(rng, 1, 40, 6), tensor.RandN(rng, 1, 6)), &Tanh{},
			NewAffine(tensor.RandN(rng, 1, 6, 4), tensor.RandN(rng, 1, 4)),
		}
	}
	for _, tt := range []struct {
		name   string
		layers []Layer
		x      *tensor.Tensor
		at     int   // the Affine that computes dx at its input's nonzeros
		steps  []int // the steps planned so, by index
	}{
		{"conv-relu-pool-affine", conv(), tensor.RandN(rng, 1, n, 1, 6, 6), 3, []int{1}},
		{"affine-relu-affine-tanh-affine", dense(), tensor.RandN(rng, 1, n, 12), 2, []int{2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ref := make([]Layer, len(tt.layers))
			for i, l := range tt.layers {
				ref[i] = l.(Cloner).Clone()
			}
			s := NewSequence(tt.layers...)
			var planned []int
			for k, st := range s.steps {
				if st.dxAtNonzeros {
					planned = append(planned, k)
				}
			}
			require.Equal(t, tt.steps, planned)

			// The layers one by one, each with its whole Backward.
			y := tt.x
			for _, l := range ref {
				y = l.Forward(y)
			}
			dout := tensor.RandN(rng, 1, y.Shape()...)
			d := dout
			for i := len(ref) - 1; i >= 0; i-- {
				d = ref[i].Backward(d)
			}

			for round := range 2 {
				s.Forward(tt.x)
				a := tt.layers[tt.at].(*Affine)
				require.True(t, a.sparse, "the input is sparse enough for the compressed path")
				if round == 1 {
					// What the last pass left at the zeros is never read.
					a.dx.Shaped(a.n, a.W.Shape()[0]).Fill(math.NaN())
				}
				s.Backward(dout)
				for i, l := range tt.layers {
					lr, ok := l.(Learnable)
					if !ok {
						continue
					}
					want := ref[i].(Learnable).Params()
					for j, p := range lr.Params() {
						assert.InDeltaSlice(t, want[j].Grad.Data(), p.Grad.Data(), 1e-12, "round %d, layer %d %T, param %d", round, i, l, j)
					}
				}
			}
		})
	}
}
