package grad_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
)

// sumSquares is the book's function_2, f(x) = Σ xᵢ², whose gradient is 2x.
func sumSquares(x *tensor.Tensor) float64 {
	var s float64
	for _, v := range x.Data() {
		s += v * v
	}
	return s
}

// sumCubes is f(x) = Σ xᵢ³. Its central difference is exactly
// ((x+h)³ − (x−h)³)/2h = 3x² + h², so it reveals the step h = 1e-4.
func sumCubes(x *tensor.Tensor) float64 {
	var s float64
	for _, v := range x.Data() {
		s += v * v * v
	}
	return s
}

func TestDiff(t *testing.T) {
	const tol = 1e-9
	tests := []struct {
		name string
		f    func(float64) float64
		x    float64
		want float64
	}{
		// The book's function_1, 0.01x² + 0.1x, has derivative 0.02x + 0.1;
		// a central difference is exact for a quadratic up to rounding.
		{"book function_1 at 5", func(x float64) float64 { return 0.01*x*x + 0.1*x }, 5, 0.2},
		{"book function_1 at 10", func(x float64) float64 { return 0.01*x*x + 0.1*x }, 10, 0.3},
		// d/dx x³ at 2 is 12; the central difference adds h² = 1e-8.
		{"cube shows h", func(x float64) float64 { return x * x * x }, 2, 12 + 1e-8},
		// sin′(0) = 1; the central difference is sin(h)/h = 1 − h²/6 + …
		{"sin at 0", math.Sin, 0, 1 - 1e-8/6},
		{"constant", func(float64) float64 { return 7 }, 3, 0},
		// |x| at 0: the central difference is symmetric and gives 0.
		{"abs at kink", math.Abs, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, grad.Diff(tt.f, tt.x), tol)
		})
	}
	t.Run("evaluates at x±1e-4", func(t *testing.T) {
		var at []float64
		grad.Diff(func(x float64) float64 { at = append(at, x); return 0 }, 1)
		assert.ElementsMatch(t, []float64{1 - 1e-4, 1 + 1e-4}, at)
	})
}

func TestNumerical(t *testing.T) {
	const tol = 1e-9
	tests := []struct {
		name string
		f    func(*tensor.Tensor) float64
		x    *tensor.Tensor
		want *tensor.Tensor
	}{
		// The book's numerical_gradient(function_2, …) examples: ∇ = 2x.
		{"book (3, 4)", sumSquares, tensor.FromSlice([]float64{3, 4}), tensor.FromSlice([]float64{6, 8})},
		{"book (0, 2)", sumSquares, tensor.FromSlice([]float64{0, 2}), tensor.FromSlice([]float64{0, 4})},
		{"book (3, 0)", sumSquares, tensor.FromSlice([]float64{3, 0}), tensor.FromSlice([]float64{6, 0})},
		{"matrix", sumSquares,
			tensor.FromRows([][]float64{{1, -2, 0.5}, {0, 3, -1}}),
			tensor.FromRows([][]float64{{2, -4, 1}, {0, 6, -2}})},
		{"3-D cubes", sumCubes,
			tensor.FromSlice([]float64{1, -1, 2, 0, 0.5, 3, -2, 1}, 2, 2, 2),
			// 3x² + h² element by element
			tensor.FromSlice([]float64{3 + 1e-8, 3 + 1e-8, 12 + 1e-8, 1e-8, 0.75 + 1e-8, 27 + 1e-8, 12 + 1e-8, 3 + 1e-8}, 2, 2, 2)},
		{"scalar", sumSquares, tensor.Scalar(-1.5), tensor.Scalar(-3)},
		// f(x) = 3·x₀·x₁ − x₁: ∇ = (3x₁, 3x₀ − 1)
		{"product", func(x *tensor.Tensor) float64 {
			d := x.Data()
			return 3*d[0]*d[1] - d[1]
		}, tensor.FromSlice([]float64{2, -5}), tensor.FromSlice([]float64{-15, 5})},
		{"no elements", sumSquares, tensor.New(0, 4), tensor.New(0, 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.x.Clone()
			got := grad.Numerical(tt.f, tt.x)
			require.Equal(t, tt.want.Shape(), got.Shape())
			assert.InDeltaSlice(t, tt.want.Data(), got.Data(), tol)
			assert.Equal(t, bits(before), bits(tt.x), "x restored bit for bit")
		})
	}
}

// The book's numerical_gradient perturbs W in place because its f ignores
// the argument and reads the network's weights: the closure form must work.
func TestNumericalClosure(t *testing.T) {
	const tol = 1e-9
	w := tensor.FromRows([][]float64{{0.5, -1}, {2, 0.25}})
	x := tensor.FromSlice([]float64{1, 3})
	// f(W) = Σⱼ (x·W)ⱼ² with x·W = (0.5+6, −1+0.75) = (6.5, −0.25);
	// ∂f/∂Wᵢⱼ = 2·xᵢ·(x·W)ⱼ = [[13, −0.5], [39, −1.5]]
	f := func(*tensor.Tensor) float64 {
		var y tensor.Tensor
		y.MatMul(x.Reshape(1, 2), w)
		return sumSquares(&y)
	}
	got := grad.Numerical(f, w)
	assert.InDeltaSlice(t, []float64{13, -0.5, 39, -1.5}, got.Data(), tol)
}

