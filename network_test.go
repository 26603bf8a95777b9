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

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

// oneHot returns the (len(labels), classes) one-hot matrix of labels.
func oneHot(labels []int, classes int) *tensor.Tensor {
	t := tensor.New(len(labels), classes)
	for i, l := range labels {
		t.Set(1, i, l)
	}
	return t
}

func TestTwoLayerNetIsTheBooks(t *testing.T) {
	net := NewTwoLayerNet(784, 50, 10, newRand(1))
	params := net.Params()
	require.Len(t, params, 4)
	assert.Equal(t, []string{"W1", "b1", "W2", "b2"}, net.ParamNames())
	// W1 = 0.01·randn(784, 50), then W2 = 0.01·randn(50, 10), from one
	// stream; biases zero.
	rng := newRand(1)
	assert.Equal(t, tensor.RandN(rng, 0.01, 784, 50).Data(), params[0].Data())
	assert.Equal(t, tensor.RandN(rng, 0.01, 50, 10).Data(), params[2].Data())
	assert.Equal(t, make([]float64, 50), params[1].Data())
	assert.Equal(t, make([]float64, 10), params[3].Data())

	ls := net.Layers()
	require.Len(t, ls, 3)
	assert.IsType(t, &layers.Affine{}, ls[0])
	assert.IsType(t, &layers.ReLU{}, ls[1])
	assert.IsType(t, &layers.Affine{}, ls[2])

	// With weights this small every score is near 0, so the initial loss
	// is near −log(1/10) = 2.3026, the book's first printed loss.
	x := tensor.RandN(newRand(2), 1, 100, 784)
	x.Apply(math.Abs, x)
	t10 := oneHot(make([]int, 100), 10)
	assert.InDelta(t, math.Log(10), net.Loss(x, t10), 0.01)
}

func TestInitialisers(t *testing.T) {
	assert.Equal(t, 0.01, Std(0.01)(784))
	assert.InDelta(t, 1/28.0, Xavier(784), 1e-15)
	assert.InDelta(t, 0.1, He(200), 1e-15)

	net := NewMultiLayerNet([]int{400, 100, 10}, MultiLayerConfig{Activation: &layers.Sigmoid{}, Init: He}, newRand(3))
	var sum, sq float64
	w := net.Params()[0].Data()
	for _, v := range w {
		sum += v
		sq += v * v
	}
	// 40,000 samples of N(0, 2/400): std within 2 % of √(1/200).
	assert.InDelta(t, math.Sqrt(2.0/400), math.Sqrt(sq/float64(len(w))-(sum/float64(len(w)))*(sum/float64(len(w)))), 0.02*math.Sqrt(2.0/400))
	assert.IsType(t, &layers.Sigmoid{}, net.Layers()[1])
	assert.Equal(t, []string{"W1", "b1", "W2", "b2"}, net.ParamNames())
}

// exactLoss is the cross-entropy without the 1e-7 that loss.CrossEntropy
// adds inside the log, mean over rows of log Σ exp(s) − s_target: the
// function whose gradient (softmax(s) − t)/batch exactly is.
func exactLoss(net *Network, x *tensor.Tensor, labels []int) float64 {
	s := net.Predict(x)
	classes := s.Shape()[1]
	var total float64
	for i, l := range labels {
		row := s.Data()[i*classes : (i+1)*classes]
		m := row[0]
		for _, v := range row {
			m = max(m, v)
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(v - m)
		}
		total += m + math.Log(sum) - row[l]
	}
	return total / float64(len(labels))
}

