package loss_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/loss"
	"github.com/numlearn/numlearn/tensor"
)

const tol = 1e-12

// The book's example output (§4.2.1): a softmax output whose most likely
// class is 2, scored against the correct class 2 and the wrong class 7.
var bookY = []float64{0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0}

func oneHot(classes int, labels ...int) *tensor.Tensor {
	t := tensor.New(len(labels), classes)
	for i, l := range labels {
		t.Set(1, i, l)
	}
	return t
}

func TestSSE(t *testing.T) {
	tests := []struct {
		name string
		y, t *tensor.Tensor
		want float64
	}{
		// ½·(0.1²+0.05²+0.4²+0.05²+0.1²+0.1²) = ½·0.195
		{"book correct class", tensor.FromSlice(bookY), oneHot(10, 2).Reshape(10), 0.0975},
		// ½·(0.1²+0.05²+0.6²+0.05²+0.1²+0.9²) = ½·1.195
		{"book wrong class", tensor.FromSlice(bookY), oneHot(10, 7).Reshape(10), 0.5975},
		// ½·(0+1+4)
		{"vector", tensor.FromSlice([]float64{1, 2, 3}), tensor.Full(1, 3), 2.5},
		// ½·(1+1+4+0)
		{"matrix", tensor.FromRows([][]float64{{0, 1}, {2, 3}}), tensor.FromRows([][]float64{{1, 0}, {0, 3}}), 3},
		{"scalar", tensor.Scalar(3), tensor.Scalar(-1), 8},
		{"no elements", tensor.New(0, 3), tensor.New(0, 3), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, loss.SSE(tt.y, tt.t), tol)
		})
	}
}

func TestMSE(t *testing.T) {
	tests := []struct {
		name string
		y, t *tensor.Tensor
		want float64
	}{
		// (0+1+4)/3
		{"vector", tensor.FromSlice([]float64{1, 2, 3}), tensor.Full(1, 3), 5.0 / 3},
		// (0+1+4+9)/4
		{"matrix", tensor.FromRows([][]float64{{0, 1}, {2, 3}}), tensor.New(2, 2), 3.5},
		// The lectures' data x = y = [1 2 3]: with W = 1 the cost is 0, with
		// W = 2 it is ((2−1)²+(4−2)²+(6−3)²)/3 = 14/3.
		{"lecture W=1", tensor.FromSlice([]float64{1, 2, 3}), tensor.FromSlice([]float64{1, 2, 3}), 0},
		{"lecture W=2", tensor.FromSlice([]float64{2, 4, 6}), tensor.FromSlice([]float64{1, 2, 3}), 14.0 / 3},
		// MSE = 2·SSE/n on the book's example: 2·0.0975/10
		{"book", tensor.FromSlice(bookY), oneHot(10, 2).Reshape(10), 0.0195},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, loss.MSE(tt.y, tt.t), tol)
		})
	}
	t.Run("no elements is NaN", func(t *testing.T) {
		assert.True(t, math.IsNaN(loss.MSE(tensor.New(0), tensor.New(0))))
	})
}

func TestCrossEntropy(t *testing.T) {
	// −log(0.6 + 1e-7) and −log(0.1 + 1e-7), the book's 0.510825457099338
	// and 2.302584092994546.
	right, wrong := -math.Log(0.6+1e-7), -math.Log(0.1+1e-7)
	rows := tensor.FromRows([][]float64{bookY, bookY})
	tests := []struct {
		name   string
		y, t   *tensor.Tensor
		labels []int
		want   float64
	}{
		{"book correct class", tensor.FromSlice(bookY), oneHot(10, 2).Reshape(10), []int{2}, 0.510825457099338},
		{"book wrong class", tensor.FromSlice(bookY), oneHot(10, 7).Reshape(10), []int{7}, 2.302584092994546},
		{"batch is the mean over rows", rows, oneHot(10, 2, 7), []int{2, 7}, (right + wrong) / 2},
		{"one row as a matrix", rows.Slice(0, 1), oneHot(10, 2), []int{2}, right},
		// y = 0 in the target's column: −log(1e-7) = 7·ln 10 = 16.11809565095832
		{"zero probability stays finite", tensor.FromSlice([]float64{1, 0}), tensor.FromSlice([]float64{0, 1}), []int{1}, 7 * math.Ln10},
		{"certain and right", tensor.FromSlice([]float64{0, 1}), tensor.FromSlice([]float64{0, 1}), []int{1}, -math.Log(1 + 1e-7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, loss.CrossEntropy(tt.y, tt.t), tol, "CrossEntropy")
			assert.InDelta(t, tt.want, loss.CrossEntropyLabels(tt.y, tt.labels), tol, "CrossEntropyLabels")
		})
	}
	t.Run("soft target", func(t *testing.T) {
		// −(½·log(0.5+1e-7) + ½·log(0.5+1e-7)) = ln 2 − log(1+2e-7)
		y := tensor.FromSlice([]float64{0.5, 0.5})
		want := math.Ln2 - math.Log1p(2e-7)
		assert.InDelta(t, want, loss.CrossEntropy(y, y), tol)
	})
	t.Run("zero targets ignore junk in y", func(t *testing.T) {
		// Columns with t = 0 contribute nothing, even where y is not a
		// probability: only −log(0.5 + 1e-7) remains.
		y := tensor.FromSlice([]float64{-3, 0.5, math.Inf(1)})
		want := -math.Log(0.5 + 1e-7)
		assert.InDelta(t, want, loss.CrossEntropy(y, oneHot(3, 1).Reshape(3)), tol)
		assert.InDelta(t, want, loss.CrossEntropyLabels(y, []int{1}), tol)
	})
	t.Run("no samples is NaN", func(t *testing.T) {
		assert.True(t, math.IsNaN(loss.CrossEntropy(tensor.New(0, 10), tensor.New(0, 10))))
		assert.True(t, math.IsNaN(loss.CrossEntropyLabels(tensor.New(0, 10), nil)))
	})
}

func TestCrossEntropyAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][2]int{{1, 3}, {7, 10}, {100, 10}} {
		n, c := shape[0], shape[1]
		var y tensor.Tensor
		y.Softmax(tensor.RandN(rng, 3, n, c))
		labels := make([]int, n)
		var sum float64
		for i := range labels {
			labels[i] = rng.IntN(c)
			sum -= math.Log(y.At(i, labels[i]) + 1e-7)
		}
		t.Run(fmt.Sprintf("shape=%dx%d", n, c), func(t *testing.T) {
			assert.InDelta(t, sum/float64(n), loss.CrossEntropy(&y, oneHot(c, labels...)), tol)
			assert.InDelta(t, sum/float64(n), loss.CrossEntropyLabels(&y, labels), tol)
		})
	}
}

func TestPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		msg  string
	}{
		{"SSE shapes", func() { loss.SSE(tensor.New(2, 3), tensor.New(3, 2)) }, "loss: SSE: shapes [2 3] and [3 2] differ"},
		{"MSE shapes", func() { loss.MSE(tensor.New(3), tensor.New(1, 3)) }, "loss: MSE: shapes [3] and [1 3] differ"},
		{"CrossEntropy shapes", func() { loss.CrossEntropy(tensor.New(4, 10), tensor.New(4, 9)) }, "loss: CrossEntropy: shapes [4 10] and [4 9] differ"},
		{"CrossEntropy 3-D", func() { loss.CrossEntropy(tensor.New(2, 2, 2), tensor.New(2, 2, 2)) }, "loss: CrossEntropy: y has shape [2 2 2], want 1-D (one sample) or 2-D (samples, classes)"},
		{"CrossEntropyLabels scalar", func() { loss.CrossEntropyLabels(tensor.Scalar(1), []int{0}) }, "loss: CrossEntropyLabels: y has shape [], want 1-D (one sample) or 2-D (samples, classes)"},
		{"labels count", func() { loss.CrossEntropyLabels(tensor.New(4, 10), []int{1, 2, 3}) }, "loss: CrossEntropyLabels: 3 labels for y of shape [4 10] (4 rows)"},
		{"labels for one sample", func() { loss.CrossEntropyLabels(tensor.New(10), []int{1, 2}) }, "loss: CrossEntropyLabels: 2 labels for y of shape [10] (1 rows)"},
		{"label too large", func() { loss.CrossEntropyLabels(tensor.New(4, 10), []int{0, 1, 2, 10}) }, "loss: CrossEntropyLabels: label 10 at row 3 out of range for 10 classes"},
		{"label negative", func() { loss.CrossEntropyLabels(tensor.New(2, 10), []int{-1, 1}) }, "loss: CrossEntropyLabels: label -1 at row 0 out of range for 10 classes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.PanicsWithValue(t, tt.msg, tt.f)
		})
	}
}

func BenchmarkCrossEntropy(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, c = 100, 10
	var y tensor.Tensor
	y.Softmax(tensor.RandN(rng, 1, n, c))
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(c)
	}
	t := oneHot(c, labels...)
	b.Run("form=onehot/shape=100x10", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			loss.CrossEntropy(&y, t)
		}
	})
	b.Run("form=labels/shape=100x10", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			loss.CrossEntropyLabels(&y, labels)
		}
	})
}
