package conv

import "fmt"

// ReLUPoolArg is ReLUPool for training: besides dst, it writes into arg,
// for each pooled output j, where its value came from — the position
// (2y + dy)·OutW + 2x + dx in the convolution's output of the window's
// first maximum, in the order (0, 0), (0, 1), (1, 0), (1, 1), as a
// Pooling layer resolves ties — or −1 when that maximum is not positive,
// so that the ReLU passes no gradient there. A NaN, which the ReLU and
// the pooling keep, gives the position of the window's first NaN. act
// holds one filter's products with the columns of Im2col, four blocks of
// PH·PW values, and dst and arg take PH·PW each. It panics if a slice is
// too short.
func (p *Pooled) ReLUPoolArg(dst []float64, arg []int32, act []float64, bias float64) {
	n := len(p.corner)
	if len(dst) < n || len(arg) < n || len(act) < 4*n {
		panic(fmt.Sprintf("conv: Pooled.ReLUPoolArg: dst, arg and act have %d, %d and %d values, the geometry needs %d, %d and %d",
			len(dst), len(arg), len(act), n, n, 4*n))
	}
	dst, arg, act = dst[:n], arg[:n], act[:4*n]
	done := reluPoolArgAsm(dst, arg, act, p.corner, bias, p.g.OutW())
	reluPoolArgGo(dst, arg, act, p.corner, bias, p.g.OutW(), done)
}

// reluPoolArgGo is ReLUPoolArg for the outputs from j0 on.
func reluPoolArgGo(dst []float64, arg []int32, act []float64, corner []int32, bias float64, ow, j0 int) {
	n := len(dst)
	a0, a1, a2, a3 := act[:n], act[n:2*n], act[2*n:3*n], act[3*n:4*n]
	for j := j0; j < n; j++ {
		v0, v1, v2, v3 := a0[j]+bias, a1[j]+bias, a2[j]+bias, a3[j]+bias
		mx := max(max(v0, v1), max(v2, v3))
		pos := corner[j] + int32(FirstMax(v0, v1, v2, v3, mx, ow))
		if mx <= 0 { // the ReLU's max(0, ·) passes no gradient; a NaN, which it keeps, is not ≤ 0
			pos = -1
		}
		arg[j] = pos
		dst[j] = max(mx, 0)
	}
}

// FirstMax returns the offset, within a 2×2 window whose rows are w
// apart, of the first of its values a, b (top row), c, e (bottom row) that
// equals the window's maximum mx — or, when mx is NaN, of its first NaN,
// as numpy's argmax finds it: 0, 1, w or w+1. The book's pooling sends
// the gradient there.
func FirstMax(a, b, c, e, mx float64, w int) int {
	if mx != mx {
		switch {
		case a != a:
			return 0
		case b != b:
			return 1
		case c != c:
			return w
		}
		return w + 1
	}
	// Without branches: the tests run from the last place to the first,
	// so the earliest equal one wins.
	off := w + 1
	if c == mx {
		off = w
	}
	if b == mx {
		off = 1
	}
	if a == mx {
		off = 0
	}
	return off
}
