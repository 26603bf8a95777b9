package tensor

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tol = 1e-12

func TestConstructors(t *testing.T) {
	tests := []struct {
		name  string
		got   *Tensor
		shape []int
		data  []float64
	}{
		{"New is zero-filled", New(2, 3), []int{2, 3}, []float64{0, 0, 0, 0, 0, 0}},
		{"New() is a scalar", New(), []int{}, []float64{0}},
		{"New with a zero dimension", New(0, 3), []int{0, 3}, []float64{}},
		{"FromSlice with shape", FromSlice([]float64{1, 2, 3, 4}, 2, 2), []int{2, 2}, []float64{1, 2, 3, 4}},
		{"FromSlice without shape is 1-D", FromSlice([]float64{1, 2, 3}), []int{3}, []float64{1, 2, 3}},
		{"Scalar", Scalar(2.5), []int{}, []float64{2.5}},
		{"FromRows", FromRows([][]float64{{1, 2, 3}, {4, 5, 6}}), []int{2, 3}, []float64{1, 2, 3, 4, 5, 6}},
		{"Full", Full(7, 3), []int{3}, []float64{7, 7, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.shape, tt.got.Shape())
			assert.Equal(t, tt.data, tt.got.Data())
			assert.Equal(t, len(tt.data), tt.got.Size())
			assert.Equal(t, len(tt.shape), tt.got.Dims())
			assert.False(t, tt.got.IsEmpty())
		})
	}
}

func TestFromSliceSharesData(t *testing.T) {
	data := []float64{1, 2, 3, 4}
	x := FromSlice(data, 2, 2)
	data[3] = 40
	assert.Equal(t, 40.0, x.At(1, 1))
	x.Set(-1, 0, 0)
	assert.Equal(t, -1.0, data[0])
}

func TestFromRowsCopies(t *testing.T) {
	rows := [][]float64{{1, 2}, {3, 4}}
	x := FromRows(rows)
	rows[0][0] = 100
	assert.Equal(t, 1.0, x.At(0, 0))
}

func TestRandN(t *testing.T) {
	a := RandN(rand.New(rand.NewPCG(1, 2)), 0.01, 100, 50)
	b := RandN(rand.New(rand.NewPCG(1, 2)), 0.01, 100, 50)
	require.Equal(t, []int{100, 50}, a.Shape())
	assert.Equal(t, a.Data(), b.Data(), "same seed, same tensor")
	// 5000 samples of N(0, 0.01²): the sample mean is within 4 standard
	// errors (4·0.01/√5000 ≈ 5.7e-4) and the std within 5 %.
	mean := a.Mean()
	var ss float64
	for _, v := range a.Data() {
		ss += (v - mean) * (v - mean)
	}
	assert.InDelta(t, 0, mean, 5.7e-4)
	assert.InDelta(t, 0.01, sqrt(ss/5000), 0.0005)
}

func TestAtSetRowMajor(t *testing.T) {
	x := New(2, 3, 4)
	x.Set(5, 1, 2, 3)
	// Row-major offset of (1, 2, 3) in (2, 3, 4) is 1·12 + 2·4 + 3 = 23.
	assert.Equal(t, 5.0, x.Data()[23])
	assert.Equal(t, 5.0, x.At(1, 2, 3))
}

func TestReshape(t *testing.T) {
	x := FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	tests := []struct {
		name  string
		shape []int
		want  []int
	}{
		{"explicit", []int{3, 2}, []int{3, 2}},
		{"infer first", []int{-1, 2}, []int{3, 2}},
		{"infer last", []int{1, -1}, []int{1, 6}},
		{"flatten", []int{-1}, []int{6}},
		{"4-D", []int{1, 1, 2, 3}, []int{1, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := x.Reshape(tt.shape...)
			assert.Equal(t, tt.want, v.Shape())
			v.Data()[0] = 100 // a view: shares data
			assert.Equal(t, 100.0, x.At(0, 0))
			x.Data()[0] = 1
		})
	}
}

func TestViews(t *testing.T) {
	x := FromSlice([]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 4, 3)
	r := x.Row(2)
	assert.Equal(t, []int{3}, r.Shape())
	assert.Equal(t, []float64{6, 7, 8}, r.Data())
	s := x.Slice(1, 3)
	assert.Equal(t, []int{2, 3}, s.Shape())
	assert.Equal(t, []float64{3, 4, 5, 6, 7, 8}, s.Data())
	s.Set(-4, 0, 1)
	assert.Equal(t, -4.0, x.At(1, 1), "Slice shares data")
	assert.Equal(t, []int{0, 3}, x.Slice(2, 2).Shape())

	// A view cannot grow into its parent's later rows through append.
	grown := append(r.Data(), 99)
	assert.Equal(t, 9.0, x.At(3, 0))
	assert.Len(t, grown, 4)
}

