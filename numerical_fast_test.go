package numlearn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastTol is how closely the fast numerical gradient must agree with the
// literal one, element by element: both are the same central differences
// of the same loss, so they differ only by rounding.
const fastTol = 1e-9

// doubler is a layer of a user's, y = 2x, with none of the capabilities the
// fast numerical gradient needs.
type doubler struct{ y, dx tensor.Tensor }

func (d *doubler) Forward(x *tensor.Tensor) *tensor.Tensor {
	d.y = tensor.Tensor{}
	d.y.Scale(2, x)
	return &d.y
}

func (d *doubler) Backward(dout *tensor.Tensor) *tensor.Tensor {
	d.dx = tensor.Tensor{}
	d.dx.Scale(2, dout)
	return &d.dx
}

// denseData returns n rows of k inputs drawn from N(0, 1) and targets for
// head: one-hot rows of classes for a softmax head, values in [0, 1] for
// the others.
func denseData(rng *rand.Rand, n, k, classes int, soft bool) (x, t *tensor.Tensor) {
	x = tensor.RandN(rng, 1, n, k)
	if soft {
		return x, tensor.RandN(rng, 1, n, classes)
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(classes)
	}
	return x, oneHot(labels, classes)
}

// randomizeBiases gives every bias of net random values, so that the
// tests do not rely on zero biases.
func randomizeBiases(net *Network, rng *rand.Rand) {
	for i, p := range net.Params() {
		if net.ParamNames()[i][0] == 'b' {
			copy(p.Data(), tensor.RandN(rng, 0.5, p.Size()).Data())
		}
	}
}

func TestNumericalGradientFastMatchesLiteral(t *testing.T) {
	sparse := func(n int) func(*rand.Rand) (x, t *tensor.Tensor) {
		return func(*rand.Rand) (x, t *tensor.Tensor) {
			x, t = benchData(n)
			return x, t
		}
	}
	dense := func(n, k, classes int, soft bool) func(*rand.Rand) (x, t *tensor.Tensor) {
		return func(rng *rand.Rand) (x, t *tensor.Tensor) { return denseData(rng, n, k, classes, soft) }
	}
	tests := []struct {
		name   string
		sizes  []int
		act    Activation
		head   layers.Head
		biases bool
		data   func(*rand.Rand) (x, t *tensor.Tensor)
		long   bool // too slow for -short
	}{
		{name: "book sigmoid 784-50-10 batch 100", sizes: []int{784, 50, 10}, act: Sigmoid, data: sparse(100), long: true},
		{name: "book sigmoid 784-50-10 batch 10", sizes: []int{784, 50, 10}, act: Sigmoid, data: sparse(10)},
		{name: "book relu 784-50-10 batch 7", sizes: []int{784, 50, 10}, act: ReLU, data: sparse(7)},
		{name: "book sigmoid 784-50-10 batch 1", sizes: []int{784, 50, 10}, act: Sigmoid, data: sparse(1)},
		{name: "deeper sigmoid 784-50-30-10 batch 5", sizes: []int{784, 50, 30, 10}, act: Sigmoid, biases: true, data: sparse(5)},
		{name: "deeper relu 784-50-30-10 batch 3", sizes: []int{784, 50, 30, 10}, act: ReLU, biases: true, data: sparse(3)},
		{name: "small tanh 6-5-4-3", sizes: []int{6, 5, 4, 3}, act: Tanh, biases: true, data: dense(9, 6, 3, false)},
		{name: "small relu 5-8-8-8-4", sizes: []int{5, 8, 8, 8, 4}, act: ReLU, biases: true, data: dense(11, 5, 4, false)},
		{name: "single affine 7-3", sizes: []int{7, 3}, biases: true, data: dense(4, 7, 3, false)},
		{name: "regression 4-6-2", sizes: []int{4, 6, 2}, act: Tanh, head: &layers.IdentityWithLoss{}, biases: true, data: dense(5, 4, 2, true)},
		{name: "binary labels 4-6-3", sizes: []int{4, 6, 3}, act: Sigmoid, head: &layers.SigmoidWithLoss{}, biases: true, data: dense(5, 4, 3, true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.long && testing.Short() {
				t.Skip("the literal gradient of a full batch takes seconds")
			}
			rng := newRand(60)
			cfg := MultiLayerConfig{Activation: tt.act, Init: Std(0.5), Head: tt.head}
			if len(tt.sizes) == 3 && tt.sizes[0] == 784 {
				cfg.Init = Std(0.01) // the book's
			}
			net := NewMultiLayerNet(tt.sizes, cfg, rng)
			if tt.biases {
				randomizeBiases(net, rng)
			}
			x, tg := tt.data(rng)
			before := cloneAll(net.Params())

			p, cost, ok := net.planFast(x, tg)
			require.True(t, ok, "the fast path applies")
			fast := zerosOf(net.Params())
			p.run(fast)
			literal := zerosOf(net.Params())
			net.genericNumericalGradient(literal, x, tg)

			assert.InDelta(t, net.trainingLoss(x, tg), cost, 1e-15, "loss of the batch")
			worst := maxDiff(fast, literal)
			t.Logf("largest difference %.3g over %d parameters", worst, countAll(fast))
			assert.LessOrEqual(t, worst, fastTol)
			assert.Equal(t, before, net.Params(), "parameters unchanged")
			// NumericalGradient takes the fast path.
			assert.Equal(t, fast, net.NumericalGradient(x, tg))
		})
	}
}

