package tensor

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestString(t *testing.T) {
	big := New(40, 40)
	for i := range big.Data() {
		big.Data()[i] = float64(i)
	}
	tests := []struct {
		name string
		x    *Tensor
		want string // what numpy's str() prints for the same array
	}{
		{"empty", &Tensor{}, "[]"},
		{"scalar", Scalar(3.5), "3.5"},
		{"integers", FromSlice([]float64{-1, 2, -3}), "[-1.  2. -3.]"},
		{"aligned on the point", FromSlice([]float64{0.1, 0.25, 10.5}), "[ 0.1   0.25 10.5 ]"},
		{"eight digits", FromSlice([]float64{1.0 / 3, -2}), "[ 0.33333333 -2.        ]"},
		{"matrix", FromRows([][]float64{{1, 2.5}, {3, 4.25}}), "[[1.   2.5 ]\n [3.   4.25]]"},
		{"3-D", FromSlice([]float64{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2), "[[[1. 2.]\n  [3. 4.]]\n\n [[5. 6.]\n  [7. 8.]]]"},
		{"scientific", FromSlice([]float64{1e-5, 1}), "[1.e-05 1.e+00]"},
		{"non-finite", FromSlice([]float64{math.NaN(), math.Inf(1), 1.5}), "[nan inf 1.5]"},
		{"elided", big, "[[   0.    1.    2. ...   37.   38.   39.]\n [  40.   41.   42. ...   77.   78.   79.]\n [  80.   81.   82. ...  117.  118.  119.]\n ...\n [1480. 1481. 1482. ... 1517. 1518. 1519.]\n [1520. 1521. 1522. ... 1557. 1558. 1559.]\n [1560. 1561. 1562. ... 1597. 1598. 1599.]]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.x.String())
		})
	}
}

func TestAllClose(t *testing.T) {
	a := FromSlice([]float64{1, 2, math.Inf(1)})
	tests := []struct {
		name       string
		b          *Tensor
		rtol, atol float64
		want       bool
	}{
		{"equal", FromSlice([]float64{1, 2, math.Inf(1)}), 0, 0, true},
		{"within rtol", FromSlice([]float64{1 + 1e-6, 2, math.Inf(1)}), 1e-5, 0, true},
		{"outside rtol", FromSlice([]float64{1.001, 2, math.Inf(1)}), 1e-5, 1e-8, false},
		{"within atol", FromSlice([]float64{1.01, 2, math.Inf(1)}), 0, 0.02, true},
		{"other infinity", FromSlice([]float64{1, 2, math.Inf(-1)}), 1, 1, false},
		{"other shape", FromSlice([]float64{1, 2, math.Inf(1)}, 3, 1), 1, 1, false},
		{"NaN", FromSlice([]float64{math.NaN(), 2, math.Inf(1)}), 1, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, AllClose(a, tt.b, tt.rtol, tt.atol))
		})
	}
}
