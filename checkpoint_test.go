package numlearn

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// blobs returns n samples of 4 features around three centres, labelled by
// centre, with noise, and their one-hot targets.
func blobs(n int, seed uint64) (*tensor.Tensor, *tensor.Tensor, []int) {
	rng := newRand(seed)
	x := tensor.New(n, 4)
	labels := make([]int, n)
	for i := range n {
		c := rng.IntN(3)
		labels[i] = c
		for j := range 4 {
			centre := 0.0
			if j == c {
				centre = 1.5
			}
			x.Set(centre+rng.NormFloat64(), i, j)
		}
	}
	return x, oneHot(labels, 3), labels
}

// controlNet is a small network with every kind of state a run keeps:
// parameters, BatchNorm's running statistics, Dropout's random stream.
func controlNet() *Network {
	return NewMultiLayerNet([]int{4, 10, 3}, MultiLayerConfig{Init: He, BatchNorm: true, Dropout: 0.1}, newRand(5))
}

// controlConfig is a run that uses every part of the training control a
// checkpoint must carry: Adam's moments, a shuffled sampler part-way
// through an epoch, a schedule, early stopping.
func controlConfig() TrainConfig {
	vx, vt, _ := blobs(30, 8)
	return TrainConfig{
		Iterations: 40, BatchSize: 8, Optimizer: &grad.Adam{LR: 0.02}, Shuffle: true,
		Rand: rand.NewPCG(7, 7), EvalEvery: 5, TestX: vx, TestT: vt,
		Schedule:      grad.WarmUp(4, grad.CosineDecay(0.1)),
		EarlyStopping: &EarlyStopping{Patience: 100},
	}
}

// TestResumeIsExact checks the promise of checkpoints: a run stopped after
// step k and resumed from its checkpoint ends with the same bits, in
// every parameter and state tensor and every evaluation, as the run that
// never stopped — stopped by Stop between evaluations and by a cancelled
// context.
func TestResumeIsExact(t *testing.T) {
	x, tgt, _ := blobs(60, 6)

	whole := controlNet()
	want, err := whole.Train(context.Background(), x, tgt, controlConfig())
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		stopAt int
		cancel bool
	}{
		{"stop between evaluations", 17, false},
		{"stop at an evaluation", 20, false},
		{"context cancelled", 23, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "run.ck")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg := controlConfig()
			cfg.Checkpoint = file
			cfg.Progress = func(p Progress) {
				if p.Iteration == tc.stopAt {
					if tc.cancel {
						cancel()
					} else {
						p.Stop()
					}
				}
			}
			first, err := controlNet().Train(ctx, x, tgt, cfg)
			if tc.cancel {
				require.ErrorIs(t, err, context.Canceled)
			} else {
				require.NoError(t, err)
				assert.Contains(t, first.Stopped, "stopped after step")
			}
			assert.Len(t, first.Loss, tc.stopAt)

			net, ck, err := LoadCheckpoint(file)
			require.NoError(t, err)
			assert.Equal(t, tc.stopAt, ck.Step)
			assert.Equal(t, 40, ck.Iterations)
			cfg = controlConfig() // fresh optimizer and source: the checkpoint fills them
			cfg.Rand = rand.NewPCG(0, 0)
			cfg.Resume = ck
			rest, err := net.Train(context.Background(), x, tgt, cfg)
			require.NoError(t, err)

			assert.Equal(t, want.Loss[tc.stopAt:], rest.Loss, "mini-batch losses after the checkpoint")
			// %v prints NaN (an accuracy's loss) as NaN, which == does not match.
			assert.Equal(t, fmt.Sprint(want.Evals), fmt.Sprint(append(first.Evals, rest.Evals...)))
			assert.Equal(t, want.BestStep, rest.BestStep)
			for i, tw := range whole.allTensors() {
				assert.Equal(t, tw.Data(), net.allTensors()[i].Data(), "tensor %d", i)
			}
		})
	}
}

