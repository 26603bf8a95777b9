package relu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// forEachKernel runs f as a subtest with each implementation this CPU
// can run in use, the Go loops included.
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	saved := kernel
	defer func() { kernel = saved }()
	for _, k := range available() {
		kernel = k
		t.Run("kernel="+k.name, f)
	}
}

// special holds the values where a rectifier's rules are easy to get
// wrong: zeros of both signs, NaN, infinities, subnormals.
var special = []float64{
	0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1),
	5e-324, -5e-324, 1, -1, math.MaxFloat64, -math.MaxFloat64, 2.5, -0.75,
	// NaNs of either sign, quiet and signalling, with payloads: x86's
	// Inf−Inf gives the negative quiet one.
	math.Float64frombits(0xfff8000000000000), math.Float64frombits(0x7ff0000000000123),
	math.Float64frombits(0xfff0000000000123), math.Float64frombits(0x7ff8000000000abc),
}

// input returns n values drawn from special and from a normal distribution.
func input(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		if rng.IntN(3) == 0 {
			x[i] = special[rng.IntN(len(special))]
		} else {
			x[i] = rng.NormFloat64()
		}
	}
	return x
}

// TestForwardFollowsGoMax checks every element, bit for bit and NaNs
// included, against Go's max(x, 0), whose rules the spec gives (max(−0, +0)
// is +0, NaN gives NaN) and whose NaN bits the compiler decides, for every
// length up to 70, which covers whole rounds of the assembly and tails.
func TestForwardFollowsGoMax(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for n := range 71 {
			x := input(rng, n)
			y := make([]float64, n)
			Forward(y, x)
			for i, v := range x {
				want := max(v, 0)
				if math.IsNaN(v) && !math.IsNaN(y[i]) || math.Float64bits(y[i]) != math.Float64bits(want) {
					t.Fatalf("n %d: y[%d] = %v (%#x) for x = %v (%#x), want %v (%#x)", n, i,
						y[i], math.Float64bits(y[i]), v, math.Float64bits(v), want, math.Float64bits(want))
				}
			}
			Forward(x, x) // in place
			for i := range x {
				if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
					t.Fatalf("n %d: in place, element %d is %#x, want %#x", n, i, math.Float64bits(x[i]), math.Float64bits(y[i]))
				}
			}
		}
	})
}

// TestBackwardPassesWhereYIsNotZero checks g = d exactly where y has a bit
// set (positive y, NaN, and −0, which Forward never gives but the rule
// covers) and +0 elsewhere.
func TestBackwardPassesWhereYIsNotZero(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for n := range 71 {
			y, d := input(rng, n), input(rng, n)
			g := make([]float64, n)
			Backward(g, d, y)
			for i := range y {
				want := d[i]
				if math.Float64bits(y[i]) == 0 {
					want = 0
				}
				if math.Float64bits(g[i]) != math.Float64bits(want) {
					t.Fatalf("n %d: g[%d] = %v for y = %v, d = %v; want %v", n, i, g[i], y[i], d[i], want)
				}
			}
		}
	})
}

func TestPanicsOnLengths(t *testing.T) {
	for _, f := range []func(){
		func() { Forward(make([]float64, 3), make([]float64, 4)) },
		func() { Backward(make([]float64, 3), make([]float64, 3), make([]float64, 4)) },
		func() { Backward(make([]float64, 4), make([]float64, 3), make([]float64, 4)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic on slices of different lengths")
				}
			}()
			f()
		}()
	}
}

// BenchmarkKernels times both loops on a hidden layer's activations for a
// batch of 100 (100×50) and on an evaluation chunk's (10,000×50).
func BenchmarkKernels(b *testing.B) {
	saved := kernel
	defer func() { kernel = saved }()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{5000, 500000} {
		x, d := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], d[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		y, g := make([]float64, n), make([]float64, n)
		for _, k := range available() {
			kernel = k
			b.Run(fmt.Sprintf("pass=forward/kernel=%s/n=%d", k.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					Forward(y, x)
				}
			})
			b.Run(fmt.Sprintf("pass=backward/kernel=%s/n=%d", k.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					Backward(g, d, y)
				}
			})
		}
	}
}
