package numlearn

import (
	"fmt"
	"math"
)

// SetWeightDecay sets the strength λ of L2 weight decay, the book's
// weight_decay_lambda (§6.4.1): from then on the network's loss includes
// ½·λ·ΣW² over its weights, and their gradients λ·W, so every optimizer
// pulls the weights towards zero. 0, the default, turns it off.
//
// The weights are the parameters that their layer marks as decayed
// (layers.Decayer): Affine's W, but not its b, nor BatchNorm's γ and β, as
// in the book's MultiLayerNet; no parameter of a layer that is not a
// Decayer decays. SetWeightDecay panics if lambda is negative, NaN or
// infinite.
func (n *Network) SetWeightDecay(lambda float64) {
	if !(lambda >= 0) || math.IsInf(lambda, 0) {
		panic(fmt.Sprintf("numlearn: SetWeightDecay: λ = %v is not a finite number ≥ 0", lambda))
	}
	n.decay = lambda
}

// WeightDecay returns the strength λ set by SetWeightDecay.
func (n *Network) WeightDecay() float64 { return n.decay }

// penalty returns ½·λ·ΣW² over the decayed parameters.
func (n *Network) penalty() float64 {
	if n.decay == 0 {
		return 0
	}
	var sum float64
	for i, p := range n.params {
		if n.decayed[i] {
			for _, w := range p.Data() {
				sum += w * w
			}
		}
	}
	return 0.5 * n.decay * sum
}

// decayGrads adds λ·W, the gradient of the penalty, to the gradients of
// the decayed parameters.
func (n *Network) decayGrads() {
	if n.decay == 0 {
		return
	}
	for i, p := range n.params {
		if n.decayed[i] {
			n.grads[i].AddScaled(n.grads[i], n.decay, p)
		}
	}
}
