package numlearn

import (
	"fmt"
	"math"
	"slices"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Layer is the layer contract, layers.Layer: Forward and Backward, with
// the optional capabilities the layers package names (Learnable,
// Describer, Cloner, Moder). A Network uses every layer through it alone,
// so a layer of your own works exactly as the built-in ones do.
type Layer = layers.Layer

// Network is a stack of layers ending in a head (layers.Head) that turns
// their scores into a loss: the book's networks, generalised. Build one
// with NewTwoLayerNet, NewMultiLayerNet, NewSimpleConvNet, NewDeepConvNet,
// NewNetwork (softmax with cross-entropy, for classes) or
// NewNetworkWithHead (any head: regression, binary labels, your own), or
// load one from a model file with LoadModel.
//
// A Network is not safe for concurrent use: its layers keep the values of
// the last forward pass for the backward one and reuse their buffers. For
// predictions from many goroutines use a Predictor (NewPredictor); Clone
// gives another goroutine a copy of its own.
type Network struct {
	seq  *layers.Sequence // the layers, and the plan that runs them
	head layers.Head

	// tensors describes every tensor of every layer, in layer order, with
	// the name a model file gives it; values and grads are the learnable
	// ones' (those with a gradient), for Params and Gradient.
	tensors       []tensorEntry
	values, grads []*tensor.Tensor

	decay float64 // the weight decay λ
	cost  float64 // the loss of the last Loss or Gradient

	out      buffer.Reusable  // a head's prediction
	classes  []int            // predicted classes, for Accuracy and Class
	expected []int            // target classes, for Accuracy
	seqRows  []int            // row indices of an evaluation chunk
	numGrads []*tensor.Tensor // the gradient of a numerical training step
	batch    buffer.Reusable  // rows gathered for a numerical training step
	shape    []int            // the shape of a gathered batch
}

// tensorEntry is one tensor of a layer, as a layers.Param, with the name
// a model file gives it and the layer it belongs to.
type tensorEntry struct {
	layers.Param
	name  string // Param.Name numbered by its occurrence in the network: W1, b1, W2, …
	layer int    // the index of its layer
}

// NewNetwork returns a network that applies the layers in order and ends
// in softmax with cross-entropy loss (layers.SoftmaxWithLoss), the book's
// classifier. It is NewNetworkWithHead with that head.
func NewNetwork(ls ...Layer) *Network {
	return NewNetworkWithHead(&layers.SoftmaxWithLoss{}, ls...)
}

// NewNetworkWithHead returns a network that applies the layers in order and
// ends in head: layers.SoftmaxWithLoss for classes, layers.SigmoidWithLoss
// for binary labels, layers.IdentityWithLoss for regression, or a head of
// your own.
//
// The network uses the layers themselves, not copies, run in order by a
// layers.Sequence, which plans how. Its parameters are the Params of every
// layers.Learnable layer that have a gradient, in layer order; the others
// are its State. Each is named for model files by its layer's name for it
// numbered by occurrence: W1, b1, W2, b2, … for Affine layers, as the book
// saves them; a tensor its layer leaves unnamed is "layer<i>.<j>", the
// j-th tensor of the i-th layer, both counted from 0. It panics if head
// or a layer is nil, or a layer describes a tensor without a Value or with
// a Grad of another shape.
func NewNetworkWithHead(head layers.Head, ls ...Layer) *Network {
	if head == nil {
		panic("numlearn: NewNetworkWithHead: head is nil")
	}
	for i, l := range ls {
		if l == nil {
			panic(fmt.Sprintf("numlearn: NewNetworkWithHead: layer %d is nil", i))
		}
	}
	n := &Network{seq: layers.NewSequence(ls...), head: head}
	counts := map[string]int{}
	for i, l := range ls {
		lr, ok := l.(layers.Learnable)
		if !ok {
			continue
		}
		for j, p := range lr.Params() {
			if p.Value == nil || (p.Grad != nil && !slices.Equal(p.Grad.Shape(), p.Value.Shape())) {
				panic(fmt.Sprintf("numlearn: NewNetworkWithHead: layer %d (%T): tensor %d (%q) has no Value, or a Grad of another shape", i, l, j, p.Name))
			}
			e := tensorEntry{Param: p, layer: i, name: fmt.Sprintf("layer%d.%d", i, j)}
			if p.Name != "" {
				counts[p.Name]++
				e.name = fmt.Sprintf("%s%d", p.Name, counts[p.Name])
			}
			n.tensors = append(n.tensors, e)
			if !p.IsState() {
				n.values = append(n.values, p.Value)
				n.grads = append(n.grads, p.Grad)
			}
		}
	}
	return n
}

// Layers returns the network's layers in order (without the head).
func (n *Network) Layers() []Layer { return n.seq.Layers() }

// Head returns the network's head.
func (n *Network) Head() layers.Head { return n.head }

// Params returns every learnable tensor, in layer order: for a two-layer
// net, W1, b1, W2, b2. The tensors are the network's own; an optimizer
// updates them in place.
func (n *Network) Params() []*tensor.Tensor { return n.values }

// ParamNames returns the names of Params, aligned with it ("W1", "b1", …).
func (n *Network) ParamNames() []string { return n.names(false) }

// State returns the tensors that layers keep but no optimizer updates, in
// layer order — BatchNorm's running mean and variance — which model files
// keep with the parameters.
func (n *Network) State() []*tensor.Tensor {
	var out []*tensor.Tensor
	for _, e := range n.tensors {
		if e.IsState() {
			out = append(out, e.Value)
		}
	}
	return out
}

// StateNames returns the names of State, aligned with it
// ("running_mean1", "running_var1", …).
func (n *Network) StateNames() []string { return n.names(true) }

// names returns the names of the parameters, or of the state.
func (n *Network) names(state bool) []string {
	var out []string
	for _, e := range n.tensors {
		if e.IsState() == state {
			out = append(out, e.name)
		}
	}
	return out
}

// Predict returns the scores of the last layer for input x, before the
// head: (batch, classes) for a classifier, as the book's predict. Layers
// run in inference mode. The result is owned by the last layer and valid
// until the next call on the network.
func (n *Network) Predict(x *tensor.Tensor) *tensor.Tensor {
	n.seq.SetMode(layers.Inference)
	return n.seq.Forward(x)
}

// Output sets dst to the head's prediction for x: class probabilities for
// a softmax head, the probability of label 1 for a sigmoid head, the
// values themselves for regression. An empty dst is sized by the call.
func (n *Network) Output(dst, x *tensor.Tensor) {
	n.head.Predict(dst, n.Predict(x))
}

// Loss returns the head's loss for input x against targets t — for the
// default head, the mean cross-entropy of the softmax output against
// one-hot t — with the layers in inference mode, as the book's loss, plus
// the weight decay penalty ½·λ·ΣW² when SetWeightDecay has set λ.
func (n *Network) Loss(x, t *tensor.Tensor) float64 {
	n.cost = n.head.Forward(n.Predict(x), t) + n.penalty()
	return n.cost
}

// LastLoss returns the loss computed by the last Loss or Gradient call,
// so that a training loop can record it without another forward pass.
func (n *Network) LastLoss() float64 { return n.cost }

// Gradient computes the gradient of the loss of x against t with respect
// to every parameter by backpropagation, with the layers in training mode,
// and returns it aligned with Params, with λ·W added to each decayed
// weight's gradient when SetWeightDecay has set λ. The tensors are owned
// by the layers and overwritten by the next call. The loss of this
// forward pass is then available from LastLoss.
func (n *Network) Gradient(x, t *tensor.Tensor) []*tensor.Tensor {
	n.seq.SetMode(layers.Training)
	return n.backprop(n.seq.Forward(x), t)
}

// backprop takes the scores of a training forward pass, records the loss
// against t and backpropagates it, and returns the gradients.
func (n *Network) backprop(scores, t *tensor.Tensor) []*tensor.Tensor {
	n.cost = n.head.Forward(scores, t) + n.penalty()
	n.seq.Backward(n.head.Backward())
	n.decayGrads()
	return n.grads
}

// SetWeightDecay sets the strength λ of L2 weight decay, the book's
// weight_decay_lambda (§6.4.1): from then on the network's loss includes
// ½·λ·ΣW² over its weights, and their gradients λ·W, so every optimizer
// pulls the weights towards zero. 0, the default, turns it off.
//
// The weights are the parameters that their layer marks as decayed
// (layers.Param's Decay): Affine's and Convolution's W, but not their
// biases, nor BatchNorm's γ and β, as in the book's MultiLayerNet.
// SetWeightDecay panics if lambda is negative, NaN or infinite.
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
	for _, e := range n.tensors {
		if e.Decay && !e.IsState() {
			for _, w := range e.Value.Data() {
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
	for _, e := range n.tensors {
		if e.Decay && !e.IsState() {
			e.Grad.AddScaled(e.Grad, n.decay, e.Value)
		}
	}
}

// Clone returns an independent copy of the network, with copied
// parameters and fresh buffers, for use in another goroutine. It panics if
// a layer is not a layers.Cloner.
func (n *Network) Clone() *Network {
	c, err := n.tryClone()
	if err != nil {
		panic(fmt.Sprintf("numlearn: Clone: %v", err))
	}
	return c
}

// tryClone is Clone that returns an error naming the first layer it
// cannot copy.
func (n *Network) tryClone() (*Network, error) {
	seq, err := n.seq.Clone()
	if err != nil {
		return nil, err
	}
	c := NewNetworkWithHead(n.head.Clone(), seq.Layers()...)
	c.decay = n.decay
	return c, nil
}
