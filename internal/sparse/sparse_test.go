package sparse

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newRand() *rand.Rand { return rand.New(rand.NewPCG(7, 8)) }

// randSparse returns a row-major (rows, cols) matrix with about a fraction
// density of nonzeros, negative ones included, and every third row empty
// when density < 1.
func randSparse(rng *rand.Rand, rows, cols int, density float64) []float64 {
	x := make([]float64, rows*cols)
	for i := range rows {
		if density < 1 && i%3 == 2 {
			continue
		}
		for j := range cols {
			if rng.Float64() < density {
				x[i*cols+j] = rng.NormFloat64()
			}
		}
	}
	return x
}

func randDense(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// naiveMul returns the dense product a (n, k) · b (k, m) + bias, with
// a transposed ((k, n) in memory) when transA is set; each sum also
// returns Σ|terms|, the scale its rounding error is measured against.
func naiveMul(a, b, bias []float64, n, k, m int, transA bool) (prod, scale []float64) {
	prod, scale = make([]float64, n*m), make([]float64, n*m)
	for i := range n {
		for j := range m {
			var s, abs float64
			if bias != nil {
				s, abs = bias[j], math.Abs(bias[j])
			}
			for p := range k {
				av := a[i*k+p]
				if transA {
					av = a[p*n+i]
				}
				s += av * b[p*m+j]
				abs += math.Abs(av * b[p*m+j])
			}
			prod[i*m+j], scale[i*m+j] = s, abs
		}
	}
	return prod, scale
}

// assertClose checks got against want elementwise, within the rounding of
// a sum of k terms whose magnitudes add up to scale: k·ε·scale, plus a
// tiny absolute slack. NaN must match NaN and infinities must match.
func assertClose(t *testing.T, want, scale, got []float64, k int) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		w, g := want[i], got[i]
		var ok bool
		switch {
		case math.IsNaN(w):
			ok = math.IsNaN(g)
		case math.IsInf(w, 0):
			ok = g == w
		default:
			tol := float64(k+1)*0x1p-52*scale[i] + 1e-300
			ok = math.Abs(g-w) <= tol
		}
		if !ok {
			// Checked by hand above for speed; report through testify.
			require.InDeltaf(t, w, g, float64(k+1)*0x1p-52*scale[i], "element %d of %d", i, len(want))
			require.Failf(t, "mismatch", "element %d: got %v, want %v", i, g, w)
		}
	}
}

// withKernels runs f once for each kernel this CPU can run.
func withKernels(t *testing.T, f func(t *testing.T)) {
	saved := kernel
	defer func() { kernel = saved }()
	for _, k := range available() {
		kernel = k
		t.Run("kernel="+k.name, f)
	}
}

var (
	edgeSizes = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 50, 100}
	densities = []float64{0, 0.05, 0.2, 0.5, 1}
)

func TestFromDense(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		x := []float64{
			0, 2, 0, -3,
			0, 0, 0, 0,
			math.Copysign(0, -1), math.NaN(), math.Inf(-1), 1,
		}
		var c CSR
		require.True(t, c.FromDense(x, 3, 4, 1))
		assert.Equal(t, 3, c.Rows)
		assert.Equal(t, 4, c.Cols)
		assert.Equal(t, []int{0, 2, 2, 5}, c.RowPtr)
		assert.Equal(t, []int32{1, 3, 1, 2, 3}, c.ColIdx[:c.NNZ()])
		assert.Equal(t, 2.0, c.Val[0])
		assert.Equal(t, -3.0, c.Val[1])
		assert.True(t, math.IsNaN(c.Val[2]))
		assert.True(t, math.IsInf(c.Val[3], -1))
		assert.Equal(t, 1.0, c.Val[4])

		t.Run("too dense", func(t *testing.T) {
			// 5 nonzeros in 12 entries: a threshold of 5/12 passes, one below fails.
			assert.True(t, c.FromDense(x, 3, 4, 5.0/12))
			assert.False(t, c.FromDense(x, 3, 4, 4.0/12))
			assert.False(t, c.FromDense(x, 3, 4, 0))
			assert.True(t, c.FromDense(make([]float64, 12), 3, 4, 0))
			assert.Equal(t, 0, c.NNZ())
		})
		t.Run("panics on a wrong length", func(t *testing.T) {
			assert.Panics(t, func() { c.FromDense(x, 4, 4, 1) })
		})
		t.Run("reuses storage", func(t *testing.T) {
			big := randSparse(newRand(), 100, 784, 0.2)
			require.True(t, c.FromDense(big, 100, 784, 0.3))
			assert.Equal(t, 0.0, testing.AllocsPerRun(10, func() { c.FromDense(big, 100, 784, 0.3) }))
		})
	})
}

