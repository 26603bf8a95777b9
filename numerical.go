package numlearn

import (
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// NumericalGradient computes the gradient of the loss of x against t with
// respect to every parameter by central differences,
// (L(θ + h·e_p) − L(θ − h·e_p)) / 2h with h = grad.H as grad.Numerical
// takes them, with the layers in training mode as Gradient has them, and
// returns new tensors aligned with Params: the book's chapter 4
// numerical_gradient. The network's parameters are unchanged afterwards.
//
// Taken literally this needs two forward passes of the whole batch per
// parameter; layers.Sequence's NumericalGradient, which this calls, works
// out each perturbed loss from one cached forward pass when the layers
// are Affine layers and activations and the head is one of package
// layers', as in the book's networks, and otherwise spreads the literal
// way over every core. The weight decay penalty's differences are added
// for each decayed weight. Dropout layers hold the masks of their last
// training pass meanwhile, and BatchNorm's running statistics are
// restored afterwards (see layers.Sequence.NumericalGradient), so that
// GradientCheck compares backpropagation with the differences of the same
// network.
func (n *Network) NumericalGradient(x, t *tensor.Tensor) []*tensor.Tensor {
	out := zerosOf(n.values)
	n.numericalGradient(out, x, t)
	return out
}

// numericalGradient stores NumericalGradient's result in out (aligned with
// Params, sized) and returns the loss of x against t, with the penalty.
func (n *Network) numericalGradient(out []*tensor.Tensor, x, t *tensor.Tensor) float64 {
	cost := n.seq.NumericalGradient(out, n.head, x, t)
	n.penaltyDifferences(out)
	return cost + n.penalty()
}

// GradientCheck compares backpropagation (Gradient) with central
// differences (NumericalGradient) on x and t and returns, for each
// parameter in Params order (named by ParamNames), the maximum and mean
// absolute difference and the maximum relative error: the book's
// gradient_check.py. For a correct network the differences are around
// 1e-10 to 1e-7.
func (n *Network) GradientCheck(x, t *tensor.Tensor) []grad.Difference {
	backprop := cloneAll(n.Gradient(x, t)) // the layers reuse them
	return grad.Check(backprop, n.NumericalGradient(x, t))
}

// numericalStep is gradient by central differences: it returns the
// numerical gradient on rows rows of x against t, in tensors the network
// keeps for the next step, and records the batch's loss for LastLoss.
//
// A network with layers whose training passes differ from inference
// (layers.Moder: Dropout, BatchNorm) first runs the batch once in training
// mode, as a backpropagation step would: Dropout draws the step's masks,
// which the differences then hold, and BatchNorm's running statistics
// move once, which the differences then leave as they are.
func (n *Network) numericalStep(x *tensor.Tensor, rows []int, t *tensor.Tensor) []*tensor.Tensor {
	if len(n.numGrads) != len(n.values) {
		n.numGrads = zerosOf(n.values)
	}
	n.shape = append(append(n.shape[:0], len(rows)), x.Shape()[1:]...)
	b := n.batch.Shaped(n.shape...)
	b.TakeRows(x, rows)
	for _, l := range n.Layers() {
		if _, ok := l.(layers.Moder); ok {
			n.seq.SetMode(layers.Training)
			n.seq.Forward(b)
			break
		}
	}
	n.cost = n.numericalGradient(n.numGrads, b, t)
	return n.numGrads
}

// zerosOf returns zero tensors of the shapes of ts.
func zerosOf(ts []*tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ts))
	for i, p := range ts {
		out[i] = tensor.New(p.Shape()...)
	}
	return out
}

// penaltyDifferences adds to out (aligned with Params) the central
// differences of the weight decay penalty ½·λ·w² for every decayed weight
// w: λ·((w+h)² − (w−h)²)/(4h), which is λ·w up to rounding.
func (n *Network) penaltyDifferences(out []*tensor.Tensor) {
	if n.decay == 0 {
		return
	}
	const h = grad.H
	i := 0
	for _, e := range n.tensors {
		if e.IsState() {
			continue
		}
		if e.Decay {
			g := out[i].Data()
			for j, w := range e.Value.Data() {
				plus, minus := 0.5*n.decay*(w+h)*(w+h), 0.5*n.decay*(w-h)*(w-h)
				g[j] += (plus - minus) / (2 * h)
			}
		}
		i++
	}
}
