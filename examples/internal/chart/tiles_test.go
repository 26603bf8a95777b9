package chart

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func TestSaveTiles(t *testing.T) {
	tests := []struct {
		name string
		rows []int // plots per row
	}{
		{"full grid", []int{2, 2}},
		{"short last row", []int{3, 1}},
		{"one plot", []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var grid [][]*plot.Plot
			for _, n := range tt.rows {
				var row []*plot.Plot
				for range n {
					row = append(row, plot.New())
				}
				grid = append(grid, row)
			}
			path := filepath.Join(t.TempDir(), "tiles.png")
			require.NoError(t, SaveTiles(path, grid, 4*vg.Inch, 3*vg.Inch))
			img, err := ReadPNG(path)
			require.NoError(t, err)
			assert.Equal(t, 384, img.Bounds().Dx()) // 4 in at 96 dpi
			assert.Len(t, grid[len(grid)-1], tt.rows[len(tt.rows)-1], "the caller's rows are unchanged")
		})
	}
}
