package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// naive computes C = alpha·op(A)·op(B) + beta·C by the definition, one
// dot product per element, with beta = 0 overwriting C.
func naive(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				ia, ib := i*lda+p, p*ldb+j
				if transA {
					ia = p*lda + i
				}
				if transB {
					ib = j*ldb + p
				}
				av, bv := a[ia], b[ib]
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

// problem is one product with operands stored as sub-matrices of larger
// buffers: each leading dimension exceeds its row length by pad, and
// elements outside the matrices hold sentinels that must survive.
type problem struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	pad            int
	a, b, c        []float64
	lda, ldb, ldc  int
}

const sentinel = -12345.678

func newProblem(rng *rand.Rand, transA, transB bool, m, n, k, pad int, alpha, beta float64) *problem {
	p := &problem{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta, pad: pad}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	p.lda, p.ldb, p.ldc = ac+pad, bc+pad, n+pad
	fill := func(rows, cols, ld int, garbage bool) []float64 {
		x := make([]float64, rows*ld)
		for i := range x {
			x[i] = sentinel
		}
		for i := range rows {
			for j := range cols {
				if garbage {
					x[i*ld+j] = math.NaN()
				} else {
					x[i*ld+j] = rng.NormFloat64()
				}
			}
		}
		return x
	}
	p.a = fill(ar, ac, p.lda, false)
	p.b = fill(br, bc, p.ldb, false)
	p.c = fill(m, n, p.ldc, beta == 0)
	return p
}

// check runs the product with kern and compares it with naive, element by
// element, including that the padding of C is untouched.
func (p *problem) check(t *testing.T, kern *kernel) {
	t.Helper()
	want := append([]float64(nil), p.c...)
	naive(p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, want, p.ldc)
	got := append([]float64(nil), p.c...)
	gemmWith(kern, p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, got, p.ldc)
	// Each element is a sum of k products of standard normals: its rounding
	// error grows like k·ε times the size of the terms.
	tol := 1e-13 * float64(p.k+1) * (math.Abs(p.alpha) + math.Abs(p.beta) + 1)
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol || math.IsNaN(got[i]) != math.IsNaN(want[i]) {
			row, col := i/p.ldc, i%p.ldc
			t.Fatalf("%s: transA=%v transB=%v m=%d n=%d k=%d alpha=%v beta=%v pad=%d: c[%d][%d] = %v, want %v",
				kern.name, p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.beta, p.pad, row, col, got[i], want[i])
		}
	}
}

var transposes = []struct {
	name           string
	transA, transB bool
}{{"NN", false, false}, {"TN", true, false}, {"NT", false, true}, {"TT", true, true}}

// TestEdgeSizes covers every m, n, k in 1…17 (every remainder against
// every kernel's tile) for all four transpose forms and every kernel.
func TestEdgeSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kern := range kernelChoice() {
		for _, tr := range transposes {
			t.Run(fmt.Sprintf("kernel=%s/trans=%s", kern.name, tr.name), func(t *testing.T) {
				for m := 1; m <= 17; m++ {
					for n := 1; n <= 17; n++ {
						for k := 1; k <= 17; k++ {
							newProblem(rng, tr.transA, tr.transB, m, n, k, (m+n+k)%3, 1, 0).check(t, &kern)
						}
					}
				}
			})
		}
	}
}

// TestAlphaBeta checks the scaling forms, including beta = 0 overwriting
// NaN garbage and negative zero counting as zero.
func TestAlphaBeta(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []struct {
		name        string
		alpha, beta float64
	}{
		{"alpha=1/beta=0", 1, 0},
		{"alpha=1/beta=-0", 1, math.Copysign(0, -1)},
		{"alpha=1/beta=1", 1, 1},
		{"alpha=2.5/beta=0", 2.5, 0},
		{"alpha=-0.5/beta=1", -0.5, 1},
		{"alpha=0.75/beta=-2", 0.75, -2},
		{"alpha=0/beta=0.5", 0, 0.5},
		{"alpha=0/beta=0", 0, 0},
	}
	for _, kern := range kernelChoice() {
		for _, tc := range cases {
			t.Run("kernel="+kern.name+"/"+tc.name, func(t *testing.T) {
				for _, tr := range transposes {
					for _, s := range [][3]int{{37, 29, 41}, {5, 70, 300}, {130, 9, 3}} {
						newProblem(rng, tr.transA, tr.transB, s[0], s[1], s[2], 2, tc.alpha, tc.beta).check(t, &kern)
					}
				}
			})
		}
	}
}

