package dataset_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/dataset"
)

// The expected values below were read from the files with a text editor
// (see testdata/README.md for where the files come from).

func TestLabTestScores(t *testing.T) {
	d, err := dataset.LoadCSV(filepath.Join("testdata", "data-01-test-score.csv"), dataset.CSV{})
	require.NoError(t, err)
	require.Equal(t, 25, d.Len())
	assert.Equal(t, []int{25, 3}, d.X.Shape())
	assert.Equal(t, []int{25, 1}, d.T.Shape())
	for _, tt := range []struct {
		row   int
		x     []float64
		final float64
	}{
		{0, []float64{73, 80, 75}, 152},  // line 1
		{5, []float64{53, 46, 55}, 101},  // line 6
		{17, []float64{81, 90, 93}, 183}, // line 18
		{24, []float64{96, 93, 95}, 192}, // line 25, without a final newline
	} {
		assert.Equal(t, tt.x, d.X.Row(tt.row).Data(), "row %d", tt.row)
		assert.Equal(t, tt.final, d.T.At(tt.row, 0), "row %d", tt.row)
	}
	assert.Nil(t, d.Labels)
}

func TestLabZoo(t *testing.T) {
	d, err := dataset.LoadCSV(filepath.Join("testdata", "data-04-zoo.csv"), dataset.CSV{Classes: 7})
	require.NoError(t, err)
	require.Equal(t, 101, d.Len(), "120 lines less 19 comments")
	assert.Equal(t, []int{101, 16}, d.X.Shape())
	assert.Equal(t, []int{101, 7}, d.T.Shape())
	require.Len(t, d.Labels, 101)

	// Line 20, the first data row: an aardvark, class 0 (mammal).
	assert.Equal(t, []float64{1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 4, 0, 0, 1}, d.X.Row(0).Data())
	assert.Equal(t, []int{0, 0, 3}, d.Labels[:3])
	assert.Equal(t, []float64{0, 0, 0, 1, 0, 0, 0}, d.T.Row(2).Data(), "line 22 is a fish, class 3")
	// Line 120, the last, without CR or final newline.
	assert.Equal(t, []float64{0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 2, 1, 0, 0}, d.X.Row(100).Data())
	assert.Equal(t, 1, d.Labels[100])

	// The zoo's classes: 41 mammals, 20 birds, 5 reptiles, 13 fish,
	// 4 amphibians, 8 insects and 10 others.
	counts := make([]int, 7)
	for _, l := range d.Labels {
		counts[l]++
	}
	assert.Equal(t, []int{41, 20, 5, 13, 4, 8, 10}, counts)
	// Each one-hot row holds a single 1, at the label.
	for i, l := range d.Labels {
		row := d.T.Row(i).Data()
		want := make([]float64, 7)
		want[l] = 1
		require.Equal(t, want, row, "row %d", i)
	}
}

func TestLabDiabetes(t *testing.T) {
	path := filepath.Join("testdata", "data-03-diabetes.csv")
	d, err := dataset.LoadCSV(path, dataset.CSV{})
	require.NoError(t, err)
	require.Equal(t, 759, d.Len())
	assert.Equal(t, []int{759, 8}, d.X.Shape())
	assert.Equal(t, []int{759, 1}, d.T.Shape())
	assert.Equal(t, []float64{-0.294118, 0.487437, 0.180328, -0.292929, 0, 0.00149028, -0.53117, -0.0333333},
		d.X.Row(0).Data())
	assert.Equal(t, []float64{0, 1, 0}, d.T.Slice(0, 3).Data())
	assert.Equal(t, []float64{-0.882353, -0.0653266, 0.147541, -0.373737, 0, -0.0938897, -0.797609, -0.933333},
		d.X.Row(758).Data())
	assert.Equal(t, 1.0, d.T.At(758, 0))
	assert.Equal(t, 496.0, d.T.Sum(), "496 ones and 263 zeros")

	// As classes, for a softmax head: the same labels, one-hot.
	c, err := dataset.LoadCSV(path, dataset.CSV{Classes: 2})
	require.NoError(t, err)
	assert.Equal(t, []int{759, 2}, c.T.Shape())
	assert.Equal(t, []int{0, 1, 0}, c.Labels[:3])
	assert.Equal(t, []float64{1, 0, 0, 1, 1, 0}, c.T.Slice(0, 3).Data())
	assert.Equal(t, d.X.Data(), c.X.Data())
}
