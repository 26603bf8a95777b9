package numlearn

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Layer is the layer contract, layers.Layer: Forward and Backward, with
// the optional capabilities the layers package names (Learnable, Named,
// Cloner, Moder, …). A Network uses every layer through it alone, so a
// layer of your own works exactly as the built-in ones do.
type Layer = layers.Layer

// Network is a stack of layers ending in a head (layers.Head) that turns
// their scores into a loss: the book's networks, generalised. Build one
// with NewTwoLayerNet, NewMultiLayerNet, NewNetwork (softmax with
// cross-entropy, for classes) or NewNetworkWithHead (any head: regression,
// binary labels, your own).
//
// A Network is not safe for concurrent use: its layers keep the values of
// the last forward pass for the backward one and reuse their buffers. For
// predictions from many goroutines use a Predictor (NewPredictor); Clone
// gives another goroutine a copy of its own.
type Network struct {
	layers []Layer
	head   layers.Head
	params []*tensor.Tensor
	grads  []*tensor.Tensor
	names  []string
	moders []layers.Moder
	rows   layers.RowForwarder // the first layer, if it reads rows of a data set

	// State that is saved with the parameters but not learned
	// (layers.Stateful), and its names.
	state      []*tensor.Tensor
	stateNames []string

	decay   float64 // the weight decay λ
	decayed []bool  // which params decay, aligned with them (layers.Decayer)

	cost     float64         // the loss of the last Loss or Gradient
	batch    buffer.Reusable // rows of a data set gathered for a first layer that cannot read them
	shape    []int           // the shape of a gathered batch
	seq      []int           // row indices of an evaluation chunk
	out      buffer.Reusable // a head's prediction
	classes  []int           // predicted classes, for Accuracy and Class
	expected []int           // target classes, for Accuracy

	numGrads []*tensor.Tensor // the gradient of a numerical training step
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
// The network uses the layers themselves, not copies. Its parameters are
// those of every layers.Learnable layer, in layer order, and they are
// named for Save and Load as layers.Named describes: W1, b1, W2, b2, … for
// Affine layers, as the book saves them. The tensors of layers.Stateful
// layers (State) are named the same way and saved with them. When the
// first layer is a layers.InputGradSkipper, NewNetworkWithHead tells it
// to skip ∂L/∂input, which nothing needs. It panics if head is nil or a layer's Params and
// Grads (or ParamNames), or State and StateNames, differ in length.
func NewNetworkWithHead(head layers.Head, ls ...Layer) *Network {
	if head == nil {
		panic("numlearn: NewNetworkWithHead: head is nil")
	}
	n := &Network{layers: ls, head: head}
	counts := map[string]int{}
	for i, l := range ls {
		if m, ok := l.(layers.Moder); ok {
			n.moders = append(n.moders, m)
		}
		if st, ok := l.(layers.Stateful); ok {
			n.collectState(i, st, counts)
		}
		p, ok := l.(layers.Learnable)
		if !ok {
			continue
		}
		params, grads := p.Params(), p.Grads()
		if len(params) != len(grads) {
			panic(fmt.Sprintf("numlearn: NewNetwork: layer %d (%T) has %d params and %d grads", i, l, len(params), len(grads)))
		}
		n.params = append(n.params, params...)
		n.grads = append(n.grads, grads...)
		n.collectDecayed(i, p)
		named, ok := l.(layers.Named)
		if !ok {
			for j := range params {
				n.names = append(n.names, fmt.Sprintf("layer%d.%d", i, j))
			}
			continue
		}
		names := named.ParamNames()
		if len(names) != len(params) {
			panic(fmt.Sprintf("numlearn: NewNetwork: layer %d (%T) has %d params and %d names", i, l, len(params), len(names)))
		}
		for _, name := range names {
			counts[name]++
			n.names = append(n.names, fmt.Sprintf("%s%d", name, counts[name]))
		}
	}
	if len(ls) > 0 {
		if s, ok := ls[0].(layers.InputGradSkipper); ok {
			s.SkipInputGrad(true)
		}
		n.rows, _ = ls[0].(layers.RowForwarder)
	}
	return n
}

// collectState adds layer i's state to the network's, named as
// layers.Stateful describes.
func (n *Network) collectState(i int, st layers.Stateful, counts map[string]int) {
	state, names := st.State(), st.StateNames()
	if len(names) != len(state) {
		panic(fmt.Sprintf("numlearn: NewNetwork: layer %d (%T) has %d state tensors and %d names", i, st, len(state), len(names)))
	}
	n.state = append(n.state, state...)
	for _, name := range names {
		counts[name]++
		n.stateNames = append(n.stateNames, fmt.Sprintf("%s%d", name, counts[name]))
	}
}

// collectDecayed notes which of Learnable layer i's parameters weight
// decay applies to.
func (n *Network) collectDecayed(i int, p layers.Learnable) {
	d, ok := p.(layers.Decayer)
	if !ok {
		n.decayed = append(n.decayed, make([]bool, len(p.Params()))...)
		return
	}
	decayed := d.Decayed()
	if len(decayed) != len(p.Params()) {
		panic(fmt.Sprintf("numlearn: NewNetwork: layer %d (%T) has %d params and %d Decayed flags", i, p, len(p.Params()), len(decayed)))
	}
	n.decayed = append(n.decayed, decayed...)
}

// State returns the tensors of every layers.Stateful layer, in layer
// order — BatchNorm's running mean and variance — which Save and Load keep
// with the parameters but no optimizer updates.
func (n *Network) State() []*tensor.Tensor { return n.state }

// StateNames returns the names of State, aligned with it
// ("running_mean1", "running_var1", …).
func (n *Network) StateNames() []string { return n.stateNames }

// Layers returns the network's layers in order (without the head).
func (n *Network) Layers() []Layer { return n.layers }

// Head returns the network's head.
func (n *Network) Head() layers.Head { return n.head }

// forward runs the layers on a batch in the given mode and returns the
// scores. The batch is x itself when rows is nil, and otherwise rows rows
// of the data set x, which a first layer that is a layers.RowForwarder
// reads in place.
func (n *Network) forward(x *tensor.Tensor, rows []int, mode layers.Mode) *tensor.Tensor {
	for _, m := range n.moders {
		m.SetMode(mode)
	}
	ls := n.layers
	switch {
	case rows == nil:
	case n.rows != nil:
		x, ls = n.rows.ForwardRows(x, rows), ls[1:]
	default:
		n.shape = append(append(n.shape[:0], len(rows)), x.Shape()[1:]...)
		b := n.batch.Shaped(n.shape...)
		b.TakeRows(x, rows)
		x = b
	}
	for _, l := range ls {
		x = l.Forward(x)
	}
	return x
}

// release lets the first layer drop what it kept of a data set read by
// rows.
func (n *Network) release() {
	if n.rows != nil {
		n.rows.ForwardRows(nil, nil)
	}
}

// Predict returns the scores of the last layer for input x, before the
// head: (batch, classes) for a classifier, as the book's predict. Layers
// run in inference mode. The result is owned by the last layer and valid
// until the next call on the network.
func (n *Network) Predict(x *tensor.Tensor) *tensor.Tensor {
	return n.forward(x, nil, layers.Inference)
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

// Params returns every learnable tensor, in layer order: for a two-layer
// net, W1, b1, W2, b2. The tensors are the network's own; an optimizer
// updates them in place.
func (n *Network) Params() []*tensor.Tensor { return n.params }

// ParamNames returns the names of Params, aligned with it ("W1", "b1", …).
func (n *Network) ParamNames() []string { return n.names }

// Gradient computes the gradient of the loss of x against t with respect
// to every parameter by backpropagation, with the layers in training mode,
// and returns it aligned with Params, with λ·W added to each decayed
// weight's gradient when SetWeightDecay has set λ. The tensors are owned by the layers
// and overwritten by the next call. The loss of this forward pass is then
// available from LastLoss.
func (n *Network) Gradient(x, t *tensor.Tensor) []*tensor.Tensor {
	return n.gradient(x, nil, t)
}

// gradient is Gradient for the batch that forward takes.
func (n *Network) gradient(x *tensor.Tensor, rows []int, t *tensor.Tensor) []*tensor.Tensor {
	n.cost = n.head.Forward(n.forward(x, rows, layers.Training), t) + n.penalty()
	dout := n.head.Backward()
	for i := len(n.layers) - 1; i >= 0; i-- {
		dout = n.layers[i].Backward(dout)
	}
	n.decayGrads()
	return n.grads
}

// Clone returns an independent copy of the network, with copied
// parameters and fresh buffers, for use in another goroutine. It panics if
// a layer is not a layers.Cloner.
func (n *Network) Clone() *Network {
	c, bad := n.tryClone()
	if bad >= 0 {
		panic(fmt.Sprintf("numlearn: Clone: layer %d (%T) is not a layers.Cloner", bad, n.layers[bad]))
	}
	return c
}

// tryClone is Clone that returns the index of the first layer it cannot
// copy, and −1 when it copied them all.
func (n *Network) tryClone() (*Network, int) {
	ls := make([]Layer, len(n.layers))
	for i, l := range n.layers {
		c, ok := l.(layers.Cloner)
		if !ok {
			return nil, i
		}
		ls[i] = c.Clone()
	}
	c := NewNetworkWithHead(n.head.Clone(), ls...)
	c.decay = n.decay
	return c, -1
}
