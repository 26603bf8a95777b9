package numlearn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func xor() (*tensor.Tensor, *tensor.Tensor) {
	x := tensor.FromRows([][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}})
	return x, oneHot([]int{0, 1, 1, 0}, 2)
}

func TestTrainLearnsXOR(t *testing.T) {
	// XOR is not linearly separable: a hidden layer is needed, and a
	// network that learns it has got its backprop right.
	x, tgt := xor()
	net := NewMultiLayerNet([]int{2, 8, 2}, MultiLayerConfig{Activation: &layers.Tanh{}, Init: Xavier}, newRand(21))
	var progress []Progress
	h, err := net.Train(context.Background(), x, tgt, TrainConfig{
		Iterations: 500, BatchSize: 4, Optimizer: &grad.Adam{LR: 0.05}, Shuffle: true, EvalEvery: 100,
		Progress: func(p Progress) { progress = append(progress, p) },
	})
	require.NoError(t, err)
	assert.Equal(t, 1.0, net.Accuracy(x, tgt))
	require.Len(t, h.Loss, 500)
	assert.Less(t, h.Loss[499], 0.05)
	assert.Less(t, h.Loss[499], h.Loss[0]/10)

	// Evaluations after steps 1, 101, 201, 301, 401 and the last, 500.
	var at []int
	for _, e := range h.Evals {
		at = append(at, e.Iteration)
	}
	assert.Equal(t, []int{1, 101, 201, 301, 401, 500}, at)
	assert.Equal(t, 1.0, h.Evals[len(h.Evals)-1].TrainAccuracy)
	assert.True(t, math.IsNaN(h.Evals[0].TestAccuracy), "no test data, no test accuracy")

	require.Len(t, progress, 500)
	assert.Equal(t, 500, progress[499].Iteration)
	assert.Equal(t, 500.0, progress[499].Epoch, "a batch of 4 of 4 samples is one epoch")
	assert.True(t, progress[100].Evaluated)
	assert.False(t, progress[101].Evaluated)
	assert.Equal(t, Evaluation{}, progress[101].Eval, "no evaluation after step 102")
	assert.Equal(t, h.Loss[250], progress[250].Loss)
}

func TestTrainIsReproducible(t *testing.T) {
	x, tgt := xor()
	run := func() []float64 {
		net := NewMultiLayerNet([]int{2, 4, 2}, MultiLayerConfig{Activation: &layers.Sigmoid{}, Init: Xavier}, newRand(22))
		_, err := net.Train(context.Background(), x, tgt, TrainConfig{Iterations: 50, BatchSize: 2, Rand: newRand(23), EvalEvery: -1})
		require.NoError(t, err)
		return net.Params()[0].Data()
	}
	assert.Equal(t, run(), run())
}

func TestTrainStopsOnNonFiniteLoss(t *testing.T) {
	x, tgt := xor()
	net := NewMultiLayerNet([]int{2, 8, 2}, MultiLayerConfig{Activation: &layers.ReLU{}, Init: He}, newRand(24))
	h, err := net.Train(context.Background(), x, tgt, TrainConfig{
		Iterations: 100, BatchSize: 4, Optimizer: &grad.SGD{LR: 1e300}, EvalEvery: 1, SkipTrainEval: true,
	})
	require.ErrorIs(t, err, ErrDiverged)
	assert.Contains(t, err.Error(), "learning rate is likely too large")
	for _, p := range net.Params() {
		for _, v := range p.Data() {
			require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "parameters are restored, not left non-finite")
		}
	}
	assert.False(t, math.IsNaN(net.Loss(x, tgt)))
	assert.Less(t, len(h.Loss), 100)
}

