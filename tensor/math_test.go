package tensor

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUnaryMaths(t *testing.T) {
	x := FromSlice([]float64{-2, 0, 1, 4})
	tests := []struct {
		name string
		op   func(t, a *Tensor)
		want []float64
	}{
		{"Exp", (*Tensor).Exp, []float64{0.1353352832366127, 1, math.E, 54.598150033144236}},
		{"Sqrt of |x|", func(d, a *Tensor) { var abs Tensor; abs.Apply(math.Abs, a); d.Sqrt(&abs) }, []float64{math.Sqrt2, 0, 1, 2}},
		{"Neg", (*Tensor).Neg, []float64{2, 0, -1, -4}},
		{"Tanh", (*Tensor).Tanh, []float64{-0.9640275800758169, 0, 0.7615941559557649, 0.999329299739067}},
		// 1/(1+e²) = 0.11920292202211755; 1/(1+e⁻¹) = 0.7310585786300049.
		{"Sigmoid", (*Tensor).Sigmoid, []float64{0.11920292202211755, 0.5, 0.7310585786300049, 0.9820137900379085}},
		{"ReLU", (*Tensor).ReLU, []float64{0, 0, 1, 4}},
		{"Step", (*Tensor).Step, []float64{0, 0, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Tensor
			tt.op(&d, x)
			assert.InDeltaSlice(t, tt.want, d.Data(), tol)
		})
	}
}

func TestLog(t *testing.T) {
	var d Tensor
	d.Log(FromSlice([]float64{1, math.E, 0}))
	assert.InDelta(t, 0, d.At(0), tol)
	assert.InDelta(t, 1, d.At(1), tol)
	assert.True(t, math.IsInf(d.At(2), -1))
}

func TestSigmoidSaturates(t *testing.T) {
	var d Tensor
	d.Sigmoid(FromSlice([]float64{-1000, 1000}))
	assert.Equal(t, []float64{0, 1}, d.Data())
}

func TestReLUKeepsNaN(t *testing.T) {
	var d Tensor
	d.ReLU(FromSlice([]float64{math.NaN()}))
	assert.True(t, math.IsNaN(d.At(0)))
}

func TestSoftmax(t *testing.T) {
	// softmax([0.3 2.9 4.0]) from the book, §3.5.1: [0.01821127 0.24519181 0.73659691].
	book := []float64{0.018211273295547534, 0.24519181293507392, 0.7365969137693786}
	// Shifting by a constant changes nothing: [1010 1000 990] is [20 10 0].
	e10, e20 := math.Exp(-10), math.Exp(-20)
	big := []float64{1 / (1 + e10 + e20), e10 / (1 + e10 + e20), e20 / (1 + e10 + e20)}
	// [-1000 -1001] is [0 −1]: 1/(1+e⁻¹) and e⁻¹/(1+e⁻¹).
	neg := []float64{1 / (1 + math.Exp(-1)), math.Exp(-1) / (1 + math.Exp(-1))}
	tests := []struct {
		name string
		x    *Tensor
		want []float64
	}{
		{"book", FromSlice([]float64{0.3, 2.9, 4.0}), book},
		{"large values", FromSlice([]float64{1010, 1000, 990}), big},
		{"large negative", FromSlice([]float64{-1000, -1001}), neg},
		{"each row alone", FromRows([][]float64{{0.3, 2.9, 4.0}, {1010, 1000, 990}}), append(append([]float64{}, book...), big...)},
		{"scalar", Scalar(5), []float64{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Tensor
			d.Softmax(tt.x)
			assert.InDeltaSlice(t, tt.want, d.Data(), 1e-15)
		})
	}
}

func TestReLUSignedZero(t *testing.T) {
	var d Tensor
	d.ReLU(FromSlice([]float64{math.Copysign(0, -1), -1e-300, 5e-324}))
	assert.Equal(t, uint64(0), math.Float64bits(d.At(0)), "−0 becomes +0")
	assert.Equal(t, 0.0, d.At(1))
	assert.Equal(t, 5e-324, d.At(2), "the smallest positive number passes")
}
