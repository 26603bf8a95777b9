package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastTol is how closely the fast numerical gradient must agree with the
// literal one, element by element: both are the same central differences
// of the same loss, so they differ only by rounding.
const fastTol = 1e-9

// doubler is a layer of a user's, y = 2x, which the plan does not
// recognise.
type doubler struct{ y, dx tensor.Tensor }

func (d *doubler) Forward(x *tensor.Tensor) *tensor.Tensor {
	d.y = tensor.Tensor{}
	d.y.Scale(2, x)
	return &d.y
}

func (d *doubler) Backward(dout *tensor.Tensor) *tensor.Tensor {
	d.dx = tensor.Tensor{}
	d.dx.Scale(2, dout)
	return &d.dx
}

// userHead is a head of a user's that computes what h computes, which the
// plan does not recognise: numerical gradients then take the literal way.
type userHead struct{ h Head }

func (u *userHead) Forward(x, t *tensor.Tensor) float64 { return u.h.Forward(x, t) }
func (u *userHead) Backward() *tensor.Tensor            { return u.h.Backward() }
func (u *userHead) Predict(dst, x *tensor.Tensor)       { u.h.Predict(dst, x) }
func (u *userHead) Clone() Head                         { return &userHead{u.h.Clone()} }

// mlp returns Affine layers of the given sizes, weights drawn as
// std·N(0, 1), biases as 0.5·N(0, 1) when biases is set, with a fresh
// activation from act between them (none when act is nil).
func mlp(rng *rand.Rand, sizes []int, std float64, act func() Layer, biases bool) []Layer {
	var ls []Layer
	for i := range len(sizes) - 1 {
		b := tensor.New(sizes[i+1])
		if biases {
			b = tensor.RandN(rng, 0.5, sizes[i+1])
		}
		ls = append(ls, NewAffine(tensor.RandN(rng, std, sizes[i], sizes[i+1]), b))
		if act != nil && i < len(sizes)-2 {
			ls = append(ls, act())
		}
	}
	return ls
}

// data returns n rows of inputs and targets: MNIST-like sparse rows of 784
// when k is 784, else dense N(0, 1) rows of k; one-hot targets over
// classes, or values in N(0, 1) when soft.
func data(rng *rand.Rand, n, k, classes int, soft bool) (x, t *tensor.Tensor) {
	if k == 784 {
		x = mnistLike(rng, n)
	} else {
		x = tensor.RandN(rng, 1, n, k)
	}
	if soft {
		return x, tensor.RandN(rng, 1, n, classes)
	}
	t = tensor.New(n, classes)
	for r := range n {
		t.Set(1, r, rng.IntN(classes))
	}
	return x, t
}

// learnable returns the values of s's learnable parameters.
func learnable(s *Sequence) []*tensor.Tensor {
	var out []*tensor.Tensor
	for _, p := range s.Params() {
		if !p.IsState() {
			out = append(out, p.Value)
		}
	}
	return out
}

func zerosLike(ts []*tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ts))
	for i, t := range ts {
		out[i] = tensor.New(t.Shape()...)
	}
	return out
}

func cloneAll(ts []*tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ts))
	for i, t := range ts {
		out[i] = t.Clone()
	}
	return out
}

// maxDiff returns the largest absolute difference between corresponding
// elements of a and b.
func maxDiff(a, b []*tensor.Tensor) float64 {
	var worst float64
	for i := range a {
		for j, v := range a[i].Data() {
			worst = max(worst, math.Abs(v-b[i].Data()[j]))
		}
	}
	return worst
}

