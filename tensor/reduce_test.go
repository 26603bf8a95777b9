package tensor

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReductions(t *testing.T) {
	x := FromRows([][]float64{{1, 5, 3}, {-4, 2, 8}})
	assert.Equal(t, 15.0, x.Sum())
	assert.Equal(t, 2.5, x.Mean())
	assert.Equal(t, 8.0, x.Max())
	assert.Equal(t, []int{1, 2}, x.ArgMax())
	assert.Equal(t, []int{0}, FromSlice([]float64{3, 3, 1}).ArgMax(), "first of ties")
	assert.Equal(t, []int{2}, FromSlice([]float64{0.1, 0.05, 0.6, 0, 0.05, 0.1, 0, 0.1, 0, 0}).ArgMax(), "the book's y of §4.2.4")
	assert.Equal(t, 0.0, New(0).Sum())
	assert.True(t, math.IsNaN(New(0).Mean()))
}

func TestAppendArgMaxDoesNotAllocate(t *testing.T) {
	x := FromRows([][]float64{{1, 5, 3}, {-4, 2, 8}})
	buf := make([]int, 0, 2)
	allocs := testing.AllocsPerRun(100, func() { buf = x.AppendArgMax(buf[:0]) })
	assert.Equal(t, 0.0, allocs)
	assert.Equal(t, []int{1, 2}, buf)
}

func TestSumMeanAxis(t *testing.T) {
	// x[i][j][k] = 100i + 10j + k for shape (2, 3, 2).
	x := New(2, 3, 2)
	for i := range 2 {
		for j := range 3 {
			for k := range 2 {
				x.Set(float64(100*i+10*j+k), i, j, k)
			}
		}
	}
	tests := []struct {
		name  string
		axis  int
		mean  bool
		shape []int
		want  []float64
	}{
		// Σ_i (100i + 10j + k) = 100 + 20j + 2k.
		{"sum axis 0", 0, false, []int{3, 2}, []float64{100, 102, 120, 122, 140, 142}},
		// Σ_j = 300i + 30 + 3k.
		{"sum axis 1", 1, false, []int{2, 2}, []float64{30, 33, 330, 333}},
		// Σ_k = 200i + 20j + 1.
		{"sum axis 2", 2, false, []int{2, 3}, []float64{1, 21, 41, 201, 221, 241}},
		{"sum axis -1", -1, false, []int{2, 3}, []float64{1, 21, 41, 201, 221, 241}},
		{"mean axis 1", 1, true, []int{2, 2}, []float64{10, 11, 110, 111}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Tensor
			if tt.mean {
				d.MeanAxis(x, tt.axis)
			} else {
				d.SumAxis(x, tt.axis)
			}
			assert.Equal(t, tt.shape, d.Shape())
			assert.InDeltaSlice(t, tt.want, d.Data(), tol)
		})
	}
	t.Run("bias gradient of a matrix", func(t *testing.T) {
		var db Tensor
		db.SumAxis(FromRows([][]float64{{1, 2}, {3, 4}, {5, 6}}), 0)
		assert.Equal(t, []float64{9, 12}, db.Data())
	})
	t.Run("a column sums to one value", func(t *testing.T) {
		d := Full(99, 1)
		d.SumAxis(FromSlice([]float64{1, 2, 3.5}, 3, 1), 0) // 1 + 2 + 3.5
		assert.Equal(t, []float64{6.5}, d.Data())
		var m Tensor
		m.MeanAxis(FromSlice([]float64{1, 2, 3.5}, 3, 1), 0)
		assert.InDeltaSlice(t, []float64{6.5 / 3}, m.Data(), tol)
	})
	t.Run("reused receiver is overwritten, not accumulated", func(t *testing.T) {
		d := Full(99, 2)
		d.SumAxis(FromRows([][]float64{{1, 2}}), 0)
		assert.Equal(t, []float64{1, 2}, d.Data())
	})
}

func TestReductionPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
		msg  string
	}{
		{"Max of nothing", func() { New(0).Max() }, "tensor: Max: no elements in shape [0]"},
		{"ArgMax of empty rows", func() { New(2, 0).ArgMax() }, "tensor: ArgMax: last axis of shape [2 0] is empty"},
		{"axis out of range", func() { var d Tensor; d.SumAxis(New(2, 3), 2) }, "tensor: SumAxis: axis 2 out of range for shape [2 3]"},
		{"negative axis out of range", func() { var d Tensor; d.MeanAxis(New(2, 3), -3) }, "tensor: MeanAxis: axis -3 out of range for shape [2 3]"},
		{"wrong receiver", func() { New(2).SumAxis(New(2, 3), 0) }, "tensor: SumAxis: receiver has shape [2], result has shape [3]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}