// TestGradientMatchesNumerical checks backprop through whole networks
// against central differences (grad.Numerical, h = 1e-4) of the exact
// cross-entropy, parameter by parameter.
func TestGradientMatchesNumerical(t *testing.T) {
	tests := []struct {
		name string
		net  *Network
	}{
		{"sigmoid 5-7-4", NewMultiLayerNet([]int{5, 7, 4}, MultiLayerConfig{Activation: &layers.Sigmoid{}, Init: Xavier}, newRand(4))},
		{"tanh 5-6-6-4", NewMultiLayerNet([]int{5, 6, 6, 4}, MultiLayerConfig{Activation: &layers.Tanh{}, Init: Xavier}, newRand(5))},
		// ReLU has kinks at 0; no pre-activation here is within h of one.
		{"the book's TwoLayerNet 5-10-4", NewTwoLayerNet(5, 10, 4, newRand(6))},
		{"ReLU 5-8-8-4 with He", NewMultiLayerNet([]int{5, 8, 8, 4}, MultiLayerConfig{Activation: &layers.ReLU{}, Init: He}, newRand(7))},
	}
	// The central difference's error is about h²/6·f‴ ≈ 2e-9 for these
	// functions of order-1 values.
	const tol = 1e-8
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := tensor.RandN(newRand(8), 1, 3, 5)
			tt.net.Params()[1].Data()[0] = 0.1 // nonzero biases exercise DB
			labels := []int{0, 3, 1}
			backprop := cloneAll(tt.net.Gradient(x, oneHot(labels, 4)))
			for i, p := range tt.net.Params() {
				numeric := grad.Numerical(func(*tensor.Tensor) float64 { return exactLoss(tt.net, x, labels) }, p)
				d := grad.Check(backprop[i:i+1], []*tensor.Tensor{numeric})[0]
				assert.Less(t, d.MaxAbs, tol, "%s: %v", tt.net.ParamNames()[i], d)
			}
		})
	}
}

// TestGradientCheck is the book's gradient_check.py: backprop against
// NumericalGradient of Loss, which has the 1e-7 inside the log. That term
// makes the two differ by up to about 1e-7/y_target per score, which the
// book's printout shows too (b2: 1.4e-7); the mean difference stays below
// 1e-7 for the book's net.
func TestGradientCheck(t *testing.T) {
	net := NewTwoLayerNet(6, 10, 4, newRand(6))
	x := tensor.RandN(newRand(8), 1, 3, 6)
	tgt := oneHot([]int{0, 3, 1}, 4)
	before := cloneAll(net.Params())
	diffs := net.GradientCheck(x, tgt)
	require.Len(t, diffs, 4)
	for i, d := range diffs {
		assert.Less(t, d.MeanAbs, 1e-7, "%s: %v", net.ParamNames()[i], d)
	}
	for i, p := range net.Params() {
		assert.Equal(t, before[i].Data(), p.Data(), "the numerical gradient restores the parameters")
	}
}

func TestNumericalGradientSerialAndParallelAgree(t *testing.T) {
	net := NewMultiLayerNet([]int{4, 5, 3}, MultiLayerConfig{Activation: &layers.Tanh{}, Init: Xavier}, newRand(9))
	x, tgt := tensor.RandN(newRand(10), 1, 2, 4), oneHot([]int{2, 0}, 3)
	// The literal method, on clones in parallel; NumericalGradient would
	// take the fast path for this network.
	parallel := zerosOf(net.Params())
	net.Clone().seq.NumericalGradient(parallel, &plainHead{}, x, tgt)
	// A layer the network cannot clone forces the serial path.
	serialNet := NewNetwork(append([]Layer{noClone{}}, net.Clone().Layers()...)...)
	serial := serialNet.NumericalGradient(x, tgt)
	for i := range parallel {
		assert.Equal(t, parallel[i].Data(), serial[i].Data())
	}
	assert.LessOrEqual(t, maxDiff(net.NumericalGradient(x, tgt), serial), fastTol, "the fast path")
}

// plainHead is softmax with cross-entropy as a head of the user's own,
// which a Sequence does not recognise: numerical gradients take the
// literal way.
type plainHead struct{ layers.SoftmaxWithLoss }

func (h *plainHead) Clone() layers.Head { return &plainHead{} }

// noClone is an identity layer with no Clone method.
type noClone struct{}

