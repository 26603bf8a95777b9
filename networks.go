package numlearn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/numlearn/numlearn/internal/conv"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// The book's networks: TwoLayerNet and MultiLayerNet (chapters 5 and 6,
// with MultiLayerNetExtend's BatchNorm, Dropout and weight decay),
// SimpleConvNet (chapter 7) and DeepConvNet (chapter 8), with the weight
// initialisations chapter 6 compares.

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

// initStd returns init's standard deviation for a layer of fanIn inputs,
// called once, as the constructors draw that layer's weights, and panics,
// naming the constructor op and the layer, if it is not a finite number
// ≥ 0: a NaN or infinite scale would make every weight NaN.
func initStd(op string, init Init, layer string, fanIn int) float64 {
	std := init(fanIn)
	if !(std >= 0) || math.IsInf(std, 0) {
		panic(fmt.Sprintf("numlearn: %s: Init gives %s (fan-in %d) a standard deviation of %v; want a finite number ≥ 0", op, layer, fanIn, std))
	}
	return std
}

// maxWeights is the most weights the book's constructors give one layer,
// 2³¹ − 1 (16 GiB of float64): far beyond the book's networks, whose
// largest layer has 784×100, and low enough that a mistaken size is
// refused rather than allocated.
const maxWeights = 1<<31 - 1

// NewAffine returns an Affine layer of in inputs and out outputs for a
// network built by hand (NewNetwork), with weights W (in, out) drawn from
// N(0, std²), std as init gives it for in inputs, row by row from rng, and
// zero biases: what NewMultiLayerNet does for each of its layers. For
// weights of your own, use layers.NewAffine. It panics if a size is not
// positive, the layer would have more than 2³¹ − 1 weights, init gives a
// standard deviation that is not a finite number ≥ 0, or rng is nil.
func NewAffine(in, out int, init Init, rng *rand.Rand) *layers.Affine {
	if in <= 0 || out <= 0 || in > maxWeights/out {
		panic(fmt.Sprintf("numlearn: NewAffine: sizes %d→%d: want positive sizes and at most %d weights", in, out, maxWeights))
	}
	if init == nil || rng == nil {
		panic("numlearn: NewAffine: init and rng must not be nil (try numlearn.He and rand.New(rand.NewPCG(1, 2)))")
	}
	w := tensor.RandN(rng, initStd("NewAffine", init, "the layer", in), in, out)
	return layers.NewAffine(w, tensor.New(out))
}

// NewTwoLayerNet returns the book's chapter 5 TwoLayerNet: Affine → ReLU →
// Affine, then softmax with cross-entropy, with weights drawn as
// 0.01·N(0, 1) from rng (W1 first, row by row, then W2) and zero biases.
// It panics if a size is not positive, a layer would have more than
// 2³¹ − 1 weights, or rng is nil.
func NewTwoLayerNet(inputSize, hiddenSize, outputSize int, rng *rand.Rand) *Network {
	return NewMultiLayerNet([]int{inputSize, hiddenSize, outputSize}, MultiLayerConfig{Init: Std(0.01)}, rng)
}

// MultiLayerConfig sets up NewMultiLayerNet. Every zero field has a
// default, given in its comment: together they are the book's
// MultiLayerNet. BatchNorm, Dropout and WeightDecay make it the book's
// MultiLayerNetExtend.
type MultiLayerConfig struct {
	// Activation is the layer between every pair of Affine layers, cloned
	// for each place (it must be a layers.Cloner): &layers.Sigmoid{},
	// &layers.Tanh{}, or one of your own; nil means &layers.ReLU{}.
	Activation Layer
	// Init gives each Affine layer's weight scale from its fan-in; nil
	// means He, the book's MultiLayerNet default. The scale must be a
	// finite number ≥ 0.
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
// panics if there are fewer than two sizes, one is not positive, a layer
// would have more than 2³¹ − 1 weights (16 GiB), rng is nil, the
// activation is not a layers.Cloner, Init gives a standard deviation that
// is not a finite number ≥ 0, the dropout ratio is not in [0, 1) or the
// weight decay is negative.
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
	for i := range len(sizes) - 1 {
		if in, out := sizes[i], sizes[i+1]; in > maxWeights/out {
			panic(fmt.Sprintf("numlearn: NewMultiLayerNet: layer %d of %d×%d weights is more than %d", i+1, in, out, maxWeights))
		}
	}
	var act layers.Cloner = &layers.ReLU{}
	if cfg.Activation != nil {
		c, ok := cfg.Activation.(layers.Cloner)
		if !ok {
			panic(fmt.Sprintf("numlearn: NewMultiLayerNet: the activation %T is not a layers.Cloner", cfg.Activation))
		}
		act = c
	}
	init, head := cfg.Init, cfg.Head
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
		std := initStd("NewMultiLayerNet", init, fmt.Sprintf("layer %d", i+1), sizes[i])
		ws[i] = tensor.RandN(rng, std, sizes[i], sizes[i+1])
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
		ls = append(ls, act.Clone())
		if cfg.Dropout > 0 {
			ls = append(ls, layers.NewDropout(cfg.Dropout, rand.NewPCG(rng.Uint64(), rng.Uint64())))
		}
	}
	n := NewNetworkWithHead(head, ls...)
	n.SetWeightDecay(cfg.WeightDecay)
	return n
}

