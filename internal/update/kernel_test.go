package update

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forEachKernel runs f as a subtest with each implementation this build
// and CPU can run in use, the portable Go loops included, so that every
// path is tested on any machine that has it.
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	saved := kernel
	defer func() { kernel = saved }()
	for _, k := range available() {
		kernel = k
		t.Run("kernel="+k.name, f)
	}
}

// rule is one optimizer's element-wise rule at update t (1, 2, …), as the
// package runs it on slices and as an oracle for one element, written
// from the formula with every operation rounded once. AdaGrad and RMSProp
// keep one state value per element, in s[0]; Adam keeps m and v.
type rule struct {
	name string
	run  func(p, g []float64, s [2][]float64, t int)
	ref  func(p, g float64, s [2]float64, t int) (float64, [2]float64)
}

// adamLR is Adam's step size at update t for LR 0.001, β₁ 0.9, β₂ 0.999.
func adamLR(t int) float64 {
	return 0.001 * math.Sqrt(1-math.Pow(0.999, float64(t))) / (1 - math.Pow(0.9, float64(t)))
}

// eps is the book's, as grad passes it.
const eps = 1e-7

var rules = []rule{
	{
		name: "SGD",
		run:  func(p, g []float64, s [2][]float64, t int) { SGD(p, g, -0.1) },
		ref: func(p, g float64, s [2]float64, t int) (float64, [2]float64) {
			return p + float64(-0.1*g), s
		},
	},
	{
		name: "AdaGrad",
		run:  func(p, g []float64, s [2][]float64, t int) { AdaGrad(p, g, s[0], 0.01, eps) },
		ref: func(p, g float64, s [2]float64, t int) (float64, [2]float64) {
			h := s[0] + float64(g*g)
			return p - 0.01*g/(math.Sqrt(h)+eps), [2]float64{h, s[1]}
		},
	},
	{
		name: "RMSProp",
		run:  func(p, g []float64, s [2][]float64, t int) { RMSProp(p, g, s[0], 0.99, 1-0.99, 0.01, eps) },
		ref: func(p, g float64, s [2]float64, t int) (float64, [2]float64) {
			h := float64(0.99*s[0]) + float64((1-0.99)*g*g)
			return p - 0.01*g/(math.Sqrt(h)+eps), [2]float64{h, s[1]}
		},
	},
	{
		name: "Adam",
		run: func(p, g []float64, s [2][]float64, t int) {
			Adam(p, g, s[0], s[1], 1-0.9, 1-0.999, adamLR(t), eps)
		},
		ref: func(p, g float64, s [2]float64, t int) (float64, [2]float64) {
			m := s[0] + float64((1-0.9)*(g-s[0]))
			v := s[1] + float64((1-0.999)*(float64(g*g)-s[1]))
			return p - adamLR(t)*m/(math.Sqrt(v)+eps), [2]float64{m, v}
		},
	},
}

// sameBits reports whether a and b are the same float64 bit for bit, or
// both NaN. Where NaNs appear is compared, not their sign and payload:
// an invalid √ or ÷ gives the default NaN (VSQRTPD, VDIVPD, SQRTSD and
// DIVSD alike) and a NaN operand passes itself on, but where two NaNs
// meet in a sum, x86 passes on the first operand's, and the Go compiler
// orders the operands of a commutative + as it likes: Adam's rule in
// rules and adamGo, the same formula in two functions, keep different
// NaNs when a NaN gradient meets a NaN moment.
func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

// specials are the values randValue mixes in.
var specials = []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1),
	math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64}

// randValue returns, one time in 8, one of specials, and otherwise a
// normal deviate scaled by a power of ten, half of the time one from
// 1e-8 to 1e2 as gradients and moments are in training, half of the time
// one from 1e-300 to 1e300 to reach overflow, underflow and subnormals.
func randValue(rng *rand.Rand) float64 {
	if rng.IntN(8) == 0 {
		return specials[rng.IntN(len(specials))]
	}
	e := rng.IntN(11) - 8
	if rng.IntN(2) == 0 {
		e = rng.IntN(601) - 300
	}
	return rng.NormFloat64() * math.Pow(10, float64(e))
}

