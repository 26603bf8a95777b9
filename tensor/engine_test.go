package tensor

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/internal/gemm"
)

// testEngines lists the engines of this build, in the order of their
// values.
func testEngines() []Engine {
	var es []Engine
	for e := Packed; e <= OpenBLAS; e++ {
		if inBuild(e) {
			es = append(es, e)
		}
	}
	return es
}

// useEngine makes e the engine of the products that follow, until tb and
// its subtests finish; then the previous engine comes back.
func useEngine(tb testing.TB, e Engine) {
	prev := CurrentEngine()
	SetEngine(e)
	tb.Cleanup(func() { SetEngine(prev) })
}

func TestEngineString(t *testing.T) {
	tests := []struct {
		name string
		e    Engine
		want string
	}{
		{"packed", Packed, "packed"},
		{"gonum", Gonum, "gonum"},
		{"openblas", OpenBLAS, "openblas"},
		{"unknown", Engine(7), "Engine(7)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.e.String())
		})
	}
}

// TestDefaultEngine checks the engine a build starts with: OpenBLAS in
// the openblas build, else Packed where an assembly micro-kernel runs and
// Gonum without one (the purego build has none).
func TestDefaultEngine(t *testing.T) {
	want := Gonum
	switch {
	case withOpenBLAS:
		want = OpenBLAS
	case gemm.Accelerated():
		want = Packed
	}
	assert.Equal(t, want, defaultEngine())
}

func TestSetEngine(t *testing.T) {
	for _, e := range testEngines() {
		prev := CurrentEngine()
		t.Run("engine="+e.String(), func(t *testing.T) {
			useEngine(t, e)
			assert.Equal(t, e, CurrentEngine())
		})
		assert.Equal(t, prev, CurrentEngine(), "after engine=%v", e)
	}
}

// TestSetEnginePanics checks that SetEngine refuses an engine the build
// lacks, and leaves the current engine as it was.
func TestSetEnginePanics(t *testing.T) {
	tests := []struct {
		name string
		e    Engine
		want string // the panic's value; "" for none
	}{
		{"unknown=-1", Engine(-1), "tensor: SetEngine: Engine(-1) is not an engine"},
		{"unknown=3", Engine(3), "tensor: SetEngine: Engine(3) is not an engine"},
		{"openblas", OpenBLAS, "tensor: SetEngine: openblas is not in this build (it needs the build tag openblas)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := CurrentEngine()
			if tt.e == OpenBLAS && withOpenBLAS {
				useEngine(t, tt.e)
				assert.Equal(t, OpenBLAS, CurrentEngine())
				return
			}
			require.PanicsWithValue(t, tt.want, func() { SetEngine(tt.e) })
			assert.Equal(t, before, CurrentEngine())
		})
	}
}

// TestEnginesAgree checks every engine of the build against the default
// one through each public product, on shapes that take the matrix-vector
// path (one row or column), edge sizes, and shapes that cross the block
// sizes and share their work among cores.
func TestEnginesAgree(t *testing.T) {
	const tol = 1e-10
	shapes := [][3]int{{1, 7, 5}, {6, 1, 9}, {2, 2, 2}, {13, 17, 11}, {100, 50, 784}, {300, 200, 300}}
	products := []struct {
		name           string
		transA, transB bool
		fn             func(c, a, b *Tensor)
	}{
		{"MatMul", false, false, (*Tensor).MatMul},
		{"MatMulTransA", true, false, (*Tensor).MatMulTransA},
		{"MatMulTransB", false, true, (*Tensor).MatMulTransB},
		{"Gemm/alpha=-0.5/beta=2", true, true, func(c, a, b *Tensor) { c.Gemm(true, true, -0.5, a, b, 2) }},
	}
	rng := rand.New(rand.NewPCG(21, 22))
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, p := range products {
			sa, sb := []int{m, k}, []int{k, n}
			if p.transA {
				sa = []int{k, m}
			}
			if p.transB {
				sb = []int{n, k}
			}
			a, b, c0 := RandN(rng, 1, sa...), RandN(rng, 1, sb...), RandN(rng, 1, m, n)
			want := c0.Clone()
			p.fn(want, a, b) // on the default engine
			for _, e := range testEngines() {
				t.Run(fmt.Sprintf("engine=%v/shape=%dx%dx%d/%s", e, m, n, k, p.name), func(t *testing.T) {
					useEngine(t, e)
					got := c0.Clone()
					p.fn(got, a, b)
					assert.InDeltaSlice(t, want.Data(), got.Data(), tol)
				})
			}
		}
	}
}

// TestSetEngineWhileMultiplying switches engines while other goroutines
// multiply (run it with -race): every product comes out right, whichever
// engine it started on.
func TestSetEngineWhileMultiplying(t *testing.T) {
	const (
		tol        = 1e-10
		goroutines = 4
		products   = 50
	)
	rng := rand.New(rand.NewPCG(31, 32))
	a, b := RandN(rng, 1, 60, 70), RandN(rng, 1, 70, 80)
	var want Tensor
	want.MatMul(a, b)
	useEngine(t, CurrentEngine())

	var wg sync.WaitGroup
	results := make([]*Tensor, goroutines*products)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range products {
				var c Tensor
				c.MatMul(a, b)
				results[g*products+i] = &c
			}
		}()
	}
	engines := testEngines()
	for i := range goroutines * products {
		SetEngine(engines[i%len(engines)])
	}
	wg.Wait()
	for i, c := range results {
		require.InDeltaSlice(t, want.Data(), c.Data(), tol, "product %d", i)
	}
}
