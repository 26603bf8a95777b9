//go:build !amd64 || purego

package conv

// hasAVX512VL is false: this build has no assembly.
var hasAVX512VL = false

func reluPoolArgAsm(dst []float64, arg []int32, act []float64, corner []int32, bias float64, ow int) int {
	return 0
}