// ConvNetConfig sets up NewSimpleConvNet. Every zero field has a default,
// given in its comment: together they are the book's SimpleConvNet for
// MNIST.
type ConvNetConfig struct {
	// Channels, Height and Width are the shape of one input image; zeros
	// mean MNIST's 1, 28 and 28.
	Channels, Height, Width int
	// Filters is the number of convolution filters; 0 means 30.
	Filters int
	// FilterSize is the filters' height and width; 0 means 5.
	FilterSize int
	// Stride is the convolution's stride; 0 means 1.
	Stride int
	// Pad is the convolution's zero padding on each side (0 by default).
	Pad int
	// Hidden is the size of the hidden Affine layer; 0 means 100.
	Hidden int
	// Classes is the number of outputs; 0 means 10.
	Classes int
	// Init gives each layer's weight scale from its fan-in; nil means
	// Std(0.01), the book's weight_init_std. The scale must be a finite
	// number ≥ 0.
	Init Init
}

// withDefaults returns cfg with its zero fields filled in.
func (cfg ConvNetConfig) withDefaults() ConvNetConfig {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.Channels, 1)
	def(&cfg.Height, 28)
	def(&cfg.Width, 28)
	def(&cfg.Filters, 30)
	def(&cfg.FilterSize, 5)
	def(&cfg.Stride, 1)
	def(&cfg.Hidden, 100)
	def(&cfg.Classes, 10)
	if cfg.Init == nil {
		cfg.Init = Std(0.01)
	}
	return cfg
}

// NewSimpleConvNet returns the book's chapter 7 SimpleConvNet:
//
//	Convolution → ReLU → Pooling (2×2, stride 2) → Affine → ReLU → Affine
//
// then softmax with cross-entropy, for images (N, Channels, Height, Width).
// With the zero ConvNetConfig it is the book's network for MNIST: 30
// filters of 5×5 at stride 1 without padding (24×24 outputs, pooled to
// 12×12), a hidden layer of 100 and 10 classes, with weights drawn as
// 0.01·N(0, 1) from rng (W1, W2, W3 in that order) and zero biases. Its
// parameters are named W1 b1 W2 b2 W3 b3, as the book saves them.
//
// The network's layers are these six, the book's; the layers.Sequence
// that runs them computes the first three as one fused block, image by
// image while the activations are in the cache.
//
// It panics if rng is nil, a field is negative, Height, Width,
// FilterSize, Stride or Pad is over 2²⁴, the filters leave no 2×2 window
// to pool, the sizes go beyond layers.Convolution's limits (a padded
// image, its unfolding or the convolution's output of more than 2³¹ − 1
// values), a weight matrix would have more than 2³¹ − 1 weights, or Init
// gives a standard deviation that is not a finite number ≥ 0.
func NewSimpleConvNet(cfg ConvNetConfig, rng *rand.Rand) *Network {
	const op = "numlearn: NewSimpleConvNet"
	if rng == nil {
		panic(op + ": rng is nil; pass rand.New(rand.NewPCG(seed1, seed2))")
	}
	if cfg.Channels < 0 || cfg.Height < 0 || cfg.Width < 0 || cfg.Filters < 0 || cfg.FilterSize < 0 ||
		cfg.Stride < 0 || cfg.Pad < 0 || cfg.Hidden < 0 || cfg.Classes < 0 {
		panic(fmt.Sprintf("%s: negative field in %+v", op, cfg))
	}
	cfg = cfg.withDefaults()
	fs := cfg.FilterSize
	if max(cfg.Height, cfg.Width, fs, cfg.Stride, cfg.Pad) > conv.MaxSide {
		panic(fmt.Sprintf("%s: Height %d, Width %d, FilterSize %d, Stride %d and Pad %d must each be at most %d",
			op, cfg.Height, cfg.Width, fs, cfg.Stride, cfg.Pad, conv.MaxSide))
	}
	// Each term is at most 2²⁴: the sums cannot overflow.
	convH := (cfg.Height+2*cfg.Pad-fs)/cfg.Stride + 1
	convW := (cfg.Width+2*cfg.Pad-fs)/cfg.Stride + 1
	if fs > cfg.Height+2*cfg.Pad || fs > cfg.Width+2*cfg.Pad || convH < 2 || convW < 2 {
		panic(fmt.Sprintf("%s: %d×%d filters on %d×%d images padded by %d leave no 2×2 window to pool",
			op, fs, fs, cfg.Height, cfg.Width, cfg.Pad))
	}
	g := conv.Geometry{C: cfg.Channels, H: cfg.Height, W: cfg.Width, FH: fs, FW: fs, Stride: cfg.Stride, Pad: cfg.Pad}
	err := g.Check()
	if err == nil {
		err = g.CheckOutput(1, cfg.Filters)
	}
	if err != nil {
		panic(fmt.Sprintf("%s: %v", op, err))
	}
	// Within the convolution's limits, C·FH·FW and the output's
	// Filters·convH·convW are at most 2³¹ − 1; so is pooled.
	fanIn := g.ColRows()
	pooled := cfg.Filters * (convH / 2) * (convW / 2)
	switch {
	case cfg.Filters > maxWeights/fanIn:
		panic(fmt.Sprintf("%s: W1 of %d×%d×%d×%d weights is more than %d", op, cfg.Filters, cfg.Channels, fs, fs, maxWeights))
	case cfg.Hidden > maxWeights/pooled:
		panic(fmt.Sprintf("%s: W2 of %d×%d weights is more than %d", op, pooled, cfg.Hidden, maxWeights))
	case cfg.Classes > maxWeights/cfg.Hidden:
		panic(fmt.Sprintf("%s: W3 of %d×%d weights is more than %d", op, cfg.Hidden, cfg.Classes, maxWeights))
	}
	w1 := tensor.RandN(rng, initStd("NewSimpleConvNet", cfg.Init, "W1", fanIn), cfg.Filters, cfg.Channels, fs, fs)
	w2 := tensor.RandN(rng, initStd("NewSimpleConvNet", cfg.Init, "W2", pooled), pooled, cfg.Hidden)
	w3 := tensor.RandN(rng, initStd("NewSimpleConvNet", cfg.Init, "W3", cfg.Hidden), cfg.Hidden, cfg.Classes)
	return NewNetwork(
		layers.NewConvolution(w1, tensor.New(cfg.Filters), cfg.Stride, cfg.Pad),
		&layers.ReLU{},
		layers.NewPooling(2, 2, 2, 0),
		layers.NewAffine(w2, tensor.New(cfg.Hidden)),
		&layers.ReLU{},
		layers.NewAffine(w3, tensor.New(cfg.Classes)),
	)
}

