package layers

import "gonum.org/v1/gonum/floats"

// batchSum sums the rows of a batch, (n, d) row-major, into one row of d
// values, as Affine's ∂L/∂b = Σ over rows of dout: in pieces of
// pieceRows(d, batchSumValues) rows, each summed in row order, the
// pieces then added in order. The pieces depend on the batch's shape
// alone, so the sum is the same bits on any number of cores, and a
// large batch is shared among them by pieces (see rangeJob), each core
// reading the rows that the pass before it wrote. A batch of one piece —
// up to 328 rows of 50 values, 160 of 100 — is summed exactly as
// tensor's SumAxis sums it.
type batchSum struct {
	job   rangeJob
	fn    func(lo, hi int) // sumRows, bound once
	x     []float64        // the batch being summed
	d     int
	per   int       // rows per piece
	parts []float64 // the pieces' sums, d values each
}

// batchSumValues is about how many values a piece of batchSum adds up,
// at least.
const batchSumValues = 1 << 14

// pieceRows returns the rows of one piece of a sum over a batch of rows
// of d values, for pieces of about values values: a multiple of
// batchNormRows, so that a piece's rows take whole cache lines. It
// depends on d alone, never on the cores.
func pieceRows(d, values int) int {
	r := (values + d - 1) / max(d, 1)
	return (r + batchNormRows - 1) / batchNormRows * batchNormRows
}

// sum sets dst, of d values, to the sum of the n rows of x.
func (s *batchSum) sum(dst, x []float64, n, d int) {
	s.per = pieceRows(d, batchSumValues)
	pieces := (n + s.per - 1) / s.per
	if len(s.parts) < pieces*d {
		s.parts = make([]float64, pieces*d)
	}
	if s.fn == nil {
		s.fn = s.sumRows
	}
	s.x, s.d = x, d
	s.job.run(s.fn, n, s.per, 2*n*d)
	s.x = nil
	if pieces == 0 {
		clear(dst)
		return
	}
	copy(dst, s.parts[:d])
	for p := 1; p < pieces; p++ {
		floats.Add(dst, s.parts[p*d:(p+1)*d])
	}
}

// sumRows sums each piece of rows [lo, hi) into its part, in row order.
func (s *batchSum) sumRows(lo, hi int) {
	d := s.d
	for ; lo < hi; lo += s.per {
		part := s.parts[lo/s.per*d : (lo/s.per+1)*d]
		clear(part)
		for i := lo; i < min(lo+s.per, hi); i++ {
			floats.Add(part, s.x[i*d:(i+1)*d])
		}
	}
}