// TestNumericalGradientFastWithWeightDecay: with λ set, the fast path's
// gradient still agrees with the generic central differences of the
// whole loss, penalty included.
func TestNumericalGradientFastWithWeightDecay(t *testing.T) {
	rng := newRand(62)
	net := NewMultiLayerNet([]int{6, 5, 4, 3}, MultiLayerConfig{Activation: Tanh, Init: Std(0.5), WeightDecay: 0.3}, rng)
	randomizeBiases(net, rng)
	x, tg := denseData(rng, 7, 6, 3, false)
	_, _, ok := net.planFast(x, tg)
	require.True(t, ok, "the fast path applies")
	fast := net.NumericalGradient(x, tg)
	literal := zerosOf(net.Params())
	net.genericNumericalGradient(literal, x, tg)
	assert.LessOrEqual(t, maxDiff(fast, literal), fastTol)
	// The penalty's share is λ·W for weights and nothing for biases.
	net.SetWeightDecay(0)
	plain := net.NumericalGradient(x, tg)
	assert.InDelta(t, 0.3*net.Params()[0].Data()[4], fast[0].Data()[4]-plain[0].Data()[4], 1e-9, "W1")
	assert.InDelta(t, 0.0, fast[1].Data()[2]-plain[1].Data()[2], 1e-12, "b1")
}

func TestNumericalGradientFallsBack(t *testing.T) {
	rng := newRand(61)
	x, tg := denseData(rng, 3, 4, 3, false)
	tests := []struct {
		name string
		net  *Network
		x    *tensor.Tensor
	}{
		{name: "a layer of a user's", net: NewNetwork(
			layers.NewAffine(tensor.RandN(rng, 0.5, 4, 5), tensor.RandN(rng, 0.5, 5)),
			&doubler{},
			layers.NewAffine(tensor.RandN(rng, 0.5, 5, 3), tensor.New(3)),
		), x: x},
		{name: "input of three axes", net: NewNetwork(
			layers.NewAffine(tensor.RandN(rng, 0.5, 4, 3), tensor.RandN(rng, 0.5, 3)),
		), x: x.Reshape(3, 2, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, ok := tt.net.planFast(tt.x, tg)
			require.False(t, ok, "the fast path does not apply")
			literal := zerosOf(tt.net.Params())
			tt.net.genericNumericalGradient(literal, tt.x, tg)
			got := tt.net.NumericalGradient(tt.x, tg)
			assert.Equal(t, literal, got)
			// And it is the gradient: backpropagation agrees, up to the
			// 1e-7 inside the loss's log, which backpropagation leaves
			// out (relative error 1e-7/y for a label of probability y).
			assert.LessOrEqual(t, maxDiff(got, tt.net.Gradient(tt.x, tg)), 1e-4)
		})
	}
}

// maxDiff returns the largest absolute difference between corresponding
// elements of a and b.
func maxDiff(a, b []*tensor.Tensor) float64 {
	var worst float64
	for i := range a {
		for j, v := range a[i].Data() {
			worst = max(worst, math.Abs(v-b[i].Data()[j]))
		}
	}
	return worst
}

func countAll(ts []*tensor.Tensor) int {
	total := 0
	for _, p := range ts {
		total += p.Size()
	}
	return total
}

// BenchmarkNumericalGradient is one numerical gradient of the book's
// chapter 4 net (784-50-10, sigmoid) on a batch of 100 MNIST-like images,
// the literal way and the fast way. The literal way takes seconds: run it
// with -benchtime 1x.
func BenchmarkNumericalGradient(b *testing.B) {
	x, t := benchData(100)
	net := NewMultiLayerNet([]int{784, 50, 10}, MultiLayerConfig{Activation: Sigmoid, Init: Std(0.01)}, newRand(62))
	out := zerosOf(net.Params())
	b.Run("method=generic/shape=784x50x10/batch=100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			net.genericNumericalGradient(out, x, t)
		}
	})
	b.Run("method=fast/shape=784x50x10/batch=100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			net.numericalGradient(out, x, t)
		}
	})
}

func TestTrainNumericalFollowsBackprop(t *testing.T) {
	// The same net trained on the same batches, once by backpropagation
	// and once by central differences, takes nearly the same path: the
	// gradients differ by about 1e-7.
	x, tg := benchData(300)
	losses := map[bool][]float64{}
	for _, numerical := range []bool{false, true} {
		net := NewMultiLayerNet([]int{784, 20, 10}, MultiLayerConfig{Activation: Sigmoid, Init: Std(0.01)}, newRand(63))
		h, err := net.Train(t.Context(), x, tg, TrainConfig{Iterations: 5, BatchSize: 10, Optimizer: &grad.SGD{LR: 0.1}, Rand: newRand(64), Numerical: numerical, EvalEvery: -1})
		require.NoError(t, err)
		losses[numerical] = h.Loss
	}
	require.Len(t, losses[true], 5)
	assert.InDeltaSlice(t, losses[false], losses[true], 1e-7)
}
