package tensor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/mat"
)

func TestDenseSharesData(t *testing.T) {
	x := FromRows([][]float64{{4, 7}, {2, 6}})
	d := x.Dense()
	d.Set(0, 0, 5)
	assert.Equal(t, 5.0, x.At(0, 0), "writes through the Dense reach the tensor")
	x.Set(3, 1, 1)
	assert.Equal(t, 3.0, d.At(1, 1), "and back")
	// det([[5 7] [2 3]]) = 15 − 14 = 1.
	assert.InDelta(t, 1, mat.Det(d), tol)
}

func TestFromDense(t *testing.T) {
	m := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	x := FromDense(m)
	assert.Equal(t, []int{2, 3}, x.Shape())
	m.Set(0, 0, 10)
	assert.Equal(t, 10.0, x.At(0, 0), "a contiguous Dense is shared")

	sub := m.Slice(0, 2, 1, 3).(*mat.Dense) // strided view [[2 3] [5 6]]
	y := FromDense(sub)
	assert.Equal(t, []float64{2, 3, 5, 6}, y.Data(), "a strided view is copied")

	var z mat.Dense
	assert.Equal(t, []int{0, 0}, FromDense(&z).Shape())
}

func TestDensePanics(t *testing.T) {
	assert.PanicsWithValue(t, "tensor: Dense: shape [3] is not a non-empty 2-D shape", func() { New(3).Dense() })
	assert.PanicsWithValue(t, "tensor: Dense: shape [0 3] is not a non-empty 2-D shape", func() { New(0, 3).Dense() })
}
