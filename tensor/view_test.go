package tensor

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWrap(t *testing.T) {
	a := FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	tests := []struct {
		name  string
		shape []int
		want  []int
	}{
		{"flat", []int{6}, []int{6}},
		{"one row", []int{1, 6}, []int{1, 6}},
		{"inferred", []int{3, -1}, []int{3, 2}},
		{"3-D", []int{1, 2, 3}, []int{1, 2, 3}},
	}
	var v Tensor
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v.Wrap(a.Data(), tt.shape...)
			assert.Equal(t, tt.want, v.Shape())
			assert.Same(t, &a.Data()[0], &v.Data()[0], "shares the data")
		})
	}
	v.Set(10, 0, 0, 1)
	assert.Equal(t, 10.0, a.At(0, 1), "writes go to the data")
	assert.Equal(t, []int{2, 3}, a.Shape(), "a keeps its shape")

	assert.Equal(t, 0.0, testing.AllocsPerRun(10, func() { v.Wrap(a.Data()[:4], 2, 2) }), "reuses its shape storage")
	assert.PanicsWithValue(t, "tensor: Wrap: 6 elements do not fit shape [4 2]", func() { v.Wrap(a.Data(), 4, 2) })
	assert.PanicsWithValue(t, "tensor: Wrap: 6 elements do not fit shape [4 -1]", func() { v.Wrap(a.Data(), 4, -1) })
	assert.PanicsWithValue(t, "tensor: Wrap: bad shape [-2 -3]", func() { v.Wrap(a.Data(), -2, -3) })
}
