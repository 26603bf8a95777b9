package conv

import "fmt"

// ReLUPool finishes, for one filter, the convolution that Pooled.Im2col laid
// out: act holds the filter's products with col, the four places of the
// 2×2 windows in four blocks of n = len(dst) values, and ReLUPool writes
//
//	dst[j] = max(0, max_{d<4} (act[d·n + j] + bias))
//
// the bias added to each sum before the maximum, as a convolution adds it
// to every output, so the result equals pooling the convolution's ReLU
// bit for bit. A NaN among a window's four values makes its output NaN,
// as Go's max does. It panics if act has fewer than 4·len(dst) values.
func ReLUPool(dst, act []float64, bias float64) {
	n := len(dst)
	if len(act) < 4*n {
		panic(fmt.Sprintf("conv: ReLUPool: act has %d values, %d outputs need %d", len(act), n, 4*n))
	}
	done := reluPoolAsm(dst, act[:4*n], bias)
	reluPoolGo(dst[done:], act[done:n], act[n+done:2*n], act[2*n+done:3*n], act[3*n+done:4*n], bias)
}

// reluPoolGo is ReLUPool on the blocks a0 … a3, each as long as dst.
func reluPoolGo(dst, a0, a1, a2, a3 []float64, bias float64) {
	a0, a1, a2, a3 = a0[:len(dst)], a1[:len(dst)], a2[:len(dst)], a3[:len(dst)]
	for j := range dst {
		mx := max(max(a0[j]+bias, a1[j]+bias), max(a2[j]+bias, a3[j]+bias))
		dst[j] = max(mx, 0)
	}
}
