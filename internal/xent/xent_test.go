package xent

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSumByHand(t *testing.T) {
	// −(1·log(0.5 + δ)) with the zero-target term left out, even where
	// its y would make the log NaN.
	assert.Equal(t, -math.Log(0.5+1e-7), Sum([]float64{0.5, -3}, []float64{1, 0}))
	assert.InDelta(t, -0.25*math.Log(0.2+1e-7)-0.75*math.Log(0.8+1e-7), Sum([]float64{0.2, 0.8}, []float64{0.25, 0.75}), 1e-15)
	assert.Equal(t, -math.Log(1e-7), Label(0), "δ keeps log(0) finite")
}

func TestSoftmaxRowByHand(t *testing.T) {
	// softmax([0, 0]) = [½, ½]; softmax([ln 3, 0]) = [¾, ¼].
	const tol = 1e-15
	assert.InDelta(t, -math.Log(0.5+1e-7), SoftmaxRow([]float64{0, 0}, []float64{1, 0}), tol)
	assert.InDelta(t, -math.Log(0.25+1e-7), SoftmaxRow([]float64{math.Log(3), 0}, []float64{0, 1}), tol)
	assert.InDelta(t, -0.5*math.Log(0.75+1e-7)-0.5*math.Log(0.25+1e-7), SoftmaxRow([]float64{math.Log(3), 0}, []float64{0.5, 0.5}), tol)
	// A long row (over the 64 kept on the stack): 100 equal scores.
	x, tg := make([]float64, 100), make([]float64, 100)
	tg[7] = 1
	assert.InDelta(t, -math.Log(0.01+1e-7), SoftmaxRow(x, tg), tol)
	assert.Zero(t, SoftmaxRow(nil, nil))
}

func TestSoftmaxRowAlong(t *testing.T) {
	// Against SoftmaxRow at each moved row, for steps small (the Taylor
	// series) and large (SoftmaxRow itself), with one-hot and soft
	// targets, for a short row and one longer than the 16 kept on the
	// stack.
	const tol = 1e-14
	ds := []float64{0, 1e-9, -3e-6, 1e-4, -1e-3, 0.5, -2}
	long := func(n int, f func(i int) float64) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		x, v, t []float64
	}{
		{"one-hot", []float64{0.3, -1.2, 2.5, 0.1, 0.7}, []float64{0.02, -0.5, 0.9, 0.0, -0.1}, []float64{0, 0, 0, 1, 0}},
		{"soft", []float64{0.3, -1.2, 2.5, 0.1, 0.7}, []float64{0.02, -0.5, 0.9, 0.0, -0.1}, []float64{0.1, 0.2, 0.3, 0.4, 0}},
		{"long", long(20, func(i int) float64 { return math.Sin(float64(i)) }), long(20, func(i int) float64 { return math.Cos(float64(3 * i)) }),
			long(20, func(i int) float64 { return float64(i / 19) })},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]float64, len(ds))
			SoftmaxRowAlong(dst, tt.x, tt.v, tt.t, ds)
			base := SoftmaxRow(tt.x, tt.t)
			moved := make([]float64, len(tt.x))
			for k, d := range ds {
				for i := range tt.x {
					moved[i] = tt.x[i] + d*tt.v[i]
				}
				assert.InDelta(t, SoftmaxRow(moved, tt.t)-base, dst[k], tol, "step %g", d)
			}
			assert.Zero(t, dst[0], "no step, no change")
		})
	}
}
