package sparse

import "math"

// allFiniteGo reports whether every element of x is finite.
func allFiniteGo(x []float64) bool {
	// x·0 is 0 for finite x and NaN for ±Inf and NaN; four sums keep the
	// additions independent.
	var s0, s1, s2, s3 float64
	for len(x) >= 4 {
		s0 += x[0] * 0
		s1 += x[1] * 0
		s2 += x[2] * 0
		s3 += x[3] * 0
		x = x[4:]
	}
	for _, v := range x {
		s0 += v * 0
	}
	return !math.IsNaN(s0 + s1 + s2 + s3)
}
