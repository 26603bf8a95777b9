package metrics

import (
	"fmt"
	"math"

	"github.com/numlearn/numlearn/tensor"
)

// Regression holds the errors of predictions against targets, as
// scikit-learn's mean_absolute_error, mean_squared_error,
// root_mean_squared_error and r2_score compute them.
type Regression struct {
	N    int     // samples: the first dimension of the predictions
	MAE  float64 // mean |p − t| over every element
	MSE  float64 // mean (p − t)² over every element
	RMSE float64 // √MSE
	R2   float64 // coefficient of determination, per output then averaged
}

// NewRegression measures the predictions pred against the targets target.
// Both are (n), one output per sample, or (n, k), k outputs per sample, of
// the same shape; an (n) and an (n, 1) also go together, as in
// scikit-learn, since both are one output. MAE, MSE and RMSE average over
// all n·k elements. R2 is
//
//	R² = 1 − Σᵢ(tᵢ − pᵢ)² / Σᵢ(tᵢ − t̄)²
//
// for each output column, averaged with equal weights over the columns
// (scikit-learn's multioutput='uniform_average'). A column whose targets
// are all equal has no variance to explain: its R² is 1 if every
// prediction in it is exact and 0 otherwise (scikit-learn's
// force_finite=True), one sample included.
//
// The tensors come from data, so NewRegression returns an error rather
// than panicking: wrapping ErrShape when the shapes differ or are not
// (n) or (n, k), ErrEmpty when there are no samples or no outputs, and
// ErrNonFinite, naming the element, when a value is NaN or infinite. It
// panics only if pred or target is nil. The sums are scaled by a power of
// two, so that values anywhere in float64's range give the right results:
// only a result whose true value is beyond that range, such as the MSE of
// errors of 1e200, is +Inf.
func NewRegression(pred, target *tensor.Tensor) (Regression, error) {
	if pred == nil || target == nil {
		panic("metrics: NewRegression: nil tensor")
	}
	n, k, err := columns(pred, target)
	if err != nil {
		return Regression{}, err
	}
	p, t := pred.Data(), target.Data()
	if err := finite("prediction", p, k); err != nil {
		return Regression{}, err
	}
	if err := finite("target", t, k); err != nil {
		return Regression{}, err
	}

	// Every value is divided by s, a power of two near the largest
	// magnitude, so that squares cannot overflow (|p/s − t/s| < 4). Dividing
	// by a power of two is exact, so for ordinary values the sums are
	// bit for bit those of the plain formulas; MAE and RMSE scale back by
	// s, and R² is a ratio that s cancels from.
	s := scale(p, t)
	var sumAbs, sumSq float64
	mean := make([]float64, k)  // t̄ of each column, scaled
	resid := make([]float64, k) // Σ(t − p)² of each column, scaled
	constant := make([]bool, k) // whether the column's targets are all equal
	for j := range constant {
		constant[j] = true
	}
	for i, ti := range t {
		j := i % k
		d := p[i]/s - ti/s
		sumAbs += math.Abs(d)
		sumSq += d * d
		resid[j] += d * d
		mean[j] += ti / s
		constant[j] = constant[j] && ti == t[j]
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	total := make([]float64, k) // Σ(t − t̄)² of each column, scaled
	for i, ti := range t {
		d := ti/s - mean[i%k]
		total[i%k] += d * d
	}
	r2 := 0.0
	for j := range k {
		switch {
		case !constant[j] && total[j] > 0:
			r2 += 1 - resid[j]/total[j]
		case resid[j] == 0: // constant targets predicted exactly
			r2++
		}
	}
	elems := float64(len(t))
	return Regression{
		N:    n,
		MAE:  sumAbs / elems * s,
		MSE:  sumSq / elems * s * s,
		RMSE: math.Sqrt(sumSq/elems) * s,
		R2:   r2 / float64(k),
	}, nil
}

// columns checks that pred and target are (n) or (n, k) and go together,
// and returns n and k.
func columns(pred, target *tensor.Tensor) (n, k int, err error) {
	ps, ts := pred.Shape(), target.Shape()
	for _, sh := range [][]int{ps, ts} {
		if len(sh) != 1 && len(sh) != 2 {
			return 0, 0, fmt.Errorf("%w: prediction shape %v and target shape %v, want (n) or (n, k)", ErrShape, ps, ts)
		}
	}
	n, k = ps[0], 1
	if len(ps) == 2 {
		k = ps[1]
	}
	tk := 1
	if len(ts) == 2 {
		tk = ts[1]
	}
	if ts[0] != n || tk != k {
		return 0, 0, fmt.Errorf("%w: prediction shape %v and target shape %v", ErrShape, ps, ts)
	}
	if n == 0 || k == 0 {
		return 0, 0, fmt.Errorf("%w: prediction and target shape %v", ErrEmpty, ps)
	}
	return n, k, nil
}

// finite returns an error naming what, the sample and the output of the
// first value of data that is NaN or infinite; k is the number of outputs.
func finite(what string, data []float64, k int) error {
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s of sample %d, output %d, is %v", ErrNonFinite, what, i/k, i%k, v)
		}
	}
	return nil
}

// scale returns the power of two 2ᵉ with the largest magnitude in a and b
// in [2ᵉ⁻¹, 2ᵉ), or 1 when they are all 0. The largest float64 values give
// 2¹⁰²³, since 2¹⁰²⁴ overflows; they scale to below 2.
func scale(a, b []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = max(m, math.Abs(v))
	}
	for _, v := range b {
		m = max(m, math.Abs(v))
	}
	_, e := math.Frexp(m)
	return math.Ldexp(1, min(e, 1023))
}
