package layers

import (
	"math"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/tensor"
)

// TestBatchSumByPieces sums batches on 1, 2, 3 and 8 cores and wants, bit
// for bit, each piece of rows summed in row order and the pieces added in
// order, worked out here — 1000 rows of 100 values are six pieces of 168
// rows (the last of 160), 1000 of 1000 forty-two of 24 (the last of
// 16) — and for a batch of one piece (328 rows of 50 values) tensor's
// SumAxis itself.
func TestBatchSumByPieces(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := newRand()
	for _, c := range []struct{ n, d, per int }{{1000, 100, 168}, {1000, 1000, 24}, {328, 50, 328}, {0, 7, 2344}} {
		require.Equal(t, c.per, pieceRows(c.d, batchSumValues), "%d values per row", c.d)
		x := tensor.RandN(rng, 1, c.n, c.d)
		want := make([]float64, c.d)
		for lo := 0; lo < c.n; lo += c.per {
			piece := make([]float64, c.d)
			for i := lo; i < min(lo+c.per, c.n); i++ {
				for j := range piece {
					piece[j] += x.Data()[i*c.d+j]
				}
			}
			for j := range want {
				want[j] += piece[j]
			}
		}
		if c.n <= c.per {
			want = tensor.New(c.d).Data()
			s := tensor.New(c.d)
			s.SumAxis(x, 0)
			copy(want, s.Data())
		}
		for _, procs := range []int{1, 2, 3, 8} {
			runtime.GOMAXPROCS(procs)
			var s batchSum
			got := make([]float64, c.d)
			for i := range got {
				got[i] = math.NaN() // overwritten, not accumulated
			}
			s.sum(got, x.Data(), c.n, c.d, batchSumValues)
			for j := range want {
				if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
					t.Fatalf("%d×%d, GOMAXPROCS=%d: sum[%d] = %v, want %v", c.n, c.d, procs, j, got[j], want[j])
				}
			}
		}
	}
}