func TestNumericalRestoresOnPanic(t *testing.T) {
	// Values whose bits a sloppy x+h−h would change: 0.1 + 1e-4 − 1e-4 is
	// not 0.1 in float64, and −0 must stay −0.
	x := tensor.FromSlice([]float64{0.1, 1.0 / 3, math.Copysign(0, -1), 1e300, -2.5e-300})
	before := bits(x)
	calls := 0
	f := func(x *tensor.Tensor) float64 {
		calls++
		if calls == 6 { // the first evaluation for element 2, while it is perturbed
			panic("boom")
		}
		return sumSquares(x)
	}
	require.PanicsWithValue(t, "boom", func() { grad.Numerical(f, x) })
	assert.Equal(t, before, bits(x))
}

func TestNumericalTo(t *testing.T) {
	const tol = 1e-9
	x := tensor.FromSlice([]float64{3, 4})
	want := []float64{6, 8}

	t.Run("empty dst is sized", func(t *testing.T) {
		var g tensor.Tensor
		grad.NumericalTo(&g, sumSquares, x)
		require.Equal(t, []int{2}, g.Shape())
		assert.InDeltaSlice(t, want, g.Data(), tol)
	})
	t.Run("dst is reused", func(t *testing.T) {
		g := tensor.Full(99, 2)
		data := g.Data()
		grad.NumericalTo(g, sumSquares, x)
		assert.InDeltaSlice(t, want, data, tol)
	})
	t.Run("wrong shape panics", func(t *testing.T) {
		require.PanicsWithValue(t, "grad: NumericalTo: dst has shape [1 2], x has shape [2]", func() {
			grad.NumericalTo(tensor.New(1, 2), sumSquares, x)
		})
	})
	t.Run("dst aliasing x panics", func(t *testing.T) {
		require.PanicsWithValue(t, "grad: NumericalTo: dst shares its data with x", func() {
			grad.NumericalTo(x.Reshape(2), sumSquares, x)
		})
	})
}

func TestDescent(t *testing.T) {
	const tol = 1e-9
	// On f = x₀² + x₁² the step is x ← x − lr·2x = (1 − 2lr)·x, so
	// x_k = (1 − 2lr)^k · x0: with lr = 0.1, x_k = 0.8^k · (−3, 4).
	tests := []struct {
		name  string
		lr    float64
		steps int
		path  [][]float64
		want  []float64
	}{
		{"three steps", 0.1, 3,
			[][]float64{{-3, 4}, {-2.4, 3.2}, {-1.92, 2.56}}, // ×0.8 each
			[]float64{-1.536, 2.048}},                        // 0.512·(−3, 4)
		{"one step", 0.1, 1, [][]float64{{-3, 4}}, []float64{-2.4, 3.2}},
		{"no steps", 0.1, 0, [][]float64{}, []float64{-3, 4}},
		// lr = 1.1 overshoots: factor 1 − 2.2 = −1.2, so after 5 steps
		// x = (−1.2)⁵·(−3, 4) = −2.48832·(−3, 4).
		{"diverges with odd sign", 1.1, 5,
			[][]float64{{-3, 4}, {3.6, -4.8}, {-4.32, 5.76}, {5.184, -6.912}, {-6.2208, 8.2944}},
			[]float64{7.46496, -9.95328}},
		// lr = 0.5 lands on the minimum in one step and stays.
		{"exact in one step", 0.5, 3, [][]float64{{-3, 4}, {0, 0}, {0, 0}}, []float64{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x0 := tensor.FromSlice([]float64{-3, 4})
			x, path := grad.Descent(sumSquares, x0, tt.lr, tt.steps)
			assert.Equal(t, []float64{-3, 4}, x0.Data(), "x0 untouched")
			assert.InDeltaSlice(t, tt.want, x.Data(), tol)
			require.Len(t, path, tt.steps)
			for i, p := range path {
				assert.InDeltaSlice(t, tt.path[i], p.Data(), tol, "path[%d]", i)
			}
		})
	}
	t.Run("book 100 steps", func(t *testing.T) {
		// The book prints [-6.11110793e-10  8.14814391e-10] = 0.8¹⁰⁰·(−3, 4);
		// the values are tiny, so compare relatively.
		const rel = 1e-8
		x, path := grad.Descent(sumSquares, tensor.FromSlice([]float64{-3, 4}), 0.1, 100)
		k := math.Pow(0.8, 100)
		assert.InEpsilonSlice(t, []float64{-3 * k, 4 * k}, x.Data(), rel)
		assert.InEpsilonSlice(t, []float64{-6.11110793e-10, 8.14814391e-10}, x.Data(), rel)
		assert.Len(t, path, 100)
	})
	t.Run("path entries are copies", func(t *testing.T) {
		x, path := grad.Descent(sumSquares, tensor.FromSlice([]float64{-3, 4}), 0.1, 2)
		x.Fill(0)
		path[1].Fill(0)
		assert.Equal(t, []float64{-3, 4}, path[0].Data())
	})
	t.Run("negative steps panic", func(t *testing.T) {
		require.PanicsWithValue(t, "grad: Descent: negative steps -1", func() {
			grad.Descent(sumSquares, tensor.FromSlice([]float64{1}), 0.1, -1)
		})
	})
}

func bits(x *tensor.Tensor) []uint64 {
	b := make([]uint64, x.Size())
	for i, v := range x.Data() {
		b[i] = math.Float64bits(v)
	}
	return b
}

func BenchmarkNumerical(b *testing.B) {
	for _, n := range []int{10, 1000} {
		x := tensor.Full(0.5, n)
		var g tensor.Tensor
		b.Run("size="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				grad.NumericalTo(&g, sumSquares, x)
			}
		})
	}
}
