package numlearn

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
)

// TestTrainingIsTheSameOnAnyNumberOfCores trains networks whose work is
// shared among the cores — the convolution's images, large products,
// the optimizer's update, the evaluation — for a few steps, with
// GOMAXPROCS 1, 2 and 4 in turn (4 even on a machine with fewer cores),
// and wants the same bits in every parameter each time.
func TestTrainingIsTheSameOnAnyNumberOfCores(t *testing.T) {
	x, tt := benchData(2000)
	images := x.Reshape(2000, 1, 28, 28)
	nets := []struct {
		name  string
		x     *tensor.Tensor
		make  func() *Network
		opt   func() grad.Optimizer
		batch int
	}{
		{"net=simpleconv", images,
			func() *Network { return NewSimpleConvNet(ConvNetConfig{}, newRand(70)) },
			func() grad.Optimizer { return &grad.Adam{} }, 100},
		{"net=784x1000x10", x,
			func() *Network { return NewTwoLayerNet(784, 1000, 10, newRand(71)) },
			func() grad.Optimizer { return &grad.SGD{LR: 0.1} }, 500},
		{"net=784x100x100x100x10/batchnorm", x,
			func() *Network {
				return NewMultiLayerNet([]int{784, 100, 100, 100, 10}, MultiLayerConfig{BatchNorm: true}, newRand(72))
			},
			func() grad.Optimizer { return &grad.Adam{} }, 500},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range nets {
		t.Run(c.name, func(t *testing.T) {
			var want []float64
			var wantEval Evaluation
			for _, procs := range []int{1, 2, 4} {
				runtime.GOMAXPROCS(procs)
				net := c.make()
				h, err := net.Train(context.Background(), c.x, tt, TrainConfig{
					Iterations: 3, BatchSize: c.batch, Optimizer: c.opt(), Rand: newRand(73), EvalEvery: 2,
				})
				require.NoError(t, err)
				var got []float64
				for _, p := range net.Params() {
					got = append(got, p.Data()...)
				}
				eval := h.Evals[len(h.Evals)-1]
				if want == nil {
					want, wantEval = got, eval
					continue
				}
				require.Equal(t, len(want), len(got))
				for i := range want {
					if math.Float64bits(want[i]) != math.Float64bits(got[i]) {
						t.Fatalf("GOMAXPROCS=%d: parameter value %d is %v, on one core %v", procs, i, got[i], want[i])
					}
				}
				require.Equal(t, fmt.Sprint(wantEval), fmt.Sprint(eval), "GOMAXPROCS=%d: the evaluation", procs)
			}
		})
	}
}
