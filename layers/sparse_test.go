package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sparseBatch returns an (n, in) batch like MNIST's: values in (0, 1],
// each nonzero with probability density.
func sparseBatch(rng *rand.Rand, density float64, n, in int) *tensor.Tensor {
	x := tensor.New(n, in)
	for i := range x.Data() {
		if rng.Float64() < density {
			x.Data()[i] = 1 - rng.Float64()
		}
	}
	return x
}

// TestAffineSparseMatchesDense checks the sparse path against the dense
// formulas y = x·W + b and ∂L/∂W = xᵀ·dout, computed with tensor's
// products, for densities on both sides of maxSparseDensity.
func TestAffineSparseMatchesDense(t *testing.T) {
	rng := newRand()
	for _, tc := range []struct {
		n, in, out int
		density    float64
	}{
		{100, 784, 50, 0.19},
		{7, 784, 50, 0.05},
		{1, 13, 3, 0.2},
		{33, 17, 65, 0.3},
		{10, 50, 10, 0.5}, // dense path
		{5, 20, 9, 0},
	} {
		t.Run(fmt.Sprintf("shape=%dx%dx%d/density=%g", tc.n, tc.in, tc.out, tc.density), func(t *testing.T) {
			x := sparseBatch(rng, tc.density, tc.n, tc.in)
			a := NewAffine(tensor.RandN(rng, 1, tc.in, tc.out), tensor.RandN(rng, 1, tc.out))
			a.skipInputGrad(true)
			dout := tensor.RandN(rng, 1, tc.n, tc.out)
			y := a.Forward(x)
			a.Backward(dout)
			nnz := 0
			for _, v := range x.Data() {
				if v != 0 {
					nnz++
				}
			}
			assert.Equal(t, float64(nnz) <= maxSparseDensity*float64(x.Size()), a.sparse, "path taken")

			var wantY, wantDW tensor.Tensor
			wantY.MatMul(x, a.W)
			wantY.Add(&wantY, a.B)
			wantDW.MatMulTransA(x, dout)
			// Sums of in (or n) products of values of order 1: the two
			// summation orders differ by a few ulps of the terms' total.
			const tol = 1e-12
			assert.InDeltaSlice(t, wantY.Data(), y.Data(), tol*float64(tc.in))
			assert.InDeltaSlice(t, wantDW.Data(), a.DW.Data(), tol*float64(tc.n))
		})
	}
}

// TestAffineSparseNonFinite checks that NaN and Inf come out where the
// dense product puts them, from the input, the weights or dout.
func TestAffineSparseNonFinite(t *testing.T) {
	rng := newRand()
	const n, in, out = 20, 30, 8
	for _, tc := range []struct {
		name  string
		spoil func(x, w, dout *tensor.Tensor)
	}{
		{"NaN in x", func(x, _, _ *tensor.Tensor) { x.Set(math.NaN(), 3, 4) }},
		{"Inf in x", func(x, _, _ *tensor.Tensor) { x.Set(math.Inf(1), 5, 6) }},
		// Row 7 of W meets zeros of x, where a dense product forms 0·Inf.
		{"Inf in W", func(_, w, _ *tensor.Tensor) { w.Set(math.Inf(-1), 7, 2) }},
		{"NaN in W", func(_, w, _ *tensor.Tensor) { w.Set(math.NaN(), 7, 2) }},
		{"NaN in dout", func(_, _, d *tensor.Tensor) { d.Set(math.NaN(), 1, 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := sparseBatch(rng, 0.1, n, in)
			x.Set(0, 0, 7)   // row 0 meets W's row 7 with a zero …
			x.Set(0.5, 2, 7) // … and row 2 with a nonzero
			x.Set(0.5, 1, 0) // dout's row 1 meets a nonzero
			w, dout := tensor.RandN(rng, 1, in, out), tensor.RandN(rng, 1, n, out)
			tc.spoil(x, w, dout)
			a := NewAffine(w, tensor.New(out))
			a.skipInputGrad(true)
			y := a.Forward(x)
			a.Backward(dout)
			var wantY, wantDW tensor.Tensor
			wantY.MatMul(x, w)
			wantDW.MatMulTransA(x, dout)
			for _, pair := range [][2][]float64{{wantY.Data(), y.Data()}, {wantDW.Data(), a.DW.Data()}} {
				for i, want := range pair[0] {
					got := pair[1][i]
					switch {
					case math.IsNaN(want):
						require.Truef(t, math.IsNaN(got), "element %d: got %v, want NaN", i, got)
					case math.IsInf(want, 0):
						require.Equalf(t, want, got, "element %d", i)
					default:
						const tol = 1e-12
						require.InDeltaf(t, want, got, tol, "element %d", i)
					}
				}
			}
			require.NotZero(t, countNonFinite(y.Data())+countNonFinite(a.DW.Data()), "the spoilt value reaches the result")
		})
	}
}

func countNonFinite(x []float64) int {
	n := 0
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			n++
		}
	}
	return n
}

func TestAffineSparseBuffersAreReused(t *testing.T) {
	rng := newRand()
	a := NewAffine(tensor.RandN(rng, 1, 784, 50), tensor.New(50))
	a.skipInputGrad(true)
	var r ReLU
	x := sparseBatch(rng, 0.19, 100, 784)
	big := sparseBatch(rng, 0.19, 10000, 784)
	dout := tensor.RandN(rng, 1, 100, 50)
	step := func() { r.Forward(a.Forward(x)); a.Backward(r.Backward(dout)) }
	step()
	require.True(t, a.sparse)
	assert.Equal(t, 0.0, testing.AllocsPerRun(20, step))
	// An evaluation chunk in between keeps the larger storage, and the
	// changes of shape reuse the buffers' headers: nothing is allocated.
	a.Forward(big)
	step()
	assert.Equal(t, 0.0, testing.AllocsPerRun(5, func() { a.Forward(big); step() }))
}
