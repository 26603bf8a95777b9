//go:build !amd64 || purego

package conv

// hasAVX512 is false: this build has no assembly.
var hasAVX512 = false

func addWeightedAsm(dw, img []float64, rows []int, fw int, corners []int32, weights []float64) bool {
	return false
}
