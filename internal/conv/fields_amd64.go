//go:build amd64 && !purego

package conv

import "golang.org/x/sys/cpu"

// hasAVX512 says whether the AVX-512 kernels of AddWeighted can run.
var hasAVX512 = cpu.X86.HasAVX512F

// The kernels of AddWeighted, one per number of rows (see fields_amd64.s).
//
//go:noescape
func addFields1(dw, img *float64, rows *int, stride int, corners *int32, weights *float64, n int, mask uint64)

//go:noescape
func addFields2(dw, img *float64, rows *int, stride int, corners *int32, weights *float64, n int, mask uint64)

//go:noescape
func addFields3(dw, img *float64, rows *int, stride int, corners *int32, weights *float64, n int, mask uint64)

//go:noescape
func addFields4(dw, img *float64, rows *int, stride int, corners *int32, weights *float64, n int, mask uint64)

//go:noescape
func addFields5(dw, img *float64, rows *int, stride int, corners *int32, weights *float64, n int, mask uint64)

//go:noescape
func addFields6(dw, img *float64, rows *int, stride int, corners *int32, weights *float64, n int, mask uint64)

//go:noescape
func addFields7(dw, img *float64, rows *int, stride int, corners *int32, weights *float64, n int, mask uint64)

//go:noescape
func addFields8(dw, img *float64, rows *int, stride int, corners *int32, weights *float64, n int, mask uint64)

var addFields = [...]func(dw, img *float64, rows *int, stride int, corners *int32, weights *float64, n int, mask uint64){
	addFields1, addFields2, addFields3, addFields4, addFields5, addFields6, addFields7, addFields8,
}

// addWeightedAsm does AddWeighted's sum with the AVX-512 kernels, eight
// rows of the fields at a time, and says whether it did: it needs rows of
// at most 8 values, one vector each.
func addWeightedAsm(dw, img []float64, rows []int, fw int, corners []int32, weights []float64) bool {
	if !hasAVX512 || fw > 8 {
		return false
	}
	if len(corners) == 0 {
		return true
	}
	mask := uint64(1)<<fw - 1
	for r := 0; r < len(rows); r += 8 {
		n := min(8, len(rows)-r)
		addFields[n-1](&dw[r*fw], &img[0], &rows[r], fw*8, &corners[0], &weights[0], len(corners), mask)
	}
	return true
}
