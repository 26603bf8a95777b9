package layers

import (
	"math"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every layer and head of this package has the capabilities its doc
// promises.
var (
	_ Learnable        = (*Affine)(nil)
	_ Describer        = (*Affine)(nil)
	_ Cloner           = (*Affine)(nil)
	_ inputGradSkipper = (*Affine)(nil)
	_ Learnable        = (*Convolution)(nil)
	_ Describer        = (*Convolution)(nil)
	_ Cloner           = (*Convolution)(nil)
	_ inputGradSkipper = (*Convolution)(nil)
	_ inputGradSkipper = (*convReLUPool)(nil)
	_ Learnable        = (*BatchNorm)(nil)
	_ Moder            = (*BatchNorm)(nil)
	_ Moder            = (*Dropout)(nil)
	_ elementWise      = (*ReLU)(nil)
	_ elementWise      = (*Sigmoid)(nil)
	_ elementWise      = (*Tanh)(nil)
	_ Head             = (*SoftmaxWithLoss)(nil)
	_ Classifier       = (*SoftmaxWithLoss)(nil)
	_ lineLosser       = (*SoftmaxWithLoss)(nil)
	_ Head             = (*SigmoidWithLoss)(nil)
	_ Classifier       = (*SigmoidWithLoss)(nil)
	_ rowLosser        = (*SigmoidWithLoss)(nil)
	_ Head             = (*IdentityWithLoss)(nil)
	_ rowLosser        = (*IdentityWithLoss)(nil)
	_ Learnable        = (*PReLU)(nil)
	_ Cloner           = (*LeakyReLU)(nil)
	_ Cloner           = (*ELU)(nil)
	_ Cloner           = (*PReLU)(nil)
	_ Learnable        = (*BatchNorm2D)(nil)
	_ Moder            = (*BatchNorm2D)(nil)
	_ Cloner           = (*BatchNorm2D)(nil)
	_ Head             = (*LogSoftmaxWithLoss)(nil)
	_ Classifier       = (*LogSoftmaxWithLoss)(nil)
	_ Cloner           = (*Softmax)(nil)
	_ Cloner           = (*LogSoftmax)(nil)
	_ Cloner           = (*Softplus)(nil)
	_ Cloner           = (*Scale)(nil)
	_ Cloner           = (*SELU)(nil)
	_ Cloner           = (*Pad)(nil)
)

// Every layer and head of this package describes itself, and is
// registered under its kind.
var (
	_ Describer = (*ReLU)(nil)
	_ Describer = (*Sigmoid)(nil)
	_ Describer = (*Tanh)(nil)
	_ Describer = (*BatchNorm)(nil)
	_ Describer = (*Dropout)(nil)
	_ Describer = (*Pooling)(nil)
	_ Describer = (*SoftmaxWithLoss)(nil)
	_ Describer = (*SigmoidWithLoss)(nil)
	_ Describer = (*IdentityWithLoss)(nil)
	_ Describer = (*LeakyReLU)(nil)
	_ Describer = (*ELU)(nil)
	_ Describer = (*PReLU)(nil)
	_ Describer = (*BatchNorm2D)(nil)
	_ Describer = (*LogSoftmaxWithLoss)(nil)
	_ Describer = (*AvgPool)(nil)
	_ Describer = (*GlobalAvgPool)(nil)
	_ Describer = (*Flatten)(nil)
	_ Describer = (*MaxPool)(nil)
	_ Describer = (*GroupedConvolution)(nil)
	_ Describer = (*Softmax)(nil)
	_ Describer = (*LogSoftmax)(nil)
	_ Describer = (*Softplus)(nil)
	_ Describer = (*SELU)(nil)
	_ Describer = (*Pad)(nil)
	_ Describer = (*Scale)(nil)
)

// TestHeadBackwardMatchesNumerical: each head's Backward is the gradient of
// its Forward, by central differences. Neither new head has a δ inside a
// log, so they agree as closely as the layers do.
func TestHeadBackwardMatchesNumerical(t *testing.T) {
	rng := newRand()
	probs := tensor.New(4, 3)
	for i := range probs.Data() {
		probs.Data()[i] = rng.Float64()
	}
	tests := []struct {
		name string
		head Head
		x, t *tensor.Tensor
	}{
		{"IdentityWithLoss", &IdentityWithLoss{}, tensor.RandN(rng, 1, 4, 3), tensor.RandN(rng, 1, 4, 3)},
		{"IdentityWithLoss 1-D", &IdentityWithLoss{}, tensor.RandN(rng, 1, 5), tensor.RandN(rng, 1, 5)},
		{"SigmoidWithLoss 0/1 labels", &SigmoidWithLoss{}, tensor.RandN(rng, 2, 6, 1), tensor.FromSlice([]float64{0, 1, 1, 0, 1, 0}, 6, 1)},
		{"SigmoidWithLoss soft targets", &SigmoidWithLoss{}, tensor.RandN(rng, 2, 4, 3), probs},
		{"SigmoidWithLoss large scores", &SigmoidWithLoss{}, tensor.FromSlice([]float64{30, -30, 0.5}), tensor.FromSlice([]float64{0, 1, 1})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			numeric := grad.Numerical(func(x *tensor.Tensor) float64 { return tt.head.Forward(x, tt.t) }, tt.x)
			tt.head.Forward(tt.x, tt.t)
			dx := tt.head.Backward()
			require.Equal(t, tt.x.Shape(), dx.Shape())
			d := grad.Check([]*tensor.Tensor{dx}, []*tensor.Tensor{numeric})[0]
			assert.Less(t, d.MaxAbs, gradTol, "%v", d)
		})
	}
}