func TestFromDenseMatchesNaive(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		rng := newRand()
		for _, cols := range []int{1, 7, 8, 9, 15, 16, 17, 63, 784} {
			for _, d := range densities {
				x := randSparse(rng, 9, cols, d)
				var c CSR
				require.True(t, c.FromDense(x, 9, cols, 1))
				for i := range 9 {
					var idx []int32
					var val []float64
					for j, v := range x[i*cols : (i+1)*cols] {
						if v != 0 {
							idx, val = append(idx, int32(j)), append(val, v)
						}
					}
					p0, p1 := c.RowPtr[i], c.RowPtr[i+1]
					require.Equal(t, len(idx), p1-p0, "cols=%d density=%g row %d", cols, d, i)
					if len(idx) > 0 {
						assert.Equal(t, idx, c.ColIdx[p0:p1])
						assert.Equal(t, val, c.Val[p0:p1])
					}
				}
			}
		}
	})
}

func TestTranspose(t *testing.T) {
	rng := newRand()
	for _, rows := range []int{0, 1, 3, 17, 100} {
		for _, cols := range []int{1, 4, 17, 784} {
			for _, d := range densities {
				x := randSparse(rng, rows, cols, d)
				var c, ct CSR
				require.True(t, c.FromDense(x, rows, cols, 1))
				ct.Transpose(&c)
				xt := make([]float64, len(x))
				for i := range rows {
					for j := range cols {
						xt[j*rows+i] = x[i*cols+j]
					}
				}
				var want CSR
				require.True(t, want.FromDense(xt, cols, rows, 1))
				name := fmt.Sprintf("%dx%d/density=%g", rows, cols, d)
				assert.Equal(t, want.RowPtr, ct.RowPtr, name)
				assert.Equal(t, append([]int32{}, want.ColIdx[:want.NNZ()]...), append([]int32{}, ct.ColIdx[:ct.NNZ()]...), name)
				assert.Equal(t, append([]float64{}, want.Val[:want.NNZ()]...), append([]float64{}, ct.Val[:ct.NNZ()]...), name)
			}
		}
	}
}

// checkMul compares Mul, and Mul on the transpose, with naiveMul.
func checkMul(t *testing.T, rng *rand.Rand, n, k, m int, density float64, withBias bool) {
	t.Helper()
	x := randSparse(rng, n, k, density)
	w := randDense(rng, k*m)
	var bias []float64
	if withBias {
		bias = randDense(rng, m)
	}
	var c, ct CSR
	require.True(t, c.FromDense(x, n, k, 1))
	got := randDense(rng, n*m) // garbage that Mul must overwrite
	Mul(got, &c, w, m, bias)
	want, scale := naiveMul(x, w, bias, n, k, m, false)
	assertClose(t, want, scale, got, k)

	// xᵀ·d with d (n, m): the weight gradient.
	d := randDense(rng, n*m)
	ct.Transpose(&c)
	gotT := randDense(rng, k*m)
	Mul(gotT, &ct, d, m, nil)
	wantT, scaleT := naiveMul(x, d, nil, k, n, m, true)
	assertClose(t, wantT, scaleT, gotT, n)
}

