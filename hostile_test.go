package numlearn

import (
	"context"
	"math"
	"testing"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The constructors and Train on input built to break them: sizes whose
// products overflow, initialisers that give NaN, data that holds NaN.

func TestSimpleConvNetRefusesSizesBeyondTheLimits(t *testing.T) {
	tests := []struct {
		name string
		cfg  ConvNetConfig
		msg  string
	}{
		{"padding of 2⁶¹", ConvNetConfig{Pad: 1 << 61},
			"numlearn: NewSimpleConvNet: Height 28, Width 28, FilterSize 5, Stride 1 and Pad 2305843009213693952 must each be at most 16777216"},
		{"images of 2³³ + 5 pixels square", ConvNetConfig{Height: 1<<33 + 5, Width: 1<<33 + 5},
			"numlearn: NewSimpleConvNet: Height 8589934597, Width 8589934597, FilterSize 5, Stride 1 and Pad 0 must each be at most 16777216"},
		{"stride of 2⁶²", ConvNetConfig{Stride: 1 << 62},
			"numlearn: NewSimpleConvNet: Height 28, Width 28, FilterSize 5, Stride 4611686018427387904 and Pad 0 must each be at most 16777216"},
		{"filters of 2⁴⁰ square", ConvNetConfig{FilterSize: 1 << 40},
			"numlearn: NewSimpleConvNet: Height 28, Width 28, FilterSize 1099511627776, Stride 1 and Pad 0 must each be at most 16777216"},
		{"channels of 2⁴⁰", ConvNetConfig{Channels: 1 << 40},
			"numlearn: NewSimpleConvNet: the padded image 1099511627776×28×28 has more than 2147483647 values"},
		{"images of 2¹⁶ pixels square", ConvNetConfig{Height: 1 << 16, Width: 1 << 16},
			"numlearn: NewSimpleConvNet: the padded image 1×65536×65536 has more than 2147483647 values"},
		{"filters of 2⁴⁰", ConvNetConfig{Filters: 1 << 40},
			"numlearn: NewSimpleConvNet: an output of 1099511627776×24×24 values per image is more than 2147483647"},
		{"hidden layer of 2⁴⁰", ConvNetConfig{Hidden: 1 << 40},
			"numlearn: NewSimpleConvNet: W2 of 4320×1099511627776 weights is more than 2147483647"},
		{"classes of 2⁴⁰", ConvNetConfig{Classes: 1 << 40},
			"numlearn: NewSimpleConvNet: W3 of 100×1099511627776 weights is more than 2147483647"},
		{"weights of W1 beyond the limit", ConvNetConfig{Channels: 1 << 16, Height: 3, Width: 3, FilterSize: 2, Filters: 1 << 14},
			"numlearn: NewSimpleConvNet: W1 of 16384×65536×2×2 weights is more than 2147483647"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, func() { NewSimpleConvNet(tt.cfg, newRand(1)) })
		})
	}
}

func TestMultiLayerNetRefusesLayersBeyondTheLimit(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
		msg   string
	}{
		{"a product that wraps to 0", []int{1 << 32, 1 << 32, 10},
			"numlearn: NewMultiLayerNet: layer 1 of 4294967296×4294967296 weights is more than 2147483647"},
		{"a layer of 784×2³⁰ weights", []int{784, 1 << 30, 10},
			"numlearn: NewMultiLayerNet: layer 1 of 784×1073741824 weights is more than 2147483647"},
		{"the last layer", []int{4, 3, 1 << 40},
			"numlearn: NewMultiLayerNet: layer 2 of 3×1099511627776 weights is more than 2147483647"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, func() { NewMultiLayerNet(tt.sizes, MultiLayerConfig{}, newRand(1)) })
		})
	}
}

