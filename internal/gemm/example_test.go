package gemm_test

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/gemm"
)

func ExampleGemm() {
	a := []float64{1, 2, 3, 4, 5, 6}    // 2×3
	b := []float64{7, 8, 9, 10, 11, 12} // 3×2
	c := make([]float64, 4)             // 2×2
	gemm.Gemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
	fmt.Printf("%.4f\n", c)

	// aᵀ·a: a is (2, 3), so the product is 3×3 and needs no copy of aᵀ.
	g := make([]float64, 9)
	gemm.Gemm(true, false, 3, 3, 2, 1, a, 3, a, 3, 0, g, 3)
	fmt.Printf("%.4f\n", g)
	// Output:
	// [58.0000 64.0000 139.0000 154.0000]
	// [17.0000 22.0000 27.0000 22.0000 29.0000 36.0000 27.0000 36.0000 45.0000]
}

// A sub-matrix is used in place through its leading dimension: here the
// right 2×2 block of a 2×4 matrix, whose rows are 4 elements apart.
func ExampleGemm_stride() {
	m := []float64{
		9, 9, 1, 2,
		9, 9, 3, 4,
	}
	id := []float64{1, 0, 0, 1}
	c := make([]float64, 4)
	gemm.Gemm(false, false, 2, 2, 2, 2, m[2:], 4, id, 2, 0, c, 2)
	fmt.Printf("%.4f\n", c)
	// Output:
	// [2.0000 4.0000 6.0000 8.0000]
}