// randSlices returns n values of p, g and the two states. The states are
// (mean) squares for every rule but Adam's m, so mostly not negative; a
// quarter of them are 0, as at the start of training.
func randSlices(rng *rand.Rand, n int) (p, g []float64, s [2][]float64) {
	p, g, s = make([]float64, n), make([]float64, n), [2][]float64{make([]float64, n), make([]float64, n)}
	for j := range n {
		p[j], g[j], s[0][j], s[1][j] = randValue(rng), randValue(rng), math.Abs(randValue(rng)), math.Abs(randValue(rng))
		if rng.IntN(4) == 0 {
			s[0][j], s[1][j] = 0, 0
		}
		if rng.IntN(4) == 0 {
			s[0][j] = -s[0][j] // Adam's m, or an h that no Update makes
		}
	}
	return p, g, s
}

// Every kernel follows each rule bit for bit over lengths 0 to 40 (all
// the tails) and longer, through four updates with random gradients, one
// of them all zero.
func TestKernelsMatchTheFormulas(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	lengths := []int{64, 255, 1000, 1027}
	for n := range 41 {
		lengths = append(lengths, n)
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			forEachKernel(t, func(t *testing.T) {
				nan := 0
				for _, n := range lengths {
					p, g, s := randSlices(rng, n)
					for step := 1; step <= 4; step++ {
						for j := range g {
							g[j] = randValue(rng)
						}
						if step == 2 {
							clear(g) // a zero gradient
						}
						p0, g0, s0 := clone(p), clone(g), [2][]float64{clone(s[0]), clone(s[1])}
						r.run(p, g, s, step)
						for j := range n {
							wp, ws := r.ref(p0[j], g0[j], [2]float64{s0[0][j], s0[1][j]}, step)
							if !sameBits(wp, p[j]) || !sameBits(ws[0], s[0][j]) || !sameBits(ws[1], s[1][j]) {
								require.Failf(t, "differs from the formula",
									"n=%d step %d j=%d: p, g, state = %v, %v, %v, %v\nwant p, state = %v, %v\n got p, state = %v, %v, %v",
									n, step, j, p0[j], g0[j], s0[0][j], s0[1][j], wp, ws, p[j], s[0][j], s[1][j])
							}
							if math.IsNaN(p[j]) {
								nan++
							}
						}
						require.Equal(t, bits(g0), bits(g), "gradient untouched")
					}
				}
				assert.Positive(t, nan, "the inputs reach NaN")
			})
		})
	}
}

// Special values, each in all 11 elements so that a vector kernel and
// the Go tail both see them, with c1 = 0.1, c2 = 0.001 and lrt = 1.
func TestAdamKernelsOnSpecialValues(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	tests := []struct {
		name                string
		p, g, m, v          float64
		wantP, wantM, wantV float64
	}{
		// m = 0, v = 0; p − 0/(0 + eps) = p
		{"zero gradient on a fresh state", 0.5, 0, 0, 0, 0.5, 0, 0},
		// m = 0.25 + 0.1·(0.5 − 0.25) = 0.275; v = 0 + 0.001·0.25 = 2.5e-4;
		// √v + eps = 0.0158114883, so p = 1 − 0.275/0.0158114883 = −16.3924171
		// (in the float64 arithmetic of every kernel alike)
		{"ordinary", 1, 0.5, 0.25, 0, 1 - 0.275/(math.Sqrt(2.5e-4)+1e-7), 0.275, 0.001 * 0.25},
		{"NaN gradient", 0.5, nan, 0.1, 0.01, nan, nan, nan},
		// m = 0.1·∞ = ∞, v = 0.001·∞ = ∞; p − ∞/∞ is NaN
		{"+Inf gradient", 0.5, inf, 0, 0, nan, inf, inf},
		{"-Inf gradient", 0.5, -inf, 0, 0, nan, -inf, inf},
		// m = ∞ + 0.1·(1 − ∞) = ∞ − ∞
		{"infinite moment", 0.5, 1, inf, 1, nan, nan, 1 + 0.001*(1-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachKernel(t, func(t *testing.T) {
				const n = 11
				p, g, m, v := fill(n, tt.p), fill(n, tt.g), fill(n, tt.m), fill(n, tt.v)
				Adam(p, g, m, v, 0.1, 0.001, 1, eps)
				for j := range n {
					assert.True(t, sameBits(tt.wantP, p[j]), "p[%d] = %v, want %v", j, p[j], tt.wantP)
					assert.True(t, sameBits(tt.wantM, m[j]), "m[%d] = %v, want %v", j, m[j], tt.wantM)
					assert.True(t, sameBits(tt.wantV, v[j]), "v[%d] = %v, want %v", j, v[j], tt.wantV)
				}
			})
		})
	}
}

