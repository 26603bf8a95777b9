package dataset_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/dataset"
	"github.com/numlearn/numlearn/tensor"
)

// numbered returns n samples that say who they are: x = (i, −i),
// t = 10·i, label i mod 3.
func numbered(n int) *dataset.Data {
	x, t := tensor.New(n, 2), tensor.New(n, 1)
	labels := make([]int, n)
	for i := range n {
		x.Set(float64(i), i, 0)
		x.Set(-float64(i), i, 1)
		t.Set(10*float64(i), i, 0)
		labels[i] = i % 3
	}
	return &dataset.Data{X: x, T: t, Labels: labels,
		FeatureNames: []string{"i", "-i"}, TargetNames: []string{"10i"}}
}

// ids returns the sample numbers that d holds, in its order, checking
// that each sample is whole.
func ids(t *testing.T, d *dataset.Data) []int {
	t.Helper()
	out := make([]int, d.Len())
	for r := range out {
		i := d.X.At(r, 0)
		require.Equal(t, -i, d.X.At(r, 1), "row %d", r)
		require.Equal(t, 10*i, d.T.At(r, 0), "row %d", r)
		require.Equal(t, int(i)%3, d.Labels[r], "row %d", r)
		out[r] = int(i)
	}
	return out
}

func TestSubset(t *testing.T) {
	d := numbered(5)
	tests := []struct {
		name string
		rows []int
	}{
		{"in order", []int{0, 1, 2, 3, 4}},
		{"reversed part", []int{4, 2, 0}},
		{"repeats", []int{1, 1, 3}},
		{"none", []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := d.Subset(tt.rows)
			assert.Equal(t, len(tt.rows), s.Len())
			assert.Equal(t, []int{len(tt.rows), 2}, s.X.Shape())
			assert.Equal(t, []int{len(tt.rows), 1}, s.T.Shape())
			assert.Equal(t, tt.rows, ids(t, s))
			assert.Equal(t, d.FeatureNames, s.FeatureNames)
			assert.Equal(t, d.TargetNames, s.TargetNames)
		})
	}

	t.Run("copies", func(t *testing.T) {
		s := d.Subset([]int{2})
		s.X.Set(99, 0, 0)
		s.T.Set(99, 0, 0)
		s.Labels[0] = 1
		s.FeatureNames[0] = "changed"
		assert.Equal(t, []int{0, 1, 2, 3, 4}, ids(t, d), "d is unchanged")
		assert.Equal(t, "i", d.FeatureNames[0])
	})
	t.Run("no labels stay nil", func(t *testing.T) {
		d := numbered(3)
		d.Labels = nil
		assert.Nil(t, d.Subset([]int{0, 1}).Labels)
	})
	t.Run("row out of range panics", func(t *testing.T) {
		assert.PanicsWithValue(t, "dataset: Subset: row 5 out of range [0, 5)", func() { d.Subset([]int{0, 5}) })
		assert.PanicsWithValue(t, "dataset: Subset: row -1 out of range [0, 5)", func() { d.Subset([]int{-1}) })
	})
}

func TestShuffle(t *testing.T) {
	d := numbered(50)
	a := d.Shuffle(rand.New(rand.NewPCG(1, 2)))
	b := d.Shuffle(rand.New(rand.NewPCG(1, 2)))
	c := d.Shuffle(rand.New(rand.NewPCG(3, 4)))

	order := ids(t, a)
	assert.Equal(t, order, ids(t, b), "the same seed gives the same order")
	assert.NotEqual(t, order, ids(t, c), "another seed, another order")
	assert.NotEqual(t, ids(t, d), order, "the order changed")
	assert.ElementsMatch(t, ids(t, d), order, "every sample once")
	assert.Equal(t, 50, len(order))
	assert.Equal(t, []int{0, 1, 2, 3, 4}, ids(t, d)[:5], "d is unchanged")

	assert.PanicsWithValue(t, "dataset: Shuffle: rng is nil", func() { d.Shuffle(nil) })
}