// TestLargeShapes crosses every block size: k beyond kcMax (several
// k-blocks), m beyond mcTarget (several row blocks), n·k beyond packBMax
// (several chunks of B), with strides.
func TestLargeShapes(t *testing.T) {
	if testing.Short() {
		t.Skip("large products")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	shapes := []struct {
		name    string
		m, n, k int
	}{
		{"forward", 100, 50, 784},
		{"tall", 1000, 50, 300},
		{"deep", 33, 35, 1100},
		{"chunks", 70, 1100, 600}, // 1100·600 > packBMax: two chunks
		{"square", 260, 270, 280},
	}
	for _, kern := range kernelChoice() {
		for _, tr := range transposes {
			for _, s := range shapes {
				t.Run(fmt.Sprintf("kernel=%s/trans=%s/shape=%s", kern.name, tr.name, s.name), func(t *testing.T) {
					newProblem(rng, tr.transA, tr.transB, s.m, s.n, s.k, 3, 1.5, 0.5).check(t, &kern)
				})
			}
		}
	}
}

// TestConcurrentCallers runs products from several goroutines at once, so
// that workers, jobs and buffers are shared (run it with -race).
func TestConcurrentCallers(t *testing.T) {
	var wg sync.WaitGroup
	kern := &kernelChoice()[0]
	for g := range 4 {
		rng := rand.New(rand.NewPCG(7, uint64(g)))
		// Each above parallelFlops, so that helpers take part.
		probs := []*problem{
			newProblem(rng, false, false, 300, 60, 500, 1, 1, 0),
			newProblem(rng, true, false, 256, 80, 420, 0, 1, 1),
			newProblem(rng, false, true, 90, 300, 320, 2, 1, 0),
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				for _, p := range probs {
					p.check(t, kern)
				}
			}
		}()
	}
	wg.Wait()
}

func TestPanics(t *testing.T) {
	a, b, c := make([]float64, 6), make([]float64, 6), make([]float64, 4)
	cases := []struct {
		name string
		fn   func()
	}{
		{"negative m", func() { Gemm(false, false, -1, 2, 3, 1, a, 3, b, 2, 0, c, 2) }},
		{"lda too small", func() { Gemm(false, false, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2) }},
		{"b too short", func() { Gemm(false, false, 2, 2, 3, 1, a, 3, b[:5], 2, 0, c, 2) }},
		{"ldc too small", func() { Gemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 1) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { requireGemmPanic(t, tc.fn) })
	}
}

// TestPanicsOnHugeStrides gives leading dimensions so large that the
// extent of a matrix, (rows−1)·ld + cols, exceeds the int range: the check
// must see a matrix that no slice can hold, not a wrapped-around small one.
func TestPanicsOnHugeStrides(t *testing.T) {
	// 15·ld = 2⁶⁴ − 1 wraps around to −1: the extent of a 16-row matrix
	// would look like cols − 1.
	const wraps = (1<<64 - 1) / 15
	a, b, c := make([]float64, 16*8), make([]float64, 8*8), make([]float64, 16*8)
	cases := []struct {
		name string
		fn   func(kern *kernel)
	}{
		{"ldc wraps", func(kern *kernel) { gemmWith(kern, false, false, 16, 8, 8, 1, a, 8, b, 8, 0, c, wraps) }},
		{"lda wraps", func(kern *kernel) { gemmWith(kern, false, false, 16, 8, 8, 1, a, wraps, b, 8, 0, c, 8) }},
		{"ldb wraps", func(kern *kernel) { gemmWith(kern, false, true, 16, 16, 8, 1, a, 8, b, wraps, 0, c, 16) }},
		{"lda half of MaxInt", func(kern *kernel) { gemmWith(kern, false, false, 3, 2, 2, 1, a, math.MaxInt/2, b, 2, 0, c, 2) }},
		{"ldc MaxInt", func(kern *kernel) { gemmWith(kern, false, false, 2, 2, 2, 1, a, 2, b, 2, 0, c, math.MaxInt) }},
	}
	for _, tc := range cases {
		for _, kern := range kernelChoice() {
			t.Run(tc.name+"/kernel="+kern.name, func(t *testing.T) {
				requireGemmPanic(t, func() { tc.fn(&kern) })
			})
		}
	}
}