func TestIdentityWithLossByHand(t *testing.T) {
	// x − t = [1 −2 0 3]: loss = (1 + 4 + 0 + 9)/4 = 3.5,
	// dx = 2·(x − t)/4 = [0.5 −1 0 1.5].
	var h IdentityWithLoss
	x := tensor.FromSlice([]float64{2, 0, 5, 4}, 2, 2)
	target := tensor.FromSlice([]float64{1, 2, 5, 1}, 2, 2)
	assert.InDelta(t, 3.5, h.Forward(x, target), 1e-15)
	assert.Equal(t, []float64{0.5, -1, 0, 1.5}, h.Backward().Data())
	var p tensor.Tensor
	h.Predict(&p, x)
	assert.Equal(t, x.Data(), p.Data())
	assert.Equal(t, []int{2, 2}, p.Shape())
}

func TestSigmoidWithLossByHand(t *testing.T) {
	// x = 0: σ = ½ and the loss is ln 2 whatever the label; dx = (½ − t)/N.
	// x = ln 3 with t = 1: σ = ¾, loss −ln ¾, dx (¾ − 1)/N.
	var h SigmoidWithLoss
	x := tensor.FromSlice([]float64{0, 0, math.Log(3)}, 3, 1)
	target := tensor.FromSlice([]float64{1, 0, 1}, 3, 1)
	assert.InDelta(t, (2*math.Ln2-math.Log(0.75))/3, h.Forward(x, target), 1e-15)
	assert.InDeltaSlice(t, []float64{-0.5 / 3, 0.5 / 3, -0.25 / 3}, h.Backward().Data(), 1e-15)

	// Scores far past where σ rounds to 0 or 1 keep a finite, exact loss:
	// −log σ(−800) = 800 + log(1 + e⁻⁸⁰⁰) = 800.
	assert.InDelta(t, 400.0, h.Forward(tensor.FromSlice([]float64{-800, 800}), tensor.FromSlice([]float64{1, 1})), 1e-12)

	var p tensor.Tensor
	h.Predict(&p, x)
	assert.InDeltaSlice(t, []float64{0.5, 0.5, 0.75}, p.Data(), 1e-15)
	assert.Equal(t, []int{0, 0, 1}, h.Classes(nil, x))
	assert.Equal(t, []int{1, 0, 1}, h.TargetClasses(nil, target))
}

func TestSoftmaxWithLossPredictsAndClassifies(t *testing.T) {
	// Row [ln 3, 0] gives probabilities [¾ ¼]; row [0, 1, 0] is a tie-free
	// argmax at 1.
	var h SoftmaxWithLoss
	x := tensor.FromRows([][]float64{{math.Log(3), 0}, {0, 1}})
	var p tensor.Tensor
	h.Predict(&p, x)
	assert.InDeltaSlice(t, []float64{0.75, 0.25}, p.Data()[:2], 1e-15)
	assert.Equal(t, []int{0, 1}, h.Classes(nil, x))
	assert.Equal(t, []int{1, 0}, h.TargetClasses(nil, tensor.FromRows([][]float64{{0, 1}, {1, 0}})))
	assert.Equal(t, []int{1}, h.Classes(nil, tensor.FromSlice([]float64{0, 2})), "one 1-D sample")
	assert.Nil(t, h.Output(), "Predict leaves the head's state alone")
}

func TestHeadPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
		msg  string
	}{
		{"identity shapes", func() { new(IdentityWithLoss).Forward(tensor.New(2, 3), tensor.New(3, 2)) },
			"layers: IdentityWithLoss.Forward: scores shape [2 3] and targets shape [3 2] differ"},
		{"sigmoid shapes", func() { new(SigmoidWithLoss).Forward(tensor.New(2, 1), tensor.New(2)) },
			"layers: SigmoidWithLoss.Forward: scores shape [2 1] and targets shape [2] differ"},
		{"identity backward first", func() { new(IdentityWithLoss).Backward() }, "layers: IdentityWithLoss.Backward: called before Forward"},
		{"sigmoid backward first", func() { new(SigmoidWithLoss).Backward() }, "layers: SigmoidWithLoss.Backward: called before Forward"},
		{"softmax classes of 3-D scores", func() { new(SoftmaxWithLoss).Classes(nil, tensor.New(2, 2, 2)) },
			"layers: SoftmaxWithLoss.Classes: scores shape [2 2 2] is not (n, classes) or (classes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.PanicsWithValue(t, tt.msg, tt.fn) })
	}
}

func TestModeString(t *testing.T) {
	assert.Equal(t, "training", Training.String())
	assert.Equal(t, "inference", Inference.String())
	var m Mode
	assert.Equal(t, Training, m, "layers start in training mode")
}
