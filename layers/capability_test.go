package layers

import (
	"math"
	"testing"

	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForwardScalarIsForward(t *testing.T) {
	// Bit for bit: a network's numerical gradient relies on it.
	x := tensor.RandN(newRand(), 3, 7, 11)
	x.Data()[0], x.Data()[1], x.Data()[2] = 0, -800, 800
	for _, tt := range []struct {
		name  string
		layer elementWise
	}{{"sigmoid", &Sigmoid{}}, {"relu", &ReLU{}}, {"tanh", &Tanh{}}} {
		t.Run(tt.name, func(t *testing.T) {
			y := tt.layer.Forward(x)
			for i, v := range x.Data() {
				require.Equal(t, y.Data()[i], tt.layer.forwardScalar(v), "element %d (x = %v)", i, v)
			}
		})
	}
}

func TestRowLoss(t *testing.T) {
	const tol = 1e-15
	// softmax([0, 0]) = [½, ½]; softmax([ln 3, 0]) = [¾, ¼].
	tests := []struct {
		name string
		head rowLosser
		x, t []float64
		want float64
	}{
		{"softmax even", &SoftmaxWithLoss{}, []float64{0, 0}, []float64{1, 0}, -math.Log(0.5 + 1e-7)},
		{"softmax 3:1", &SoftmaxWithLoss{}, []float64{math.Log(3), 0}, []float64{0, 1}, -math.Log(0.25 + 1e-7)},
		{"softmax soft targets", &SoftmaxWithLoss{}, []float64{math.Log(3), 0}, []float64{0.5, 0.5}, -0.5*math.Log(0.75+1e-7) - 0.5*math.Log(0.25+1e-7)},
		{"identity", &IdentityWithLoss{}, []float64{1, 2, 4}, []float64{0, 2, 2}, (1.0 + 0 + 4) / 3},
		{"sigmoid at 0", &SigmoidWithLoss{}, []float64{0, 0}, []float64{1, 0}, math.Log(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, tt.head.rowLoss(tt.x, tt.t), tol)
		})
	}
}

func TestRowLossMeanIsForward(t *testing.T) {
	const tol = 1e-14
	rng := newRand()
	x := tensor.RandN(rng, 2, 9, 4)
	onehot, soft := tensor.New(9, 4), tensor.New(9, 4)
	for r := range 9 {
		onehot.Set(1, r, r%4)
	}
	for i := range soft.Data() {
		soft.Data()[i] = rng.Float64()
	}
	for _, tt := range []struct {
		name string
		head rowLosser
		t    *tensor.Tensor
	}{
		{"softmax", &SoftmaxWithLoss{}, onehot},
		{"identity", &IdentityWithLoss{}, soft},
		{"sigmoid", &SigmoidWithLoss{}, soft},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var sum float64
			for r := range 9 {
				sum += tt.head.rowLoss(x.Data()[r*4:(r+1)*4], tt.t.Data()[r*4:(r+1)*4])
			}
			assert.InDelta(t, tt.head.Forward(x, tt.t), sum/9, tol)
		})
	}
}
