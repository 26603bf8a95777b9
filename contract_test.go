package numlearn

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scale is a layer written as a user would write one: a learnable scale
// per feature, y = x ⊙ s, with its gradient ∂L/∂s = Σ over rows of dout ⊙ x
// and ∂L/∂x = dout ⊙ s. It is Learnable and a Cloner, and nothing else:
// the network must treat it as it treats Affine.
type scale struct {
	s, ds *tensor.Tensor
	x     *tensor.Tensor
	y, dx tensor.Tensor
}

func newScale(s ...float64) *scale {
	return &scale{s: tensor.FromSlice(s), ds: tensor.New(len(s))}
}

func (l *scale) Forward(x *tensor.Tensor) *tensor.Tensor {
	l.x = x
	l.y.Reset()
	l.y.Mul(x, l.s)
	return &l.y
}

func (l *scale) Backward(dout *tensor.Tensor) *tensor.Tensor {
	var prod tensor.Tensor
	prod.Mul(dout, l.x)
	l.ds.SumAxis(&prod, 0)
	l.dx.Reset()
	l.dx.Mul(dout, l.s)
	return &l.dx
}

func (l *scale) Params() []layers.Param {
	return []layers.Param{{Name: "s", Value: l.s, Grad: l.ds}}
}
func (l *scale) Clone() layers.Layer { return &scale{s: l.s.Clone(), ds: l.ds.Clone()} }

// scaledNet is Affine(2→6) → scale → Tanh → Affine(6→2) → scale, with the
// weights of NewMultiLayerNet.
func scaledNet(seed uint64) *Network {
	base := NewMultiLayerNet([]int{2, 6, 2}, MultiLayerConfig{Activation: &layers.Tanh{}, Init: Xavier}, newRand(seed))
	ls := base.Layers()
	return NewNetwork(ls[0], newScale(1, 0.5, 2, 1, 1.5, 0.8), ls[1], ls[2], newScale(1.2, 0.9))
}

// TestUserLayerGoesEveryWayABuiltInLayerGoes: a layer of the user's own
// trains, clones, gradient-checks, saves and loads through the paths the
// layers package's layers take.
func TestUserLayerGoesEveryWayABuiltInLayerGoes(t *testing.T) {
	net := scaledNet(40)
	assert.Equal(t, []string{"W1", "b1", "s1", "W2", "b2", "s2"}, net.ParamNames())

	x, tgt := xor()
	for _, d := range net.GradientCheck(x, tgt) {
		assert.Less(t, d.MaxAbs, 1e-7, "%v", d)
	}

	before := net.Params()[2].Clone()
	_, err := net.Train(context.Background(), x, tgt, TrainConfig{Iterations: 300, BatchSize: 4, Optimizer: &grad.Adam{LR: 0.05}})
	require.NoError(t, err)
	assert.Equal(t, 1.0, net.Accuracy(x, tgt), "it learns XOR with the scales in the way")
	assert.False(t, tensor.AllClose(before, net.Params()[2], 0, 0), "the optimizer updated the user layer's parameter")

	c := net.Clone()
	c.Params()[2].Data()[0] = 42
	assert.NotEqual(t, 42.0, net.Params()[2].Data()[0], "the clone has its own copy")

	var buf bytes.Buffer
	require.NoError(t, net.Save(&buf, SaveOptions{WeightsOnly: true}), "an unregistered layer saves its weights")
	loaded := scaledNet(41)
	require.NoError(t, loaded.Load(bytes.NewReader(buf.Bytes())))
	for i, p := range net.Params() {
		assert.Equal(t, p.Data(), loaded.Params()[i].Data(), net.ParamNames()[i])
	}
	assert.Equal(t, net.Predict(x).Data(), loaded.Predict(x).Data())
}

// unnamed is a learnable layer without names: its parameters are named by
// position.
type unnamed struct{ scale }

func (l *unnamed) Params() []layers.Param {
	return []layers.Param{{Value: l.s, Grad: l.ds}}
}

func TestUnnamedParametersAreNamedByPosition(t *testing.T) {
	net := NewNetwork(layers.NewAffine(tensor.New(2, 2), tensor.New(2)), &unnamed{*newScale(1, 1)})
	assert.Equal(t, []string{"W1", "b1", "layer1.0"}, net.ParamNames())
}

// moder records the modes it is given.
type moder struct {
	scale
	modes []layers.Mode
}

func (m *moder) SetMode(mode layers.Mode) { m.modes = append(m.modes, mode) }

