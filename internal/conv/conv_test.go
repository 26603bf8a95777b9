package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var geometries = []Geometry{
	{C: 1, H: 3, W: 3, FH: 2, FW: 2, Stride: 1},
	{C: 2, H: 5, W: 4, FH: 3, FW: 2, Stride: 2, Pad: 1},
	{C: 3, H: 7, W: 6, FH: 3, FW: 3, Stride: 1, Pad: 2},
	{C: 1, H: 4, W: 5, FH: 1, FW: 5, Stride: 3},
	{C: 2, H: 6, W: 6, FH: 2, FW: 2, Stride: 2},
	{C: 1, H: 2, W: 2, FH: 3, FW: 3, Stride: 1, Pad: 1},
}

// at reads image position (c, y, x), zero outside: the definition of the
// padded image.
func at(img []float64, g Geometry, c, y, x int) float64 {
	if y < 0 || y >= g.H || x < 0 || x >= g.W {
		return 0
	}
	return img[(c*g.H+y)*g.W+x]
}

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

func TestIm2colFollowsTheDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, g := range geometries {
		t.Run(fmt.Sprintf("%+v", g), func(t *testing.T) {
			require.NoError(t, g.Check())
			img := randSlice(rng, g.C*g.H*g.W)
			col := randSlice(rng, g.ColRows()*g.ColCols()) // garbage to overwrite
			Im2col(col, img, g)
			oh, ow := g.OutH(), g.OutW()
			for c := range g.C {
				for i := range g.FH {
					for j := range g.FW {
						for y := range oh {
							for x := range ow {
								want := at(img, g, c, y*g.Stride+i-g.Pad, x*g.Stride+j-g.Pad)
								got := col[((c*g.FH+i)*g.FW+j)*oh*ow+y*ow+x]
								require.Equal(t, want, got, "c=%d i=%d j=%d y=%d x=%d", c, i, j, y, x)
							}
						}
					}
				}
			}
		})
	}
}

// Col2im is the adjoint of Im2col: ⟨Im2col(x), d⟩ = ⟨x, Col2im(d)⟩ for
// every x and d.
func TestCol2imIsTheAdjoint(t *testing.T) {
	const tol = 1e-12
	rng := rand.New(rand.NewPCG(3, 4))
	for _, g := range geometries {
		t.Run(fmt.Sprintf("%+v", g), func(t *testing.T) {
			x := randSlice(rng, g.C*g.H*g.W)
			d := randSlice(rng, g.ColRows()*g.ColCols())
			col := make([]float64, len(d))
			Im2col(col, x, g)
			back := randSlice(rng, len(x)) // garbage to overwrite
			Col2im(back, d, g)
			var lhs, rhs float64
			for i := range col {
				lhs += col[i] * d[i]
			}
			for i := range x {
				rhs += x[i] * back[i]
			}
			assert.InDelta(t, lhs, rhs, tol)
		})
	}
}

func TestIm2colByHand(t *testing.T) {
	// A 3×3 image 1…9 and a 2×2 window at stride 1: four positions, and
	// each row of col is one window offset read at every position.
	g := Geometry{C: 1, H: 3, W: 3, FH: 2, FW: 2, Stride: 1}
	col := make([]float64, 16)
	Im2col(col, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, g)
	assert.Equal(t, []float64{
		1, 2, 4, 5, // offset (0, 0)
		2, 3, 5, 6, // (0, 1)
		4, 5, 7, 8, // (1, 0)
		5, 6, 8, 9, // (1, 1)
	}, col)
	// Col2im of all ones counts how many windows cover each pixel.
	img := make([]float64, 9)
	for i := range col {
		col[i] = 1
	}
	Col2im(img, col, g)
	assert.Equal(t, []float64{1, 2, 1, 2, 4, 2, 1, 2, 1}, img)
}

