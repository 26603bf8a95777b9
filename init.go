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
// MultiLayerNet.
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
}

// NewMultiLayerNet returns a fully connected network with the given layer
// sizes — input, hidden…, output — and the activation between every pair
// of Affine layers: sizes {784, 100, 100, 10} gives Affine(784→100) → act →
// Affine(100→100) → act → Affine(100→10), then the head. Each layer's
// weights are drawn from N(0, init(fan-in)²) using rng, in layer order;
// biases start at zero. It panics if there are fewer than two sizes, one
// is not positive, or rng is nil.
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
	var ls []Layer
	for i := range len(sizes) - 1 {
		if i > 0 {
			ls = append(ls, act())
		}
		w := tensor.RandN(rng, init(sizes[i]), sizes[i], sizes[i+1])
		ls = append(ls, layers.NewAffine(w, tensor.New(sizes[i+1])))
	}
	return NewNetworkWithHead(head, ls...)
}
