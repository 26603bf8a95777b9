package layers

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogSoftmaxWithLossByHand(t *testing.T) {
	const tol = 1e-15
	// softmax([ln 3, 0]) = [¾, ¼] and softmax([0, 0]) = [½, ½]. With
	// targets class 1 and class 0 the loss is (−ln ¼ − ln ½)/2 = 1.5·ln 2,
	// and ∂L/∂x = (p − t)/2.
	var h LogSoftmaxWithLoss
	x := tensor.FromRows([][]float64{{math.Log(3), 0}, {0, 0}})
	target := tensor.FromRows([][]float64{{0, 1}, {1, 0}})
	assert.InDelta(t, 1.5*math.Ln2, h.Forward(x, target), tol)
	assert.InDelta(t, 1.5*math.Ln2, h.Loss(), tol)
	assert.InDeltaSlice(t, []float64{math.Log(0.75), math.Log(0.25), -math.Ln2, -math.Ln2}, h.Output().Data(), tol)
	dx := h.Backward()
	require.Equal(t, []int{2, 2}, dx.Shape())
	assert.InDeltaSlice(t, []float64{0.375, -0.375, -0.25, 0.25}, dx.Data(), tol)

	// One 1-D sample is a batch of one.
	assert.InDelta(t, -math.Log(0.75), h.Forward(tensor.FromSlice([]float64{math.Log(3), 0}), tensor.FromSlice([]float64{1, 0})), tol)
	assert.InDeltaSlice(t, []float64{-0.25, 0.25}, h.Backward().Data(), tol)

	// A confident wrong answer costs what it should: −log softmax = 1000
	// (up to e⁻¹⁰⁰⁰), where −log(y + δ) would stop at −log 1e-7 = 16.1.
	assert.InDelta(t, 1000.0, h.Forward(tensor.FromSlice([]float64{1000, 0}), tensor.FromSlice([]float64{0, 1})), tol)
	assert.InDeltaSlice(t, []float64{1, -1}, h.Backward().Data(), tol)
}

func TestLogSoftmaxWithLossPredictsAndClassifies(t *testing.T) {
	const tol = 1e-15
	var h LogSoftmaxWithLoss
	x := tensor.FromRows([][]float64{{math.Log(3), 0}, {0, 1}})
	var p tensor.Tensor
	h.Predict(&p, x)
	require.Equal(t, []int{2, 2}, p.Shape())
	assert.InDeltaSlice(t, []float64{math.Log(0.75), math.Log(0.25), -math.Log1p(math.E), 1 - math.Log1p(math.E)}, p.Data(), tol)
	assert.Nil(t, h.Output(), "Predict leaves the head's state alone")
	assert.Equal(t, []int{0, 1}, h.Classes(nil, x))
	assert.Equal(t, []int{1, 0}, h.TargetClasses(nil, tensor.FromRows([][]float64{{0, 1}, {1, 0}})))
	assert.Equal(t, []int{1}, h.Classes(nil, tensor.FromSlice([]float64{0, 2})), "one 1-D sample")

	// Scores far apart do not overflow, and dst may be x itself.
	big := tensor.FromSlice([]float64{800, 0, -800})
	h.Predict(big, big)
	assert.InDeltaSlice(t, []float64{0, -800, -1600}, big.Data(), tol)
}

// TestLogSoftmaxWithLossIsSoftmaxWithLoss: the same cross-entropy, up to
// the book's δ inside SoftmaxWithLoss's logarithm, and the same gradient.
func TestLogSoftmaxWithLossIsSoftmaxWithLoss(t *testing.T) {
	const tol = 1e-5 // δ/p for probabilities p of order 0.01 and more
	rng := newRand()
	x := tensor.RandN(rng, 1, 6, 4)
	onehot := tensor.New(6, 4)
	for r := range 6 {
		onehot.Set(1, r, (r*3)%4)
	}
	var a LogSoftmaxWithLoss
	var b SoftmaxWithLoss
	assert.InDelta(t, b.Forward(x, onehot), a.Forward(x, onehot), tol)
	assert.InDeltaSlice(t, b.Backward().Data(), a.Backward().Data(), 1e-15)
	var p tensor.Tensor
	p.Exp(a.Output())
	assert.InDeltaSlice(t, b.Output().Data(), p.Data(), 1e-15, "exp of the output is the softmax")
}

