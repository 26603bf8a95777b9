package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Central differences with h = 1e-4 on these smooth functions of values of
// order 1 agree with the exact gradient to about 1e-9.
const gradTol = 1e-7

func newRand() *rand.Rand { return rand.New(rand.NewPCG(20, 26)) }

// layer is what Affine, Sigmoid, ReLU and Tanh share.
type layer interface {
	Forward(x *tensor.Tensor) *tensor.Tensor
	Backward(dout *tensor.Tensor) *tensor.Tensor
}

// scalarLoss is L = Σ c ⊙ y for fixed random weights c, so ∂L/∂y = c: the
// check then exercises Backward with a dout that is not all ones.
func scalarLoss(l layer, c *tensor.Tensor) func(x *tensor.Tensor) float64 {
	return func(x *tensor.Tensor) float64 {
		var prod tensor.Tensor
		prod.Mul(l.Forward(x), c)
		return prod.Sum()
	}
}

func TestBackwardMatchesNumerical(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name  string
		layer layer
		x     *tensor.Tensor
		out   []int
	}{
		{"Affine", NewAffine(tensor.RandN(rng, 1, 4, 3), tensor.RandN(rng, 1, 3)), tensor.RandN(rng, 1, 5, 4), []int{5, 3}},
		{"Affine flattens 4-D input", NewAffine(tensor.RandN(rng, 1, 6, 2), tensor.RandN(rng, 1, 2)), tensor.RandN(rng, 1, 3, 1, 2, 3), []int{3, 2}},
		{"Affine one 1-D sample", NewAffine(tensor.RandN(rng, 1, 4, 3), tensor.RandN(rng, 1, 3)), tensor.RandN(rng, 1, 4), []int{3}},
		{"Sigmoid", &Sigmoid{}, tensor.RandN(rng, 2, 3, 4), []int{3, 4}},
		{"Tanh", &Tanh{}, tensor.RandN(rng, 2, 3, 4), []int{3, 4}},
		// ReLU has a kink at 0: keep inputs at least 0.01 away so that
		// x ± h stays on one side.
		{"ReLU", &ReLU{}, awayFromZero(tensor.RandN(rng, 1, 3, 4), 0.01), []int{3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tensor.RandN(rng, 1, tt.out...)
			numeric := grad.Numerical(scalarLoss(tt.layer, c), tt.x)

			y := tt.layer.Forward(tt.x)
			require.Equal(t, tt.out, y.Shape())
			dx := tt.layer.Backward(c)
			require.Equal(t, tt.x.Shape(), dx.Shape(), "dx has the input's shape")
			d := grad.Check([]*tensor.Tensor{dx}, []*tensor.Tensor{numeric})[0]
			assert.Less(t, d.MaxAbs, gradTol, "dx: %v", d)

			if a, ok := tt.layer.(*Affine); ok {
				a.Forward(tt.x)
				a.Backward(c)
				// Perturbing W or B in place changes the loss of the same input.
				lossOfInput := func(*tensor.Tensor) float64 { return scalarLoss(a, c)(tt.x) }
				dW := grad.Numerical(lossOfInput, a.W)
				dB := grad.Numerical(lossOfInput, a.B)
				a.Forward(tt.x)
				a.Backward(c)
				for i, d := range grad.Check([]*tensor.Tensor{a.DW, a.DB}, []*tensor.Tensor{dW, dB}) {
					assert.Less(t, d.MaxAbs, gradTol, "param %d: %v", i, d)
				}
			}
		})
	}
}

func awayFromZero(x *tensor.Tensor, eps float64) *tensor.Tensor {
	for i, v := range x.Data() {
		if math.Abs(v) < eps {
			x.Data()[i] = math.Copysign(eps, v)
		}
	}
	return x
}

func TestAffineByHand(t *testing.T) {
	// x = [[1 2]], W = [[1 0 -1] [2 1 0]], b = [0.5 0 -0.5]:
	// y = x·W + b = [1+4, 0+2, -1+0] + b = [5.5 2 -1.5].
	w := tensor.FromRows([][]float64{{1, 0, -1}, {2, 1, 0}})
	a := NewAffine(w, tensor.FromSlice([]float64{0.5, 0, -0.5}))
	y := a.Forward(tensor.FromRows([][]float64{{1, 2}}))
	assert.Equal(t, []float64{5.5, 2, -1.5}, y.Data())
	// dout = [[1 1 1]]: dx = dout·Wᵀ = [0 3]; dW = xᵀ·dout = [[1 1 1] [2 2 2]]; db = [1 1 1].
	dx := a.Backward(tensor.FromRows([][]float64{{1, 1, 1}}))
	assert.Equal(t, []float64{0, 3}, dx.Data())
	assert.Equal(t, []float64{1, 1, 1, 2, 2, 2}, a.DW.Data())
	assert.Equal(t, []float64{1, 1, 1}, a.DB.Data())

	a.skipInputGrad(true)
	a.Forward(tensor.FromRows([][]float64{{1, 2}}))
	assert.Nil(t, a.Backward(tensor.FromRows([][]float64{{2, 2, 2}})))
	assert.Equal(t, []float64{2, 2, 2, 4, 4, 4}, a.DW.Data(), "DW is overwritten, not accumulated")
}

