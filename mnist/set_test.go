package mnist_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

// tinySet returns n images whose pixels are all (i+1)/100 for image i, and
// label i%10, with the matching raw Pixels left out.
func tinySet(n int) *mnist.Set {
	x := tensor.New(n, 784)
	labels := make([]int, n)
	for i := range n {
		x.Row(i).Fill(float64(i+1) / 100)
		labels[i] = i % 10
	}
	return &mnist.Set{Images: x, Labels: labels}
}

func TestOneHot(t *testing.T) {
	s := &mnist.Set{Images: tensor.New(3, 784), Labels: []int{7, 0, 9}}
	want := [][]float64{
		{0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
		{1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	}
	assert.Equal(t, tensor.FromRows(want), s.OneHot())
	assert.Equal(t, 3, s.Len())
}

func TestSlice(t *testing.T) {
	const tol = 1e-15
	s := tinySet(5)
	s.Pixels = make([]byte, 5*784)
	sub := s.Slice(1, 3)
	require.Equal(t, 2, sub.Len())
	assert.Equal(t, []int{2, 784}, sub.Images.Shape())
	assert.Equal(t, []int{1, 2}, sub.Labels)
	assert.Len(t, sub.Pixels, 2*784)
	assert.InDelta(t, 0.02, sub.Images.At(0, 0), tol)
	assert.InDelta(t, 0.03, sub.Images.At(1, 783), tol)

	sub.Images.Set(-1, 0, 0) // a view: writes show in s
	assert.Equal(t, -1.0, s.Images.At(1, 0))

	assert.Equal(t, 0, s.Slice(5, 5).Len())
	assert.PanicsWithValue(t, "mnist: Slice: range [4:6] out of range for 5 samples", func() { s.Slice(4, 6) })
}

func TestImage(t *testing.T) {
	s := tinySet(2)
	s.Images.Set(1, 1, 28*3+5) // row 3, column 5 of image 1 is white
	s.Images.Set(0.5, 1, 0)    // 127.5 rounds to 128
	img := s.Image(1)
	require.Equal(t, 28, img.Bounds().Dx())
	require.Equal(t, 28, img.Bounds().Dy())
	assert.Equal(t, uint8(255), img.GrayAt(5, 3).Y)
	assert.Equal(t, uint8(128), img.GrayAt(0, 0).Y)
	assert.Equal(t, uint8(5), img.GrayAt(27, 27).Y, "0.02·255 = 5.1 rounds to 5")

	// With raw pixels, those are used as they are.
	s.Pixels = make([]byte, 2*784)
	s.Pixels[784+28*27] = 42
	assert.Equal(t, uint8(42), s.Image(1).GrayAt(0, 27).Y)

	assert.PanicsWithValue(t, "mnist: Image: index 2 out of range for 2 samples", func() { s.Image(2) })
}

func TestBadLabelPanics(t *testing.T) {
	s := &mnist.Set{Images: tensor.New(2, 784), Labels: []int{3, 12}}
	assert.PanicsWithValue(t, "mnist: OneHot: label 12 of sample 1 is not 0-9", func() { s.OneHot() })
}
