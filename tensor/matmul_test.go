package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// naiveProduct is the textbook triple loop: c[i][j] = Σₖ op(a)[i][k]·op(b)[k][j].
func naiveProduct(a, b *Tensor, transA, transB bool) *Tensor {
	at := func(x *Tensor, trans bool, i, j int) float64 {
		if trans {
			return x.At(j, i)
		}
		return x.At(i, j)
	}
	m, k := a.Shape()[0], a.Shape()[1]
	if transA {
		m, k = k, m
	}
	n := b.Shape()[1]
	if transB {
		n = b.Shape()[0]
	}
	c := New(m, n)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				s += at(a, transA, i, p) * at(b, transB, p, j)
			}
			c.Set(s, i, j)
		}
	}
	return c
}

func TestMatMulByHand(t *testing.T) {
	// The book's §3.3.2: [[1 2] [3 4]]·[[5 6] [7 8]] = [[19 22] [43 50]].
	a := FromRows([][]float64{{1, 2}, {3, 4}})
	b := FromRows([][]float64{{5, 6}, {7, 8}})
	var c Tensor
	c.MatMul(a, b)
	assert.Equal(t, []float64{19, 22, 43, 50}, c.Data())

	// aᵀ·b = [[1 3] [2 4]]·b = [[26 30] [38 44]].
	var ta Tensor
	ta.MatMulTransA(a, b)
	assert.Equal(t, []float64{26, 30, 38, 44}, ta.Data())

	// a·bᵀ = a·[[5 7] [6 8]] = [[17 23] [39 53]].
	var tb Tensor
	tb.MatMulTransB(a, b)
	assert.Equal(t, []float64{17, 23, 39, 53}, tb.Data())

	// (2,3)·(3,2) from the book's §3.3.2.
	var d Tensor
	d.MatMul(FromRows([][]float64{{1, 2, 3}, {4, 5, 6}}), FromRows([][]float64{{1, 2}, {3, 4}, {5, 6}}))
	assert.Equal(t, []float64{22, 28, 49, 64}, d.Data())
}

func TestMatMulAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sizes := []int{1, 2, 3, 5, 7, 16, 17, 33}
	for trial := range 120 {
		m, k, n := sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))]
		for _, form := range []struct {
			name           string
			transA, transB bool
		}{{"MatMul", false, false}, {"MatMulTransA", true, false}, {"MatMulTransB", false, true}, {"Gemm both", true, true}} {
			t.Run(fmt.Sprintf("%s/m=%d,k=%d,n=%d/%d", form.name, m, k, n, trial), func(t *testing.T) {
				sa, sb := []int{m, k}, []int{k, n}
				if form.transA {
					sa = []int{k, m}
				}
				if form.transB {
					sb = []int{n, k}
				}
				a, b := RandN(rng, 1, sa...), RandN(rng, 1, sb...)
				var c Tensor
				switch {
				case form.transA && form.transB:
					c.Gemm(true, true, 1, a, b, 0)
				case form.transA:
					c.MatMulTransA(a, b)
				case form.transB:
					c.MatMulTransB(a, b)
				default:
					c.MatMul(a, b)
				}
				want := naiveProduct(a, b, form.transA, form.transB)
				require.Equal(t, want.Shape(), c.Shape())
				assert.True(t, AllClose(&c, want, 1e-12, 1e-12))
			})
		}
	}
}

func TestGemmAccumulates(t *testing.T) {
	a := FromRows([][]float64{{1, 2}, {3, 4}})
	b := FromRows([][]float64{{5, 6}, {7, 8}})
	c := FromRows([][]float64{{1, 1}, {1, 1}})
	c.Gemm(false, false, 1, a, b, 1) // c += a·b
	assert.Equal(t, []float64{20, 23, 44, 51}, c.Data())
	c.Gemm(false, false, 2, a, b, -1) // c = 2·a·b − c
	assert.Equal(t, []float64{18, 21, 42, 49}, c.Data())
	var e Tensor
	e.Gemm(false, false, 1, a, b, 1) // an empty receiver starts from zero
	assert.Equal(t, []float64{19, 22, 43, 50}, e.Data())
}

func TestMatMulEmptyInner(t *testing.T) {
	c := Full(5, 2, 3)
	c.MatMul(New(2, 0), New(0, 3))
	assert.Equal(t, []float64{0, 0, 0, 0, 0, 0}, c.Data(), "a sum over no terms is 0")
	var d Tensor
	d.MatMul(New(0, 4), New(4, 3))
	assert.Equal(t, []int{0, 3}, d.Shape())
}

func TestPropertyTransposeOfProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 30 {
		a := RandN(rng, 1, 1+rng.IntN(9), 1+rng.IntN(9))
		b := RandN(rng, 1, a.Shape()[1], 1+rng.IntN(9))
		var ab, btat Tensor
		ab.MatMul(a, b)
		btat.MatMul(b.Transpose(), a.Transpose())
		assert.True(t, AllClose(ab.Transpose(), &btat, 1e-12, 1e-12), "(a·b)ᵀ = bᵀ·aᵀ")
	}
}