// requireGemmPanic checks that fn panics with the package's own message,
// not a runtime error from deeper down.
func requireGemmPanic(t *testing.T, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		require.NotNil(t, r, "no panic")
		msg, ok := r.(string)
		require.True(t, ok, "panic value %v (%T) is not the package's message", r, r)
		require.True(t, strings.HasPrefix(msg, "gemm: "), "panic %q", msg)
	}()
	fn()
}

// TestNonFinitePropagates checks that every term of the definition is
// summed, including 0·NaN and 0·Inf (both NaN under IEEE 754): a kernel
// that skipped zero elements of A would return 0 where the definition
// gives NaN.
func TestNonFinitePropagates(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name string
		bad  float64 // stored in row 0 of op(B), where A's column 0 is zero
	}{{"NaN", nan}, {"+Inf", inf}, {"-Inf", -inf}}
	for _, kern := range kernelChoice() {
		for _, tr := range transposes {
			for _, tc := range cases {
				t.Run(fmt.Sprintf("kernel=%s/trans=%s/value=%s", kern.name, tr.name, tc.name), func(t *testing.T) {
					for _, s := range [][3]int{{2, 2, 2}, {17, 9, 3}, {40, 33, 300}} {
						m, n, k := s[0], s[1], s[2]
						// op(A) is zero in column 0 and 1 elsewhere; op(B) holds
						// bad at (0, 0) and 1 elsewhere. So c[i][0] = 0·bad + (k−1)
						// = NaN for every i, and c[i][j] = k−1 for j > 0.
						a := make([]float64, m*k)
						b := make([]float64, k*n)
						for i := range m {
							for p := 1; p < k; p++ {
								if tr.transA {
									a[p*m+i] = 1
								} else {
									a[i*k+p] = 1
								}
							}
						}
						for i := range b {
							b[i] = 1
						}
						b[0] = tc.bad
						lda, ldb := k, n
						if tr.transA {
							lda = m
						}
						if tr.transB {
							ldb = k
						}
						c := make([]float64, m*n)
						gemmWith(&kern, tr.transA, tr.transB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
						for i := range m {
							require.True(t, math.IsNaN(c[i*n]), "m=%d n=%d k=%d: c[%d][0] = %v, want NaN", m, n, k, i, c[i*n])
							for j := 1; j < n; j++ {
								require.Equal(t, float64(k-1), c[i*n+j], "m=%d n=%d k=%d: c[%d][%d]", m, n, k, i, j)
							}
						}
					}
				})
			}
		}
	}
}

// TestSmallByHand checks a 2×3·3×2 product worked out by hand.
func TestSmallByHand(t *testing.T) {
	const tol = 1e-15
	a := []float64{1, 2, 3, 4, 5, 6}
	b := []float64{7, 8, 9, 10, 11, 12}
	// [1 2 3]·[7 8; 9 10; 11 12] = [58 64]; [4 5 6]·… = [139 154].
	c := []float64{1, 1, 1, 1}
	Gemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 2, c, 2)
	require.InDeltaSlice(t, []float64{60, 66, 141, 156}, c, tol)
}