func TestReLUAndSigmoidByHand(t *testing.T) {
	var r ReLU
	x := tensor.FromSlice([]float64{1, -0.5, 0, 3})
	assert.Equal(t, []float64{1, 0, 0, 3}, r.Forward(x).Data())
	// The gradient is 0 at x = 0, as in the book's mask = (x <= 0).
	assert.Equal(t, []float64{10, 0, 0, 40}, r.Backward(tensor.FromSlice([]float64{10, 20, 30, 40})).Data())

	var s Sigmoid
	y := s.Forward(tensor.FromSlice([]float64{0}))
	assert.Equal(t, []float64{0.5}, y.Data())
	// σ'(0) = σ(0)(1 − σ(0)) = 1/4.
	assert.Equal(t, []float64{0.5}, s.Backward(tensor.FromSlice([]float64{2})).Data())
}

func TestSoftmaxWithLoss(t *testing.T) {
	rng := newRand()
	x := tensor.RandN(rng, 2, 4, 5)
	labels := []int{0, 3, 4, 1}
	onehot := tensor.New(4, 5)
	for i, l := range labels {
		onehot.Set(1, i, l)
	}
	tests := []struct {
		name    string
		x       *tensor.Tensor
		forward func(s *SoftmaxWithLoss, x *tensor.Tensor) float64
	}{
		{"one-hot", x, func(s *SoftmaxWithLoss, x *tensor.Tensor) float64 { return s.Forward(x, onehot) }},
		{"labels", x, func(s *SoftmaxWithLoss, x *tensor.Tensor) float64 { return s.ForwardLabels(x, labels) }},
		{"batch of one, 1-D", tensor.RandN(rng, 2, 5), func(s *SoftmaxWithLoss, x *tensor.Tensor) float64 {
			return s.Forward(x, tensor.FromSlice([]float64{0, 0, 1, 0, 0}))
		}},
		{"batch of one, 2-D", tensor.RandN(rng, 2, 1, 5), func(s *SoftmaxWithLoss, x *tensor.Tensor) float64 {
			return s.ForwardLabels(x, []int{2})
		}},
	}
	// target gives each case's target class of row i.
	target := map[string]func(i int) int{
		"one-hot":           func(i int) int { return labels[i] },
		"labels":            func(i int) int { return labels[i] },
		"batch of one, 1-D": func(int) int { return 2 },
		"batch of one, 2-D": func(int) int { return 2 },
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s SoftmaxWithLoss
			numeric := grad.Numerical(func(x *tensor.Tensor) float64 { return tt.forward(&s, x) }, tt.x)
			tt.forward(&s, tt.x)
			d := grad.Check([]*tensor.Tensor{s.Backward()}, []*tensor.Tensor{numeric})[0]
			// The loss is −log(y_t + δ) with δ = 1e-7, whose exact gradient is
			// y_t/(y_t + δ)·(y − t)/batch; (y − t)/batch leaves the factor out
			// and so differs by at most δ/y_t per element. Bound it by the
			// smallest probability given to a target class.
			minTarget := 1.0
			y := s.Output().Reshape(-1, 5)
			for i, row := range y.Data() {
				if target[tt.name](i/5) == i%5 {
					minTarget = min(minTarget, row)
				}
			}
			assert.Less(t, d.MaxAbs, 1e-7/minTarget+gradTol, "%v", d)
		})
	}
}

