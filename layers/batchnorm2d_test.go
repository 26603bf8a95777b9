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

// Two samples of two channels of 1×2 pixels, x = [[1 3] [0 0]], [[5 7] [2 2]]:
// channel 0 holds {1, 3, 5, 7}, μ = 4, σ² = (9 + 1 + 1 + 9)/4 = 5 and the
// unbiased variance 20/3; channel 1 holds {0, 0, 2, 2}, μ = 1, σ² = 1,
// unbiased 4/3.
func TestBatchNorm2DByHand(t *testing.T) {
	const tol = 1e-12
	bn := NewBatchNorm2D(tensor.FromSlice([]float64{2, 1}), tensor.FromSlice([]float64{0.5, -1}))
	assert.Equal(t, []float64{0, 0}, bn.RunningMean.Data(), "PyTorch's start")
	assert.Equal(t, []float64{1, 1}, bn.RunningVar.Data(), "PyTorch's start")
	x := tensor.FromSlice([]float64{1, 3, 0, 0, 5, 7, 2, 2}, 2, 2, 1, 2)
	s0, s1 := 1/math.Sqrt(5+1e-5), 1/math.Sqrt(1+1e-5)
	y := bn.Forward(x)
	require.Equal(t, []int{2, 2, 1, 2}, y.Shape())
	// y = γ·(x − μ)·s + β per channel.
	assert.InDeltaSlice(t, []float64{
		0.5 - 6*s0, 0.5 - 2*s0, -1 - s1, -1 - s1,
		0.5 + 2*s0, 0.5 + 6*s0, -1 + s1, -1 + s1,
	}, y.Data(), tol)
	// Running statistics keep 0.9 of themselves and take 0.1 of the
	// batch's mean and unbiased variance.
	assert.InDeltaSlice(t, []float64{0.4, 0.1}, bn.RunningMean.Data(), tol)
	assert.InDeltaSlice(t, []float64{0.9 + 0.1*20/3, 0.9 + 0.1*4/3}, bn.RunningVar.Data(), tol)

	// Channel 0's dout is x − μ = {−3, −1, 1, 3}, along x̂: ∂L/∂β = 0,
	// ∂L/∂γ = Σ (x − μ)²·s = 20·s, and dx = γ·s·(dout − x̂·mean(dout·x̂)) =
	// 2·s·(x − μ)·(1 − 5s²), which only ε keeps from 0. Channel 1's dout is
	// all ones: ∂L/∂β = 4, ∂L/∂γ = Σ x̂ = 0, and a constant shift of the
	// input changes nothing, dx = 0.
	dout := tensor.FromSlice([]float64{-3, -1, 1, 1, 1, 3, 1, 1}, 2, 2, 1, 2)
	dx := bn.Backward(dout)
	require.Equal(t, []int{2, 2, 1, 2}, dx.Shape())
	k := 2 * s0 * (1 - 5*s0*s0)
	assert.InDeltaSlice(t, []float64{-3 * k, -k, 0, 0, k, 3 * k, 0, 0}, dx.Data(), tol)
	assert.InDeltaSlice(t, []float64{20 * s0, 0}, bn.DGamma.Data(), tol)
	assert.InDeltaSlice(t, []float64{0, 4}, bn.DBeta.Data(), tol)

	// Inference normalizes by the running statistics: x = running mean
	// gives β, and dx = γ·dout/√(running var + ε).
	bn.SetMode(Inference)
	rv0, rv1 := 0.9+0.1*20/3, 0.9+0.1*4/3
	y = bn.Forward(tensor.FromSlice([]float64{0.4, 1.4, 0.1, 0.1}, 1, 2, 2))
	assert.InDeltaSlice(t, []float64{0.5, 0.5 + 2/math.Sqrt(rv0+1e-5), -1, -1}, y.Data(), tol)
	dx = bn.Backward(tensor.Full(1, 1, 2, 2))
	assert.InDeltaSlice(t, []float64{2 / math.Sqrt(rv0+1e-5), 2 / math.Sqrt(rv0+1e-5), 1 / math.Sqrt(rv1+1e-5), 1 / math.Sqrt(rv1+1e-5)}, dx.Data(), tol)
}

