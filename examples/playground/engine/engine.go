package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

// The models a page can choose.
const (
	TwoLayerNet    = "twolayer"   // the book's 784-50-10, 0.01·N(0,1): examples/mnist's default
	MultiLayerNet  = "multilayer" // 784-100-100-10, He, BatchNorm, Dropout 0.2
	SimpleConvNet  = "convnet"    // the book's chapter 7 network
	convEvalSample = 1000         // the book's Trainer evaluates a ConvNet on 1,000 samples
)

// Settings are what the page chooses. Zero fields take examples/mnist's
// defaults.
type Settings struct {
	Model      string  // TwoLayerNet (default), MultiLayerNet or SimpleConvNet
	Optimizer  string  // sgd (default), momentum, nesterov, adagrad, rmsprop or adam
	LR         float64 // 0: 0.1 for sgd, the optimizer's default for the others
	Seed       uint64  // 0 means 1
	Iterations int     // 0 means 10,000
	BatchSize  int     // 0 means 100
}

// withDefaults fills in the zero fields.
func (s Settings) withDefaults() Settings {
	if s.Model == "" {
		s.Model = TwoLayerNet
	}
	if s.Optimizer == "" {
		s.Optimizer = "sgd"
	}
	s.Optimizer = strings.ToLower(s.Optimizer)
	if s.LR == 0 {
		switch s.Optimizer {
		case "sgd":
			s.LR = 0.1
		case "adam":
			s.LR = grad.DefaultAdamLR
		default:
			s.LR = grad.DefaultLR
		}
	}
	if s.Seed == 0 {
		s.Seed = 1
	}
	if s.Iterations == 0 {
		s.Iterations = 10000
	}
	if s.BatchSize == 0 {
		s.BatchSize = 100
	}
	return s
}

// Command returns the command line that trains natively what these
// settings train in the page, and "" for the convolutional network,
// whose command (examples/convnet) has no choice of optimizer.
func (s Settings) Command() string {
	s = s.withDefaults()
	args := fmt.Sprintf("-seed %d -iters %d -batch %d -optimizer %s -lr %g", s.Seed, s.Iterations, s.BatchSize, s.Optimizer, s.LR)
	switch s.Model {
	case TwoLayerNet:
		return "go run ./examples/mnist " + args
	case MultiLayerNet:
		return "go run ./examples/mnist -hidden 100,100 -init he -batchnorm -dropout 0.2 " + args
	}
	return ""
}

// Run is one training run: the network, its optimizer and its data.
type Run struct {
	Settings Settings
	Net      *numlearn.Network
	opt      grad.Optimizer
	src      rand.Source
	x, t     *tensor.Tensor
	testX    *tensor.Tensor
	testT    *tensor.Tensor
}

// New builds the network the settings ask for, drawn from the seed as
// examples/mnist (examples/convnet for SimpleConvNet) draws it, ready to
// train on train and be evaluated on test.
func New(s Settings, train, test *mnist.Set) (*Run, error) {
	s = s.withDefaults()
	switch {
	case s.Iterations < 0:
		return nil, fmt.Errorf("engine: %d steps: must be positive", s.Iterations)
	case s.BatchSize < 0 || s.BatchSize > train.Len():
		return nil, fmt.Errorf("engine: batch size %d: must be positive and at most the %d training samples", s.BatchSize, train.Len())
	case !(s.LR > 0) || math.IsInf(s.LR, 0):
		return nil, fmt.Errorf("engine: learning rate %g: must be positive and finite", s.LR)
	}
	opt, err := newOptimizer(s.Optimizer, s.LR)
	if err != nil {
		return nil, err
	}
	r := &Run{Settings: s, opt: opt, x: train.Images, t: train.OneHot(), testX: test.Images, testT: test.OneHot()}
	switch s.Model {
	case TwoLayerNet, MultiLayerNet:
		src := rand.NewPCG(s.Seed, 0x6e756d6c) // examples/mnist's stream
		sizes, cfg := []int{784, 50, 10}, numlearn.MultiLayerConfig{Init: numlearn.Std(0.01), Activation: &layers.ReLU{}}
		if s.Model == MultiLayerNet {
			sizes, cfg = []int{784, 100, 100, 10}, numlearn.MultiLayerConfig{Init: numlearn.He, Activation: &layers.ReLU{}, BatchNorm: true, Dropout: 0.2}
		}
		r.Net, r.src = numlearn.NewMultiLayerNet(sizes, cfg, rand.New(src)), src
	case SimpleConvNet:
		rng := rand.New(rand.NewPCG(s.Seed, 0x636f6e76)) // examples/convnet's stream
		r.Net, r.src = numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{}, rng), rng
		r.x, r.testX = train.Images4D(), test.Images4D()
	default:
		return nil, fmt.Errorf("engine: unknown model %q (want %s, %s or %s)", s.Model, TwoLayerNet, MultiLayerNet, SimpleConvNet)
	}
	return r, nil
}

