package grad_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
)

func TestCheck(t *testing.T) {
	const tol = 1e-15
	got := []*tensor.Tensor{
		tensor.FromSlice([]float64{1, 2, 0, -4}),
		tensor.FromRows([][]float64{{0, 0}, {1e-9, 3}}),
		tensor.New(0),
	}
	want := []*tensor.Tensor{
		tensor.FromSlice([]float64{1, 2.5, 0, -4.1}),
		tensor.FromRows([][]float64{{0, 0}, {0, 3}}),
		tensor.New(0),
	}
	ds := grad.Check(got, want)
	require.Len(t, ds, 3)

	// |Δ| = (0, 0.5, 0, 0.1): max 0.5, mean 0.6/4 = 0.15;
	// relative 0.5/2.5 = 0.2 and 0.1/4.1 ≈ 0.0244, max 0.2.
	assert.InDelta(t, 0.5, ds[0].MaxAbs, tol)
	assert.InDelta(t, 0.15, ds[0].MeanAbs, tol)
	assert.InDelta(t, 0.2, ds[0].MaxRel, tol)

	// 0 against 0 is no error; 1e-9 against 0 is a relative error of 1.
	assert.InDelta(t, 1e-9, ds[1].MaxAbs, tol)
	assert.InDelta(t, 0.25e-9, ds[1].MeanAbs, tol)
	assert.InDelta(t, 1, ds[1].MaxRel, tol)

	assert.Equal(t, grad.Difference{}, ds[2], "empty tensors do not differ")

	w := grad.Worst(ds)
	assert.InDelta(t, 0.5, w.MaxAbs, tol)
	assert.InDelta(t, 0.15, w.MeanAbs, tol)
	assert.InDelta(t, 1, w.MaxRel, tol, "from another tensor than MaxAbs")
	assert.Equal(t, grad.Difference{}, grad.Worst(nil))
}

func TestCheckNaN(t *testing.T) {
	ds := grad.Check(
		[]*tensor.Tensor{tensor.FromSlice([]float64{1, math.NaN(), 2})},
		[]*tensor.Tensor{tensor.FromSlice([]float64{1, 1, 2})})
	assert.True(t, math.IsNaN(ds[0].MaxAbs), "MaxAbs")
	assert.True(t, math.IsNaN(ds[0].MeanAbs), "MeanAbs")
	assert.True(t, math.IsNaN(ds[0].MaxRel), "MaxRel")
	assert.True(t, math.IsNaN(grad.Worst([]grad.Difference{{}, ds[0], {}}).MaxAbs), "Worst")
}

// Check is the tool that proves a backprop gradient: here the exact
// gradient 2x of Σx² against Numerical agrees to rounding.
func TestCheckAgainstNumerical(t *testing.T) {
	x := tensor.FromRows([][]float64{{0.3, -1.2, 2}, {5, 0, -0.01}})
	var exact tensor.Tensor
	exact.Scale(2, x)
	d := grad.Worst(grad.Check([]*tensor.Tensor{&exact}, []*tensor.Tensor{grad.Numerical(sumSquares, x)}))
	assert.Less(t, d.MaxAbs, 1e-9)
	assert.Less(t, d.MaxRel, 1e-9)
}

func TestDifferenceString(t *testing.T) {
	d := grad.Difference{MaxAbs: 1.234e-10, MeanAbs: 3.4e-11, MaxRel: 0.5}
	assert.Equal(t, "max abs 1.2e-10, mean abs 3.4e-11, max rel 0.5", d.String())
}

func TestCheckPanics(t *testing.T) {
	tests := []struct {
		name      string
		got, want []*tensor.Tensor
		msg       string
	}{
		{"lengths", []*tensor.Tensor{tensor.New(2)}, nil, "grad: Check: 1 tensors against 0"},
		{"shapes", []*tensor.Tensor{tensor.New(2), tensor.New(2, 3)}, []*tensor.Tensor{tensor.New(2), tensor.New(3, 2)},
			"grad: Check: tensor 1 has shape [2 3] against [3 2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.PanicsWithValue(t, tt.msg, func() { grad.Check(tt.got, tt.want) })
		})
	}
}