func TestCloneCopyFromTranspose(t *testing.T) {
	x := FromRows([][]float64{{1, 2, 3}, {4, 5, 6}})
	c := x.Clone()
	c.Set(0, 0, 0)
	assert.Equal(t, 1.0, x.At(0, 0), "Clone is deep")

	var dst Tensor
	dst.CopyFrom(x)
	assert.Equal(t, x.Shape(), dst.Shape())
	assert.Equal(t, x.Data(), dst.Data())

	tr := x.Transpose()
	assert.Equal(t, []int{3, 2}, tr.Shape())
	assert.Equal(t, []float64{1, 4, 2, 5, 3, 6}, tr.Data())

	var empty Tensor
	assert.True(t, empty.Clone().IsEmpty())
}

func TestFillZeroReset(t *testing.T) {
	x := New(2, 2)
	x.Fill(3)
	assert.Equal(t, []float64{3, 3, 3, 3}, x.Data())
	x.Zero()
	assert.Equal(t, []float64{0, 0, 0, 0}, x.Data())
	x.Reset()
	assert.True(t, x.IsEmpty())
	x.Add(Scalar(1), New(3))
	assert.Equal(t, []int{3}, x.Shape(), "a reset tensor is sized afresh")
}

func TestShapePanics(t *testing.T) {
	x := New(2, 3)
	tests := []struct {
		name string
		fn   func()
		msg  string
	}{
		{"New negative", func() { New(2, -1) }, "tensor: New: negative dimension in shape [2 -1]"},
		{"FromSlice size", func() { FromSlice([]float64{1, 2, 3}, 2, 2) }, "tensor: FromSlice: shape [2 2] needs 4 values, have 3"},
		{"FromRows ragged", func() { FromRows([][]float64{{1, 2}, {3}}) }, "tensor: FromRows: row 1 has 1 values, row 0 has 2"},
		{"At index count", func() { x.At(1) }, "tensor: At: 1 indices for shape [2 3]"},
		{"At out of range", func() { x.At(2, 0) }, "tensor: At: index [2 0] out of range for shape [2 3]"},
		{"Set negative index", func() { x.Set(1, 0, -1) }, "tensor: Set: index [0 -1] out of range for shape [2 3]"},
		{"Reshape size", func() { x.Reshape(4, 2) }, "tensor: Reshape: cannot reshape [2 3] into [4 2]"},
		{"Reshape two -1", func() { x.Reshape(-1, -1) }, "tensor: Reshape: bad shape [-1 -1] for shape [2 3]"},
		{"Reshape -1 indivisible", func() { x.Reshape(-1, 4) }, "tensor: Reshape: cannot reshape [2 3] into [-1 4]"},
		{"Row out of range", func() { x.Row(2) }, "tensor: Row: index 2 out of range for shape [2 3]"},
		{"Slice out of range", func() { x.Slice(1, 3) }, "tensor: Slice: range [1:3] out of range for shape [2 3]"},
		{"Transpose 1-D", func() { New(3).Transpose() }, "tensor: Transpose: shape [3] is not 2-D"},
		{"CopyFrom shape", func() { x.CopyFrom(New(3, 2)) }, "tensor: CopyFrom: receiver has shape [2 3], result has shape [3 2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

func TestTakeRows(t *testing.T) {
	x := FromSlice([]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 2, 2)
	var got Tensor
	got.TakeRows(x, []int{2, 0, 2})
	assert.Equal(t, []int{3, 2, 2}, got.Shape())
	assert.Equal(t, []float64{8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, got.Data())

	v := FromSlice([]float64{10, 20, 30})
	var picked Tensor
	picked.TakeRows(v, []int{1, 1})
	assert.Equal(t, []float64{20, 20}, picked.Data(), "a vector's rows are its elements")

	none := New(0, 2, 2)
	none.TakeRows(x, nil)
	assert.Equal(t, []int{0, 2, 2}, none.Shape())

	dst := New(2, 2, 2)
	idx := []int{1, 0}
	assert.Equal(t, 0.0, testing.AllocsPerRun(10, func() { dst.TakeRows(x, idx) }))
	assert.Equal(t, []float64{4, 5, 6, 7, 0, 1, 2, 3}, dst.Data())

	assert.PanicsWithValue(t, "tensor: TakeRows: row 3 out of range for shape [3 2 2]", func() { dst.TakeRows(x, []int{0, 3}) })
	assert.PanicsWithValue(t, "tensor: TakeRows: row -1 out of range for shape [3 2 2]", func() { dst.TakeRows(x, []int{-1, 0}) })
	assert.PanicsWithValue(t, "tensor: TakeRows: receiver has shape [2 2 2], result has shape [3 2 2]", func() { dst.TakeRows(x, []int{0, 1, 2}) })
	assert.PanicsWithValue(t, "tensor: TakeRows: shape [] has no rows", func() { dst.TakeRows(Scalar(1), []int{0}) })
}
