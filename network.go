package numlearn

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Layer is one step of a Network: Forward computes its output from its
// input, and Backward, given ∂L/∂output for the last Forward, returns
// ∂L/∂input. The layers package provides Affine, ReLU, Sigmoid and Tanh.
//
// A layer with learnable parameters also has the methods
//
//	Params() []*tensor.Tensor // the tensors an optimizer updates
//	Grads() []*tensor.Tensor  // their gradients from the last Backward, aligned
//
// and a layer that can be copied for another goroutine has
// Clone() Layer (the layers package's own types are recognised as they are).
type Layer interface {
	Forward(x *tensor.Tensor) *tensor.Tensor
	Backward(dout *tensor.Tensor) *tensor.Tensor
}

// parametric is a layer with learnable parameters.
type parametric interface {
	Params() []*tensor.Tensor
	Grads() []*tensor.Tensor
}

// Network is a stack of layers with an implied final SoftmaxWithLoss: the
// book's chapter 5 network, generalised. Build one with NewNetwork,
// NewTwoLayerNet or NewMultiLayerNet.
//
// A Network is not safe for concurrent use: its layers keep the values of
// the last forward pass for the backward one and reuse their buffers. Use
// Clone to give another goroutine its own copy.
type Network struct {
	layers []Layer
	last   layers.SoftmaxWithLoss
	params []*tensor.Tensor
	grads  []*tensor.Tensor
	names  []string

	predicted, wanted []int // ArgMax buffers for Accuracy
}

// NewNetwork returns a network that applies the layers in order and ends
// in softmax with cross-entropy loss. Its parameters are those of every
// layer that has Params and Grads, in layer order. When the first layer is
// a *layers.Affine, NewNetwork sets its SkipInputGrad: nothing needs the
// gradient with respect to the network's input, and skipping it saves a
// third of that layer's backward work.
//
// Parameters are named for Save and Load: the k-th Affine layer's W and B
// are "Wk" and "bk" (W1, b1, W2, b2, … as in the book), and the j-th
// parameter of another learnable layer at position i is "layer<i>.<j>".
func NewNetwork(ls ...Layer) *Network {
	n := &Network{layers: ls}
	affines := 0
	for i, l := range ls {
		p, ok := l.(parametric)
		if !ok {
			continue
		}
		params, grads := p.Params(), p.Grads()
		if len(params) != len(grads) {
			panic(fmt.Sprintf("numlearn: NewNetwork: layer %d (%T) has %d params and %d grads", i, l, len(params), len(grads)))
		}
		n.params = append(n.params, params...)
		n.grads = append(n.grads, grads...)
		if _, ok := l.(*layers.Affine); ok && len(params) == 2 {
			affines++
			n.names = append(n.names, fmt.Sprintf("W%d", affines), fmt.Sprintf("b%d", affines))
			continue
		}
		for j := range params {
			n.names = append(n.names, fmt.Sprintf("layer%d.%d", i, j))
		}
	}
	if len(ls) > 0 {
		if a, ok := ls[0].(*layers.Affine); ok {
			a.SkipInputGrad = true
		}
	}
	return n
}

// Layers returns the network's layers in order (without the final
// SoftmaxWithLoss).
func (n *Network) Layers() []Layer { return n.layers }

// Predict returns the scores before softmax for input x, (batch, classes).
// The result is owned by the last layer and valid until the next call on
// the network.
func (n *Network) Predict(x *tensor.Tensor) *tensor.Tensor {
	for _, l := range n.layers {
		x = l.Forward(x)
	}
	return x
}

// Loss returns the mean cross-entropy of the network's softmax output
// against the one-hot targets t.
func (n *Network) Loss(x, t *tensor.Tensor) float64 {
	return n.last.Forward(n.Predict(x), t)
}

// LastLoss returns the loss computed by the last Loss or Gradient call,
// so that a training loop can record it without another forward pass.
func (n *Network) LastLoss() float64 { return n.last.Loss() }

// Params returns every learnable tensor, in layer order: for a two-layer
// net, W1, b1, W2, b2. The tensors are the network's own; an optimizer
// updates them in place.
func (n *Network) Params() []*tensor.Tensor { return n.params }

// ParamNames returns the names of Params, aligned with it ("W1", "b1", …).
func (n *Network) ParamNames() []string { return n.names }

// Gradient computes the gradient of Loss(x, t) with respect to every
// parameter by backpropagation and returns it aligned with Params. The
// tensors are owned by the layers and overwritten by the next call. The
// loss of this forward pass is then available from LastLoss.
func (n *Network) Gradient(x, t *tensor.Tensor) []*tensor.Tensor {
	n.Loss(x, t)
	return n.backward()
}

// backward backpropagates from the loss of the last forward pass through
// every layer and returns the gradients, aligned with Params.
func (n *Network) backward() []*tensor.Tensor {
	dout := n.last.Backward()
	for i := len(n.layers) - 1; i >= 0; i-- {
		dout = n.layers[i].Backward(dout)
	}
	return n.grads
}

// Clone returns an independent copy of the network, with copied
// parameters and fresh buffers, for use in another goroutine. It panics if
// a layer is neither one of the layers package's types nor has a
// Clone() Layer method.
func (n *Network) Clone() *Network {
	c, bad := n.tryClone()
	if bad >= 0 {
		panic(fmt.Sprintf("numlearn: Clone: layer %d (%T) has no Clone() Layer method", bad, n.layers[bad]))
	}
	return c
}

// tryClone is Clone that returns the index of the first layer it cannot
// copy, and −1 when it copied them all.
func (n *Network) tryClone() (*Network, int) {
	ls := make([]Layer, len(n.layers))
	for i, l := range n.layers {
		c, ok := cloneLayer(l)
		if !ok {
			return nil, i
		}
		ls[i] = c
	}
	return NewNetwork(ls...), -1
}

// cloneLayer copies a layer if it knows how.
func cloneLayer(l Layer) (Layer, bool) {
	switch l := l.(type) {
	case *layers.Affine:
		return l.Clone(), true
	case *layers.ReLU:
		return l.Clone(), true
	case *layers.Sigmoid:
		return l.Clone(), true
	case *layers.Tanh:
		return l.Clone(), true
	case interface{ Clone() Layer }:
		return l.Clone(), true
	}
	return nil, false
}
