package layers

import "github.com/numlearn/numlearn/tensor"

// Layer is one step of a network: Forward computes its output from its
// input, and Backward, given ∂L/∂output for the last Forward, returns
// ∂L/∂input. Every layer in this package is a Layer; so is any type of
// yours with these two methods, and a Sequence (and numlearn's Network)
// runs it exactly as it runs the built-in ones.
//
// A layer owns the tensors it returns and may reuse them on its next call.
// Beyond these two methods a layer may have any of the optional
// capabilities below, each a small interface of its own: Learnable (it
// keeps tensors of its own: parameters and state), Describer (it can be
// saved as part of a model), Cloner (it can be copied) and Moder (it
// behaves differently in training and in inference).
type Layer interface {
	Forward(x *tensor.Tensor) *tensor.Tensor
	Backward(dout *tensor.Tensor) *tensor.Tensor
}

// Param describes one tensor that a layer keeps as part of its model, as
// PyTorch's named parameters and buffers do: a parameter, which an
// optimizer updates from its gradient, or state, which is saved with the
// model but not learned (BatchNorm's running statistics).
type Param struct {
	// Name is the layer's name for the tensor: "W" and "b" for Affine,
	// "gamma", "beta", "running_mean" and "running_var" for BatchNorm. A
	// network numbers each name by its occurrence when it saves a model
	// (W1, b1, W2, …, as the book does).
	Name string
	// Value is the tensor itself, kept for the layer's lifetime: an
	// optimizer changes it in place.
	Value *tensor.Tensor
	// Grad is ∂L/∂Value from the last Backward, of Value's shape, which
	// Backward overwrites rather than accumulates into; nil for state.
	Grad *tensor.Tensor
	// Decay says whether L2 weight decay applies: true for Affine's and
	// Convolution's W, false for biases and for BatchNorm's γ and β, as in
	// the book's MultiLayerNet.
	Decay bool
}

// IsState reports whether p is state, kept with the model but not learned
// by gradient: it has no Grad.
func (p Param) IsState() bool { return p.Grad == nil }

// Learnable is a layer that keeps tensors of its own as part of its model:
// Params describes them, parameters and state, in a fixed order, and
// returns the same tensors on every call.
type Learnable interface {
	Layer
	Params() []Param
}

// Cloner is a layer that can be copied: Clone returns an independent layer
// with copies of the parameters and buffers of its own, which another
// goroutine can use while this one is in use. A network can be cloned (for
// concurrent inference, or to spread a numerical gradient over cores) when
// all its layers are Cloners; every layer in this package is.
type Cloner interface {
	Clone() Layer
}

// Mode says whether a forward pass is part of training or of inference.
// Most layers compute the same either way; Dropout, BatchNorm and
// BatchNorm2D do not, as in the book's train_flg. The zero value is
// Training, as a new layer starts, in the book and in PyTorch alike.
type Mode int

const (
	// Training is the mode of a forward pass whose Backward follows.
	Training Mode = iota
	// Inference is the mode of a forward pass for predictions.
	Inference
)

// String returns "training" or "inference".
func (m Mode) String() string {
	if m == Inference {
		return "inference"
	}
	return "training"
}

// Moder is a layer whose Forward depends on the mode: SetMode sets the mode
// of the forward passes that follow. A Sequence sets it on every Moder
// layer before each pass: Inference to predict, evaluate and compute a
// loss, Training to compute gradients.
type Moder interface {
	SetMode(m Mode)
}

// Head is a network's last step: it turns the scores of the last layer
// into a loss against the targets, and starts backpropagation. Forward
// returns the loss of scores x against targets t and keeps what Backward
// needs; Backward returns ∂loss/∂x for that Forward. Predict writes the
// head's prediction for scores x into dst (probabilities for the
// classification heads, the values themselves for regression) without
// touching the head's state, so one head may predict from several
// goroutines at once. Clone returns an independent head.
//
// This package has SoftmaxWithLoss (classes, cross-entropy), SigmoidWithLoss
// (binary labels, binary cross-entropy) and IdentityWithLoss (regression,
// mean squared error). A head may also be a Classifier and a Describer.
type Head interface {
	Forward(x, t *tensor.Tensor) float64
	Backward() *tensor.Tensor
	Predict(dst, x *tensor.Tensor)
	Clone() Head
}

// Classifier is a Head whose predictions are classes, for which accuracy
// means something. Classes appends to dst the class each row of scores x
// predicts; TargetClasses appends the class each row of targets t holds.
// Neither changes the head's state.
type Classifier interface {
	Classes(dst []int, x *tensor.Tensor) []int
	TargetClasses(dst []int, t *tensor.Tensor) []int
}