// FuzzGemm checks random shapes, transposes, strides and scalars against
// the definition on every kernel.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint16(1), uint8(0), uint8(0), int8(2), int8(0), uint64(1))
	f.Add(uint8(17), uint8(9), uint16(300), uint8(3), uint8(1), int8(-3), int8(4), uint64(2))
	f.Add(uint8(130), uint8(50), uint16(784), uint8(1), uint8(0), int8(2), int8(2), uint64(3))
	f.Fuzz(func(t *testing.T, m, n uint8, k uint16, trans, pad uint8, alpha, beta int8, seed uint64) {
		if m == 0 || n == 0 || k == 0 || k > 1200 {
			t.Skip()
		}
		rng := rand.New(rand.NewPCG(seed, 9))
		p := newProblem(rng, trans&1 != 0, trans&2 != 0, int(m), int(n), int(k), int(pad%5), float64(alpha)/2, float64(beta)/2)
		for _, kern := range kernelChoice() {
			p.check(t, &kern)
		}
	})
}

func TestConcurrentShapesAreParallel(t *testing.T) {
	for _, s := range [][3]int{{300, 60, 500}, {256, 80, 420}, {90, 300, 320}} {
		require.GreaterOrEqual(t, 2*float64(s[0]*s[1]*s[2]), float64(parallelFlops), "shape %v", s)
	}
}

// TestSameBitsOnAnyNumberOfCores computes products that are shared among
// the cores — cut by rows with one packed op(B) for all, and by columns
// each packing its own panels (a C of one row block) — with GOMAXPROCS 1,
// 2, 3 and 8, and requires the same bits every time: every element is
// summed in the same order wherever it runs. Each result is also checked
// against the definition.
func TestSameBitsOnAnyNumberOfCores(t *testing.T) {
	if testing.Short() {
		t.Skip("large products")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(21, 22))
	shapes := []struct {
		name    string
		m, n, k int
	}{
		{"wide", 100, 4320, 100},    // one row block: columns, each packing its own
		{"short", 30, 700, 300},     // the same with a partial row panel
		{"batch", 100, 1100, 600},   // two chunks of op(B)
		{"tall", 1000, 100, 100},    // row blocks
		{"deep", 100, 100, 1000},    // four k-blocks, shared: on 8 cores each in two column blocks
		{"deeper", 60, 60, 2500},    // ten k-blocks, more than the cores
		{"deepest", 100, 100, 2500}, // ten k-blocks, whose partial products are added by shares of rows
	}
	for _, kern := range kernelChoice() {
		splits, adds := kSplits.Load(), addShares.Load()
		for _, tr := range transposes {
			for _, s := range shapes {
				for _, ab := range [][2]float64{{1, 0}, {1.5, 0}, {1.5, 0.5}} {
					name := fmt.Sprintf("kernel=%s/trans=%s/shape=%s/alpha=%g", kern.name, tr.name, s.name, ab[0])
					t.Run(name, func(t *testing.T) {
						p := newProblem(rng, tr.transA, tr.transB, s.m, s.n, s.k, 2, ab[0], ab[1])
						runtime.GOMAXPROCS(1)
						p.check(t, &kern)
						var want []float64
						// A product of other values first, so that what a
						// pooled job's buffers keep from it cannot pass for
						// parts of the next.
						other := make([]float64, len(p.a))
						for i, v := range p.a {
							other[i] = 1 - 2*v
						}
						for _, procs := range []int{1, 2, 3, 8} {
							runtime.GOMAXPROCS(procs)
							scratch := append([]float64(nil), p.c...)
							gemmWith(&kern, p.transA, p.transB, p.m, p.n, p.k, p.alpha, other, p.lda, p.b, p.ldb, p.beta, scratch, p.ldc)
							got := append([]float64(nil), p.c...)
							gemmWith(&kern, p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, got, p.ldc)
							if want == nil {
								want = got
								continue
							}
							for i := range got {
								if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
									t.Fatalf("GOMAXPROCS=%d: c[%d][%d] = %v, on one core %v", procs, i/p.ldc, i%p.ldc, got[i], want[i])
								}
							}
						}
					})
				}
			}
		}
		// The deep shapes share their k-blocks on some of these core
		// counts with every kernel (with 6-row panels, only on 8).
		if kSplits.Load() == splits {
			t.Errorf("kernel %s: no product shared its k-blocks", kern.name)
		}
		if addShares.Load() == adds {
			t.Errorf("kernel %s: no product shared the adding of its partial products", kern.name)
		}
	}
}