func TestSoftmaxWithLossByHand(t *testing.T) {
	// x = [0 0] with t = [1 0]: y = [½ ½], loss = −log(½ + 1e-7),
	// dx = (y − t)/1 = [−½ ½].
	var s SoftmaxWithLoss
	cost := s.Forward(tensor.FromSlice([]float64{0, 0}), tensor.FromSlice([]float64{1, 0}))
	assert.InDelta(t, -math.Log(0.5+1e-7), cost, 1e-15)
	assert.Equal(t, []float64{-0.5, 0.5}, s.Backward().Data())
	assert.Equal(t, cost, s.Loss())

	// Two rows: dx = (y − t)/2. Row 0 as above; row 1 = [ln 3, 0] gives
	// y = [¾ ¼] with label 0, so dx row 1 = [−⅛ ⅛].
	s.ForwardLabels(tensor.FromRows([][]float64{{0, 0}, {math.Log(3), 0}}), []int{0, 0})
	assert.InDeltaSlice(t, []float64{-0.25, 0.25, -0.125, 0.125}, s.Backward().Data(), 1e-15)

	// Large scores stay finite.
	cost = s.Forward(tensor.FromSlice([]float64{1000, 0}), tensor.FromSlice([]float64{1, 0}))
	assert.InDelta(t, -math.Log(1+1e-7), cost, 1e-12)
}

func TestLayerPanics(t *testing.T) {
	a := NewAffine(tensor.New(4, 3), tensor.New(3))
	tests := []struct {
		name string
		fn   func()
		msg  string
	}{
		{"NewAffine shapes", func() { NewAffine(tensor.New(4, 3), tensor.New(4)) }, "layers: NewAffine: W shape [4 3] and b shape [4] do not fit (in, out) and (out)"},
		{"Affine input", func() { a.Forward(tensor.New(2, 5)) }, "layers: Affine.Forward: input shape [2 5] does not fit W shape [4 3]"},
		{"Affine backward first", func() { NewAffine(tensor.New(4, 3), tensor.New(3)).Backward(tensor.New(2, 3)) }, "layers: Affine.Backward: called before Forward"},
		{"Affine dout", func() { a.Forward(tensor.New(2, 4)); a.Backward(tensor.New(3, 3)) }, "layers: Affine.Backward: dout shape [3 3] does not match output shape [2 3]"},
		{"ReLU backward first", func() { (&ReLU{}).Backward(tensor.New(2)) }, "layers: ReLU.Backward: called before Forward"},
		{"Sigmoid dout", func() { var s Sigmoid; s.Forward(tensor.New(2)); s.Backward(tensor.New(3)) }, "layers: Sigmoid.Backward: dout shape [3] does not match output shape [2]"},
		{"Softmax targets", func() { (&SoftmaxWithLoss{}).Forward(tensor.New(2, 3), tensor.New(2, 2)) }, "layers: SoftmaxWithLoss.Forward: scores shape [2 3] and targets shape [2 2] differ"},
		{"Softmax backward first", func() { (&SoftmaxWithLoss{}).Backward() }, "layers: SoftmaxWithLoss.Backward: called before Forward"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

func TestBuffersAreReused(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	rng := newRand()
	a := NewAffine(tensor.RandN(rng, 1, 784, 50), tensor.New(50))
	var r ReLU
	x := tensor.RandN(rng, 1, 100, 784)
	dout := tensor.RandN(rng, 1, 100, 50)
	step := func() { r.Forward(a.Forward(x)); a.Backward(r.Backward(dout)) }
	step()
	assert.Equal(t, 0.0, testing.AllocsPerRun(20, step))

	// A different batch size works too, and switching back reuses storage.
	assert.Equal(t, []int{7, 50}, a.Forward(tensor.RandN(rng, 1, 7, 784)).Shape())
	allocs := testing.AllocsPerRun(5, func() { a.Forward(x); a.Forward(x.Slice(0, 7)) })
	// Per round only the Slice view (a Tensor and its shape): the output's
	// storage and header are kept through both changes of shape.
	assert.Equal(t, 2.0, allocs, "nothing for a change of shape")
}

func TestClone(t *testing.T) {
	a := NewAffine(tensor.FromRows([][]float64{{1, 2}}), tensor.FromSlice([]float64{3, 4}))
	c, ok := a.Clone().(*Affine)
	require.True(t, ok, "an Affine clones to an *Affine")
	c.W.Set(100, 0, 0)
	assert.Equal(t, 1.0, a.W.At(0, 0))
	assert.Equal(t, fmt.Sprint(a.B), fmt.Sprint(c.B))
}

// TestReLUBackwardMask: dout passes exactly where x > 0, and where x is NaN
// (the book's mask x <= 0 is false there too); NaN in dout passes through.
func TestReLUBackwardMask(t *testing.T) {
	var r ReLU
	x := tensor.FromSlice([]float64{-2, math.Copysign(0, -1), 0, 5e-324, 3, math.NaN()})
	r.Forward(x)
	g := r.Backward(tensor.FromSlice([]float64{1, 2, 3, 4, math.NaN(), 6})).Data()
	assert.Equal(t, []float64{0, 0, 0, 4}, g[:4])
	assert.True(t, math.IsNaN(g[4]))
	assert.Equal(t, 6.0, g[5])
}