func TestEarlyStoppingRestoresBest(t *testing.T) {
	// The validation set is the training set with every label moved to
	// the next class: the better the network learns, the worse it does
	// there, by its loss and by its accuracy, so the best evaluation is
	// the first one, after step 1.
	x, tgt, labels := blobs(60, 6)
	wrong := make([]int, len(labels))
	for i, l := range labels {
		wrong[i] = (l + 1) % 3
	}
	for _, accuracy := range []bool{false, true} {
		t.Run(fmt.Sprintf("accuracy=%v", accuracy), func(t *testing.T) {
			cfg := TrainConfig{Iterations: 200, BatchSize: 10, Optimizer: &grad.Adam{LR: 0.05}, Rand: rand.NewPCG(1, 1),
				EvalEvery: 10, TestX: x, TestT: oneHot(wrong, 3), EarlyStopping: &EarlyStopping{Patience: 3, Accuracy: accuracy}}
			net := controlNet()
			h, err := net.Train(context.Background(), x, tgt, cfg)
			require.NoError(t, err)
			require.Equal(t, 1, h.BestStep)
			// Evaluations after steps 1, 11, 21 and 31: three without improvement.
			require.Len(t, h.Evals, 4)
			assert.Len(t, h.Loss, 31)
			assert.Contains(t, h.Stopped, "did not improve")

			// The network holds what one step from the same start gives.
			once := controlNet()
			cfg.Iterations, cfg.EarlyStopping, cfg.Optimizer, cfg.Rand = 1, nil, &grad.Adam{LR: 0.05}, rand.NewPCG(1, 1)
			_, err = once.Train(context.Background(), x, tgt, cfg)
			require.NoError(t, err)
			for i, tw := range once.allTensors() {
				assert.Equal(t, tw.Data(), net.allTensors()[i].Data(), "tensor %d", i)
			}
			assert.InDelta(t, h.Evals[0].TestAccuracy, net.Accuracy(x, oneHot(wrong, 3)), 0)
			assert.InDelta(t, h.Evals[0].TestLoss, net.Loss(x, oneHot(wrong, 3)), 1e-12)
		})
	}
}

func TestScheduleSetsRate(t *testing.T) {
	x, tgt, _ := blobs(20, 3)
	opt := &grad.Momentum{LR: 0.1}
	var rates []float64
	_, err := controlNet().Train(context.Background(), x, tgt, TrainConfig{
		Iterations: 6, BatchSize: 5, Optimizer: opt, Schedule: grad.StepDecay(2, 0.5),
		Progress: func(p Progress) { rates = append(rates, p.LearningRate) },
	})
	require.NoError(t, err)
	// 0.1·0.5^⌊step/2⌋ for steps 0…5.
	assert.InDeltaSlice(t, []float64{0.1, 0.1, 0.05, 0.05, 0.025, 0.025}, rates, 1e-15)
	assert.Equal(t, 0.1, opt.LR, "the optimizer gets its rate back")
}

// plainOptimizer is an optimizer with neither a settable rate nor state.
type plainOptimizer struct{}

func (plainOptimizer) Update(params, grads []*tensor.Tensor) {}

