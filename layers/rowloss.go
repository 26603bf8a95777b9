package layers

import (
	"math"

	"github.com/numlearn/numlearn/internal/xent"
)

// rowLosser is a head whose loss is the mean over rows of a loss per row:
// for scores x and targets t of shape (n, k), Forward returns
// (1/n)·Σᵣ rowLoss(x[r], t[r]), up to the rounding of the sum. rowLoss
// computes a row's term with the same formulas as Forward and does not
// touch the head's state, so the numerical gradient plan can update a
// batch's loss from the few rows a perturbation changes, from several
// goroutines at once. Every head in this package is a rowLosser; x and t
// have the same length.
type rowLosser interface {
	Head
	rowLoss(x, t []float64) float64
}

// lineLosser is a rowLosser that works out a row's loss at many points on
// a line through its scores at once: rowLossAlong sets dst[k] to
// rowLoss(x + ds[k]·v, t) − rowLoss(x, t) for every k, up to rounding,
// and 0 where ds[k] is 0. SoftmaxWithLoss is a lineLosser.
type lineLosser interface {
	rowLossAlong(dst, x, v, t, ds []float64)
}

// rowLoss returns the cross-entropy −Σ t·log(y + 1e-7) of y = softmax(x)
// for one row, computed as Forward computes it.
func (s *SoftmaxWithLoss) rowLoss(x, t []float64) float64 { return xent.SoftmaxRow(x, t) }

// rowLossAlong is xent.SoftmaxRowAlong.
func (s *SoftmaxWithLoss) rowLossAlong(dst, x, v, t, ds []float64) {
	xent.SoftmaxRowAlong(dst, x, v, t, ds)
}

// rowLoss returns mean((x − t)²) over one row, whose mean over rows is
// Forward's mean over every element.
func (h *IdentityWithLoss) rowLoss(x, t []float64) float64 {
	t = t[:len(x)]
	var s float64
	for i, v := range x {
		d := v - t[i]
		s += d * d
	}
	return s / float64(len(x))
}

// rowLoss returns the mean binary cross-entropy of σ(x) against t over one
// row, in Forward's form max(x, 0) − t·x + log(1 + e^−|x|); its mean over
// rows is Forward's mean over every element.
func (h *SigmoidWithLoss) rowLoss(x, t []float64) float64 {
	t = t[:len(x)]
	var s float64
	for i, v := range x {
		s += max(v, 0) - t[i]*v + math.Log1p(math.Exp(-math.Abs(v)))
	}
	return s / float64(len(x))
}