// DeepConvNetConfig sets up NewDeepConvNet.
type DeepConvNetConfig struct {
	// Dropout is the ratio of the layers.Dropout after each of the two
	// Affine layers: the book's DeepConvNet uses 0.5. Zero leaves dropout
	// out, as in MultiLayerConfig.
	Dropout float64
}

// NewDeepConvNet returns the book's chapter 8 DeepConvNet for MNIST
// images (N, 1, 28, 28): six 3×3 convolutions with ReLU, of 16, 16, 32,
// 32, 64 and 64 filters, a 2×2 max pooling after every second one, then
// Affine (1024 → 50) → ReLU → Dropout → Affine (50 → 10) → Dropout and
// softmax with cross-entropy. Every convolution pads by 1 except the
// fourth, which pads by 2 (14×14 becomes 16×16), as in the book, so that
// three poolings leave 64 channels of 4×4. Weights are drawn with He's
// scale, √(2/fan-in), from rng in layer order; biases are zero; the
// parameters are named W1 b1 … W8 b8, as the book saves them. The two
// Dropout layers draw their masks from streams seeded from rng after the
// weights, so the weights are the same with or without them. It panics if
// rng is nil or cfg.Dropout is not in [0, 1).
func NewDeepConvNet(cfg DeepConvNetConfig, rng *rand.Rand) *Network {
	if rng == nil {
		panic("numlearn: NewDeepConvNet: rng is nil; pass rand.New(rand.NewPCG(seed1, seed2))")
	}
	if !(cfg.Dropout >= 0 && cfg.Dropout < 1) {
		panic(fmt.Sprintf("numlearn: NewDeepConvNet: dropout ratio %v is not in [0, 1)", cfg.Dropout))
	}
	var ls []Layer
	channels := 1
	for i, c := range []struct{ filters, pad int }{{16, 1}, {16, 1}, {32, 1}, {32, 2}, {64, 1}, {64, 1}} {
		w := tensor.RandN(rng, He(channels*3*3), c.filters, channels, 3, 3)
		ls = append(ls, layers.NewConvolution(w, tensor.New(c.filters), 1, c.pad), &layers.ReLU{})
		if i%2 == 1 {
			ls = append(ls, layers.NewPooling(2, 2, 2, 0))
		}
		channels = c.filters
	}
	const hidden, flat = 50, 64 * 4 * 4
	affine1 := layers.NewAffine(tensor.RandN(rng, He(flat), flat, hidden), tensor.New(hidden))
	affine2 := layers.NewAffine(tensor.RandN(rng, He(hidden), hidden, 10), tensor.New(10))
	dropout := func() []Layer {
		if cfg.Dropout == 0 {
			return nil
		}
		return []Layer{layers.NewDropout(cfg.Dropout, rand.NewPCG(rng.Uint64(), rng.Uint64()))}
	}
	ls = append(ls, affine1, &layers.ReLU{})
	ls = append(ls, dropout()...)
	ls = append(ls, affine2)
	ls = append(ls, dropout()...)
	return NewNetwork(ls...)
}