func TestNetworkSetsTheModeOfEachPass(t *testing.T) {
	m := &moder{scale: *newScale(1, 1)}
	net := NewNetwork(m)
	x, tgt := tensor.New(1, 2), tensor.FromSlice([]float64{1, 0}, 1, 2)
	net.Predict(x)
	net.Loss(x, tgt)
	net.Accuracy(x, tgt)
	net.Gradient(x, tgt)
	net.NumericalGradient(x, tgt)
	assert.Equal(t, []layers.Mode{layers.Inference, layers.Inference, layers.Inference, layers.Training}, m.modes[:4])
	assert.Equal(t, layers.Training, m.modes[len(m.modes)-1], "central differences of the training loss")
}

// TestRegressionNetworkLearnsSine: a 1-20-1 tanh network with the identity
// head learns sin on [−π, π] to a mean squared error below 1e-3.
func TestRegressionNetworkLearnsSine(t *testing.T) {
	const n = 200
	x, y := tensor.New(n, 1), tensor.New(n, 1)
	for i := range n {
		v := -math.Pi + 2*math.Pi*float64(i)/float64(n-1)
		x.Data()[i], y.Data()[i] = v, math.Sin(v)
	}
	net := NewMultiLayerNet([]int{1, 20, 1}, MultiLayerConfig{Activation: &layers.Tanh{}, Init: Xavier, Head: &layers.IdentityWithLoss{}}, newRand(42))
	h, err := net.Train(context.Background(), x, y, TrainConfig{Epochs: 2000, BatchSize: 20, Shuffle: true, Optimizer: &grad.Adam{LR: 0.01}, EvalEvery: 2000})
	require.NoError(t, err)
	final := h.Evals[len(h.Evals)-1]
	assert.Less(t, final.TrainLoss, 1e-3)
	assert.True(t, math.IsNaN(final.TrainAccuracy), "a regression network has no accuracy")
	assert.InDelta(t, final.TrainLoss, net.Loss(x, y), 1e-12, "the evaluation is the loss over the whole set")

	var out tensor.Tensor
	net.Output(&out, tensor.FromSlice([]float64{math.Pi / 2}, 1, 1))
	assert.InDelta(t, 1.0, out.Data()[0], 0.1, "sin(π/2)")
	assert.PanicsWithValue(t, "numlearn: Accuracy: the network's head (*layers.IdentityWithLoss) does not predict classes", func() { net.Accuracy(x, y) })
}

// TestBinaryNetworkLearnsXOR: one sigmoid output with binary cross-entropy
// learns XOR, and its classes are 0 and 1.
func TestBinaryNetworkLearnsXOR(t *testing.T) {
	x := tensor.FromRows([][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}})
	tgt := tensor.FromSlice([]float64{0, 1, 1, 0}, 4, 1)
	net := NewMultiLayerNet([]int{2, 8, 1}, MultiLayerConfig{Activation: &layers.Tanh{}, Init: Xavier, Head: &layers.SigmoidWithLoss{}}, newRand(43))
	for _, d := range net.GradientCheck(x, tgt) {
		assert.Less(t, d.MaxAbs, 1e-8, "%v", d)
	}
	h, err := net.Train(context.Background(), x, tgt, TrainConfig{Iterations: 500, BatchSize: 4, Optimizer: &grad.Adam{LR: 0.05}})
	require.NoError(t, err)
	assert.Equal(t, 1.0, h.Evals[len(h.Evals)-1].TrainAccuracy)
	assert.Equal(t, []int{0, 1, 1, 0}, net.Classes(nil, x))
	assert.Equal(t, 1, net.Class(tensor.FromSlice([]float64{1, 0})))
	var p tensor.Tensor
	net.Output(&p, x)
	for i, want := range []float64{0, 1, 1, 0} {
		assert.InDelta(t, want, p.Data()[i], 0.1, "probability of label 1 for sample %d", i)
	}
}

func TestClassesOfABatchAndOfOneSample(t *testing.T) {
	// W = I, b = 0: the class is the argmax of the input.
	net := NewNetwork(layers.NewAffine(tensor.FromRows([][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}), tensor.New(3)))
	x := tensor.FromRows([][]float64{{1, 2, 3}, {3, 2, 1}, {0, 5, 0}})
	assert.Equal(t, []int{2, 0, 1}, net.Classes(nil, x))
	assert.Equal(t, []int{9, 2, 0, 1}, net.Classes([]int{9}, x), "appends")
	assert.Equal(t, 1, net.Class(tensor.FromSlice([]float64{0, 5, 0})), "a sample in its own shape")
	assert.Equal(t, 0, net.Class(x.Slice(1, 2)), "a batch of one")
	assert.PanicsWithValue(t, "numlearn: Class: input shape [3 3] is 3 samples, not one", func() { net.Class(x) })
}

