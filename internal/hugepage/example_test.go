package hugepage_test

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/hugepage"
)

// Advise a large buffer before filling it; the advice never changes what
// it holds.
func ExampleAdvise() {
	buf := make([]float64, 1<<20) // 8 MiB
	hugepage.Advise(buf)
	for i := range buf {
		buf[i] = 1
	}
	var sum float64
	for _, v := range buf {
		sum += v
	}
	fmt.Println(sum)
	// Output:
	// 1.048576e+06
}
