package sparse

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMulTransAtByHand: c holds (0, 1) and (1, 0); d·wᵀ with d = [1 2; 3 4]
// and w = [5 6; 7 8] is [17 23; 39 53], so those two entries become 23 and
// 39 and the other two keep what dst had.
func TestMulTransAtByHand(t *testing.T) {
	var c, ct CSR
	require.True(t, c.FromDense([]float64{0, 2, 3, 0}, 2, 2, 1))
	ct.Transpose(&c)
	dst := []float64{-1, -1, -1, -1}
	MulTransAt(dst, &ct, []float64{1, 2, 3, 4}, []float64{5, 6, 7, 8}, 2)
	assert.Equal(t, []float64{-1, 23, 39, -1}, dst)
}

// TestMulTransAt compares every stored position with the dense product
// d·wᵀ summed naively, and wants every other position untouched, for
// lengths m around the four running sums and densities from empty to
// full, with every kernel this CPU runs.
func TestMulTransAt(t *testing.T) {
	withKernels(t, testMulTransAt)
}

func testMulTransAt(t *testing.T) {
	rng := newRand()
	for _, rows := range []int{1, 3, 17} {
		for _, cols := range []int{1, 5, 40} {
			for _, m := range edgeSizes {
				for _, density := range densities {
					t.Run(fmt.Sprintf("rows=%d/cols=%d/m=%d/density=%v", rows, cols, m, density), func(t *testing.T) {
						x := randSparse(rng, rows, cols, density)
						var c, ct CSR
						require.True(t, c.FromDense(x, rows, cols, 1))
						ct.Transpose(&c)
						d, w := randDense(rng, rows*m), randDense(rng, cols*m)
						wt := make([]float64, m*cols)
						for k := range cols {
							for j := range m {
								wt[j*cols+k] = w[k*m+j]
							}
						}
						full, scale := naiveMul(d, wt, nil, rows, m, cols, false)
						dst := make([]float64, rows*cols)
						for i := range dst {
							dst[i] = math.Inf(-1)
						}
						MulTransAt(dst, &ct, d, w, m)
						want := make([]float64, len(dst))
						for i := range want {
							want[i] = math.Inf(-1)
							if x[i] != 0 {
								want[i] = full[i]
							}
						}
						assertClose(t, want, scale, dst, m)
					})
				}
			}
		}
	}
}

// TestMulTransAtSameOnAnyNumberOfCores runs a product large enough to be
// shared with GOMAXPROCS 1, 2, 3 and 8 and wants the same bits each time,
// several products at once for the race detector.
func TestMulTransAtSameOnAnyNumberOfCores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := newRand()
	const n, k, m = 100, 4320, 100
	var c, ct CSR
	require.True(t, c.FromDense(randSparse(rng, n, k, 0.05), n, k, 1))
	ct.Transpose(&c)
	require.GreaterOrEqual(t, 2*float64(c.NNZ())*m, float64(parallelDotWork))
	d, w := randDense(rng, n*m), randDense(rng, k*m)
	runtime.GOMAXPROCS(1)
	want := make([]float64, n*k)
	MulTransAt(want, &ct, d, w, m)
	for _, procs := range []int{2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		done := make(chan []float64)
		for range 3 {
			go func() {
				got := make([]float64, n*k)
				MulTransAt(got, &ct, d, w, m)
				done <- got
			}()
		}
		for range 3 {
			got := <-done
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("GOMAXPROCS %d: element %d is %v, on one core %v", procs, i, got[i], want[i])
				}
			}
		}
	}
}

func TestMulTransAtAllocatesNothing(t *testing.T) {
	rng := newRand()
	const n, k, m = 100, 4320, 100
	var c, ct CSR
	require.True(t, c.FromDense(randSparse(rng, n, k, 0.05), n, k, 1))
	ct.Transpose(&c)
	d, w, dst := randDense(rng, n*m), randDense(rng, k*m), make([]float64, n*k)
	MulTransAt(dst, &ct, d, w, m)
	assert.Equal(t, 0.0, testing.AllocsPerRun(20, func() { MulTransAt(dst, &ct, d, w, m) }))
}

func TestMulTransAtPanicsOnShapes(t *testing.T) {
	var c, ct CSR
	require.True(t, c.FromDense(make([]float64, 6), 2, 3, 1))
	ct.Transpose(&c) // x (2, 3): d (2, 4), w (3, 4)
	assert.NotPanics(t, func() { MulTransAt(make([]float64, 6), &ct, make([]float64, 8), make([]float64, 12), 4) })
	assert.Panics(t, func() { MulTransAt(make([]float64, 5), &ct, make([]float64, 8), make([]float64, 12), 4) })
	assert.Panics(t, func() { MulTransAt(make([]float64, 6), &ct, make([]float64, 7), make([]float64, 12), 4) })
	assert.Panics(t, func() { MulTransAt(make([]float64, 6), &ct, make([]float64, 8), make([]float64, 11), 4) })
}

// BenchmarkMulTransAt is ∂L/∂x of SimpleConvNet's first fully connected
// layer at its input's nonzeros: a (100, 4320) input about 4 % nonzero
// after ReLU and pooling, 100 outputs.
func BenchmarkMulTransAt(b *testing.B) {
	rng := newRand()
	const n, k, m = 100, 4320, 100
	var c, ct CSR
	c.FromDense(randSparse(rng, n, k, 0.04), n, k, 1)
	ct.Transpose(&c)
	d, w, dst := randDense(rng, n*m), randDense(rng, k*m), make([]float64, n*k)
	b.Run(fmt.Sprintf("shape=%dx%dx%d/nnz=%d", n, k, m, ct.NNZ()), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			MulTransAt(dst, &ct, d, w, m)
		}
	})
}
