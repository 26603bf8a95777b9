package mnist_test

import (
	"math/rand/v2"
	"strconv"
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

func TestSample(t *testing.T) {
	s := tinySet(4)
	idx := make([]int, 4000)
	s.Sample(rand.New(rand.NewPCG(1, 2)), idx)
	counts := make([]int, 4)
	for _, i := range idx {
		require.True(t, i >= 0 && i < 4, "index %d", i)
		counts[i]++
	}
	// Uniform with replacement: each count is Binomial(4000, 1/4), mean
	// 1000 and standard deviation √(4000·¼·¾) ≈ 27; allow 5σ.
	for i, c := range counts {
		assert.InDelta(t, 1000, c, 5*27.4, "index %d drawn %d times", i, c)
	}

	again := make([]int, 4000)
	s.Sample(rand.New(rand.NewPCG(1, 2)), again)
	assert.Equal(t, idx, again, "same seed, same batch")

	assert.PanicsWithValue(t, "mnist: Sample: the set is empty", func() {
		(&mnist.Set{}).Sample(rand.New(rand.NewPCG(1, 2)), make([]int, 1))
	})
}

func TestGather(t *testing.T) {
	const tol = 1e-15
	s := tinySet(12)
	var x, t1 tensor.Tensor // empty: sized by Gather
	s.Gather(&x, &t1, []int{11, 0, 11})
	require.Equal(t, []int{3, 784}, x.Shape())
	require.Equal(t, []int{3, 10}, t1.Shape())
	for i, v := range []float64{0.12, 0.01, 0.12} {
		assert.InDelta(t, v, x.At(i, 0), tol)
		assert.InDelta(t, v, x.At(i, 783), tol)
	}
	// labels 11%10 = 1, 0, 1
	assert.Equal(t, tensor.FromRows([][]float64{
		{0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
		{1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		{0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
	}), &t1)

	// Reusing the tensors overwrites every value, one-hot rows included.
	s.Gather(&x, &t1, []int{3, 3, 3})
	assert.InDelta(t, 0.04, x.At(2, 5), tol)
	assert.Equal(t, 3.0, t1.Sum())
	assert.Equal(t, 1.0, t1.At(0, 3))

	// t may be nil.
	x2 := tensor.New(1, 784)
	s.Gather(x2, nil, []int{4})
	assert.InDelta(t, 0.05, x2.At(0, 100), tol)
}

func TestGatherPanics(t *testing.T) {
	s := tinySet(3)
	for _, tc := range []struct {
		name string
		x, t *tensor.Tensor
		idx  []int
		want string
	}{
		{"x rows", tensor.New(2, 784), nil, []int{0}, "mnist: Gather: x has shape [2 784], want [1 784]"},
		{"x cols", tensor.New(1, 28, 28), nil, []int{0}, "mnist: Gather: x has shape [1 28 28], want [1 784]"},
		{"t shape", tensor.New(1, 784), tensor.New(1, 9), []int{0}, "mnist: Gather: t has shape [1 9], want [1 10]"},
		{"index", tensor.New(1, 784), nil, []int{3}, "mnist: Gather: index 3 out of range for 3 samples"},
		{"negative index", tensor.New(1, 784), nil, []int{-1}, "mnist: Gather: index -1 out of range for 3 samples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, func() { s.Gather(tc.x, tc.t, tc.idx) })
		})
	}
}

func TestGatherDoesNotAllocate(t *testing.T) {
	s := tinySet(100)
	rng := rand.New(rand.NewPCG(1, 2))
	idx := make([]int, 32)
	x, t1 := tensor.New(32, 784), tensor.New(32, 10)
	allocs := testing.AllocsPerRun(100, func() {
		s.Sample(rng, idx)
		s.Gather(x, t1, idx)
	})
	assert.Zero(t, allocs)
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

func BenchmarkGather(b *testing.B) {
	for _, batch := range []int{100, 1000} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			s := tinySet(2000)
			rng := rand.New(rand.NewPCG(1, 2))
			idx := make([]int, batch)
			var x, t tensor.Tensor
			s.Gather(&x, &t, idx) // size the batch tensors once
			b.ReportAllocs()
			for b.Loop() {
				s.Sample(rng, idx)
				s.Gather(&x, &t, idx)
			}
		})
	}
}

func TestBadLabelPanics(t *testing.T) {
	s := &mnist.Set{Images: tensor.New(2, 784), Labels: []int{3, 12}}
	assert.PanicsWithValue(t, "mnist: OneHot: label 12 of sample 1 is not 0-9", func() { s.OneHot() })
	var x, y tensor.Tensor
	assert.PanicsWithValue(t, "mnist: Gather: label 12 of sample 1 is not 0-9", func() { s.Gather(&x, &y, []int{0, 1}) })
}
