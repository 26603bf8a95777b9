package numlearn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Init chooses the standard deviation of a layer's initial weights,
// drawn from N(0, std²), from the layer's number of inputs (its fan-in).
// The book's §6.2 compares Std(0.01), Xavier and He.
type Init func(fanIn int) float64

// Std returns an Init with the same standard deviation for every layer;
// Std(0.01) is the book's TwoLayerNet initialisation.
func Std(std float64) Init { return func(int) float64 { return std } }

// Xavier is Glorot's initialisation as the book gives it, std = √(1/n) for
// n inputs: it keeps activations spread through sigmoid and tanh layers.
func Xavier(fanIn int) float64 { return math.Sqrt(1 / float64(fanIn)) }

// He is He's initialisation, std = √(2/n) for n inputs: the right scale
// for ReLU layers, which zero half their inputs.
func He(fanIn int) float64 { return math.Sqrt(2 / float64(fanIn)) }

// Activation makes a new activation layer for NewMultiLayerNet.
type Activation func() Layer

// ReLU makes a layers.ReLU.
func ReLU() Layer { return &layers.ReLU{} }

// Sigmoid makes a layers.Sigmoid.
func Sigmoid() Layer { return &layers.Sigmoid{} }

// Tanh makes a layers.Tanh.
func Tanh() Layer { return &layers.Tanh{} }

// NewTwoLayerNet returns the book's chapter 5 TwoLayerNet: Affine → ReLU →
// Affine, then softmax with cross-entropy, with weights drawn as
// 0.01·N(0, 1) from rng (W1 first, row by row, then W2) and zero biases.
// It panics if a size is not positive or rng is nil.
func NewTwoLayerNet(inputSize, hiddenSize, outputSize int, rng *rand.Rand) *Network {
	return NewMultiLayerNet([]int{inputSize, hiddenSize, outputSize}, MultiLayerConfig{Init: Std(0.01)}, rng)
}

// MultiLayerConfig sets up NewMultiLayerNet. Every zero field has a
// default, given in its comment: together they are the book's
// MultiLayerNet. BatchNorm, Dropout and WeightDecay make it the book's
// MultiLayerNetExtend.
type MultiLayerConfig struct {
	// Activation makes the layer between every pair of Affine layers; nil
	// means ReLU.
	Activation Activation
	// Init gives each Affine layer's weight scale from its fan-in; nil
	// means He, the book's MultiLayerNet default.
	Init Init
	// Head is the network's last step; nil means softmax with
	// cross-entropy (layers.SoftmaxWithLoss).
	Head layers.Head
	// BatchNorm puts a layers.BatchNorm (γ = 1, β = 0) after every hidden
	// Affine layer, before its activation; false means none.
	BatchNorm bool
	// Dropout is the ratio of a layers.Dropout after every hidden
	// activation; 0 means no dropout. Its masks come from a stream seeded
	// by two draws from the rng given to NewMultiLayerNet per layer, after
	// the weights, so a network with dropout starts with the weights of
	// one without.
	Dropout float64
	// WeightDecay is the λ of L2 weight decay (Network.SetWeightDecay);
	// 0 means none.
	WeightDecay float64
}

// NewMultiLayerNet returns a fully connected network with the given layer
// sizes — input, hidden…, output — and the activation between every pair
// of Affine layers: sizes {784, 100, 100, 10} gives Affine(784→100) → act →
// Affine(100→100) → act → Affine(100→10), then the head. With BatchNorm
// and Dropout each hidden layer is Affine → BatchNorm → act → Dropout, as
// in the book's MultiLayerNetExtend. Each layer's weights are drawn from
// N(0, init(fan-in)²) using rng, in layer order; biases start at zero. It
// panics if there are fewer than two sizes, one is not positive, rng is
// nil, the dropout ratio is not in [0, 1) or the weight decay is negative.
func NewMultiLayerNet(sizes []int, cfg MultiLayerConfig, rng *rand.Rand) *Network {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("numlearn: NewMultiLayerNet: need at least input and output sizes, have %v", sizes))
	}
	if rng == nil {
		panic("numlearn: NewMultiLayerNet: rng is nil; pass rand.New(rand.NewPCG(seed1, seed2))")
	}
	for _, s := range sizes {
		if s <= 0 {
			panic(fmt.Sprintf("numlearn: NewMultiLayerNet: sizes %v must be positive", sizes))
		}
	}
	act, init, head := cfg.Activation, cfg.Init, cfg.Head
	if act == nil {
		act = ReLU
	}
	if init == nil {
		init = He
	}
	if head == nil {
		head = &layers.SoftmaxWithLoss{}
	}
	if !(cfg.Dropout >= 0 && cfg.Dropout < 1) {
		panic(fmt.Sprintf("numlearn: NewMultiLayerNet: dropout ratio %v is not in [0, 1)", cfg.Dropout))
	}
	if !(cfg.WeightDecay >= 0) || math.IsInf(cfg.WeightDecay, 0) {
		panic(fmt.Sprintf("numlearn: NewMultiLayerNet: weight decay %v is not a finite number ≥ 0", cfg.WeightDecay))
	}
	ws := make([]*tensor.Tensor, len(sizes)-1)
	for i := range ws {
		ws[i] = tensor.RandN(rng, init(sizes[i]), sizes[i], sizes[i+1])
	}
	var ls []Layer
	for i, w := range ws {
		ls = append(ls, layers.NewAffine(w, tensor.New(sizes[i+1])))
		if i == len(ws)-1 {
			break
		}
		if cfg.BatchNorm {
			ls = append(ls, layers.NewBatchNorm(tensor.Full(1, sizes[i+1]), tensor.New(sizes[i+1])))
		}
		ls = append(ls, act())
		if cfg.Dropout > 0 {
			ls = append(ls, layers.NewDropout(cfg.Dropout, rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))))
		}
	}
	n := NewNetworkWithHead(head, ls...)
	n.SetWeightDecay(cfg.WeightDecay)
	return n
}
