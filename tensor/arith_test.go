package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sqrt(x float64) float64 { return math.Sqrt(x) }

func TestBroadcastArithmetic(t *testing.T) {
	m23 := FromRows([][]float64{{1, 2, 3}, {4, 5, 6}})
	tests := []struct {
		name  string
		op    func(t, a, b *Tensor)
		a, b  *Tensor
		shape []int
		want  []float64
	}{
		{"same shape add", (*Tensor).Add, m23, FromRows([][]float64{{10, 20, 30}, {40, 50, 60}}), []int{2, 3}, []float64{11, 22, 33, 44, 55, 66}},
		{"row vector bias", (*Tensor).Add, m23, FromSlice([]float64{10, 20, 30}), []int{2, 3}, []float64{11, 22, 33, 14, 25, 36}},
		{"column vector", (*Tensor).Sub, m23, FromSlice([]float64{1, 4}, 2, 1), []int{2, 3}, []float64{0, 1, 2, 0, 1, 2}},
		{"scalar shape []", (*Tensor).Mul, m23, Scalar(2), []int{2, 3}, []float64{2, 4, 6, 8, 10, 12}},
		{"scalar shape [1]", (*Tensor).Div, m23, FromSlice([]float64{2}), []int{2, 3}, []float64{0.5, 1, 1.5, 2, 2.5, 3}},
		{"scalar on the left", (*Tensor).Sub, Scalar(10), m23, []int{2, 3}, []float64{9, 8, 7, 6, 5, 4}},
		{"vector divided by matrix", (*Tensor).Div, FromSlice([]float64{12, 12, 12}), m23, []int{2, 3}, []float64{12, 6, 4, 3, 2.4, 2}},
		{"outer sum (3,1)+(1,4)", (*Tensor).Add, FromSlice([]float64{0, 10, 20}, 3, 1), FromSlice([]float64{1, 2, 3, 4}, 1, 4), []int{3, 4},
			[]float64{1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24}},
		{"outer product (3,1)*(4)", (*Tensor).Mul, FromSlice([]float64{1, 2, 3}, 3, 1), FromSlice([]float64{1, 2, 3, 4}), []int{3, 4},
			[]float64{1, 2, 3, 4, 2, 4, 6, 8, 3, 6, 9, 12}},
		{"rank mismatch (2,1,3)+(2,3)", (*Tensor).Add, FromSlice([]float64{0, 0, 0, 100, 100, 100}, 2, 1, 3), m23, []int{2, 2, 3},
			[]float64{1, 2, 3, 4, 5, 6, 101, 102, 103, 104, 105, 106}},
		{"middle axis broadcast (2,1,2)*(1,3,1)", (*Tensor).Mul, FromSlice([]float64{1, 2, 3, 4}, 2, 1, 2), FromSlice([]float64{1, 10, 100}, 1, 3, 1), []int{2, 3, 2},
			[]float64{1, 2, 10, 20, 100, 200, 3, 4, 30, 40, 300, 400}},
		{"scalar with scalar", (*Tensor).Add, Scalar(1), Scalar(2), []int{}, []float64{3}},
		{"rank 10, past the stack buffers", (*Tensor).Add, FromSlice([]float64{1, 2, 3, 4, 5, 6}, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3), FromSlice([]float64{10, 20}, 2, 1), []int{1, 1, 1, 1, 1, 1, 1, 1, 2, 3},
			[]float64{11, 12, 13, 24, 25, 26}},
		{"zero-size broadcast", (*Tensor).Add, New(0, 3), FromSlice([]float64{1, 2, 3}), []int{0, 3}, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst Tensor
			tt.op(&dst, tt.a, tt.b)
			assert.Equal(t, tt.shape, dst.Shape())
			assert.InDeltaSlice(t, tt.want, dst.Data(), tol)
		})
	}
}

func TestArithmeticLeavesInputsAlone(t *testing.T) {
	a := FromSlice([]float64{1, 2, 3})
	b := FromSlice([]float64{4, 5, 6})
	var c Tensor
	c.Add(a, b)
	assert.Equal(t, []float64{1, 2, 3}, a.Data())
	assert.Equal(t, []float64{4, 5, 6}, b.Data())
}

func TestAliasing(t *testing.T) {
	t.Run("receiver is the first input", func(t *testing.T) {
		a := FromRows([][]float64{{1, 2}, {3, 4}})
		a.Add(a, FromSlice([]float64{10, 20}))
		assert.Equal(t, []float64{11, 22, 13, 24}, a.Data())
	})
	t.Run("receiver is the second input", func(t *testing.T) {
		b := FromSlice([]float64{1, 2, 4})
		b.Div(Scalar(8), b)
		assert.Equal(t, []float64{8, 4, 2}, b.Data())
	})
	t.Run("receiver is both inputs", func(t *testing.T) {
		a := FromSlice([]float64{1, 2, 3})
		a.Mul(a, a)
		assert.Equal(t, []float64{1, 4, 9}, a.Data())
	})
	t.Run("unary in place", func(t *testing.T) {
		a := FromSlice([]float64{-1, 0, 2})
		a.ReLU(a)
		a.Scale(3, a)
		a.AddScalar(1, a)
		assert.Equal(t, []float64{1, 1, 7}, a.Data())
	})
	t.Run("softmax in place", func(t *testing.T) {
		a := FromSlice([]float64{0, 0})
		a.Softmax(a)
		assert.Equal(t, []float64{0.5, 0.5}, a.Data())
	})
}