// TestPredictorIsSafeForConcurrentUse: 16 goroutines predicting single
// samples and batches get exactly what serial predictions give.
func TestPredictorIsSafeForConcurrentUse(t *testing.T) {
	net := NewTwoLayerNet(784, 50, 10, newRand(44))
	x, _ := benchData(200)
	// Serial predictions, one sample at a time and by batches.
	wantOne := make([]*tensor.Tensor, 200)
	for i := range wantOne {
		wantOne[i] = net.Predict(x.Slice(i, i+1)).Clone()
	}
	wantClasses := net.Classes(nil, x)
	var wantProbs [2]tensor.Tensor
	net.Output(&wantProbs[0], x.Slice(0, 100))
	net.Output(&wantProbs[1], x.Slice(100, 200))

	p := net.NewPredictor()
	net.Params()[0].Data()[0] = 1e6 // training on does not reach the predictor's snapshot
	const goroutines = 16
	errs := make(chan error, goroutines)
	for g := range goroutines {
		go func() {
			errs <- func() error {
				var scores, probs tensor.Tensor
				var classes []int
				for round := range 20 {
					if g%2 == 0 { // single samples, in their own shape
						i := (g*20 + round) % 200
						if c := p.Class(x.Row(i)); c != wantClasses[i] {
							return fmt.Errorf("goroutine %d: sample %d: class %d, want %d", g, i, c, wantClasses[i])
						}
						scores.Reset()
						p.Predict(&scores, x.Slice(i, i+1))
						if !slices.Equal(scores.Data(), wantOne[i].Data()) {
							return fmt.Errorf("goroutine %d: sample %d: scores differ", g, i)
						}
						continue
					}
					lo := 100 * (round % 2) // batches of 100
					classes = p.Classes(classes[:0], x.Slice(lo, lo+100))
					if !slices.Equal(classes, wantClasses[lo:lo+100]) {
						return fmt.Errorf("goroutine %d: batch at %d: classes differ", g, lo)
					}
					probs.Reset()
					p.Output(&probs, x.Slice(lo, lo+100))
					if !slices.Equal(probs.Data(), wantProbs[lo/100].Data()) {
						return fmt.Errorf("goroutine %d: batch at %d: probabilities differ", g, lo)
					}
				}
				return nil
			}()
		}()
	}
	for range goroutines {
		require.NoError(t, <-errs)
	}
}

func TestPredictorAllocatesNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	net := NewTwoLayerNet(784, 50, 10, newRand(45))
	x, _ := benchData(100)
	p := net.NewPredictor()
	var scores tensor.Tensor
	classes := make([]int, 0, 100)
	sample := x.Row(3)
	run := func() {
		p.Predict(&scores, x)
		classes = p.Classes(classes[:0], x)
		p.Class(sample)
	}
	run()
	assert.Equal(t, 0.0, testing.AllocsPerRun(50, run))
}

func TestPredictorPanics(t *testing.T) {
	net := NewTwoLayerNet(4, 3, 2, newRand(46))
	p := net.NewPredictor()
	assert.PanicsWithValue(t, "numlearn: Predict: dst has shape [3 2], the result has shape [1 2]", func() {
		p.Predict(tensor.New(3, 2), tensor.New(1, 4))
	})
	assert.PanicsWithValue(t, "numlearn: NewPredictor: layers: Sequence.Clone: layer 0 (numlearn.noClone) is not a layers.Cloner", func() {
		NewNetwork(noClone{}).NewPredictor()
	})
	// The workspace of a call that panicked is not returned to the pool
	// half-used: the next call still works.
	assert.Panics(t, func() { p.Predict(nil, tensor.New(1, 5)) })
	var y tensor.Tensor
	p.Predict(&y, tensor.New(1, 4))
	assert.Equal(t, []int{1, 2}, y.Shape())
}

// TestPredictorFirstCallsDoNotRace: the workspaces of a Predictor over a
// network with Dropout are cloned one at a time (a Dropout's clone draws
// its seed from the original's stream), so 32 first calls at once are
// safe; -race checks it.
func TestPredictorFirstCallsDoNotRace(t *testing.T) {
	net := NewMultiLayerNet([]int{6, 5, 3}, MultiLayerConfig{Dropout: 0.5}, newRand(47))
	p := net.NewPredictor()
	x := tensor.RandN(newRand(48), 1, 2, 6)
	want := net.Predict(x).Clone()
	var wg sync.WaitGroup
	results := make([]tensor.Tensor, 32)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Predict(&results[g], x)
		}()
	}
	wg.Wait()
	for g := range results {
		assert.Equal(t, want.Data(), results[g].Data(), "goroutine %d: inference has no randomness", g)
	}
}