func TestTrainControlRefused(t *testing.T) {
	x, tgt, _ := blobs(20, 3)
	dir := t.TempDir()
	tests := []struct {
		name string
		cfg  TrainConfig
		msg  string
	}{
		{"schedule without a settable rate", TrainConfig{Optimizer: plainOptimizer{}, Schedule: grad.ExponentialDecay(0.9)}, "grad.RateSetter"},
		{"early stopping without a validation set", TrainConfig{EarlyStopping: &EarlyStopping{}}, "give TestX and TestT"},
		{"early stopping, negative patience", TrainConfig{TestX: x, TestT: tgt, EarlyStopping: &EarlyStopping{Patience: -1}}, "Patience (-1)"},
		{"checkpoint with a Rand", TrainConfig{Rand: rand.New(rand.NewPCG(1, 2)), Checkpoint: filepath.Join(dir, "c")}, "not a *rand.Rand made from it"},
		{"checkpoint without optimizer state", TrainConfig{Optimizer: plainOptimizer{}, Checkpoint: filepath.Join(dir, "c")}, "grad.Stateful"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.BatchSize = 5
			_, err := controlNet().Train(context.Background(), x, tgt, tc.cfg)
			require.ErrorIs(t, err, ErrConfig)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	t.Run("early stopping on the accuracy of a regression", func(t *testing.T) {
		net := NewNetworkWithHead(&layers.IdentityWithLoss{}, layers.NewAffine(tensor.New(4, 3), tensor.New(3)))
		_, err := net.Train(context.Background(), x, tgt, TrainConfig{BatchSize: 5, TestX: x, TestT: tgt, EarlyStopping: &EarlyStopping{Accuracy: true}})
		require.ErrorIs(t, err, ErrConfig)
		assert.Contains(t, err.Error(), "does not predict classes")
	})
	t.Run("checkpoint with a Dropout on a Rand", func(t *testing.T) {
		net := NewNetwork(layers.NewAffine(tensor.New(4, 3), tensor.New(3)), layers.NewDropout(0.5, newRand(1)))
		_, err := net.Train(context.Background(), x, tgt, TrainConfig{BatchSize: 5, Checkpoint: filepath.Join(dir, "c")})
		require.ErrorIs(t, err, ErrConfig)
		assert.Contains(t, err.Error(), "layer 1 (*layers.Dropout) cannot")
	})
	t.Run("nil context", func(t *testing.T) {
		//lint:ignore SA1012 the nil context is what is tested
		_, err := controlNet().Train(nil, x, tgt, TrainConfig{}) //nolint:staticcheck
		require.ErrorIs(t, err, ErrConfig)
		assert.Contains(t, err.Error(), "context.Background()")
	})
	t.Run("nil network", func(t *testing.T) {
		var net *Network
		_, err := net.Train(context.Background(), x, tgt, TrainConfig{})
		require.ErrorIs(t, err, ErrConfig)
	})
}

func TestResumeRefused(t *testing.T) {
	x, tgt, _ := blobs(60, 6)
	file := filepath.Join(t.TempDir(), "run.ck")
	cfg := controlConfig()
	cfg.Iterations, cfg.Checkpoint = 10, file
	_, err := controlNet().Train(context.Background(), x, tgt, cfg)
	require.NoError(t, err)

	tests := []struct {
		name   string
		change func(*TrainConfig)
		msg    string
	}{
		{"other batch size", func(c *TrainConfig) { c.BatchSize = 6 }, "in batches of 8"},
		{"no steps left", func(c *TrainConfig) { c.Iterations = 10 }, "nothing is left to do"},
		{"other optimizer", func(c *TrainConfig) { c.Optimizer = &grad.Momentum{} }, `"Adam" optimizer given to Momentum`},
		{"without early stopping", func(c *TrainConfig) { c.EarlyStopping = nil }, "used EarlyStopping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			net, ck, err := LoadCheckpoint(file)
			require.NoError(t, err)
			c := controlConfig()
			c.Resume = ck
			tc.change(&c)
			_, err = net.Train(context.Background(), x, tgt, c)
			require.ErrorIs(t, err, ErrConfig)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}

	t.Run("another network", func(t *testing.T) {
		_, ck, err := LoadCheckpoint(file)
		require.NoError(t, err)
		c := controlConfig()
		c.Resume = ck
		other := NewMultiLayerNet([]int{4, 7, 3}, MultiLayerConfig{BatchNorm: true}, newRand(1))
		_, err = other.Train(context.Background(), x, tgt, c)
		require.ErrorIs(t, err, ErrConfig)
		assert.Contains(t, err.Error(), "belongs to another network")
	})
}

func TestCheckpointFile(t *testing.T) {
	x, tgt, _ := blobs(60, 6)
	file := filepath.Join(t.TempDir(), "run.ck")
	cfg := controlConfig()
	cfg.Iterations, cfg.Checkpoint, cfg.EarlyStopping = 12, file, nil // the network ends as the checkpoint has it
	net := controlNet()
	_, err := net.Train(context.Background(), x, tgt, cfg)
	require.NoError(t, err)
	b, err := os.ReadFile(file)
	require.NoError(t, err)

	t.Run("LoadModel reads its model", func(t *testing.T) {
		m, err := ReadModel(bytes.NewReader(b))
		require.NoError(t, err)
		assert.Equal(t, net.Predict(x).Data(), m.Predict(x).Data())
	})
	t.Run("a model file is not a checkpoint", func(t *testing.T) {
		var buf bytes.Buffer
		require.NoError(t, net.Save(&buf, SaveOptions{}))
		_, _, err := ReadCheckpoint(&buf)
		require.ErrorIs(t, err, ErrFormat)
		assert.Contains(t, err.Error(), "LoadModel")
	})
	t.Run("every prefix is refused", func(t *testing.T) {
		for i := 0; i < len(b); i += max(1, len(b)/500) {
			_, _, err := ReadCheckpoint(bytes.NewReader(b[:i]))
			require.Error(t, err, "prefix of %d bytes", i)
		}
	})
	t.Run("optimizer buffer missing", func(t *testing.T) {
		n, ck, err := ReadCheckpoint(bytes.NewReader(b))
		require.NoError(t, err)
		require.NotNil(t, n)
		require.Equal(t, []string{"m", "v"}, ck.optimizer.Names())
	})
}

// TestStopIsClean checks that a run Progress stops returns no error and
// says it stopped.
func TestStopIsClean(t *testing.T) {
	x, tgt, _ := blobs(20, 3)
	h, err := controlNet().Train(context.Background(), x, tgt, TrainConfig{
		Iterations: 50, BatchSize: 5,
		Progress: func(p Progress) {
			if p.Iteration == 7 {
				p.Stop()
			}
		},
	})
	require.NoError(t, err)
	assert.Len(t, h.Loss, 7)
	assert.Equal(t, "stopped after step 7 of 50, as Progress asked", h.Stopped)
}

var _ layers.Classifier = (*layers.SoftmaxWithLoss)(nil)

// FuzzReadCheckpoint feeds ReadCheckpoint damaged checkpoints: it must
// return an error or a network and checkpoint that resume, never panic.
func FuzzReadCheckpoint(f *testing.F) {
	x, tgt, _ := blobs(60, 6)
	file := filepath.Join(f.TempDir(), "run.ck")
	cfg := controlConfig()
	cfg.Iterations, cfg.Checkpoint = 12, file
	if _, err := controlNet().Train(context.Background(), x, tgt, cfg); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		net, ck, err := ReadCheckpoint(bytes.NewReader(b))
		if err != nil {
			return
		}
		c := controlConfig()
		c.Resume = ck
		c.Iterations = ck.Step + 2
		// A file that reads may still belong to another run; then Train
		// says so. It must not panic.
		net.Train(context.Background(), x, tgt, c) //nolint:errcheck
	})
}
