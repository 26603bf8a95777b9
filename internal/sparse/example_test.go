package sparse_test

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/sparse"
)

// x·W + b for a mostly zero x, multiplying only its nonzeros:
// row 0 is 2·W[1] + b = [2+1, 4+1], row 1 is 3·W[0] + b = [3+1, 0+1].
func ExampleMul() {
	x := []float64{
		0, 2, 0,
		3, 0, 0,
	}
	w := []float64{
		1, 0,
		1, 2,
		5, 5,
	}
	var c sparse.CSR
	if !c.FromDense(x, 2, 3, 0.5) {
		fmt.Println("too dense")
		return
	}
	dst := make([]float64, 4)
	sparse.Mul(dst, &c, w, 2, []float64{1, 1})
	fmt.Println(c.NNZ(), dst)
	// Output:
	// 2 [3 5 4 1]
}