// channelsLast reads x (N, C, …) as rows (N·…, C), one row per sample and
// position, so that BatchNorm (per column) normalizes per channel.
func channelsLast(x *tensor.Tensor) *tensor.Tensor {
	n, c := x.Shape()[0], x.Shape()[1]
	inner := x.Size() / (n * c)
	out := tensor.New(n*inner, c)
	for i := range n {
		for ch := range c {
			for k := range inner {
				out.Set(x.Data()[(i*c+ch)*inner+k], i*inner+k, ch)
			}
		}
	}
	return out
}

// TestBatchNorm2DIsBatchNormPerChannel: BatchNorm2D computes what the
// book's BatchNorm computes on the input read as (N·H·W, C), with the
// same ε and momentum — but for the running variance, which takes the
// unbiased batch variance, m/(m − 1) times the biased one.
func TestBatchNorm2DIsBatchNormPerChannel(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name  string
		shape []int
	}{
		{"(N, C, H, W)", []int{3, 4, 2, 3}},
		{"(N, C)", []int{5, 3}},
		{"(N, C, L)", []int{2, 3, 5}},
		{"one sample", []int{1, 2, 3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.shape[1]
			m := 1
			for i, s := range tt.shape {
				if i != 1 {
					m *= s
				}
			}
			gamma, beta := tensor.RandN(rng, 1, c), tensor.RandN(rng, 1, c)
			bn2 := NewBatchNorm2D(gamma.Clone(), beta.Clone())
			bn := NewBatchNorm(gamma.Clone(), beta.Clone())
			bn.Epsilon, bn.Momentum = bn2.Epsilon, bn2.Momentum
			bn.RunningVar.Fill(1)
			wantVar := bn2.RunningVar.Clone()
			for step := range 3 {
				x := tensor.RandN(rng, 2, tt.shape...)
				x.AddScalar(float64(step), x)
				dout := tensor.RandN(rng, 1, tt.shape...)

				y := bn2.Forward(x)
				require.Equal(t, tt.shape, y.Shape())
				assert.InDeltaSlice(t, bn.Forward(channelsLast(x)).Data(), channelsLast(y).Data(), bookTol, "step %d y", step)
				dx := bn2.Backward(dout)
				require.Equal(t, tt.shape, dx.Shape())
				assert.InDeltaSlice(t, bn.Backward(channelsLast(dout)).Data(), channelsLast(dx).Data(), bookTol, "step %d dx", step)
				assert.InDeltaSlice(t, bn.DGamma.Data(), bn2.DGamma.Data(), bookTol*float64(m), "step %d dgamma", step)
				assert.InDeltaSlice(t, bn.DBeta.Data(), bn2.DBeta.Data(), bookTol*float64(m), "step %d dbeta", step)
				assert.InDeltaSlice(t, bn.RunningMean.Data(), bn2.RunningMean.Data(), bookTol, "step %d running mean", step)

				// The running variance by its formula, from the batch's
				// biased variance read off BatchNorm.
				for j := range c {
					var mean, ss float64
					col := channelsLast(x)
					for r := range m {
						mean += col.At(r, j)
					}
					mean /= float64(m)
					for r := range m {
						ss += (col.At(r, j) - mean) * (col.At(r, j) - mean)
					}
					wantVar.Data()[j] = 0.9*wantVar.Data()[j] + 0.1*ss/float64(m-1)
				}
				assert.InDeltaSlice(t, wantVar.Data(), bn2.RunningVar.Data(), bookTol*4, "step %d running var", step)
			}
		})
	}
}

