package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fieldGeometries adds to geometries the shapes the networks use and
// windows wider than one vector (the Go path) and with 1 … 19 rows (every
// kernel of 1 … 8 rows, and groups of them).
var fieldGeometries = append(append([]Geometry(nil), geometries...),
	Geometry{C: 1, H: 28, W: 28, FH: 5, FW: 5, Stride: 1},          // SimpleConvNet
	Geometry{C: 16, H: 28, W: 28, FH: 3, FW: 3, Stride: 1, Pad: 1}, // DeepConvNet
	Geometry{C: 2, H: 12, W: 13, FH: 4, FW: 8, Stride: 2, Pad: 1},
	Geometry{C: 1, H: 12, W: 13, FH: 7, FW: 9, Stride: 1, Pad: 3},
	Geometry{C: 3, H: 9, W: 9, FH: 6, FW: 7, Stride: 3, Pad: 2},
	Geometry{C: 1, H: 1, W: 1, FH: 1, FW: 1, Stride: 1},
)

// weightedFromCol is AddWeighted's sum by its definition: the weighted
// columns of the col matrix.
func weightedFromCol(g Geometry, img []float64, pos []int32, weights []float64) []float64 {
	col := make([]float64, g.ColRows()*g.ColCols())
	Im2col(col, img, g)
	dw := make([]float64, g.ColRows())
	for r := range dw {
		for t, p := range pos {
			dw[r] += weights[t] * col[r*g.ColCols()+int(p)]
		}
	}
	return dw
}

func TestAddWeightedSumsWeightedColumns(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, g := range fieldGeometries {
		for _, goOnly := range []bool{false, true} {
			t.Run(fmt.Sprintf("%+v/go=%v", g, goOnly), func(t *testing.T) {
				if goOnly {
					defer func(was bool) { hasAVX512 = was }(hasAVX512)
					hasAVX512 = false
				}
				f := NewFields(g)
				img := randSlice(rng, g.C*g.H*g.W)
				padded := f.Padded(make([]float64, f.PaddedLen()), img)
				for _, n := range []int{0, 1, 3, g.ColCols(), 2*g.ColCols() + 1} {
					pos := make([]int32, n)
					corners := make([]int32, n)
					weights := randSlice(rng, n)
					for i := range pos {
						pos[i] = int32(rng.IntN(g.ColCols()))
						corners[i] = f.Corner(pos[i])
					}
					start := randSlice(rng, g.ColRows())
					dw := append([]float64(nil), start...)
					f.AddWeighted(dw, padded, corners, weights)
					want := weightedFromCol(g, img, pos, weights)
					for r := range dw {
						scale := 1.0
						for _, w := range weights {
							scale += math.Abs(w) * 4 // |pixel| < 4 or so
						}
						require.InDelta(t, start[r]+want[r], dw[r], 1e-14*scale, "n=%d row %d", n, r)
					}
				}
			})
		}
	}
}

func TestAddWeightedChecksItsArguments(t *testing.T) {
	g := Geometry{C: 1, H: 6, W: 6, FH: 3, FW: 3, Stride: 1, Pad: 1}
	f := NewFields(g)
	img := make([]float64, f.PaddedLen())
	dw := make([]float64, g.ColRows())
	last := f.Corner(int32(g.ColCols() - 1))
	assert.NotPanics(t, func() { f.AddWeighted(dw, img, []int32{0, last}, []float64{1, 2}) })
	assert.PanicsWithValue(t, "conv: Fields.AddWeighted: corner 46 puts a field outside the 64 values of the padded image",
		func() { f.AddWeighted(dw, img, []int32{last + 1}, []float64{1}) })
	assert.Panics(t, func() { f.AddWeighted(dw, img, []int32{-1}, []float64{1}) })
	assert.PanicsWithValue(t, "conv: Fields.AddWeighted: 2 corners and 1 weights",
		func() { f.AddWeighted(dw, img, []int32{0, 0}, []float64{1}) })
	assert.Panics(t, func() { f.AddWeighted(dw[:8], img, nil, nil) })
	assert.Panics(t, func() { f.AddWeighted(dw, img[:63], nil, nil) })
	assert.Panics(t, func() { NewFields(Geometry{C: 1, H: 2, W: 2, FH: 3, FW: 3, Stride: 1}) })
}

func TestFieldsPadAndLocate(t *testing.T) {
	g := Geometry{C: 2, H: 2, W: 3, FH: 2, FW: 2, Stride: 2, Pad: 1}
	f := NewFields(g)
	img := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	padded := f.Padded(make([]float64, f.PaddedLen()), img)
	// Each channel 4×5 with a border of zeros.
	assert.Equal(t, []float64{
		0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 7, 8, 9, 0, 0, 10, 11, 12, 0, 0, 0, 0, 0, 0,
	}, padded)
	// OutH = (2+2−2)/2+1 = 2, OutW = (3+2−2)/2+1 = 2: corners at rows 0
	// and 2, columns 0 and 2 of the padded 5-wide channel.
	assert.Equal(t, []int32{0, 2, 10, 12}, []int32{f.Corner(0), f.Corner(1), f.Corner(2), f.Corner(3)})
	assert.Equal(t, int32(0), f.Corner(-1))
	// With no padding, Padded is the image itself.
	g.Pad = 0
	same := NewFields(g).Padded(nil, img)
	assert.Same(t, &img[0], &same[0])
}
