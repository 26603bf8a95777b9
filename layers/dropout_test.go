package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bookMask is the book's np.random.rand(n) > ratio, drawn from a PCG with
// the given seeds.
func bookMask(seed1, seed2 uint64, ratio float64, n int) []float64 {
	r := rand.New(rand.NewPCG(seed1, seed2))
	m := make([]float64, n)
	for i := range m {
		if r.Float64() > ratio {
			m[i] = 1
		}
	}
	return m
}

func TestDropoutMatchesBook(t *testing.T) {
	const tol = 1e-15
	tests := []struct {
		name  string
		ratio float64
		shape []int
	}{
		{"ratio 0.5, 2-D", 0.5, []int{4, 5}},
		{"ratio 0.2, 3-D", 0.2, []int{2, 3, 4}},
		{"ratio 0 keeps everything", 0, []int{3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := newRand()
			x, dout := tensor.RandN(rng, 1, tt.shape...), tensor.RandN(rng, 1, tt.shape...)
			d := NewDropout(tt.ratio, rand.New(rand.NewPCG(7, 8)))
			mask := bookMask(7, 8, tt.ratio, x.Size())

			y := d.Forward(x)
			require.Equal(t, tt.shape, y.Shape())
			dx := d.Backward(dout)
			require.Equal(t, tt.shape, dx.Shape())
			for i, m := range mask {
				assert.InDelta(t, x.Data()[i]*m, y.Data()[i], tol, "y[%d]", i)
				assert.InDelta(t, dout.Data()[i]*m, dx.Data()[i], tol, "dx[%d]", i)
			}

			d.SetMode(Inference)
			y = d.Forward(x)
			dx = d.Backward(dout)
			for i := range mask {
				assert.InDelta(t, x.Data()[i]*(1-tt.ratio), y.Data()[i], tol, "inference y[%d]", i)
				assert.InDelta(t, dout.Data()[i]*(1-tt.ratio), dx.Data()[i], tol, "inference dx[%d]", i)
			}
		})
	}
}

func TestDropoutKeepsAboutOneMinusRatio(t *testing.T) {
	d := NewDropout(0.2, rand.New(rand.NewPCG(1, 2)))
	y := d.Forward(tensor.Full(1, 100, 100))
	// 10,000 Bernoulli(0.8) draws: the fraction kept has std 0.004.
	assert.InDelta(t, 0.8, y.Mean(), 0.02)
	first := y.Clone()
	assert.NotEqual(t, first.Data(), d.Forward(tensor.Full(1, 100, 100)).Data(), "each Forward draws a new mask")
}

func TestDropoutBackwardMatchesNumerical(t *testing.T) {
	for _, mode := range []Mode{Training, Inference} {
		t.Run(mode.String(), func(t *testing.T) {
			rng := newRand()
			// Reseeding the source before each Forward keeps the mask fixed,
			// which makes the training pass a function of x.
			src := rand.NewPCG(3, 4)
			d := NewDropout(0.3, rand.New(src))
			d.SetMode(mode)
			x, c := tensor.RandN(rng, 1, 4, 6), tensor.RandN(rng, 1, 4, 6)
			loss := func(x *tensor.Tensor) float64 {
				src.Seed(3, 4)
				return scalarLoss(d, c)(x)
			}
			numeric := grad.Numerical(loss, x)
			loss(x)
			dx := d.Backward(c)
			diff := grad.Check([]*tensor.Tensor{dx}, []*tensor.Tensor{numeric})[0]
			assert.Less(t, diff.MaxAbs, gradTol, "%v", diff)
		})
	}
}

func TestDropoutCloneIsReproducible(t *testing.T) {
	x := tensor.Full(1, 10, 10)
	a := NewDropout(0.5, rand.New(rand.NewPCG(5, 6)))
	b := NewDropout(0.5, rand.New(rand.NewPCG(5, 6)))
	ca, cb := a.Clone().(*Dropout), b.Clone().(*Dropout)
	assert.Equal(t, ca.Forward(x).Data(), cb.Forward(x).Data(), "clones made alike drop alike")
	assert.Equal(t, a.Forward(x).Data(), b.Forward(x).Data(), "and so do their originals")
	assert.NotEqual(t, ca.Forward(x).Data(), a.Forward(x).Data(), "a clone's stream is its own")
	assert.Equal(t, 0.5, ca.Ratio)

	a.SetMode(Inference)
	assert.Equal(t, 0.5, a.Clone().Forward(x).Data()[0], "a clone keeps the mode")
}

func TestDropoutPanics(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name string
		msg  string
		fn   func()
	}{
		{"ratio 1", "layers: NewDropout: ratio 1 is not in [0, 1)", func() { NewDropout(1, rng) }},
		{"negative ratio", "layers: NewDropout: ratio -0.1 is not in [0, 1)", func() { NewDropout(-0.1, rng) }},
		{"nil rng", "layers: NewDropout: rng is nil; pass rand.New(rand.NewPCG(seed1, seed2))", func() { NewDropout(0.5, nil) }},
		{"backward first", "layers: Dropout.Backward: called before Forward", func() { NewDropout(0.5, rng).Backward(tensor.New(2)) }},
		{"dout shape", "layers: Dropout.Backward: dout shape [3] does not match output shape [2]", func() {
			d := NewDropout(0.5, rng)
			d.Forward(tensor.New(2))
			d.Backward(tensor.New(3))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

func TestDropoutStepDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	d := NewDropout(0.5, rng)
	x, dout := tensor.RandN(rng, 1, 100, 50), tensor.RandN(rng, 1, 100, 50)
	allocs := testing.AllocsPerRun(10, func() {
		d.SetMode(Training)
		d.Forward(x)
		d.Backward(dout)
		d.SetMode(Inference)
		d.Forward(x)
	})
	assert.Zero(t, allocs)
}