func TestMatMulPanics(t *testing.T) {
	a := New(2, 3)
	tests := []struct {
		name string
		fn   func()
		msg  string
	}{
		{"not 2-D", func() { var c Tensor; c.MatMul(New(3), a) }, "tensor: MatMul: shapes [3] and [2 3] are not both 2-D"},
		{"inner mismatch", func() { var c Tensor; c.MatMul(a, New(2, 3)) }, "tensor: MatMul: shapes [2 3] and [2 3] do not match for the product"},
		{"transA mismatch", func() { var c Tensor; c.MatMulTransA(a, New(3, 3)) }, "tensor: MatMulTransA: shapes [2 3] and [3 3] do not match for the product"},
		{"transB mismatch", func() { var c Tensor; c.MatMulTransB(a, New(3, 2)) }, "tensor: MatMulTransB: shapes [2 3] and [3 2] do not match for the product"},
		{"wrong receiver", func() { New(3, 3).MatMul(a, New(3, 2)) }, "tensor: MatMul: receiver has shape [3 3], result has shape [2 2]"},
		{"receiver aliases input", func() { s := New(3, 3); s.MatMul(s, s) }, "tensor: MatMul: receiver shares data with an operand"},
		{"receiver is a view of input", func() {
			x := New(4, 2)
			x.Slice(2, 4).MatMul(x.Slice(0, 2), New(2, 2))
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.msg == "" {
				assert.NotPanics(t, tt.fn, "disjoint views of one tensor may be combined")
				return
			}
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

// TestMatMulTiles covers products large enough to be cut into tiles and
// k-slices and shared among workers, with sizes just off the tile edges, in
// every transpose form and with accumulation (beta applies once, not per
// k-slice).
func TestMatMulTiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	shapes := [][3]int{
		{tileRows + 1, tileK + 1, tileCols + 1},
		{2*tileRows - 1, 2*tileK + 3, 5},
		{3, 3*tileK - 1, 2*tileCols + 7},
		{200, 300, 150},
	}
	for _, s := range shapes {
		m, k, n := s[0], s[1], s[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			t.Run(fmt.Sprintf("m=%d,k=%d,n=%d/transA=%v,transB=%v", m, k, n, tr[0], tr[1]), func(t *testing.T) {
				sa, sb := []int{m, k}, []int{k, n}
				if tr[0] {
					sa = []int{k, m}
				}
				if tr[1] {
					sb = []int{n, k}
				}
				a, b := RandN(rng, 1, sa...), RandN(rng, 1, sb...)
				c0 := RandN(rng, 1, m, n)
				c := c0.Clone()
				c.Gemm(tr[0], tr[1], 0.5, a, b, -2)
				// want = 0.5·op(a)·op(b) − 2·c0
				want := naiveProduct(a, b, tr[0], tr[1])
				want.Scale(0.5, want)
				want.AddScaled(want, -2, c0)
				assert.True(t, AllClose(c, want, 1e-10, 1e-10))
			})
		}
	}
}

// TestMatMulConcurrent runs products from several goroutines at once, as
// the numerical gradient does; run it with -race.
func TestMatMulConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	a, b := RandN(rng, 1, 150, 400), RandN(rng, 1, 400, 90)
	want := naiveProduct(a, b, false, false)
	done := make(chan *Tensor)
	for range 6 {
		go func() {
			var c Tensor
			for range 5 {
				c.MatMul(a, b)
			}
			done <- &c
		}()
	}
	for range 6 {
		assert.True(t, AllClose(<-done, want, 1e-10, 1e-10))
	}
}

// TestMatMulVectorShapes covers the matrix-vector products (a result of one
// column or one row) in every transpose form, with alpha and beta, and a
// receiver full of NaN that beta = 0 must overwrite.
func TestMatMulVectorShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, s := range [][3]int{{7, 5, 1}, {1, 5, 7}, {1, 5, 1}, {300, 40, 1}, {1, 40, 300}, {1, 1, 1}} {
		m, k, n := s[0], s[1], s[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			t.Run(fmt.Sprintf("m=%d,k=%d,n=%d/transA=%v,transB=%v", m, k, n, tr[0], tr[1]), func(t *testing.T) {
				sa, sb := []int{m, k}, []int{k, n}
				if tr[0] {
					sa = []int{k, m}
				}
				if tr[1] {
					sb = []int{n, k}
				}
				a, b := RandN(rng, 1, sa...), RandN(rng, 1, sb...)
				want := naiveProduct(a, b, tr[0], tr[1])

				c := Full(math.NaN(), m, n)
				c.Gemm(tr[0], tr[1], 1, a, b, 0)
				assert.True(t, AllClose(c, want, 1e-12, 1e-12), "beta 0 overwrites NaN")

				c0 := RandN(rng, 1, m, n)
				acc := c0.Clone()
				acc.Gemm(tr[0], tr[1], 0.5, a, b, -2)
				want.Scale(0.5, want)
				want.AddScaled(want, -2, c0) // 0.5·op(a)·op(b) − 2·c0
				assert.True(t, AllClose(acc, want, 1e-12, 1e-12), "alpha and beta")
				assert.Equal(t, 0.0, testing.AllocsPerRun(5, func() { acc.Gemm(tr[0], tr[1], 1, a, b, 0) }))
			})
		}
	}
}