// Train runs the whole run, calling progress after every step on the
// calling goroutine (Progress.Stop ends it). evalEvery is TrainConfig's
// EvalEvery: 0 for once an epoch, as examples/mnist.
func (r *Run) Train(ctx context.Context, evalEvery int, progress func(numlearn.Progress)) (*numlearn.History, error) {
	cfg := numlearn.TrainConfig{
		Iterations: r.Settings.Iterations,
		BatchSize:  r.Settings.BatchSize,
		Optimizer:  r.opt,
		Rand:       r.src,
		TestX:      r.testX,
		TestT:      r.testT,
		EvalEvery:  evalEvery,
		Progress:   progress,
	}
	if r.Settings.Model == SimpleConvNet {
		cfg.Shuffle, cfg.EvalSamples = true, convEvalSample
	}
	return r.Net.Train(ctx, r.x, r.t, cfg)
}

// StepsPerSecond trains a fresh network of the settings for steps
// mini-batch steps without evaluations and returns how many it took per
// second, timing the steps alone (Train's TrainTime).
func StepsPerSecond(s Settings, train, test *mnist.Set, steps int) (float64, error) {
	s.Iterations = steps
	r, err := New(s, train, test)
	if err != nil {
		return 0, err
	}
	h, err := r.Train(context.Background(), -1, nil)
	if err != nil {
		return 0, err
	}
	return float64(len(h.Loss)) / h.TrainTime.Seconds(), nil
}

func newOptimizer(name string, lr float64) (grad.Optimizer, error) {
	switch name {
	case "sgd":
		return &grad.SGD{LR: lr}, nil
	case "momentum":
		return &grad.Momentum{LR: lr}, nil
	case "nesterov":
		return &grad.Nesterov{LR: lr}, nil
	case "adagrad":
		return &grad.AdaGrad{LR: lr}, nil
	case "rmsprop":
		return &grad.RMSProp{LR: lr}, nil
	case "adam":
		return &grad.Adam{LR: lr}, nil
	}
	return nil, fmt.Errorf("engine: unknown optimizer %q (want sgd, momentum, nesterov, adagrad, rmsprop or adam)", name)
}

// Predict returns the class probabilities the network gives one 28×28
// image of 784 values in [0, 1], white on black.
func Predict(net *numlearn.Network, pixels []float64) ([]float64, error) {
	if len(pixels) != mnist.ImageSize {
		return nil, fmt.Errorf("engine: %d pixels, want %d", len(pixels), mnist.ImageSize)
	}
	x := tensor.FromSlice(pixels, 1, mnist.ImageSize)
	if takesImages(net) {
		x = x.Reshape(1, 1, mnist.Rows, mnist.Cols)
	}
	var p tensor.Tensor
	net.Output(&p, x)
	return p.Clone().Data(), nil
}

// takesImages says whether the network's first layer takes images
// (n, 1, 28, 28) rather than rows of 784.
func takesImages(net *numlearn.Network) bool {
	_, conv := net.Layers()[0].(*layers.Convolution)
	return conv
}