func TestConstructorsRefuseAnInitThatIsNotAStandardDeviation(t *testing.T) {
	// inf4 is finite for every fan-in but 4, where it is +Inf.
	inf4 := func(fanIn int) float64 { return 1 / float64(fanIn-4) }
	tests := []struct {
		name string
		f    func()
		msg  string
	}{
		{"NaN", func() { NewMultiLayerNet([]int{3, 2}, MultiLayerConfig{Init: Std(math.NaN())}, newRand(1)) },
			"numlearn: NewMultiLayerNet: Init gives layer 1 (fan-in 3) a standard deviation of NaN; want a finite number ≥ 0"},
		{"+Inf", func() { NewMultiLayerNet([]int{3, 2}, MultiLayerConfig{Init: Std(math.Inf(1))}, newRand(1)) },
			"numlearn: NewMultiLayerNet: Init gives layer 1 (fan-in 3) a standard deviation of +Inf; want a finite number ≥ 0"},
		{"negative", func() { NewMultiLayerNet([]int{3, 2}, MultiLayerConfig{Init: Std(-0.01)}, newRand(1)) },
			"numlearn: NewMultiLayerNet: Init gives layer 1 (fan-in 3) a standard deviation of -0.01; want a finite number ≥ 0"},
		{"infinite for one layer only", func() { NewMultiLayerNet([]int{6, 4, 2}, MultiLayerConfig{Init: inf4}, newRand(1)) },
			"numlearn: NewMultiLayerNet: Init gives layer 2 (fan-in 4) a standard deviation of +Inf; want a finite number ≥ 0"},
		{"SimpleConvNet, NaN", func() { NewSimpleConvNet(ConvNetConfig{Init: Std(math.NaN())}, newRand(1)) },
			"numlearn: NewSimpleConvNet: Init gives W1 (fan-in 25) a standard deviation of NaN; want a finite number ≥ 0"},
		{"SimpleConvNet, infinite for W3 only", func() { NewSimpleConvNet(ConvNetConfig{Hidden: 4, Init: inf4}, newRand(1)) },
			"numlearn: NewSimpleConvNet: Init gives W3 (fan-in 4) a standard deviation of +Inf; want a finite number ≥ 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.PanicsWithValue(t, tt.msg, tt.f) })
	}
	// A standard deviation of 0 is allowed: weights that start at zero.
	net := NewMultiLayerNet([]int{3, 2}, MultiLayerConfig{Init: Std(0)}, newRand(1))
	assert.Equal(t, 0.0, net.Params()[0].Sum())
}

func TestTrainRefusesDataThatIsNotFinite(t *testing.T) {
	x, tgt := xor()
	with := func(a *tensor.Tensor, row, col int, v float64) *tensor.Tensor {
		b := a.Clone()
		b.Set(v, row, col)
		return b
	}
	tests := []struct {
		name string
		x, t *tensor.Tensor
		cfg  TrainConfig
		msg  string
	}{
		{"NaN in the inputs", with(x, 2, 1, math.NaN()), tgt, TrainConfig{},
			"inputs hold NaN in sample 2 (at [2 1]); training needs finite data"},
		{"+Inf in the targets", x, with(tgt, 3, 0, math.Inf(1)), TrainConfig{},
			"targets hold +Inf in sample 3 (at [3 0]); training needs finite data"},
		{"the first of two", with(with(x, 3, 0, math.NaN()), 1, 1, math.Inf(-1)), tgt, TrainConfig{},
			"inputs hold -Inf in sample 1 (at [1 1]); training needs finite data"},
		{"NaN in the test inputs", x, tgt, TrainConfig{TestX: with(x, 0, 0, math.NaN()), TestT: tgt},
			"test inputs hold NaN in sample 0 (at [0 0]); training needs finite data"},
		{"-Inf in the test targets", x, tgt, TrainConfig{TestX: x, TestT: with(tgt, 1, 1, math.Inf(-1))},
			"test targets hold -Inf in sample 1 (at [1 1]); training needs finite data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net := NewTwoLayerNet(2, 3, 2, newRand(25))
			before := net.Params()[0].Clone()
			tt.cfg.BatchSize, tt.cfg.Iterations = 2, 3
			_, err := net.Train(context.Background(), tt.x, tt.t, tt.cfg)
			require.ErrorIs(t, err, ErrConfig)
			assert.NotErrorIs(t, err, ErrDiverged)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Equal(t, before.Data(), net.Params()[0].Data(), "no step was taken")
		})
	}
}

// TestTrainWithAnEmptyValidationSet: SplitValidation at rate 0, which it
// accepts, gives an empty validation set; training with it as the test
// set skips its evaluation, whose fields are NaN, as without one.
func TestTrainWithAnEmptyValidationSet(t *testing.T) {
	x, tgt := xor()
	trainX, trainT, valX, valT := SplitValidation(x, tgt, 0, newRand(26))
	require.Equal(t, []int{0, 2}, valX.Shape())
	cfg := TrainConfig{Iterations: 20, BatchSize: 4, EvalEvery: 5}
	run := func(cfg TrainConfig) *History {
		net := NewMultiLayerNet([]int{2, 8, 2}, MultiLayerConfig{Activation: &layers.Tanh{}, Init: Xavier}, newRand(27))
		h, err := net.Train(context.Background(), trainX, trainT, cfg)
		require.NoError(t, err)
		return h
	}
	without := run(cfg)
	cfg.TestX, cfg.TestT = valX, valT
	with := run(cfg)
	require.Len(t, with.Evals, len(without.Evals))
	for i, e := range with.Evals {
		assert.True(t, math.IsNaN(e.TestAccuracy) && math.IsNaN(e.TestLoss), "evaluation %d: %+v", i, e)
		assert.Equal(t, without.Evals[i].TrainAccuracy, e.TrainAccuracy)
	}
	assert.Equal(t, without.Loss, with.Loss)

	// An empty test set must still come as inputs and targets together,
	// with as many samples.
	net := NewTwoLayerNet(2, 3, 2, newRand(28))
	_, err := net.Train(context.Background(), x, tgt, TrainConfig{BatchSize: 2, TestX: valX, TestT: tgt})
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), "test inputs shape [0 2] and targets shape [4 2]: want the same number of samples")
}
