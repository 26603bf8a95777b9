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

			y := byRows.forwardRows(newRows(tt.x, byRows), tt.rows).Clone()
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

// TestRowsAreCompressedOnce: a data set prepared for a Sequence whose
// first layer is an Affine is compressed once, when it is sparse, and
// every batch reads that copy; Release drops the layer's view of it. Any
// other first layer reads gathered rows, or a view for a run of rows.
func TestRowsAreCompressedOnce(t *testing.T) {
	a := NewAffine(tensor.RandN(newRand(), 1, 40, 6), tensor.New(6))
	s := NewSequence(a, &ReLU{})
	train, dense := sparseData(20, 40, 0.15), sparseData(20, 40, 0.9)
	set := s.PrepareRows(train)
	require.True(t, set.sparse)
	assert.False(t, s.PrepareRows(dense).sparse)
	assert.Equal(t, 20, set.Len())
	assert.Same(t, train, set.Data())
	val := &set.csr.Val[0]
	for _, rows := range [][]int{{1, 2}, {5, 5, 0}, {10, 11, 12}} {
		y := s.ForwardRows(set, rows).Clone()
		assertSame(t, NewSequence(NewAffine(a.W, a.B), &ReLU{}).Forward(gatherTensor(train, 40, rows)), y, "y")
		assert.Same(t, val, &set.csr.Val[0], "the set is not compressed again")
	}
	assert.Same(t, &set.csr.Val[0], &a.view.Val[0], "a run of rows is a view of the compressed set")
	s.Release()
	assert.Nil(t, a.view.Val)
	assert.Nil(t, a.src)

	conv := NewSequence(&ReLU{}, NewAffine(a.W, a.B))
	cset := conv.PrepareRows(train)
	assert.False(t, cset.sparse)
	want := NewSequence(&ReLU{}, NewAffine(a.W, a.B)).Forward(gatherTensor(train, 40, []int{3, 1}))
	assertSame(t, want, conv.ForwardRows(cset, []int{3, 1}).Clone(), "gathered rows")
	want = NewSequence(&ReLU{}, NewAffine(a.W, a.B)).Forward(train.Slice(4, 7))
	assertSame(t, want, conv.ForwardRows(cset, []int{4, 5, 6}).Clone(), "a run of rows")
}

func TestForwardRowsAllocatesNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	x := sparseData(1000, 784, 0.19)
	a := NewAffine(tensor.RandN(newRand(), 0.01, 784, 50), tensor.New(50))
	a.skipInputGrad(true)
	set := newRows(x, a)
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
		a.forwardRows(set, rows)
		a.Backward(dout)
		a.forwardRows(set, run)
		a.Backward(dout)
	}
	step()
	assert.Equal(t, 0.0, testing.AllocsPerRun(20, step))
}

func TestForwardRowsPanics(t *testing.T) {
	s := NewSequence(NewAffine(tensor.New(4, 3), tensor.New(3)))
	set := s.PrepareRows(tensor.New(5, 4))
	assert.PanicsWithValue(t, "layers: ForwardRows: row 5 out of range for data shape [5 4]", func() {
		s.ForwardRows(set, []int{0, 5})
	})
	assert.PanicsWithValue(t, "layers: ForwardRows: rows [3:6] out of range for data shape [5 4]", func() {
		s.ForwardRows(set, []int{3, 4, 5})
	})
	assert.PanicsWithValue(t, "layers: ForwardRows: row -1 out of range for data shape [5 4]", func() {
		s.ForwardRows(set, []int{2, -1})
	})
	assert.PanicsWithValue(t, "layers: PrepareRows: data shape [5 3] does not fit the first layer's W shape [4 3]", func() {
		s.PrepareRows(tensor.New(5, 3))
	})
	assert.PanicsWithValue(t, "layers: ForwardRows: row 2 out of range for data shape [2 4]", func() {
		NewSequence(&ReLU{}).ForwardRows(NewSequence().PrepareRows(tensor.New(2, 4)), []int{2, 0})
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

// TestDenseInputIsNotRecheckedInTraining: in training, after a dense
// input, the next denseRun inputs are taken dense unchecked, and the one
// after is checked again.
func TestDenseInputIsNotRecheckedInTraining(t *testing.T) {
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

// TestInferencePathDependsOnTheInputAlone: in a Sequence's inference
// passes, whether a batch takes the sparse path depends on the batch, not
// on the batches before it, so that the same input gives the same bits —
// a network loaded from a file predicts what the saved one predicted —
// while the count of unchecked inputs runs on as in training.
func TestInferencePathDependsOnTheInputAlone(t *testing.T) {
	a := NewAffine(tensor.RandN(newRand(), 1, 40, 6), tensor.New(6))
	s := NewSequence(a)
	dense, sparse := sparseData(5, 40, 0.9), sparseData(5, 40, 0.1)
	want := NewSequence(NewAffine(a.W, a.B))
	want.SetMode(Inference)
	wantY := want.Forward(sparse).Clone()
	s.SetMode(Inference)
	s.Forward(dense)
	assert.False(t, a.sparse)
	assert.Equal(t, denseRun, a.skipChecks)
	y := s.Forward(sparse)
	assert.True(t, a.sparse, "checked although a training pass would not look")
	assert.Equal(t, wantY.Data(), y.Data(), "the same bits as a fresh layer's")
	assert.Equal(t, denseRun-1, a.skipChecks, "the count runs on")
	s.SetMode(Training)
	s.Forward(sparse)
	assert.False(t, a.sparse, "a training pass within the run does not look")
}
