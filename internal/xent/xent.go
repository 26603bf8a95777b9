package xent

import "math"

// Delta is the book's δ in −Σ t·log(y + δ): 1e-7.
const Delta = 1e-7

// Sum returns −Σ t[i]·log(y[i] + δ) over the elements of y and t, in
// order, leaving out the terms where t[i] is 0 (they add nothing, and
// skipping them also skips the log of a y that is not a probability). y
// and t have the same length.
func Sum(y, t []float64) float64 {
	t = t[:len(y)]
	var s float64
	for i, p := range y {
		if t[i] != 0 {
			s -= t[i] * math.Log(p+Delta)
		}
	}
	return s
}

// Label returns −log(p + δ), the term of a one-hot target whose class has
// predicted probability p.
func Label(p float64) float64 { return -math.Log(p + Delta) }

// SoftmaxRow returns Sum(softmax(x), t) for one row of scores x, with the
// softmax computed as tensor's Softmax computes it: the row's maximum
// subtracted before exp, and y = e·(1/Σe). x and t have the same length.
func SoftmaxRow(x, t []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	t = t[:len(x)]
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
		for i := range e {
			e[i] *= inv
		}
		return Sum(e, t)
	}
	for _, v := range x {
		sum += math.Exp(v - m)
	}
	inv := 1 / sum
	var cost float64
	for i, p := range t {
		if p != 0 {
			cost -= p * math.Log(math.Exp(x[i]-m)*inv+Delta)
		}
	}
	return cost
}