func TestMulEdgeSizes(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		rng := newRand()
		for _, n := range []int{1, 2, 3, 5, 8, 17, 100} {
			for _, k := range []int{1, 3, 9, 17, 784} {
				for _, m := range edgeSizes {
					if n*k*m > 1e6 {
						continue // covered by TestMulLarge
					}
					for _, d := range densities {
						checkMul(t, rng, n, k, m, d, (n+k+m)%2 == 0)
					}
				}
			}
		}
	})
}

func TestMulLarge(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		rng := newRand()
		checkMul(t, rng, 100, 784, 50, 0.19, true)
		checkMul(t, rng, 100, 784, 17, 0.5, false)
		checkMul(t, rng, 17, 784, 100, 0.05, true)
	})
}

func TestMulWideOutputs(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		rng := newRand()
		for _, m := range []int{47, 48, 49, 52, 53, 55, 56, 57, 63, 64, 65, 97, 112, 113, 200, 784} {
			checkMul(t, rng, 13, 29, m, 0.2, true)
			checkMul(t, rng, 13, 29, m, 0.2, false)
		}
	})
}

func TestMulNonFinite(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		// x = [[NaN 0 0], [0 Inf 0], [0 0 0], [0 2 -Inf]] times w (3, 50):
		// the same NaN and Inf the dense product gives, row by row.
		const m = 50
		x := []float64{math.NaN(), 0, 0, 0, math.Inf(1), 0, 0, 0, 0, 0, 2, math.Inf(-1)}
		w := make([]float64, 3*m)
		for j := range m {
			w[j], w[m+j], w[2*m+j] = 1, float64(j%3)-1, 1 // row 1: -1, 0, 1, …
		}
		var c CSR
		require.True(t, c.FromDense(x, 4, 3, 1))
		got := make([]float64, 4*m)
		Mul(got, &c, w, m, nil)
		want, scale := naiveMul(x, w, nil, 4, 3, m, false)
		assertClose(t, want, scale, got, 3)
		assert.True(t, math.IsNaN(got[0]))
		assert.Equal(t, math.Inf(-1), got[m])   // Inf·(−1)
		assert.True(t, math.IsNaN(got[m+1]))    // Inf·0
		assert.Equal(t, math.Inf(1), got[m+2])  // Inf·1
		assert.Equal(t, 0.0, got[2*m])          // the empty row
		assert.Equal(t, math.Inf(-1), got[3*m]) // 2·1 − Inf
	})
}

func TestAllFinite(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		for _, n := range []int{0, 1, 3, 7, 8, 9, 31, 32, 33, 100, 1000} {
			x := randDense(newRand(), n)
			assert.True(t, AllFinite(x), "n=%d", n)
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				for _, at := range []int{0, n / 2, n - 1} {
					if n == 0 {
						continue
					}
					saved := x[at]
					x[at] = bad
					assert.False(t, AllFinite(x), "n=%d, %v at %d", n, bad, at)
					x[at] = saved
				}
			}
			// Values near the top of the range are finite.
			if n > 0 {
				x[n-1] = math.MaxFloat64
				assert.True(t, AllFinite(x))
			}
		}
	})
}

// TestMulParallel runs products large enough to be shared among goroutines,
// several at once, as the race detector's workload.
func TestMulParallel(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	withKernels(t, func(t *testing.T) {
		rng := newRand()
		const n, k, m = 500, 784, 50
		x := randSparse(rng, n, k, 0.2)
		w := randDense(rng, k*m)
		var c CSR
		require.True(t, c.FromDense(x, n, k, 1))
		require.GreaterOrEqual(t, 2*float64(c.NNZ())*m, float64(parallelWork))
		want, scale := naiveMul(x, w, nil, n, k, m, false)
		done := make(chan []float64)
		for range 3 {
			go func() {
				got := make([]float64, n*m)
				Mul(got, &c, w, m, nil)
				done <- got
			}()
		}
		for range 3 {
			assertClose(t, want, scale, <-done, k)
		}
	})
}