func TestBatchNorm2DBackwardMatchesNumerical(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name  string
		mode  Mode
		shape []int
	}{
		{"training (N, C, H, W)", Training, []int{2, 3, 2, 2}},
		{"training (N, C)", Training, []int{6, 4}},
		{"training (N, C, L)", Training, []int{2, 2, 3}},
		{"training one sample", Training, []int{1, 2, 2, 3}},
		{"inference (N, C, H, W)", Inference, []int{2, 3, 2, 2}},
		{"inference (N, C)", Inference, []int{3, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.shape[1]
			bn := NewBatchNorm2D(tensor.RandN(rng, 1, c), tensor.RandN(rng, 1, c))
			bn.Forward(tensor.RandN(rng, 1, tt.shape...)) // running statistics away from their start
			bn.SetMode(tt.mode)
			x := tensor.RandN(rng, 1, tt.shape...)
			dout := tensor.RandN(rng, 1, tt.shape...)
			loss := scalarLoss(bn, dout)

			numeric := grad.Numerical(loss, x)
			lossOfInput := func(*tensor.Tensor) float64 { return loss(x) }
			dGamma := grad.Numerical(lossOfInput, bn.Gamma)
			dBeta := grad.Numerical(lossOfInput, bn.Beta)

			bn.Forward(x)
			dx := bn.Backward(dout)
			require.Equal(t, tt.shape, dx.Shape())
			for i, d := range grad.Check([]*tensor.Tensor{dx, bn.DGamma, bn.DBeta}, []*tensor.Tensor{numeric, dGamma, dBeta}) {
				assert.Less(t, d.MaxAbs, gradTol, "gradient %d: %v", i, d)
			}
		})
	}
}

func TestBatchNorm2DDescribeAndBuild(t *testing.T) {
	build := func(cfg string, params ...*tensor.Tensor) (Layer, error) {
		return Build(Description{Kind: "BatchNorm2D", Config: json.RawMessage(cfg)}, params, nil)
	}
	four := func(c int) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.New(c), tensor.New(c), tensor.New(c), tensor.Full(1, c)}
	}
	l, err := build(``, four(3)...)
	require.NoError(t, err)
	assert.Equal(t, 1e-5, l.(*BatchNorm2D).Epsilon, "PyTorch's default")
	assert.Equal(t, 0.9, l.(*BatchNorm2D).Momentum, "ONNX's default, PyTorch's 0.1")

	_, err = build(`{"epsilon": 0}`, four(3)...)
	assert.EqualError(t, err, "layers: BatchNorm2D: epsilon 0 must be finite and positive and momentum 0.9 in [0, 1]")
	_, err = build(`{"momentum": -0.1}`, four(3)...)
	assert.EqualError(t, err, "layers: BatchNorm2D: epsilon 1e-05 must be finite and positive and momentum -0.1 in [0, 1]")
	_, err = build(`{"axis": 1}`, four(3)...)
	assert.ErrorContains(t, err, `unknown field "axis"`)
	_, err = build(``, four(3)[:3]...)
	assert.EqualError(t, err, "layers: BatchNorm2D has 4 tensors, the model gives 3")
	_, err = build(``, tensor.New(3), tensor.New(3), tensor.New(2), tensor.New(3))
	assert.EqualError(t, err, "layers: BatchNorm2D: tensors of shapes [3], [3], [2] and [3]: want four of one shape (C), C > 0")
	_, err = build(``, four(0)...)
	assert.EqualError(t, err, "layers: BatchNorm2D: tensors of shapes [0], [0], [0] and [0]: want four of one shape (C), C > 0")
	_, err = build(``, tensor.New(3, 1, 1), tensor.New(3), tensor.New(3), tensor.New(3))
	assert.EqualError(t, err, "layers: BatchNorm2D: tensor 0 has shape [3 1 1], want 1 dimensions")
}

func TestBatchNorm2DClone(t *testing.T) {
	rng := newRand()
	bn := NewBatchNorm2D(tensor.RandN(rng, 1, 3), tensor.RandN(rng, 1, 3))
	x := tensor.RandN(rng, 1, 2, 3, 2, 2)
	bn.Forward(x)
	bn.SetMode(Inference)
	bn.Epsilon, bn.Momentum = 1e-3, 0.5
	c := bn.Clone().(*BatchNorm2D)
	assert.Equal(t, bn.RunningMean.Data(), c.RunningMean.Data())
	assert.Equal(t, bn.RunningVar.Data(), c.RunningVar.Data())
	assert.Equal(t, 1e-3, c.Epsilon)
	assert.Equal(t, 0.5, c.Momentum)
	assert.Equal(t, bn.Forward(x).Data(), c.Forward(x).Data(), "the clone keeps the mode and the statistics")
	c.Gamma.Data()[0] = 10
	c.RunningVar.Data()[0] = 10
	assert.NotEqual(t, 10.0, bn.Gamma.Data()[0])
	assert.NotEqual(t, 10.0, bn.RunningVar.Data()[0])
}

