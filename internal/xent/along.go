package xent

import "math"

// smallStep is the largest |d·v| for which SoftmaxRowAlong takes e^(d·v)
// from its Taylor series 1 + u + u²/2 + … + u⁵/120, whose first term left
// out, u⁶/720 < 2e-21, is far below a unit in the last place.
const smallStep = 1e-3

// SoftmaxRowAlong sets dst[k] = SoftmaxRow(x + ds[k]·v, t) −
// SoftmaxRow(x, t) for every k, where x is a row of scores, v a direction
// of x's length and t the row's targets: the losses at many points on a
// line through the row, which a numerical gradient needs (every perturbed
// parameter that reaches a row through one column of the layer before the
// head moves the row's scores along one line). Results agree with the
// difference of two SoftmaxRow calls up to rounding (a few units in the
// last place of the loss), and dst[k] is 0 where ds[k] is 0. dst and ds
// have the same length, and so do x, v and t.
//
// It computes the row's exponentials e_c = exp(x_c − max x) once and takes
// those of each moved row as e_c·exp(d·v_c), with the exponential of the
// small d·v_c from its Taylor series (summed over c through the moments
// Σ e_c·v_cᵏ, so each point costs a few operations whatever the row's
// length); the softmax is then as in SoftmaxRow,
// and the change of each cross-entropy term −t·log(y + 1e-7) is taken as
// −t·log1p((y' − y)/(y + 1e-7)), which keeps the digits that subtracting
// two logarithms would lose. A point whose step is not small is computed
// by SoftmaxRow itself.
func SoftmaxRowAlong(dst, x, v, t, ds []float64) {
	t, v, dst = t[:len(x)], v[:len(x)], dst[:len(ds)]
	if len(x) == 0 {
		clear(dst)
		return
	}
	base, haveBase := 0.0, false
	var eBuf, moved [16]float64
	e := eBuf[:0]
	if len(x) > len(eBuf) {
		e = make([]float64, 0, len(x))
	}
	m := x[0]
	for _, u := range x[1:] {
		m = max(m, u)
	}
	// The moments μₖ = Σ e_c·v_cᵏ turn the sum of the moved exponentials
	// into a polynomial in d: Σ e_c·e^(d·v_c) = Σₖ μₖ·dᵏ/k!, to the same
	// order as expSmall.
	var vmax, sum0, m1, m2, m3, m4, m5 float64
	for i, u := range x {
		e = append(e, math.Exp(u-m))
		sum0 += e[i]
		vi := v[i]
		vmax = max(vmax, math.Abs(vi))
		ev := e[i] * vi
		m1 += ev
		ev *= vi
		m2 += ev
		ev *= vi
		m3 += ev
		ev *= vi
		m4 += ev
		ev *= vi
		m5 += ev
	}
	m2, m3, m4, m5 = m2/2, m3/6, m4/24, m5/120
	inv0 := 1 / sum0
	var row []float64
	for k, d := range ds {
		if d == 0 {
			dst[k] = 0
			continue
		}
		if math.Abs(d)*vmax > smallStep || math.IsNaN(d) {
			if row == nil {
				row = moved[:0]
				if len(x) > len(moved) {
					row = make([]float64, len(x))
				}
				row = row[:len(x)]
			}
			for i, u := range x {
				row[i] = u + d*v[i]
			}
			if !haveBase {
				base, haveBase = SoftmaxRow(x, t), true
			}
			dst[k] = SoftmaxRow(row, t) - base
			continue
		}
		sum := sum0 + d*(m1+d*(m2+d*(m3+d*(m4+d*m5))))
		// The change of −t·log(y + 1e-7) for each target is
		// −t·log1p((y' − y)/(y + 1e-7)), which keeps the digits a
		// difference of two logarithms would lose.
		inv := 1 / sum
		var change float64
		for i, p := range t {
			if p != 0 {
				y := e[i] * inv0
				q := (e[i]*expSmall(d*v[i])*inv - y) / (y + Delta)
				change -= p * log1pSmall(q)
			}
		}
		dst[k] = change
	}
}

// expSmall returns e^u for |u| ≤ smallStep to within a unit in the last
// place, from the Taylor series to u⁵.
func expSmall(u float64) float64 {
	return 1 + u*(1+u*(1.0/2+u*(1.0/6+u*(1.0/24+u*(1.0/120)))))
}

// log1pSmall returns log(1 + q), from its Taylor series to q⁵ when |q| ≤
// smallStep (the first term left out, q⁶/6, is below 2e-19), else from
// math.Log1p.
func log1pSmall(q float64) float64 {
	if math.Abs(q) > smallStep {
		return math.Log1p(q)
	}
	return q * (1 - q*(1.0/2-q*(1.0/3-q*(1.0/4-q*(1.0/5)))))
}
