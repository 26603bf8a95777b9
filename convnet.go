package numlearn

import (
	"fmt"
	"math/rand/v2"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

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
	// Std(0.01), the book's weight_init_std.
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
// The first three steps are one layer, layers.ConvReLUPool, which
// computes exactly what layers.Convolution, layers.ReLU and
// layers.Pooling compute in a row, image by image while the activations
// are in the cache: the network's layers are ConvReLUPool, Affine, ReLU
// and Affine. It
// panics if a field is negative, the filters do not fit the padded image,
// or rng is nil.
func NewSimpleConvNet(cfg ConvNetConfig, rng *rand.Rand) *Network {
	if rng == nil {
		panic("numlearn: NewSimpleConvNet: rng is nil; pass rand.New(rand.NewPCG(seed1, seed2))")
	}
	if cfg.Channels < 0 || cfg.Height < 0 || cfg.Width < 0 || cfg.Filters < 0 || cfg.FilterSize < 0 ||
		cfg.Stride < 0 || cfg.Pad < 0 || cfg.Hidden < 0 || cfg.Classes < 0 {
		panic(fmt.Sprintf("numlearn: NewSimpleConvNet: negative field in %+v", cfg))
	}
	cfg = cfg.withDefaults()
	fs := cfg.FilterSize
	convH := (cfg.Height+2*cfg.Pad-fs)/cfg.Stride + 1
	convW := (cfg.Width+2*cfg.Pad-fs)/cfg.Stride + 1
	if fs > cfg.Height+2*cfg.Pad || fs > cfg.Width+2*cfg.Pad || convH < 2 || convW < 2 {
		panic(fmt.Sprintf("numlearn: NewSimpleConvNet: %d×%d filters on %d×%d images padded by %d leave no 2×2 window to pool",
			fs, fs, cfg.Height, cfg.Width, cfg.Pad))
	}
	pooled := cfg.Filters * (convH / 2) * (convW / 2)
	fanIn := cfg.Channels * fs * fs
	w1 := tensor.RandN(rng, cfg.Init(fanIn), cfg.Filters, cfg.Channels, fs, fs)
	w2 := tensor.RandN(rng, cfg.Init(pooled), pooled, cfg.Hidden)
	w3 := tensor.RandN(rng, cfg.Init(cfg.Hidden), cfg.Hidden, cfg.Classes)
	return NewNetwork(
		layers.NewConvReLUPool(w1, tensor.New(cfg.Filters), cfg.Stride, cfg.Pad),
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
// weights, so the weights are the same with or without them. Each
// convolution followed by a pooling is a layers.ConvReLUPool with the ReLU
// between them. It panics if rng is nil or cfg.Dropout is not in [0, 1).
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
		if i%2 == 1 { // convolution, ReLU and pooling in one layer
			ls = append(ls, layers.NewConvReLUPool(w, tensor.New(c.filters), 1, c.pad))
		} else {
			ls = append(ls, layers.NewConvolution(w, tensor.New(c.filters), 1, c.pad), &layers.ReLU{})
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
		return []Layer{layers.NewDropout(cfg.Dropout, rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))}
	}
	ls = append(ls, affine1, &layers.ReLU{})
	ls = append(ls, dropout()...)
	ls = append(ls, affine2)
	ls = append(ls, dropout()...)
	return NewNetwork(ls...)
}
