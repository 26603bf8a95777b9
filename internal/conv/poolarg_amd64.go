//go:build amd64 && !purego

package conv

import "golang.org/x/sys/cpu"

var hasAVX512VL = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

// reluPoolArg8AVX512 does ReLUPoolArg for the first count outputs, a
// multiple of 8, of blocks of n values starting at a, and returns how many
// it did: it stops before the first 8 outputs whose windows hold a NaN.
//
//go:noescape
func reluPoolArg8AVX512(dst *float64, arg *int32, a *float64, corner *int32, n, count int, bias float64, ow int) int

// reluPoolArgAsm does ReLUPoolArg's work with the AVX-512 kernel and
// returns how many outputs it wrote.
func reluPoolArgAsm(dst []float64, arg []int32, act []float64, corner []int32, bias float64, ow int) int {
	n := len(dst)
	if !hasAVX512VL || n < 8 {
		return 0
	}
	return reluPoolArg8AVX512(&dst[0], &arg[0], &act[0], &corner[0], n, n&^7, bias, ow)
}
