package layers

import (
	"math"
	"runtime"
	"testing"

	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/require"
)

// TestConvGradientsDoNotDependOnTheCores checks that a batch's weight and
// bias gradients come out the same bit for bit on one core and on several,
// run after run: the sum of the images' gradients is grouped the same
// way whoever computes which image.
func TestConvGradientsDoNotDependOnTheCores(t *testing.T) {
	rng := newRand()
	x := tensor.RandN(rng, 1, 100, 1, 28, 28)
	w, b := tensor.RandN(rng, 0.1, 30, 1, 5, 5), tensor.RandN(rng, 0.1, 30)
	layers := map[string]Learnable{
		"Convolution":           NewConvolution(w, b, 1, 0),
		"Convolution+ReLU+Pool": fusedBlock(NewConvolution(w, b, 1, 0)),
	}
	for name, l := range layers {
		t.Run(name, func(t *testing.T) {
			dout := tensor.RandN(rng, 1, l.Forward(x).Shape()...)
			grads := func(procs int) []uint64 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				l.Forward(x)
				l.Backward(dout)
				var bits []uint64
				for _, p := range l.Params() {
					for _, v := range p.Grad.Data() {
						bits = append(bits, math.Float64bits(v))
					}
				}
				return bits
			}
			one := grads(1)
			for range 5 {
				require.Equal(t, one, grads(max(2, runtime.NumCPU())))
			}
		})
	}
}