func TestMulAllocatesNothing(t *testing.T) {
	rng := newRand()
	const n, k, m = 100, 784, 50
	var c, ct CSR
	require.True(t, c.FromDense(randSparse(rng, n, k, 0.2), n, k, 1))
	w, d := randDense(rng, k*m), randDense(rng, n*m)
	dst, dw := make([]float64, n*m), make([]float64, k*m)
	step := func() {
		Mul(dst, &c, w, m, w[:m])
		ct.Transpose(&c)
		Mul(dw, &ct, d, m, nil)
	}
	step()
	assert.Equal(t, 0.0, testing.AllocsPerRun(20, step))
}

func TestMulPanicsOnShapes(t *testing.T) {
	var c CSR
	require.True(t, c.FromDense(make([]float64, 6), 2, 3, 1))
	assert.NotPanics(t, func() { Mul(make([]float64, 8), &c, make([]float64, 12), 4, nil) })
	assert.Panics(t, func() { Mul(make([]float64, 7), &c, make([]float64, 12), 4, nil) })
	assert.Panics(t, func() { Mul(make([]float64, 8), &c, make([]float64, 11), 4, nil) })
	assert.Panics(t, func() { Mul(make([]float64, 8), &c, make([]float64, 12), 4, make([]float64, 3)) })
}

func FuzzMul(f *testing.F) {
	f.Add(uint8(3), uint16(17), uint8(50), uint8(20), uint64(1))
	f.Add(uint8(1), uint16(1), uint8(1), uint8(100), uint64(2))
	f.Add(uint8(100), uint16(784), uint8(57), uint8(5), uint64(3))
	f.Fuzz(func(t *testing.T, n uint8, k uint16, m uint8, percent uint8, seed uint64) {
		rows, inner, cols := int(n)%120+1, int(k)%800+1, int(m)%130+1
		density := float64(percent%101) / 100
		saved := kernel
		defer func() { kernel = saved }()
		for _, kern := range available() {
			kernel = kern
			checkMul(t, rand.New(rand.NewPCG(seed, 9)), rows, inner, cols, density, seed%2 == 0)
		}
	})
}

func TestGatherRowsAndRowRange(t *testing.T) {
	rng := newRand()
	const rows, cols = 30, 17
	data := randSparse(rng, rows, cols, 0.2)
	var all CSR
	require.True(t, all.FromDense(data, rows, cols, 1))
	w := randSparse(rng, cols, 9, 1)

	t.Run("GatherRows equals compressing the gathered dense rows", func(t *testing.T) {
		pick := []int{29, 0, 4, 4, 13}
		gathered := make([]float64, 0, len(pick)*cols)
		for _, r := range pick {
			gathered = append(gathered, data[r*cols:(r+1)*cols]...)
		}
		var got, want CSR
		got.GatherRows(&all, pick)
		require.True(t, want.FromDense(gathered, len(pick), cols, 1))
		assert.Equal(t, want.RowPtr[:len(pick)+1], got.RowPtr[:len(pick)+1])
		assert.Equal(t, want.ColIdx[:want.NNZ()], got.ColIdx[:got.NNZ()])
		assert.Equal(t, want.Val[:want.NNZ()], got.Val[:got.NNZ()])
		assert.Panics(t, func() { got.GatherRows(&all, []int{30}) })
	})
	t.Run("RowRange multiplies like the rows it covers", func(t *testing.T) {
		withKernels(t, func(t *testing.T) {
			var view, part CSR
			view.RowRange(&all, 11, 23)
			require.True(t, part.FromDense(data[11*cols:23*cols], 12, cols, 1))
			assert.Equal(t, part.NNZ(), view.NNZ())
			got, want := make([]float64, 12*9), make([]float64, 12*9)
			Mul(got, &view, w, 9, nil)
			Mul(want, &part, w, 9, nil)
			assert.Equal(t, want, got)
			assert.Panics(t, func() { view.RowRange(&all, 5, 31) })
		})
	})
}