func TestTrainConfigErrors(t *testing.T) {
	x, tgt := xor()
	tests := []struct {
		name string
		x, t *tensor.Tensor
		cfg  TrainConfig
		msg  string
	}{
		{"count mismatch", x, oneHot([]int{0, 1, 1}, 2), TrainConfig{}, "inputs shape [4 2] and targets shape [3 2]: want the same number of samples"},
		{"targets of the wrong width", x, oneHot([]int{0, 1, 2, 0}, 3), TrainConfig{BatchSize: 2},
			"inputs shape [4 2] and targets shape [4 3] do not fit the network: layers: SoftmaxWithLoss.Forward: scores shape [1 2] and targets shape [1 3] differ"},
		{"targets not one-hot rows", x, tensor.New(4), TrainConfig{BatchSize: 2}, "inputs shape [4 2] and targets shape [4] do not fit the network"},
		{"inputs of the wrong width", tensor.New(4, 3), tgt, TrainConfig{BatchSize: 2},
			"inputs shape [4 3] and targets shape [4 2] do not fit the network: layers: Affine.Forward: input shape [1 3] does not fit W shape [2 3]"},
		{"test targets of the wrong width", x, tgt, TrainConfig{BatchSize: 2, TestX: x, TestT: tensor.New(4, 5)},
			"test inputs shape [4 2] and targets shape [4 5] do not fit the network"},
		{"nil targets", x, nil, TrainConfig{}, "inputs and targets must not be nil"},
		{"epochs overflow", x, tgt, TrainConfig{Epochs: math.MaxInt/2 + 1, BatchSize: 2}, "epochs of 2 steps is more steps than an int holds"},
		{"batch too big", x, tgt, TrainConfig{BatchSize: 5}, "batch size 5 is larger than the 4 samples"},
		{"negative iterations", x, tgt, TrainConfig{Iterations: -1}, "negative Iterations (-1)"},
		{"test data half given", x, tgt, TrainConfig{TestX: x}, "TestX and TestT must be given together"},
		{"no samples", tensor.New(0, 2), tensor.New(0, 2), TrainConfig{BatchSize: 1}, "no training samples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net := NewTwoLayerNet(2, 3, 2, newRand(25))
			_, err := net.Train(context.Background(), tt.x, tt.t, tt.cfg)
			require.ErrorIs(t, err, ErrConfig)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestTrainHonoursCancellation(t *testing.T) {
	x, tgt := xor()
	ctx, cancel := context.WithCancel(context.Background())
	net := NewTwoLayerNet(2, 3, 2, newRand(26))
	h, err := net.Train(ctx, x, tgt, TrainConfig{Iterations: 1000, BatchSize: 2, EvalEvery: -1,
		Progress: func(p Progress) {
			if p.Iteration == 10 {
				cancel()
			}
		}})
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, h.Loss, 10)
}

// TestTrainAllocationsDoNotGrowWithSteps: buffers are made on the first
// step, so 10 and 1000 steps allocate about the same.
func TestTrainAllocationsDoNotGrowWithSteps(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	x := tensor.RandN(newRand(27), 1, 300, 20)
	labels := make([]int, 300)
	for i := range labels {
		labels[i] = i % 3
	}
	tgt := oneHot(labels, 3)
	for _, tc := range []struct {
		name string
		cfg  func() TrainConfig
	}{
		{"plain", func() TrainConfig { return TrainConfig{BatchSize: 30, EvalEvery: -1} }},
		{"schedule and progress", func() TrainConfig {
			return TrainConfig{BatchSize: 30, EvalEvery: -1, Optimizer: &grad.Adam{}, Shuffle: true,
				Schedule: grad.WarmUp(5, grad.CosineDecay(0.1)), Progress: func(Progress) {}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allocs := func(iters int) float64 {
				return testing.AllocsPerRun(3, func() {
					net := NewTwoLayerNet(20, 10, 3, newRand(28))
					cfg := tc.cfg()
					cfg.Iterations = iters
					if _, err := net.Train(context.Background(), x, tgt, cfg); err != nil {
						panic(err)
					}
				})
			}
			// A per-step allocation would add 990; a garbage collection
			// emptying the products' sync.Pool of task descriptors adds
			// one or two.
			few, many := allocs(10), allocs(1000)
			assert.Less(t, many-few, 5.0, "10 steps: %v allocations, 1000 steps: %v", few, many)
		})
	}
}

func TestErrDivergedIsASentinel(t *testing.T) {
	assert.True(t, errors.Is(errors.Join(ErrDiverged), ErrDiverged))
}

// TestTrainWithAnotherFirstLayer: a first layer that cannot read prepared
// data gets
// gathered batches, and training gives the same result as through an
// Affine first layer that takes the rows directly.
func TestTrainWithAnotherFirstLayer(t *testing.T) {
	x, tgt := xor()
	cfg := func() TrainConfig {
		return TrainConfig{Iterations: 200, BatchSize: 2, Optimizer: &grad.Adam{LR: 0.05}, Rand: newRand(29), EvalEvery: -1}
	}
	direct := NewMultiLayerNet([]int{2, 8, 2}, MultiLayerConfig{Activation: &layers.Tanh{}, Init: Xavier}, newRand(30))
	wrapped := NewNetwork(append([]Layer{noClone{}}, NewMultiLayerNet([]int{2, 8, 2}, MultiLayerConfig{Activation: &layers.Tanh{}, Init: Xavier}, newRand(30)).Layers()...)...)
	_, err := direct.Train(context.Background(), x, tgt, cfg())
	require.NoError(t, err)
	_, err = wrapped.Train(context.Background(), x, tgt, cfg())
	require.NoError(t, err)
	for i, p := range direct.Params() {
		assert.True(t, tensor.AllClose(p, wrapped.Params()[i], 1e-12, 1e-12), direct.ParamNames()[i])
	}
}

// TestDivergenceRestoresRunningStatistics: a BatchNorm net's forward pass
// moves the running statistics on every training step, so restoring after
// divergence must bring them back with the parameters, to the model after
// the last good step. With an evaluation after every step, the model after
// step k is good when it is finite and step k+1's loss came out finite.
func TestDivergenceRestoresRunningStatistics(t *testing.T) {
	tests := []struct {
		name  string
		opt   grad.Optimizer
		cause string
		// back is how many steps before the last completed one the last
		// good model is.
		back int
	}{
		// The model after the last completed step gave a NaN loss.
		{"the loss overflows", &lateSGD{calm: 5, LR: 0.1, Late: 1e200}, "the loss is NaN", 1},
		// A training step normalises by the batch's own statistics, so
		// its loss stays finite while the running variance overflows:
		// the step that overflowed it did not complete.
		{"the running variance overflows", &grad.SGD{LR: 1e10}, "the parameters or the layers' state became non-finite", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, tgt := xor()
			net := batchNormNet(2, 3, 2, 31)
			require.NotEmpty(t, net.State())
			// after[k] is the model after step k; after[0] the one it starts from.
			after := [][]*tensor.Tensor{cloneAll(slices.Concat(net.Params(), net.State()))}
			_, err := net.Train(context.Background(), x, tgt, TrainConfig{
				Iterations: 100, BatchSize: 4, Optimizer: tt.opt, EvalEvery: 1, SkipTrainEval: true,
				Progress: func(Progress) {
					after = append(after, cloneAll(slices.Concat(net.Params(), net.State())))
				},
			})
			require.ErrorIs(t, err, ErrDiverged)
			require.ErrorContains(t, err, tt.cause)

			lastGood := len(after) - 1 - tt.back
			require.Positive(t, lastGood, "the test needs good steps before divergence")
			assert.Contains(t, err.Error(), fmt.Sprintf("restored to those after step %d", lastGood))
			names := slices.Concat(net.ParamNames(), net.StateNames())
			for i, got := range slices.Concat(net.Params(), net.State()) {
				assert.True(t, allFinite([]*tensor.Tensor{got}), "%s is finite", names[i])
				assert.Equal(t, after[lastGood][i].Data(), got.Data(), "%s is as after step %d", names[i], lastGood)
			}
		})
	}
}

// lateSGD is SGD at LR for its first calm updates and at Late after that.
type lateSGD struct {
	calm     int
	LR, Late float64
}

func (o *lateSGD) Update(params, grads []*tensor.Tensor) {
	lr := o.LR
	if o.calm <= 0 {
		lr = o.Late
	}
	o.calm--
	(&grad.SGD{LR: lr}).Update(params, grads)
}

// BenchmarkCheckConfig is what Train checks once per call before its
// first step, on MNIST-shaped data (60,000 images of 784 and one-hot
// targets, 47.6 million values): mostly the scan for NaN and ±Inf, which
// reads every value once. Steps do not repeat it (BenchmarkTrainStep).
func BenchmarkCheckConfig(b *testing.B) {
	x, t := benchData(60000)
	net := NewTwoLayerNet(784, 50, 10, newRand(52))
	b.Run("shape=60000x784", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(8 * (x.Size() + t.Size())))
		for b.Loop() {
			if _, _, err := net.checkConfig(x, t, TrainConfig{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