// Five updates in a row over slices of odd lengths, as the parameters of
// a network are, one of them with a NaN gradient, leave the same bits with
// every kernel as with the Go loops alone.
func TestKernelsMatchTheGoLoops(t *testing.T) {
	lengths := []int{91, 13, 5, 99, 8}
	run := func(r rule) [][]float64 {
		rng := rand.New(rand.NewPCG(13, 14))
		var out [][]float64
		for _, n := range lengths {
			p, g, s := make([]float64, n), make([]float64, n), [2][]float64{make([]float64, n), make([]float64, n)}
			for j := range p {
				p[j] = 0.1 * rng.NormFloat64()
			}
			for step := range 5 {
				for j := range g {
					g[j] = rng.NormFloat64()
				}
				if n > step {
					g[step] = math.NaN()
				}
				r.run(p, g, s, step+1)
			}
			out = append(out, p, s[0], s[1])
		}
		return out
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			saved := kernel
			defer func() { kernel = saved }()
			kernel = goKernels
			want := run(r)
			for _, k := range available() {
				kernel = k
				t.Run("kernel="+k.name, func(t *testing.T) {
					got := run(r)
					for i := range want {
						for j, w := range want[i] {
							require.True(t, sameBits(w, got[i][j]),
								"slice %d, element %d: %v, want %v", i, j, got[i][j], w)
						}
					}
				})
			}
		})
	}
}

// Each function panics, whatever the kernel, when a slice is shorter
// than p.
func TestShortSlicesPanic(t *testing.T) {
	long, short := make([]float64, 19), make([]float64, 18)
	tests := []struct {
		name string
		f    func()
	}{
		{"AdaGrad g", func() { AdaGrad(long, short, long, 0.01, eps) }},
		{"AdaGrad h", func() { AdaGrad(long, long, short, 0.01, eps) }},
		{"RMSProp g", func() { RMSProp(long, short, long, 0.99, 0.01, 0.01, eps) }},
		{"RMSProp h", func() { RMSProp(long, long, short, 0.99, 0.01, 0.01, eps) }},
		{"Adam g", func() { Adam(long, short, long, long, 0.1, 0.001, 0.001, eps) }},
		{"Adam m", func() { Adam(long, long, short, long, 0.1, 0.001, 0.001, eps) }},
		{"Adam v", func() { Adam(long, long, long, short, 0.1, 0.001, 0.001, eps) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachKernel(t, func(t *testing.T) {
				assert.Panics(t, tt.f)
			})
		})
	}
}

func clone(s []float64) []float64 { return append([]float64(nil), s...) }

// bits returns the bit patterns of s, which compare equal where NaNs do
// not.
func bits(s []float64) []uint64 {
	b := make([]uint64, len(s))
	for j, x := range s {
		b[j] = math.Float64bits(x)
	}
	return b
}

func fill(n int, x float64) []float64 {
	s := make([]float64, n)
	for j := range s {
		s[j] = x
	}
	return s
}
