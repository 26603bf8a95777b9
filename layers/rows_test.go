package layers

import (
	"math"
	"testing"

	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gatherTensor returns the rows of x (flattened to (N, in)) as a new (n, in)
// tensor.
func gatherTensor(x *tensor.Tensor, in int, rows []int) *tensor.Tensor {
	g := tensor.New(len(rows), in)
	for i, r := range rows {
		copy(g.Data()[i*in:(i+1)*in], x.Data()[r*in:(r+1)*in])
	}
	return g
}

// sparseData returns an (n, in) tensor with about density of its entries
// nonzero.
func sparseData(n, in int, density float64) *tensor.Tensor {
	rng := newRand()
	x := tensor.New(n, in)
	for i := range x.Data() {
		if rng.Float64() < density {
			x.Data()[i] = rng.NormFloat64()
		}
	}
	return x
}

// TestForwardRowsEqualsForwardOfTheGatheredRows: a batch by row indices,
// or a run of consecutive rows, gives what Forward gives for a copy of
// those rows, and Backward the same gradients — on sparse data (through
// the layer's compressed copy) and dense data alike.
func TestForwardRowsEqualsForwardOfTheGatheredRows(t *testing.T) {
	tests := []struct {
		name   string
		x      *tensor.Tensor
		in     int
		rows   []int
		sparse bool
		dout   func(d *tensor.Tensor)
	}{
		{"sparse", sparseData(12, 40, 0.15), 40, []int{7, 0, 3, 3, 11}, true, nil},
		{"sparse run of rows", sparseData(12, 40, 0.15), 40, []int{4, 5, 6, 7, 8}, true, nil},
		{"dense", sparseData(12, 40, 0.9), 40, []int{7, 0, 3, 3, 11}, false, nil},
		{"dense run of rows", sparseData(12, 40, 0.9), 40, []int{2, 3, 4}, false, nil},
		{"3-D input", sparseData(12, 40, 0.15).Reshape(12, 5, 8), 40, []int{7, 0, 3, 3, 11}, true, nil},
		{"sparse with a NaN in dout takes the dense DW", sparseData(12, 40, 0.15), 40, []int{7, 0, 3, 3, 11}, true, func(d *tensor.Tensor) { d.Data()[3] = math.NaN() }},
		{"sparse run with a NaN in dout", sparseData(12, 40, 0.15), 40, []int{9, 10, 11}, true, func(d *tensor.Tensor) { d.Data()[0] = math.NaN() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := newRand()
			w, b := tensor.RandN(rng, 1, tt.in, 6), tensor.RandN(rng, 1, 6)
			dout := tensor.RandN(rng, 1, len(tt.rows), 6)
			if tt.dout != nil {
				tt.dout(dout)
			}
			byRows := NewAffine(w, b)
			gathered := NewAffine(w, b)

			y := byRows.ForwardRows(tt.x, tt.rows).Clone()
			assert.Equal(t, tt.sparse, byRows.sparse)
			want := gathered.Forward(gatherTensor(tt.x, tt.in, tt.rows))
			assert.True(t, tensor.AllClose(y, want, 1e-12, 1e-12), "y")

			dx := byRows.Backward(dout).Clone()
			dw, db := byRows.DW.Clone(), byRows.DB.Clone()
			wantDX := gathered.Backward(dout)
			require.Equal(t, []int{len(tt.rows), tt.in}, dx.Shape())
			assertSame(t, wantDX, dx, "dx")
			assertSame(t, gathered.DW, dw, "DW")
			assertSame(t, gathered.DB, db, "DB")
		})
	}
}

// TestForwardRowsKeepsTwoDataSets: switching between a training and a test
// set reuses both compressed copies; a third set replaces the older one;
// ForwardRows(nil, nil) forgets them.
func TestForwardRowsKeepsTwoDataSets(t *testing.T) {
	a := NewAffine(tensor.RandN(newRand(), 1, 40, 6), tensor.New(6))
	train, test, other := sparseData(20, 40, 0.15), sparseData(10, 40, 0.15), sparseData(8, 40, 0.15)
	a.ForwardRows(train, []int{1, 2})
	trainCopy := &a.sets[0].csr.Val[0]
	a.ForwardRows(test, []int{0, 1, 2})
	assert.Same(t, test, a.sets[0].t)
	a.ForwardRows(train, []int{5})
	assert.Same(t, trainCopy, &a.sets[0].csr.Val[0], "the training set is not compressed again")
	a.ForwardRows(other, []int{0})
	assert.Same(t, other, a.sets[0].t)
	assert.Same(t, train, a.sets[1].t, "the test set, used least recently, is dropped")

	// A view of the same tensor's data elsewhere is another data set.
	a.ForwardRows(train.Slice(10, 20), []int{0})
	assert.Equal(t, []int{10, 40}, a.sets[0].x.Shape())
	want := NewAffine(a.W, a.B).Forward(gatherTensor(train, 40, []int{10}))
	assertSame(t, want, a.ForwardRows(train.Slice(10, 20), []int{0}).Clone(), "y from the view")

	assert.Nil(t, a.ForwardRows(nil, nil))
	assert.Nil(t, a.sets[0].t)
	assert.Nil(t, a.sets[1].t)
}

func TestForwardRowsAllocatesNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	x := sparseData(1000, 784, 0.19)
	a := NewAffine(tensor.RandN(newRand(), 0.01, 784, 50), tensor.New(50))
	a.SkipInputGrad(true)
	rows := make([]int, 100)
	for i := range rows {
		rows[i] = (i * 37) % 1000
	}
	dout := tensor.RandN(newRand(), 1, 100, 50)
	run := make([]int, 100)
	for i := range run {
		run[i] = 300 + i
	}
	step := func() {
		a.ForwardRows(x, rows)
		a.Backward(dout)
		a.ForwardRows(x, run)
		a.Backward(dout)
	}
	step()
	assert.Equal(t, 0.0, testing.AllocsPerRun(20, step))
}