func (noClone) Forward(x *tensor.Tensor) *tensor.Tensor  { return x }
func (noClone) Backward(d *tensor.Tensor) *tensor.Tensor { return d }

func TestGradientKeepsTheLoss(t *testing.T) {
	net := NewTwoLayerNet(3, 4, 2, newRand(11))
	x, tgt := tensor.RandN(newRand(12), 1, 5, 3), oneHot([]int{0, 1, 1, 0, 1}, 2)
	net.Gradient(x, tgt)
	assert.Equal(t, net.Loss(x, tgt), net.LastLoss())
}

func TestAccuracy(t *testing.T) {
	// One Affine layer with W = I and b = 0 predicts the argmax of x.
	net := NewNetwork(layers.NewAffine(tensor.FromRows([][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}), tensor.New(3)))
	x := tensor.FromRows([][]float64{{1, 2, 3}, {3, 2, 1}, {0, 5, 0}, {1, 0, 0}})
	assert.Equal(t, 0.75, net.Accuracy(x, oneHot([]int{2, 0, 1, 2}, 3)))
	assert.Equal(t, 0.5, net.AccuracyLabels(x, []int{2, 1, 1, 1}))
	// Chunks of 3 then 1 give the same answer, as views or as rows read
	// by the first layer.
	assert.Equal(t, 0.75, net.accuracy(x, oneHot([]int{2, 0, 1, 2}, 3), nil, -1, 3))
	assert.Equal(t, 0.75, net.accuracy(x, oneHot([]int{2, 0, 1, 2}, 3), net.seq.PrepareRows(x), -1, 3))
}

func TestClone(t *testing.T) {
	net := NewTwoLayerNet(3, 4, 2, newRand(13))
	c := net.Clone()
	c.Params()[0].Data()[0] = 42
	assert.NotEqual(t, 42.0, net.Params()[0].Data()[0])
	x := tensor.RandN(newRand(14), 1, 2, 3)
	assert.Equal(t, NewTwoLayerNet(3, 4, 2, newRand(13)).Predict(x).Data(), net.Predict(x).Data())
	assert.PanicsWithValue(t, "numlearn: Clone: layers: Sequence.Clone: layer 0 (numlearn.noClone) is not a layers.Cloner", func() {
		NewNetwork(noClone{}).Clone()
	})
}

func TestConstructorPanics(t *testing.T) {
	assert.PanicsWithValue(t, "numlearn: NewMultiLayerNet: need at least input and output sizes, have [3]", func() {
		NewMultiLayerNet([]int{3}, MultiLayerConfig{Activation: &layers.ReLU{}, Init: He}, newRand(1))
	})
	assert.PanicsWithValue(t, "numlearn: NewMultiLayerNet: rng is nil; pass rand.New(rand.NewPCG(seed1, seed2))", func() {
		NewTwoLayerNet(3, 2, 2, nil)
	})
	assert.PanicsWithValue(t, "numlearn: NewMultiLayerNet: sizes [3 0 2] must be positive", func() {
		NewMultiLayerNet([]int{3, 0, 2}, MultiLayerConfig{Activation: &layers.ReLU{}, Init: He}, newRand(1))
	})
}

func TestNewAffine(t *testing.T) {
	// He for 8 inputs: std √(2/8) = 0.5, so W is 0.5 times the same
	// normal draws that RandN makes with std 1.
	a := NewAffine(8, 3, He, newRand(9))
	unit := tensor.RandN(newRand(9), 1, 8, 3)
	require.Equal(t, []int{8, 3}, a.W.Shape())
	for i, v := range unit.Data() {
		assert.InDelta(t, 0.5*v, a.W.Data()[i], 1e-15)
	}
	assert.Equal(t, []float64{0, 0, 0}, a.B.Data())
	assert.PanicsWithValue(t, "numlearn: NewAffine: sizes 0→3: want positive sizes and at most 2147483647 weights", func() { NewAffine(0, 3, He, newRand(1)) })
}