func TestTransposeOfARowRange(t *testing.T) {
	rng := newRand()
	data := randSparse(rng, 20, 9, 0.3)
	var all, view, part, tv, tp CSR
	require.True(t, all.FromDense(data, 20, 9, 1))
	view.RowRange(&all, 6, 15)
	require.True(t, part.FromDense(data[6*9:15*9], 9, 9, 1))
	tv.Transpose(&view)
	tp.Transpose(&part)
	assert.Equal(t, tp.RowPtr, tv.RowPtr)
	assert.Equal(t, tp.ColIdx[:tp.NNZ()], tv.ColIdx[:tv.NNZ()])
	assert.Equal(t, tp.Val[:tp.NNZ()], tv.Val[:tv.NNZ()])
}

// TestSharedTransposeAndGatherRows transposes and gathers matrices large
// enough to be shared among cores — whole, and a view of a run of rows —
// with GOMAXPROCS 1, 2 and 4, and wants the same matrices each time.
func TestSharedTransposeAndGatherRows(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := newRand()
	rows, cols := 1200, 784
	x := randSparse(rng, rows, cols, 0.2)
	var c CSR
	require.True(t, c.FromDense(x, rows, cols, 1))
	require.Greater(t, c.NNZ(), max(parallelTranspose, parallelGather))
	pick := make([]int, 1000)
	for i := range pick {
		pick[i] = rng.IntN(rows)
	}
	var view CSR
	view.RowRange(&c, 150, 1150)
	type result struct{ t, vt, g CSR }
	run := func() result {
		var r result
		r.t.Transpose(&c)
		r.vt.Transpose(&view)
		r.g.GatherRows(&c, pick)
		return r
	}
	same := func(name string, want, got *CSR) {
		assert.Equal(t, [2]int{want.Rows, want.Cols}, [2]int{got.Rows, got.Cols}, name)
		assert.Equal(t, want.RowPtr, got.RowPtr, name)
		assert.Equal(t, want.ColIdx[:want.NNZ()], got.ColIdx[:got.NNZ()], name)
		assert.Equal(t, want.Val[:want.NNZ()], got.Val[:got.NNZ()], name)
	}
	runtime.GOMAXPROCS(1)
	want := run()
	for _, procs := range []int{2, 4} {
		runtime.GOMAXPROCS(procs)
		got := run()
		same(fmt.Sprintf("transpose/procs=%d", procs), &want.t, &got.t)
		same(fmt.Sprintf("view transpose/procs=%d", procs), &want.vt, &got.vt)
		same(fmt.Sprintf("gather/procs=%d", procs), &want.g, &got.g)
	}
}

// TestMulAlignedRowsSameBits multiplies with w copied into rows on cache
// lines and without, for w starting at every offset within a line: the
// copy changes where the kernels load from, never which terms they add or
// in what order, so the results must be equal bit for bit.
func TestMulAlignedRowsSameBits(t *testing.T) {
	saved := alignUses
	defer func() { alignUses = saved }()
	withKernels(t, func(t *testing.T) {
		rng := newRand()
		for _, m := range []int{1, 3, 7, 8, 9, 16, 50, 56, 57, 100} {
			for _, shape := range [][2]int{{1, 5}, {13, 29}, {100, 784}} {
				n, k := shape[0], shape[1]
				var c CSR
				require.True(t, c.FromDense(randSparse(rng, n, k, 0.3), n, k, 1))
				backing := randDense(rng, k*m+lineValues)
				bias := randDense(rng, m)
				for off := range lineValues {
					w := backing[off : off+k*m]
					alignUses = 1 << 30 // never copy
					want := make([]float64, n*m)
					Mul(want, &c, w, m, bias)
					alignUses = 0 // always copy rows off a line boundary
					got := make([]float64, n*m)
					Mul(got, &c, w, m, bias)
					for i := range want {
						if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
							t.Fatalf("m %d, %d×%d, w at offset %d: element %d is %v with aligned rows, %v without", m, n, k, off, i, got[i], want[i])
						}
					}
				}
			}
		}
	})
}