func TestLogSoftmaxWithLossBackwardMatchesNumerical(t *testing.T) {
	rng := newRand()
	probs := tensor.New(4, 3)
	for r := range 4 {
		row := probs.Data()[r*3 : r*3+3]
		var sum float64
		for i := range row {
			row[i] = rng.Float64()
			sum += row[i]
		}
		for i := range row {
			row[i] /= sum
		}
	}
	unnormalized := tensor.New(4, 3)
	for i := range unnormalized.Data() {
		unnormalized.Data()[i] = 2 * rng.Float64()
	}
	tests := []struct {
		name string
		x, t *tensor.Tensor
	}{
		{"one-hot rows", tensor.RandN(rng, 2, 5, 3), tensor.FromRows([][]float64{{1, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}})},
		{"one 1-D sample", tensor.RandN(rng, 2, 4), tensor.FromSlice([]float64{0, 0, 1, 0})},
		{"probabilities", tensor.RandN(rng, 1, 4, 3), probs},
		{"targets that do not sum to 1", tensor.RandN(rng, 1, 4, 3), unnormalized},
		{"scores far apart", tensor.FromRows([][]float64{{30, -30, 0.5}, {-50, 0, 50}}), tensor.FromRows([][]float64{{0, 1, 0}, {1, 0, 0}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h LogSoftmaxWithLoss
			numeric := grad.Numerical(func(x *tensor.Tensor) float64 { return h.Forward(x, tt.t) }, tt.x)
			h.Forward(tt.x, tt.t)
			dx := h.Backward()
			require.Equal(t, tt.x.Shape(), dx.Shape())
			d := grad.Check([]*tensor.Tensor{dx}, []*tensor.Tensor{numeric})[0]
			assert.Less(t, d.MaxAbs, gradTol, "%v", d)
		})
	}
}

func TestLogSoftmaxWithLossDescribeAndBuild(t *testing.T) {
	var h LogSoftmaxWithLoss
	b, err := json.Marshal(h.Describe())
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"LogSoftmaxWithLoss"}`, string(b))
	got, err := BuildHead(h.Describe())
	require.NoError(t, err)
	assert.IsType(t, &LogSoftmaxWithLoss{}, got)
	_, err = BuildHead(Description{Kind: "LogSoftmaxWithLoss", Config: json.RawMessage(`{"axis": 1}`)})
	assert.ErrorContains(t, err, `unknown field "axis"`)
	assert.IsType(t, &LogSoftmaxWithLoss{}, h.Clone())
}

func TestLogSoftmaxWithLossPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
		msg  string
	}{
		{"shapes", func() { new(LogSoftmaxWithLoss).Forward(tensor.New(2, 3), tensor.New(3, 2)) },
			"layers: LogSoftmaxWithLoss.Forward: scores shape [2 3] and targets shape [3 2] differ"},
		{"3-D scores", func() { new(LogSoftmaxWithLoss).Forward(tensor.New(2, 2, 2), tensor.New(2, 2, 2)) },
			"layers: LogSoftmaxWithLoss.Forward: scores shape [2 2 2] is not (n, classes) or (classes)"},
		{"backward first", func() { new(LogSoftmaxWithLoss).Backward() }, "layers: LogSoftmaxWithLoss.Backward: called before Forward"},
		{"predict 3-D", func() { new(LogSoftmaxWithLoss).Predict(new(tensor.Tensor), tensor.New(1, 2, 2)) },
			"layers: LogSoftmaxWithLoss.Predict: scores shape [1 2 2] is not (n, classes) or (classes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

func TestLogSoftmaxWithLossStepDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	x := tensor.RandN(rng, 1, 100, 10)
	target := tensor.New(100, 10)
	for r := range 100 {
		target.Set(1, r, r%10)
	}
	var h LogSoftmaxWithLoss
	h.Forward(x, target)
	h.Backward()
	assert.Zero(t, testing.AllocsPerRun(10, func() {
		h.Forward(x, target)
		h.Backward()
	}))
}

// TestImportedStyleNetworkGradient: a network of the kind PyTorch models
// are made of — convolution, BatchNorm2D, PReLU, Affine, ELU, Affine,
// LeakyReLU, ending in log_softmax and the negative log-likelihood —
// backpropagates the gradient that central differences of its loss give,
// through a Sequence (whose numerical gradient clones every layer, and
// restores BatchNorm2D's running statistics afterwards).
func TestImportedStyleNetworkGradient(t *testing.T) {
	const tol = 1e-6 // no δ in this loss: only the differences' error
	rng := rand.New(rand.NewPCG(3, 14))
	seq := NewSequence(
		NewConvolution(tensor.RandN(rng, 0.5, 2, 1, 3, 3), tensor.RandN(rng, 0.1, 2), 1, 1),
		NewBatchNorm2D(tensor.RandN(rng, 1, 2), tensor.RandN(rng, 1, 2)),
		NewPReLU(tensor.FromSlice([]float64{0.25, -0.1})),
		NewAffine(tensor.RandN(rng, 0.3, 2*4*4, 5), tensor.RandN(rng, 0.1, 5)),
		NewELU(1),
		NewAffine(tensor.RandN(rng, 0.5, 5, 3), tensor.RandN(rng, 0.1, 3)),
		NewLeakyReLU(0.01),
	)
	x := tensor.RandN(rng, 1, 4, 1, 4, 4)
	target := tensor.FromRows([][]float64{{1, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, 0, 1}})
	var head LogSoftmaxWithLoss

	params := learnable(seq)
	numeric := zerosLike(params)
	var state []*tensor.Tensor
	for _, p := range seq.Params() {
		if p.IsState() {
			state = append(state, p.Value.Clone())
		}
	}
	seq.NumericalGradient(numeric, &head, x, target)
	var after []*tensor.Tensor
	for _, p := range seq.Params() {
		if p.IsState() {
			after = append(after, p.Value)
		}
	}
	assert.Zero(t, maxDiff(state, after), "running statistics are restored")

	seq.SetMode(Training)
	head.Forward(seq.Forward(x), target)
	seq.Backward(head.Backward())
	var backprop []*tensor.Tensor
	for _, p := range seq.Params() {
		if !p.IsState() {
			backprop = append(backprop, p.Grad)
		}
	}
	require.Len(t, backprop, 9, "W and b, γ and β, the slopes, W and b twice")
	assert.Less(t, maxDiff(numeric, backprop), tol)
}
