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

// TestCheckRefusesHostileGeometry: a geometry whose sizes would overflow
// an int, or exceed the limits, is refused by Check before any size is
// computed from it; the limits themselves are accepted.
func TestCheckRefusesHostileGeometry(t *testing.T) {
	const big = 1 << 62 // H + 2·big wraps around
	tests := []struct {
		name string
		g    Geometry
		msg  string // "" for a geometry Check accepts
	}{
		{"padding that wraps", Geometry{C: 1, H: 28, W: 28, FH: 29, FW: 29, Stride: 1, Pad: big},
			"image 28×28, window 29×29, stride 1 and padding 4611686018427387904 must each be at most 16777216"},
		{"padding of 2³¹", Geometry{C: 1, H: 28, W: 28, FH: 29, FW: 29, Stride: 1, Pad: 1 << 31},
			"image 28×28, window 29×29, stride 1 and padding 2147483648 must each be at most 16777216"},
		{"stride", Geometry{C: 1, H: 4, W: 4, FH: 2, FW: 2, Stride: big},
			"image 4×4, window 2×2, stride 4611686018427387904 and padding 0 must each be at most 16777216"},
		{"image side", Geometry{C: 1, H: MaxSide + 1, W: 1, FH: 1, FW: 1, Stride: 1},
			"image 16777217×1, window 1×1, stride 1 and padding 0 must each be at most 16777216"},
		{"window side", Geometry{C: 1, H: 4, W: 4, FH: 1, FW: big, Stride: 1},
			"image 4×4, window 1×4611686018427387904, stride 1 and padding 0 must each be at most 16777216"},
		{"padded side", Geometry{C: 1, H: 1, W: MaxSide, FH: 1, FW: 1, Stride: 1, Pad: 1},
			"the padded image 3×16777218 has a side over 16777216"},
		{"padded image", Geometry{C: 1 << 40, H: 4, W: 4, FH: 1, FW: 1, Stride: 1},
			"the padded image 1099511627776×4×4 has more than 2147483647 values"},
		{"padded image, product wraps", Geometry{C: 1 << 33, H: 1 << 24, W: 1 << 24, FH: 1, FW: 1, Stride: 1 << 24},
			"the padded image 8589934592×16777216×16777216 has more than 2147483647 values"},
		{"padding of 2²⁰ on a 4×4 image", Geometry{C: 1, H: 4, W: 4, FH: 1, FW: 1, Stride: 1, Pad: 1 << 20},
			"the padded image 1×2097156×2097156 has more than 2147483647 values"},
		{"unfolding", Geometry{C: 1, H: 1 << 15, W: 1 << 15, FH: 3, FW: 3, Stride: 1},
			"windows of 1×3×3 at 32766×32766 positions read more than 2147483647 values"},
		{"the largest side", Geometry{C: 1, H: 1, W: MaxSide, FH: 1, FW: 2, Stride: MaxSide}, ""},
		{"the largest padded image", Geometry{C: 128, H: 4096, W: 4096 - 1, FH: 1, FW: 1, Stride: 4096}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.g.Check()
			if tt.msg == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.msg)
		})
	}
}

func TestCheckOutput(t *testing.T) {
	g := Geometry{C: 1, H: 4, W: 4, FH: 1, FW: 1, Stride: 1} // 4×4 outputs
	require.NoError(t, g.Check())
	tests := []struct {
		name        string
		n, channels int
		msg         string // "" for an output CheckOutput accepts
	}{
		{"the most channels", 1 << 20, MaxValues / 16, ""},
		{"no images", 0, 5, ""},
		{"no channels", 5, 0, ""},
		{"a channel too many", 1, MaxValues/16 + 1, "an output of 134217728×4×4 values per image is more than 2147483647"},
		{"a product that wraps", 1 << 40, 1 << 20, "an output of 1099511627776 images of 1048576×4×4 values is more than a tensor holds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := g.CheckOutput(tt.n, tt.channels)
			if tt.msg == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.msg)
		})
	}
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
	assert.PanicsWithValue(t, "conv: NewPooled: the padded image 1×2097155×2097155 has more than 2147483647 values", func() {
		NewPooled(Geometry{C: 1, H: 3, W: 3, FH: 2, FW: 2, Stride: 1, Pad: 1 << 20}, 8)
	})
	assert.PanicsWithValue(t, "conv: NewPooled: the 2×1 output has no 2×2 window", func() {
		NewPooled(Geometry{C: 1, H: 3, W: 2, FH: 2, FW: 2, Stride: 1}, 8)
	})
	pl := NewPooled(g, 8)
	assert.PanicsWithValue(t, "conv: Pooled.Im2col: dst has 7 values, the geometry needs 32", func() {
		pl.Im2col(make([]float64, 7), nil, make([]float64, 9))
	})
}