// Check says whether a loaded network classifies MNIST digits: it takes
// 784 values or a 1×28×28 image and answers ten probabilities.
func Check(net *numlearn.Network) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("engine: the model does not take a 28×28 digit: %v", r)
		}
	}()
	p, err := Predict(net, make([]float64, mnist.ImageSize))
	if err != nil {
		return err
	}
	if len(p) != 10 {
		return fmt.Errorf("engine: the model answers %d values for a digit, want 10", len(p))
	}
	return nil
}

// Tiles returns the first layer's weights as square gray tiles, at most
// limit of them: one 28×28 tile per hidden unit of a fully connected
// network, one tile per filter of a convolutional one (its first
// channel). Each tile's values are its weights scaled into [−1, 1] by
// the tile's largest magnitude. side is the tiles' side.
func Tiles(net *numlearn.Network, limit int) (tiles []float32, count, side int) {
	w := net.Params()[0]
	shape, data := w.Shape(), w.Data()
	var at func(tile, i int) float64
	switch {
	case len(shape) == 4: // (filters, channels, h, w)
		count, side = shape[0], shape[2]
		per := shape[1] * shape[2] * shape[3]
		at = func(tile, i int) float64 { return data[tile*per+i] }
	case len(shape) == 2 && shape[0] == mnist.ImageSize: // (784, hidden)
		count, side = shape[1], mnist.Rows
		at = func(tile, i int) float64 { return data[i*shape[1]+tile] }
	default:
		return nil, 0, 0
	}
	count = min(count, limit)
	n := side * side
	tiles = make([]float32, count*n)
	for k := range count {
		var m float64
		for i := range n {
			m = max(m, math.Abs(at(k, i)))
		}
		if m == 0 {
			m = 1
		}
		for i := range n {
			tiles[k*n+i] = float32(at(k, i) / m)
		}
	}
	return tiles, count, side
}

// Save returns the network as a model file, which numlearn.LoadModel and
// examples/serve read.
func Save(net *numlearn.Network) ([]byte, error) {
	var b bytes.Buffer
	if err := net.Save(&b, numlearn.SaveOptions{}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Load reads a model file and checks that it classifies digits.
func Load(b []byte) (*numlearn.Network, error) {
	net, err := numlearn.ReadModel(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if err := Check(net); err != nil {
		return nil, err
	}
	return net, nil
}

// Accuracy returns the network's accuracy on a set, the first limit
// samples of it when limit > 0.
func Accuracy(net *numlearn.Network, set *mnist.Set, limit int) float64 {
	if limit > 0 && limit < set.Len() {
		set = set.Slice(0, limit)
	}
	x := set.Images
	if takesImages(net) {
		x = set.Images4D()
	}
	return net.AccuracyLabels(x, set.Labels)
}

// ReadSets reads MNIST's four files, gzip-compressed or raw, into the
// training and test sets.
func ReadSets(trainImages, trainLabels, testImages, testLabels io.Reader) (train, test *mnist.Set, err error) {
	read := func(images, labels io.Reader, name string) (*mnist.Set, error) {
		x, err := mnist.ReadImages(images)
		if err != nil {
			return nil, fmt.Errorf("engine: %s images: %w", name, err)
		}
		l, err := mnist.ReadLabels(labels)
		if err != nil {
			return nil, fmt.Errorf("engine: %s labels: %w", name, err)
		}
		if shape := x.Shape(); shape[0] != len(l) || shape[1] != mnist.ImageSize {
			return nil, fmt.Errorf("engine: %s images %v for %d labels, want (%d, %d)", name, shape, len(l), len(l), mnist.ImageSize)
		}
		return &mnist.Set{Images: x, Labels: l}, nil
	}
	if train, err = read(trainImages, trainLabels, "training"); err != nil {
		return nil, nil, err
	}
	if test, err = read(testImages, testLabels, "test"); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}
