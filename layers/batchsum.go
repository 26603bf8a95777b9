package layers

import "gonum.org/v1/gonum/floats"

// pieceSums holds the sums of a batch's pieces of rows — k sums of d values
// for each piece of per rows, where per depends on d alone, never on the
// cores — and adds them up in piece order. Each piece is summed in row
// order by whichever core takes it, so a total is the same bits on any
// number of cores. A large batch's pieces are shared among the cores by
// a rangeJob, each core reading the rows that the pass before it wrote.
type pieceSums struct {
	per, d, k int
	parts     []float64
}

// pieceRows returns the rows of one piece of a sum over a batch of rows
// of d values, for pieces of at least about values values: a multiple of
// batchNormRows, so that a piece's rows take whole cache lines.
func pieceRows(d, values int) int {
	r := (values + d - 1) / max(d, 1)
	return (r + batchNormRows - 1) / batchNormRows * batchNormRows
}

// start readies k sums of d values for each piece of pieceRows(d, values)
// rows of a batch of n rows, and returns the number of pieces.
func (s *pieceSums) start(n, d, k, values int) int {
	s.per, s.d, s.k = pieceRows(d, values), d, k
	pieces := (n + s.per - 1) / s.per
	if len(s.parts) < pieces*k*d {
		s.parts = make([]float64, pieces*k*d)
	}
	return pieces
}

// part returns the i-th sum of the piece that starts at row lo.
func (s *pieceSums) part(lo, i int) []float64 {
	at := (lo/s.per*s.k + i) * s.d
	return s.parts[at : at+s.d]
}

// total sets dst to the i-th sums of pieces 0, 1, … added in that order:
// zeros when there are none (an empty batch).
func (s *pieceSums) total(dst []float64, i, pieces int) {
	if pieces == 0 {
		clear(dst)
		return
	}
	copy(dst, s.part(0, i))
	for p := 1; p < pieces; p++ {
		floats.Add(dst, s.part(p*s.per, i))
	}
}

// batchSum sums the rows of a batch, (n, d) row-major, into one row of d
// values, by pieces (see pieceSums): Affine's ∂L/∂b = Σ over rows of
// dout, BatchNorm's Σx. A batch of one piece is summed exactly as
// tensor's SumAxis sums it.
type batchSum struct {
	job  rangeJob
	fn   func(lo, hi int) // sumRows, bound once
	x    []float64        // the batch being summed
	sums pieceSums
}

// batchSumValues is about how many values a piece of Affine's ∂L/∂b adds
// up, at least: up to 328 rows of 50 values, 160 of 100, are one piece.
const batchSumValues = 1 << 14

// sum sets dst, of d values, to the sum of the n rows of x, in pieces of
// at least about values values.
func (s *batchSum) sum(dst, x []float64, n, d, values int) {
	pieces := s.sums.start(n, d, 1, values)
	if s.fn == nil {
		s.fn = s.sumRows
	}
	s.x = x
	s.job.run(s.fn, n, s.sums.per, 2*n*d)
	s.x = nil
	s.sums.total(dst, 0, pieces)
}

// sumRows sums each piece of rows [lo, hi) into its part, in row order.
func (s *batchSum) sumRows(lo, hi int) {
	d, per := s.sums.d, s.sums.per
	for ; lo < hi; lo += per {
		part := s.sums.part(lo, 0)
		clear(part)
		for i := lo; i < min(lo+per, hi); i++ {
			floats.Add(part, s.x[i*d:(i+1)*d])
		}
	}
}
