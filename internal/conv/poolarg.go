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
		// The first maximum, chosen without branches.
		off := int32(ow + 1)
		if v2 == mx {
			off = int32(ow)
		}
		if v1 == mx {
			off = 1
		}
		if v0 == mx {
			off = 0
		}
		pos := corner[j] + off
		if !(mx > 0) { // the ReLU's max(0, ·) passes no gradient here
			pos = -1
		}
		if mx != mx { // NaN: the first one
			switch {
			case v0 != v0:
				pos = corner[j]
			case v1 != v1:
				pos = corner[j] + 1
			case v2 != v2:
				pos = corner[j] + int32(ow)
			default:
				pos = corner[j] + int32(ow) + 1
			}
		}
		arg[j] = pos
		dst[j] = max(mx, 0)
	}
}