func TestSplitSizes(t *testing.T) {
	tests := []struct {
		name             string
		n                int
		validation, test float64
		train, val, tst  int
	}{
		// ⌊0.2·10⌋ = 2 and ⌊0.1·10⌋ = 1 leave 7.
		{"ten", 10, 0.2, 0.1, 7, 2, 1},
		// ⌊20.2⌋ = 20 and ⌊10.1⌋ = 10 of the zoo's 101 leave 71.
		{"zoo", 101, 0.2, 0.1, 71, 20, 10},
		// ⌊151.8⌋ = 151 and ⌊75.9⌋ = 75 of the diabetes file's 759 leave 533.
		{"diabetes", 759, 0.2, 0.1, 533, 151, 75},
		{"nothing held out", 10, 0, 0, 10, 0, 0},
		{"test only", 10, 0, 0.25, 8, 0, 2},
		// 0.29·100 is 28.999999999999996 in float64, and counts as 29.
		{"fraction without an exact binary form", 100, 0.29, 0.57, 14, 29, 57},
		// 0.5·1 and 0.4·1 round down to nothing.
		{"one sample", 1, 0.5, 0.4, 1, 0, 0},
		// Within 10⁻¹² of 1, the tolerance would take every sample: the
		// last is kept for training.
		{"fractions summing to almost 1", 10, 0.5, 0.4999999999999999, 1, 5, 4},
		{"no samples", 0, 0.2, 0.1, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			train, val, tst := numbered(tt.n).Split(nil, tt.validation, tt.test)
			assert.Equal(t, tt.train, train.Len(), "train")
			assert.Equal(t, tt.val, val.Len(), "validation")
			assert.Equal(t, tt.tst, tst.Len(), "test")
		})
	}
}

func TestSplitKeepsFileOrderWithoutRand(t *testing.T) {
	train, val, tst := numbered(10).Split(nil, 0.2, 0.1)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6}, ids(t, train))
	assert.Equal(t, []int{7, 8}, ids(t, val))
	assert.Equal(t, []int{9}, ids(t, tst), "the last sample of the file")
}

func TestSplitShuffled(t *testing.T) {
	d := numbered(100)
	split := func(seed uint64) [][]int {
		train, val, tst := d.Split(rand.New(rand.NewPCG(seed, seed)), 0.2, 0.1)
		return [][]int{ids(t, train), ids(t, val), ids(t, tst)}
	}
	a := split(1)
	require.Len(t, a[0], 70)
	require.Len(t, a[1], 20)
	require.Len(t, a[2], 10)

	all := slices.Concat(a...)
	slices.Sort(all)
	want := make([]int, 100)
	for i := range want {
		want[i] = i
	}
	assert.Equal(t, want, all, "the parts are disjoint and hold every sample")

	assert.Equal(t, a, split(1), "the same seed gives the same split")
	assert.NotEqual(t, a, split(2), "another seed, another split")
	assert.False(t, slices.IsSorted(a[0]), "the samples were shuffled")
}

func TestSplitPanics(t *testing.T) {
	d := numbered(10)
	tests := []struct {
		name             string
		validation, test float64
		msg              string
	}{
		{"negative validation", -0.1, 0.1,
			"dataset: Split: fractions -0.1 (validation) and 0.1 (test) must be 0 or more and sum to less than 1"},
		{"negative test", 0.1, -0.5,
			"dataset: Split: fractions 0.1 (validation) and -0.5 (test) must be 0 or more and sum to less than 1"},
		{"sum of 1", 0.5, 0.5,
			"dataset: Split: fractions 0.5 (validation) and 0.5 (test) must be 0 or more and sum to less than 1"},
		{"sum above 1", 0.9, 0.2,
			"dataset: Split: fractions 0.9 (validation) and 0.2 (test) must be 0 or more and sum to less than 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, func() { d.Split(nil, tt.validation, tt.test) })
		})
	}
	t.Run("NaN", func(t *testing.T) {
		assert.Panics(t, func() { d.Split(nil, math.NaN(), 0) })
	})
}