func TestNumericalGradientFastMatchesLiteral(t *testing.T) {
	sigmoid := func() Layer { return &Sigmoid{} }
	relu := func() Layer { return &ReLU{} }
	tanh := func() Layer { return &Tanh{} }
	tests := []struct {
		name   string
		sizes  []int
		act    func() Layer
		std    float64
		head   func() Head
		biases bool
		n      int
		soft   bool
		long   bool // too slow for -short
	}{
		{name: "book sigmoid 784-50-10 batch 100", sizes: []int{784, 50, 10}, act: sigmoid, std: 0.01, n: 100, long: true},
		{name: "book sigmoid 784-50-10 batch 10", sizes: []int{784, 50, 10}, act: sigmoid, std: 0.01, n: 10},
		{name: "book relu 784-50-10 batch 7", sizes: []int{784, 50, 10}, act: relu, std: 0.01, n: 7},
		{name: "book sigmoid 784-50-10 batch 1", sizes: []int{784, 50, 10}, act: sigmoid, std: 0.01, n: 1},
		{name: "deeper sigmoid 784-50-30-10 batch 5", sizes: []int{784, 50, 30, 10}, act: sigmoid, std: 0.5, biases: true, n: 5},
		{name: "deeper relu 784-50-30-10 batch 3", sizes: []int{784, 50, 30, 10}, act: relu, std: 0.5, biases: true, n: 3},
		{name: "small tanh 6-5-4-3", sizes: []int{6, 5, 4, 3}, act: tanh, std: 0.5, biases: true, n: 9},
		{name: "small relu 5-8-8-8-4", sizes: []int{5, 8, 8, 8, 4}, act: relu, std: 0.5, biases: true, n: 11},
		{name: "single affine 7-3", sizes: []int{7, 3}, std: 0.5, biases: true, n: 4},
		{name: "regression 4-6-2", sizes: []int{4, 6, 2}, act: tanh, std: 0.5, head: func() Head { return &IdentityWithLoss{} }, biases: true, n: 5, soft: true},
		{name: "binary labels 4-6-3", sizes: []int{4, 6, 3}, act: sigmoid, std: 0.5, head: func() Head { return &SigmoidWithLoss{} }, biases: true, n: 5, soft: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.long && testing.Short() {
				t.Skip("the literal gradient of a full batch takes seconds")
			}
			rng := rand.New(rand.NewPCG(60, 61))
			seq := NewSequence(mlp(rng, tt.sizes, tt.std, tt.act, tt.biases)...)
			head := Head(&SoftmaxWithLoss{})
			if tt.head != nil {
				head = tt.head()
			}
			x, tg := data(rng, tt.n, tt.sizes[0], tt.sizes[len(tt.sizes)-1], tt.soft)
			params := learnable(seq)
			before := cloneAll(params)

			p, cost, ok := seq.planFast(head, x, tg)
			require.True(t, ok, "the fast path applies")
			fast := zerosLike(params)
			p.run(fast)
			literal := zerosLike(params)
			assert.InDelta(t, cost, seq.NumericalGradient(literal, &userHead{head}, x, tg), 1e-15, "loss of the batch")

			worst := maxDiff(fast, literal)
			t.Logf("largest difference %.3g", worst)
			assert.LessOrEqual(t, worst, fastTol)
			assert.Equal(t, before, params, "parameters unchanged")
			got := zerosLike(params)
			seq.NumericalGradient(got, head, x, tg)
			assert.Equal(t, fast, got, "NumericalGradient takes the fast path")
		})
	}
}

func TestNumericalGradientFallsBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	x, tg := data(rng, 3, 4, 3, false)
	tests := []struct {
		name string
		seq  *Sequence
		x    *tensor.Tensor
	}{
		{name: "a layer of a user's", seq: NewSequence(
			NewAffine(tensor.RandN(rng, 0.2, 4, 5), tensor.RandN(rng, 0.2, 5)),
			&doubler{},
			NewAffine(tensor.RandN(rng, 0.2, 5, 3), tensor.New(3)),
		), x: x},
		{name: "input of three axes", seq: NewSequence(
			NewAffine(tensor.RandN(rng, 0.5, 4, 3), tensor.RandN(rng, 0.5, 3)),
		), x: x.Reshape(3, 2, 2)},
		{name: "a BatchNorm", seq: NewSequence(
			NewAffine(tensor.RandN(rng, 0.5, 4, 3), tensor.RandN(rng, 0.5, 3)),
			NewBatchNorm(tensor.Full(1, 3), tensor.New(3)),
		), x: x},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var head SoftmaxWithLoss
			_, _, ok := tt.seq.planFast(&head, tt.x, tg)
			require.False(t, ok, "the fast path does not apply")
			params := learnable(tt.seq)
			got := zerosLike(params)
			tt.seq.NumericalGradient(got, &head, tt.x, tg)
			// Element by element, the literal central difference of the
			// training loss.
			for i, p := range params {
				want := grad.Numerical(func(*tensor.Tensor) float64 { return tt.seq.trainingLoss(&head, tt.x, tg) }, p)
				assert.Equal(t, want.Data(), got[i].Data(), "parameter %d", i)
			}
			// And it is the gradient: backpropagation agrees, up to the
			// 1e-7 inside the loss's log, which backpropagation leaves
			// out (relative error 1e-7/y for a label of probability y).
			tt.seq.SetMode(Training)
			head.Forward(tt.seq.Forward(tt.x), tg)
			tt.seq.Backward(head.Backward())
			var backprop []*tensor.Tensor
			for _, p := range tt.seq.Params() {
				if !p.IsState() {
					backprop = append(backprop, p.Grad)
				}
			}
			assert.LessOrEqual(t, maxDiff(got, backprop), 1e-4)
		})
	}
}

// identity is a layer of a user's that passes its input on and cannot be
// cloned.
type identity struct{}

func (identity) Forward(x *tensor.Tensor) *tensor.Tensor  { return x }
func (identity) Backward(d *tensor.Tensor) *tensor.Tensor { return d }

func TestNumericalGradientSerialAndParallelAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	ls := mlp(rng, []int{4, 5, 3}, 0.5, func() Layer { return &Tanh{} }, true)
	x, tg := data(rng, 2, 4, 3, false)
	head := &userHead{&SoftmaxWithLoss{}}
	parallel := zerosLike(learnable(NewSequence(ls...)))
	NewSequence(ls...).NumericalGradient(parallel, head, x, tg)
	// A layer the sequence cannot clone forces the serial path.
	serial := zerosLike(learnable(NewSequence(ls...)))
	NewSequence(append([]Layer{identity{}}, ls...)...).NumericalGradient(serial, head, x, tg)
	for i := range parallel {
		assert.Equal(t, parallel[i].Data(), serial[i].Data())
	}
}

func TestNumericalGradientPanics(t *testing.T) {
	s := NewSequence(NewAffine(tensor.New(2, 3), tensor.New(3)))
	assert.PanicsWithValue(t, "layers: NumericalGradient: 1 tensors in dst for 2 parameters", func() {
		s.NumericalGradient([]*tensor.Tensor{tensor.New(2, 3)}, &SoftmaxWithLoss{}, tensor.New(1, 2), tensor.New(1, 3))
	})
	assert.PanicsWithValue(t, "layers: NumericalGradient: dst[1] has shape [2], the parameter [3]", func() {
		s.NumericalGradient([]*tensor.Tensor{tensor.New(2, 3), tensor.New(2)}, &SoftmaxWithLoss{}, tensor.New(1, 2), tensor.New(1, 3))
	})
}

// TestNumericalGradientAllocatesNothingOnceWarm: the fast path keeps its
// cached pass from call to call, so a numerical training step allocates
// nothing once warm.
func TestNumericalGradientAllocatesNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := rand.New(rand.NewPCG(63, 64))
	seq := NewSequence(mlp(rng, []int{784, 20, 10}, 0.01, func() Layer { return &Sigmoid{} }, true)...)
	x, tg := data(rng, 10, 784, 10, false)
	dst := zerosLike(learnable(seq))
	head := &SoftmaxWithLoss{}
	seq.NumericalGradient(dst, head, x, tg)
	assert.Zero(t, testing.AllocsPerRun(5, func() { seq.NumericalGradient(dst, head, x, tg) }))
}