func TestCheckAndPanics(t *testing.T) {
	for _, g := range []Geometry{
		{C: 0, H: 3, W: 3, FH: 2, FW: 2, Stride: 1},
		{C: 1, H: 3, W: 3, FH: 2, FW: 2},
		{C: 1, H: 3, W: 3, FH: 2, FW: 2, Stride: 1, Pad: -1},
		{C: 1, H: 3, W: 3, FH: 4, FW: 2, Stride: 1},
	} {
		assert.Error(t, g.Check(), "%+v", g)
	}
	g := Geometry{C: 1, H: 3, W: 3, FH: 2, FW: 2, Stride: 1}
	assert.PanicsWithValue(t, "conv: Im2col: dst has 15 values, the geometry needs 16", func() {
		Im2col(make([]float64, 15), make([]float64, 9), g)
	})
	assert.PanicsWithValue(t, "conv: Col2im: dst has 8 values, the geometry needs 9", func() {
		Col2im(make([]float64, 8), make([]float64, 16), g)
	})
}

func TestIm2colPackedIsIm2colInPanels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, g := range geometries {
		for _, nr := range []int{1, 4, 8} {
			t.Run(fmt.Sprintf("%+v/nr=%d", g, nr), func(t *testing.T) {
				img := randSlice(rng, g.C*g.H*g.W)
				col := make([]float64, g.ColRows()*g.ColCols())
				Im2col(col, img, g)
				packed := randSlice(rng, g.PackedLen(nr)) // garbage to overwrite
				Im2colPacked(packed, img, g, nr)
				rows, cols := g.ColRows(), g.ColCols()
				for q := 0; q*nr < cols; q++ {
					for r := range rows {
						for jj := range nr {
							want := 0.0
							if pos := q*nr + jj; pos < cols {
								want = col[r*cols+pos]
							}
							require.Equal(t, want, packed[q*rows*nr+r*nr+jj], "q=%d r=%d jj=%d", q, r, jj)
						}
					}
				}
			})
		}
	}
}

func TestPooledIm2colIsIm2colByWindowPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, g := range append(geometries,
		Geometry{C: 1, H: 28, W: 28, FH: 5, FW: 5, Stride: 1},
		Geometry{C: 2, H: 9, W: 11, FH: 3, FW: 3, Stride: 1, Pad: 1},
		Geometry{C: 1, H: 12, W: 13, FH: 3, FW: 2, Stride: 2, Pad: 2},
	) {
		if g.OutH() < 2 || g.OutW() < 2 {
			continue
		}
		for _, nr := range []int{1, 4, 8} {
			t.Run(fmt.Sprintf("%+v/nr=%d", g, nr), func(t *testing.T) {
				img := randSlice(rng, g.C*g.H*g.W)
				col := make([]float64, g.ColRows()*g.ColCols())
				Im2col(col, img, g)
				packed := randSlice(rng, g.PooledLen(nr)) // garbage to overwrite
				pl := NewPooled(g, nr)
				tmp := randSlice(rng, pl.ScratchLen())
				pl.Im2col(packed, tmp, img)
				rows, cols, ow := g.ColRows(), g.PooledCols(), g.OutW()
				ph, pw := g.OutH()/2, ow/2
				for q := 0; q*nr < cols; q++ {
					for r := range rows {
						for jj := range nr {
							want := 0.0
							if pos := q*nr + jj; pos < cols {
								w, yx := pos/(ph*pw), pos%(ph*pw)
								y, x := 2*(yx/pw)+w/2, 2*(yx%pw)+w%2
								want = col[r*g.ColCols()+y*ow+x]
							}
							require.Equal(t, want, packed[q*rows*nr+r*nr+jj], "q=%d r=%d jj=%d", q, r, jj)
						}
					}
				}
			})
		}
	}
}

func TestNewPooledPanics(t *testing.T) {
	g := Geometry{C: 1, H: 3, W: 3, FH: 2, FW: 2, Stride: 1}
	assert.PanicsWithValue(t, "conv: NewPooled: panel width 0", func() { NewPooled(g, 0) })
	assert.PanicsWithValue(t, "conv: NewPooled: the 2×1 output has no 2×2 window", func() {
		NewPooled(Geometry{C: 1, H: 3, W: 2, FH: 2, FW: 2, Stride: 1}, 8)
	})
	pl := NewPooled(g, 8)
	assert.PanicsWithValue(t, "conv: Pooled.Im2col: dst has 7 values, the geometry needs 32", func() {
		pl.Im2col(make([]float64, 7), nil, make([]float64, 9))
	})
}
