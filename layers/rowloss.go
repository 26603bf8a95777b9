package layers

import (
	"fmt"
	"math"
)

// RowLosser is a head whose loss is the mean over rows of a loss per row:
// for scores x and targets t of shape (n, k), Forward returns
// (1/n)·Σᵣ RowLoss(x[r], t[r]), up to the rounding of the sum. RowLoss
// computes a row's term with the same formulas as Forward, so the loss of
// a batch in which only a few rows change can be updated from those rows
// alone: numlearn's NumericalGradient does so. RowLoss must not change the
// head's state, so that several goroutines may call it at once.
//
// SoftmaxWithLoss, IdentityWithLoss and SigmoidWithLoss are RowLossers.
type RowLosser interface {
	Head
	RowLoss(x, t []float64) float64
}

// crossEntropyDelta is loss.CrossEntropy's 1e-7, which keeps log(y + δ)
// finite where a probability is 0.
const crossEntropyDelta = 1e-7

// RowLoss returns the cross-entropy −Σ t·log(y + 1e-7) of y = softmax(x)
// for one row, computed as Forward computes it: the row's maximum
// subtracted before exp, y = e·(1/Σe), and terms where t is 0 left out.
// It panics if x and t differ in length.
func (s *SoftmaxWithLoss) RowLoss(x, t []float64) float64 {
	checkRow("SoftmaxWithLoss.RowLoss", x, t)
	if len(x) == 0 {
		return 0
	}
	m := x[0]
	for _, v := range x[1:] {
		m = max(m, v)
	}
	// Keep the exponentials of a short row on the stack; a long one has
	// them computed again for the few targets that are not 0.
	var small [64]float64
	var sum float64
	if len(x) <= len(small) {
		e := small[:len(x)]
		for i, v := range x {
			e[i] = math.Exp(v - m)
			sum += e[i]
		}
		inv := 1 / sum
		var cost float64
		for i, p := range t {
			if p != 0 {
				cost -= p * math.Log(e[i]*inv+crossEntropyDelta)
			}
		}
		return cost
	}
	for _, v := range x {
		sum += math.Exp(v - m)
	}
	inv := 1 / sum
	var cost float64
	for i, p := range t {
		if p != 0 {
			cost -= p * math.Log(math.Exp(x[i]-m)*inv+crossEntropyDelta)
		}
	}
	return cost
}

// RowLoss returns mean((x − t)²) over one row, whose mean over rows is
// Forward's mean over every element. It panics if x and t differ in
// length.
func (h *IdentityWithLoss) RowLoss(x, t []float64) float64 {
	checkRow("IdentityWithLoss.RowLoss", x, t)
	var s float64
	for i, v := range x {
		d := v - t[i]
		s += d * d
	}
	return s / float64(len(x))
}

// RowLoss returns the mean binary cross-entropy of σ(x) against t over one
// row, in Forward's form max(x, 0) − t·x + log(1 + e^−|x|); its mean over
// rows is Forward's mean over every element. It panics if x and t differ
// in length.
func (h *SigmoidWithLoss) RowLoss(x, t []float64) float64 {
	checkRow("SigmoidWithLoss.RowLoss", x, t)
	var s float64
	for i, v := range x {
		s += max(v, 0) - t[i]*v + math.Log1p(math.Exp(-math.Abs(v)))
	}
	return s / float64(len(x))
}

// checkRow panics unless a row of scores and its targets have the same
// length.
func checkRow(op string, x, t []float64) {
	if len(x) != len(t) {
		panic(fmt.Sprintf("layers: %s: %d scores and %d targets", op, len(x), len(t)))
	}
}
