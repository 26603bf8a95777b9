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

// denseData returns n rows of k inputs drawn from N(0, 1) and one-hot
// targets over classes.
func denseData(rng *rand.Rand, n, k, classes int) (x, t *tensor.Tensor) {
	x = tensor.RandN(rng, 1, n, k)
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

// literalGradient is the numerical gradient of net's training loss, weight
// decay penalty included, taken the literal way: each parameter element
// perturbed in turn and the whole loss computed.
func literalGradient(net *Network, x, t *tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(net.Params()))
	for i, p := range net.Params() {
		out[i] = grad.Numerical(func(*tensor.Tensor) float64 {
			net.Gradient(x, t)
			return net.LastLoss()
		}, p)
	}
	return out
}

// TestNumericalGradientFastWithWeightDecay: with λ set, the fast path's
// gradient still agrees with the generic central differences of the
// whole loss, penalty included.
func TestNumericalGradientFastWithWeightDecay(t *testing.T) {
	rng := newRand(62)
	net := NewMultiLayerNet([]int{6, 5, 4, 3}, MultiLayerConfig{Activation: &layers.Tanh{}, Init: Std(0.5), WeightDecay: 0.3}, rng)
	randomizeBiases(net, rng)
	x, tg := denseData(rng, 7, 6, 3)
	fast := net.NumericalGradient(x, tg)
	assert.LessOrEqual(t, maxDiff(fast, literalGradient(net, x, tg)), fastTol)
	// The penalty's share is λ·W for weights and nothing for biases.
	net.SetWeightDecay(0)
	plain := net.NumericalGradient(x, tg)
	assert.InDelta(t, 0.3*net.Params()[0].Data()[4], fast[0].Data()[4]-plain[0].Data()[4], 1e-9, "W1")
	assert.InDelta(t, 0.0, fast[1].Data()[2]-plain[1].Data()[2], 1e-12, "b1")
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
	net := NewMultiLayerNet([]int{784, 50, 10}, MultiLayerConfig{Activation: &layers.Sigmoid{}, Init: Std(0.01)}, newRand(62))
	out := zerosOf(net.Params())
	literal := NewNetworkWithHead(&plainHead{}, net.Clone().Layers()...) // a head the plan does not recognise
	b.Run("method=generic/shape=784x50x10/batch=100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			literal.numericalGradient(out, x, t)
		}
	})
	b.Run("method=fast/shape=784x50x10/batch=100", func(b *testing.B) {
		b.ReportAllocs()
		net.numericalGradient(out, x, t) // sizes the cached pass
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
		net := NewMultiLayerNet([]int{784, 20, 10}, MultiLayerConfig{Activation: &layers.Sigmoid{}, Init: Std(0.01)}, newRand(63))
		h, err := net.Train(t.Context(), x, tg, TrainConfig{Iterations: 5, BatchSize: 10, Optimizer: &grad.SGD{LR: 0.1}, Rand: newRand(64), Numerical: numerical, EvalEvery: -1})
		require.NoError(t, err)
		losses[numerical] = h.Loss
	}
	require.Len(t, losses[true], 5)
	assert.InDeltaSlice(t, losses[false], losses[true], 1e-7)
}

// TestGradientCheckWithDropoutAndBatchNorm: the numerical gradient holds
// the masks of the backpropagation pass before it and restores the
// running statistics, so the check of a net with Dropout and BatchNorm
// compares like with like, leaves the state as the backpropagation pass
// left it, and does not advance the masks' random stream.
func TestGradientCheckWithDropoutAndBatchNorm(t *testing.T) {
	newNet := func() *Network {
		return NewMultiLayerNet([]int{5, 6, 6, 3}, MultiLayerConfig{BatchNorm: true, Dropout: 0.5, Activation: &layers.Tanh{}, Head: &layers.IdentityWithLoss{}}, newRand(65))
	}
	x, tg := tensor.RandN(newRand(66), 1, 8, 5), tensor.RandN(newRand(67), 1, 8, 3)
	net := newNet()
	for i, d := range net.GradientCheck(x, tg) {
		assert.Less(t, d.MaxAbs, 1e-6, "%s: %v", net.ParamNames()[i], d)
	}

	// The state and the random streams are where one backpropagation
	// pass leaves them.
	ref := newNet()
	ref.Gradient(x, tg)
	assert.Equal(t, bits(ref.State()...), bits(net.State()...), "running statistics")
	want := cloneAll(ref.Gradient(x, tg))
	assert.Equal(t, bits(want...), bits(net.Gradient(x, tg)...), "the next masks are those it would have drawn")
}

// TestNumericalTrainingMovesTheRunningStatisticsOnce: a numerical
// training step of a net with BatchNorm moves the running statistics as
// one training pass does, not once per perturbation.
func TestNumericalTrainingMovesTheRunningStatisticsOnce(t *testing.T) {
	x, tg := denseData(newRand(68), 20, 4, 3)
	cfg := TrainConfig{Iterations: 1, BatchSize: 20, Shuffle: true, Optimizer: &grad.SGD{LR: 0}, EvalEvery: -1, Numerical: true}
	net := NewMultiLayerNet([]int{4, 5, 3}, MultiLayerConfig{BatchNorm: true}, newRand(69))
	_, err := net.Train(t.Context(), x, tg, cfg)
	require.NoError(t, err)
	ref := NewMultiLayerNet([]int{4, 5, 3}, MultiLayerConfig{BatchNorm: true}, newRand(69))
	ref.Gradient(x, tg) // one training pass over the same batch (all 20 samples, in another order)
	assert.InDeltaSlice(t, ref.State()[0].Data(), net.State()[0].Data(), 1e-12, "running mean: 0.1·the batch mean")
}
