package numlearn

import (
	"math"
	"testing"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sumSquares returns ΣW² over the tensors.
func sumSquares(ts ...*tensor.Tensor) float64 {
	var s float64
	for _, t := range ts {
		for _, v := range t.Data() {
			s += v * v
		}
	}
	return s
}

// The book's MultiLayerNet: loss + ½·λ·ΣW² over W1, W2, … only, and
// dW + λ·W for the weights' gradients; the biases and BatchNorm's γ and β
// are left alone.
func TestWeightDecayIsTheBooks(t *testing.T) {
	const (
		lambda = 0.1
		tol    = 1e-12
	)
	tests := []struct {
		name    string
		net     func() *Network
		weights []string
	}{
		{"multi-layer net", func() *Network { return NewMultiLayerNet([]int{5, 4, 3}, MultiLayerConfig{}, newRand(60)) }, []string{"W1", "W2"}},
		{"with BatchNorm", func() *Network { return batchNormNet(5, 4, 3, 61) }, []string{"W1", "W2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, tgt := tensor.RandN(newRand(62), 1, 6, 5), oneHot([]int{0, 1, 2, 0, 1, 2}, 3)
			net := tt.net()
			plainGrads := cloneAll(net.Gradient(x, tgt))
			plainTrainingLoss := net.LastLoss()
			plainLoss := net.Loss(x, tgt) // after a training pass set BatchNorm's statistics

			net.SetWeightDecay(lambda)
			assert.Equal(t, lambda, net.WeightDecay())
			var weights []*tensor.Tensor
			isWeight := map[int]bool{}
			for i, name := range net.ParamNames() {
				for _, w := range tt.weights {
					if name == w {
						weights = append(weights, net.Params()[i])
						isWeight[i] = true
					}
				}
			}
			penalty := 0.5 * lambda * sumSquares(weights...)
			require.Greater(t, penalty, 1e-3, "large enough to matter")
			assert.InDelta(t, plainLoss+penalty, net.Loss(x, tgt), tol)
			grads := net.Gradient(x, tgt) // a training pass depends on its batch alone
			assert.InDelta(t, plainTrainingLoss+penalty, net.LastLoss(), tol)
			for i, g := range grads {
				want := plainGrads[i].Clone()
				if isWeight[i] {
					want.AddScaled(want, lambda, net.Params()[i])
				}
				assert.InDeltaSlice(t, want.Data(), g.Data(), tol, net.ParamNames()[i])
			}
		})
	}
}

// The whole network's gradient with decay against central differences of
// its loss. A regression head keeps the loss smooth: the 1e-7 inside
// cross-entropy's log would add its own difference of up to about 1e-6
// for scores as large as He's weights give.
//
// BatchNorm divides by the batch's standard deviation, which makes the
// loss more curved in W1 and the central difference's h² error larger.
func TestWeightDecayGradientCheck(t *testing.T) {
	tests := []struct {
		name string
		net  *Network
		tol  float64
	}{
		{"multi-layer net", NewMultiLayerNet([]int{5, 6, 4, 3}, MultiLayerConfig{Head: &layers.IdentityWithLoss{}}, newRand(63)), 1e-8},
		{"with BatchNorm", NewNetworkWithHead(&layers.IdentityWithLoss{}, batchNormNet(5, 4, 3, 64).Layers()...), 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.net.SetWeightDecay(0.3)
			x, tgt := tensor.RandN(newRand(65), 1, 4, 5), tensor.RandN(newRand(66), 1, 4, 3)
			for i, d := range tt.net.GradientCheck(x, tgt) {
				assert.Less(t, d.MaxAbs, tt.tol, "%s: %v", tt.net.ParamNames()[i], d)
			}
			// A clone decays alike, so the parallel numerical gradient does.
			assert.Equal(t, 0.3, tt.net.Clone().WeightDecay())
		})
	}
}

func TestSetWeightDecayPanics(t *testing.T) {
	for _, lambda := range []float64{-0.1, math.NaN(), math.Inf(1)} {
		net := NewTwoLayerNet(2, 2, 2, newRand(66))
		assert.Panics(t, func() { net.SetWeightDecay(lambda) }, "λ = %v", lambda)
	}
	net := NewTwoLayerNet(2, 2, 2, newRand(66))
	assert.PanicsWithValue(t, "numlearn: SetWeightDecay: λ = -1 is not a finite number ≥ 0", func() { net.SetWeightDecay(-1) })
}