func TestForwardRowsPanics(t *testing.T) {
	a := NewAffine(tensor.New(4, 3), tensor.New(3))
	assert.PanicsWithValue(t, "layers: Affine.ForwardRows: row 5 out of range for input shape [5 4]", func() {
		a.ForwardRows(tensor.New(5, 4), []int{0, 5})
	})
	assert.PanicsWithValue(t, "layers: Affine.ForwardRows: rows [3:6] out of range for input shape [5 4]", func() {
		a.ForwardRows(tensor.New(5, 4), []int{3, 4, 5})
	})
	assert.PanicsWithValue(t, "layers: Affine.ForwardRows: row -1 out of range for input shape [5 4]", func() {
		a.ForwardRows(tensor.New(5, 4), []int{2, -1})
	})
	assert.PanicsWithValue(t, "layers: Affine.ForwardRows: input shape [5 3] does not fit W shape [4 3]", func() {
		a.ForwardRows(tensor.New(5, 3), []int{0})
	})
}

// assertSame checks that got equals want to 1e-12, with NaN where want has
// NaN.
func assertSame(t *testing.T, want, got *tensor.Tensor, name string) {
	t.Helper()
	require.Equal(t, want.Shape(), got.Shape(), name)
	for i, w := range want.Data() {
		g := got.Data()[i]
		if math.IsNaN(w) {
			assert.True(t, math.IsNaN(g), "%s[%d] = %v, want NaN", name, i, g)
			continue
		}
		assert.InDelta(t, w, g, 1e-12, "%s[%d]", name, i)
	}
}

// TestDenseInputIsNotRecheckedEveryTime: after a dense input, the next
// denseRun inputs are taken dense unchecked, and the one after is checked
// again.
func TestDenseInputIsNotRecheckedEveryTime(t *testing.T) {
	a := NewAffine(tensor.RandN(newRand(), 1, 40, 6), tensor.New(6))
	dense, sparse := sparseData(5, 40, 0.9), sparseData(5, 40, 0.1)
	a.Forward(sparse)
	assert.True(t, a.sparse)
	a.Forward(dense)
	assert.False(t, a.sparse)
	for i := range denseRun {
		y := a.Forward(sparse)
		require.False(t, a.sparse, "input %d after the dense one", i+1)
		assertSame(t, NewAffine(a.W, a.B).Forward(sparse), y, "y")
	}
	a.Forward(sparse)
	assert.True(t, a.sparse, "checked again after the run")
}
