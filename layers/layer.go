package layers

import "github.com/numlearn/numlearn/tensor"

// Layer is one step of a network: Forward computes its output from its
// input, and Backward, given ∂L/∂output for the last Forward, returns
// ∂L/∂input. Every layer in this package is a Layer; so is any type of
// yours with these two methods, and numlearn's Network treats it exactly as
// it treats the built-in ones.
//
// A layer owns the tensors it returns and may reuse them on its next call.
// Beyond these two methods a layer may have any of the optional
// capabilities below, each a small interface of its own: Learnable (it has
// parameters), Named (it names them), Stateful (it has saved state that is
// not learned), Decayer (it says which parameters weight decay applies
// to), Cloner (it can be copied), Moder (it behaves differently in
// training and in inference), InputGradSkipper and RowForwarder (it can
// save work as a network's first layer), Dense and ElementWise (its form
// lets a network follow one parameter's effect row by row, which makes
// numerical gradients fast).
type Layer interface {
	Forward(x *tensor.Tensor) *tensor.Tensor
	Backward(dout *tensor.Tensor) *tensor.Tensor
}

// Learnable is a layer with parameters: the tensors an optimizer updates,
// and their gradients from the last Backward, aligned with them. Both
// slices keep their tensors for the layer's lifetime (an optimizer and a
// network hold on to them), and Backward overwrites the gradients rather
// than accumulating into them.
type Learnable interface {
	Layer
	Params() []*tensor.Tensor
	Grads() []*tensor.Tensor
}

// Named is a Learnable layer that names its parameters, aligned with
// Params, for saved models: Affine's are "W" and "b". A network numbers
// each name by its occurrence, so the first Affine's become W1 and b1 and
// the second's W2 and b2, as the book saves them. Parameters of a layer
// that is not Named are called "layer<i>.<j>": the j-th parameter of the
// network's i-th layer, both counted from 0.
type Named interface {
	ParamNames() []string
}

// Stateful is a layer with state that belongs to the model but is not
// learned by gradient — PyTorch calls such tensors buffers — such as
// BatchNorm's running mean and variance: State returns the tensors and
// StateNames their names, aligned with them. A network saves and loads
// them with the parameters, and numbers the names as it numbers parameter
// names (running_mean1, running_var1, …); an unnamed layer's state would be
// "layer<i>.state<j>". State keeps its tensors for the layer's lifetime.
type Stateful interface {
	State() []*tensor.Tensor
	StateNames() []string
}

// Decayer is a Learnable layer that says which of its parameters L2 weight
// decay applies to: Decayed returns, aligned with Params, true for each
// weight to decay. Affine's W is one, its b is not, and neither are
// BatchNorm's γ and β, as in the book's MultiLayerNet. A network with
// weight decay decays no parameter of a layer that is not a Decayer.
type Decayer interface {
	Decayed() []bool
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
// Most layers compute the same either way; Dropout and BatchNorm do not,
// as in the book's train_flg. The zero value is Training, as a new layer
// starts, in the book and in PyTorch alike.
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
// of the forward passes that follow. A network sets it on every Moder
// layer before each pass: Inference to predict, evaluate and compute its
// Loss, Training to compute gradients.
type Moder interface {
	SetMode(m Mode)
}

// InputGradSkipper is a layer that can leave out ∂L/∂input from its
// Backward, which then returns nil: a network's first layer has no one to
// pass it to, and for Affine it is a third of the backward work. A network
// calls SkipInputGrad(true) on its first layer when it has this method.
type InputGradSkipper interface {
	SkipInputGrad(skip bool)
}

// RowForwarder is a layer that can read its input as rows of a larger data
// set, which is how a network's first layer sees training data: a
// mini-batch is a list of row indices, an evaluation chunk a run of
// consecutive ones. ForwardRows(data, rows) returns what Forward would
// return for the tensor made of those rows of data (row i of the result
// from row rows[i]; repeats allowed), and the Backward that follows
// differentiates against that input.
//
// The layer may keep a form of data made for fast reading between calls —
// Affine keeps the nonzeros of a sparse data set, compressed once, so that
// a mini-batch copies only its nonzeros and an evaluation chunk copies
// nothing — so data must not change between the calls that pass it.
// ForwardRows(nil, nil) releases what the layer kept and returns nil.
type RowForwarder interface {
	ForwardRows(data *tensor.Tensor, rows []int) *tensor.Tensor
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
// mean squared error). A head may also be a RowLosser (its loss is a mean
// of per-row terms) and a LineLosser (it works out those terms along a
// line quickly), which make numerical gradients fast.
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
