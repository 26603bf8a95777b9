package numlearn

import (
	"context"
	"testing"

	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitValidation(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		rate      float64
		wantTrain int
	}{
		{"the book's 20 % of 500", 500, 0.2, 400},
		{"rounds the validation set down", 9, 0.25, 7},
		{"rate 0 keeps all for training", 4, 0, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Sample i has input (i, −i) and target 10·i, so pairs can be
			// told apart after the shuffle.
			x, tgt := tensor.New(tt.n, 2), tensor.New(tt.n, 1)
			for i := range tt.n {
				x.Set(float64(i), i, 0)
				x.Set(-float64(i), i, 1)
				tgt.Set(10*float64(i), i, 0)
			}
			trainX, trainT, valX, valT := SplitValidation(x, tgt, tt.rate, newRand(80))
			require.Equal(t, []int{tt.wantTrain, 2}, trainX.Shape())
			require.Equal(t, []int{tt.n - tt.wantTrain, 1}, valT.Shape())

			// The order is rng.Perm(n) from the same seed: validation first.
			order := newRand(80).Perm(tt.n)
			seen := make([]int, tt.n)
			check := func(xs, ts *tensor.Tensor, rows []int) {
				for r, i := range rows {
					assert.Equal(t, []float64{float64(i), -float64(i)}, xs.Row(r).Data())
					assert.Equal(t, 10*float64(i), ts.At(r, 0))
					seen[i]++
				}
			}
			cut := tt.n - tt.wantTrain
			check(valX, valT, order[:cut])
			check(trainX, trainT, order[cut:])
			for i, c := range seen {
				assert.Equal(t, 1, c, "sample %d is in exactly one set", i)
			}
			assert.Equal(t, 0.0, x.At(1, 0)-1, "x is unchanged")
		})
	}
}

func TestSplitValidationPanics(t *testing.T) {
	x, tgt := tensor.New(4, 2), tensor.New(4, 1)
	assert.PanicsWithValue(t, "numlearn: SplitValidation: rate 1 is not in [0, 1)", func() { SplitValidation(x, tgt, 1, newRand(81)) })
	assert.PanicsWithValue(t, "numlearn: SplitValidation: inputs shape [4 2] and targets shape [3 1] have different numbers of samples",
		func() { SplitValidation(x, tensor.New(3, 1), 0.2, newRand(81)) })
	assert.Panics(t, func() { SplitValidation(x, tgt, 0.2, nil) })
}

// EvalSamples measures the first samples of each set only, as the book's
// evaluate_sample_num_per_epoch.
func TestTrainEvalSamples(t *testing.T) {
	rng := newRand(82)
	labels := make([]int, 50)
	for i := range labels {
		labels[i] = i % 3
	}
	x, tgt := tensor.RandN(rng, 1, 50, 4), oneHot(labels, 3)
	testX, testT := tensor.RandN(rng, 1, 30, 4), oneHot(labels[:30], 3)
	net := NewMultiLayerNet([]int{4, 6, 3}, MultiLayerConfig{}, newRand(83))
	const k = 7
	var checked int
	_, err := net.Train(context.Background(), x, tgt, TrainConfig{
		Iterations: 6, BatchSize: 10, EvalEvery: 2, EvalSamples: k, TestX: testX, TestT: testT,
		Progress: func(p Progress) {
			if !p.Evaluated {
				return
			}
			checked++
			assert.Equal(t, net.Accuracy(x.Slice(0, k), tgt.Slice(0, k)), p.Eval.TrainAccuracy)
			assert.Equal(t, net.Accuracy(testX.Slice(0, k), testT.Slice(0, k)), p.Eval.TestAccuracy)
		},
	})
	require.NoError(t, err)
	assert.Equal(t, 4, checked) // after steps 1, 3, 5 and the last

	_, err = net.Train(context.Background(), x, tgt, TrainConfig{EvalSamples: -1})
	assert.ErrorIs(t, err, ErrConfig)
}