func TestBatchNorm2DPanics(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		fn   func()
	}{
		{"gamma not 1-D", "layers: NewBatchNorm2D: gamma shape [2 2] and beta shape [4] are not both (C)",
			func() { NewBatchNorm2D(tensor.New(2, 2), tensor.New(4)) }},
		{"beta size", "layers: NewBatchNorm2D: gamma shape [3] and beta shape [2] are not both (C)",
			func() { NewBatchNorm2D(tensor.New(3), tensor.New(2)) }},
		{"no channels", "layers: NewBatchNorm2D: gamma shape [0] and beta shape [0] are not both (C)",
			func() { NewBatchNorm2D(tensor.New(0), tensor.New(0)) }},
		{"channels", "layers: BatchNorm2D.Forward: input shape [2 4 3 3] is not (N, 3, …)",
			func() { NewBatchNorm2D(tensor.New(3), tensor.New(3)).Forward(tensor.New(2, 4, 3, 3)) }},
		{"1-D input", "layers: BatchNorm2D.Forward: input shape [3] is not (N, 3, …)",
			func() { NewBatchNorm2D(tensor.New(3), tensor.New(3)).Forward(tensor.New(3)) }},
		{"one value per channel", "layers: BatchNorm2D.Forward: input shape [1 3 1 1]: a training batch needs more than one value per channel",
			func() { NewBatchNorm2D(tensor.New(3), tensor.New(3)).Forward(tensor.New(1, 3, 1, 1)) }},
		{"backward first", "layers: BatchNorm2D.Backward: called before Forward",
			func() { NewBatchNorm2D(tensor.New(3), tensor.New(3)).Backward(tensor.New(2, 3)) }},
		{"dout shape", "layers: BatchNorm2D.Backward: dout shape [2 3 2] does not match output shape [2 3 1]",
			func() {
				bn := NewBatchNorm2D(tensor.New(3), tensor.New(3))
				bn.Forward(tensor.New(2, 3, 1))
				bn.Backward(tensor.New(2, 3, 2))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
	// One sample of one pixel predicts in inference: only training needs
	// a batch's statistics.
	bn := NewBatchNorm2D(tensor.Full(1, 3), tensor.New(3))
	bn.SetMode(Inference)
	assert.NotPanics(t, func() { bn.Forward(tensor.New(1, 3, 1, 1)) })
}

func TestBatchNorm2DStepDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	for _, shape := range [][]int{{8, 16, 6, 6}, {10, 5}} {
		c := shape[1]
		bn := NewBatchNorm2D(tensor.Full(1, c), tensor.New(c))
		x, dout := tensor.RandN(rng, 1, shape...), tensor.RandN(rng, 1, shape...)
		bn.Forward(x)
		bn.Backward(dout)
		allocs := testing.AllocsPerRun(10, func() {
			bn.SetMode(Training)
			bn.Forward(x)
			bn.Backward(dout)
			bn.SetMode(Inference)
			bn.Forward(x)
		})
		assert.Zero(t, allocs, "shape %v", shape)
	}
}

// roundTripBatchNorm2D returns a BatchNorm2D of two channels with
// settings and running statistics other than its defaults, for
// TestEveryLayerRebuildsFromItsDescription.
func roundTripBatchNorm2D(rng *rand.Rand) *BatchNorm2D {
	bn := NewBatchNorm2D(tensor.RandN(rng, 1, 2), tensor.RandN(rng, 1, 2))
	bn.Epsilon, bn.Momentum = 1e-3, 0.8
	bn.RunningMean.CopyFrom(tensor.RandN(rng, 1, 2))
	bn.RunningVar.CopyFrom(tensor.Full(2, 2))
	return bn
}