func TestScalarVariants(t *testing.T) {
	a := FromSlice([]float64{1, -2, 3})
	var s, sc, ax, ap Tensor
	s.AddScalar(0.5, a)
	sc.Scale(-2, a)
	ax.AddScaled(a, 10, FromSlice([]float64{1, 2, 3}))
	ap.Apply(func(x float64) float64 { return x * x }, a)
	assert.Equal(t, []float64{1.5, -1.5, 3.5}, s.Data())
	assert.Equal(t, []float64{-2, 4, -6}, sc.Data())
	assert.Equal(t, []float64{11, 18, 33}, ax.Data())
	assert.Equal(t, []float64{1, 4, 9}, ap.Data())
}

func TestArithmeticPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
		msg  string
	}{
		{"cannot broadcast", func() { var d Tensor; d.Add(New(2, 3), New(4)) }, "tensor: Add: shapes [2 3] and [4] cannot broadcast"},
		{"cannot broadcast inner", func() { var d Tensor; d.Mul(New(2, 3, 4), New(2, 1, 3)) }, "tensor: Mul: shapes [2 3 4] and [2 1 3] cannot broadcast"},
		{"wrong receiver", func() { New(2, 2).Sub(New(2, 3), New(3)) }, "tensor: Sub: receiver has shape [2 2], result has shape [2 3]"},
		{"receiver too small for broadcast", func() { a := New(3); a.Add(a, New(2, 3)) }, "tensor: Add: receiver has shape [3], result has shape [2 3]"},
		{"unary receiver", func() { New(2).Exp(New(3)) }, "tensor: Exp: receiver has shape [2], result has shape [3]"},
		{"AddScaled shapes", func() { var d Tensor; d.AddScaled(New(2), 1, New(3)) }, "tensor: AddScaled: shapes [2] and [3] differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

// TestBroadcastAgainstNaive checks the strided, coalesced walk against a
// direct index computation on random shapes with random size-1 dimensions.
func TestBroadcastAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		r := 1 + rng.IntN(4)
		out := make([]int, r)
		for i := range out {
			out[i] = 1 + rng.IntN(4)
		}
		shapeA, shapeB := randomBroadcastable(rng, out), randomBroadcastable(rng, out)
		a, b := RandN(rng, 1, shapeA...), RandN(rng, 1, shapeB...)
		var got Tensor
		got.Sub(a, b)
		// The result takes, right-aligned, the larger dimension at each place.
		out = make([]int, max(len(shapeA), len(shapeB)))
		for i := range out {
			out[len(out)-1-i] = max(dimOr1(shapeA, len(shapeA)-1-i), dimOr1(shapeB, len(shapeB)-1-i))
		}
		r = len(out)
		require.Equal(t, out, got.Shape(), "trial %d: %v − %v", trial, shapeA, shapeB)
		idx := make([]int, r)
		for off := range got.Size() {
			rem := off
			for p := r - 1; p >= 0; p-- {
				idx[p] = rem % out[p]
				rem /= out[p]
			}
			want := a.At(project(idx, shapeA)...) - b.At(project(idx, shapeB)...)
			require.Equal(t, want, got.Data()[off], "trial %d: %v − %v at %v", trial, shapeA, shapeB, idx)
		}
	}
}

// randomBroadcastable returns a suffix of out with some dimensions set to 1.
func randomBroadcastable(rng *rand.Rand, out []int) []int {
	s := append([]int(nil), out[rng.IntN(len(out)+1):]...)
	for i := range s {
		if rng.IntN(3) == 0 {
			s[i] = 1
		}
	}
	return s
}

func dimOr1(shape []int, i int) int {
	if i < 0 {
		return 1
	}
	return shape[i]
}

// project maps an index of the broadcast result to an index of shape.
func project(idx, shape []int) []int {
	p := make([]int, len(shape))
	for i := range shape {
		j := idx[len(idx)-len(shape)+i]
		if shape[i] == 1 {
			j = 0
		}
		p[i] = j
	}
	return p
}

func TestPropertyAddThenSub(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		a := RandN(rng, 10, 1+rng.IntN(6), 1+rng.IntN(6))
		b := RandN(rng, 10, a.Shape()[1])
		var c Tensor
		c.Add(a, b)
		c.Sub(&c, b)
		assert.True(t, AllClose(&c, a, 1e-12, 1e-12), "(a+b)−b ≈ a")
	}
}
