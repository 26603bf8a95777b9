package parallel_test

import (
	"context"
	"fmt"

	"github.com/numlearn/numlearn/examples/internal/parallel"
)

// Each job writes only its own element, so the results need no lock.
func ExampleDo() {
	squares := make([]int, 5)
	err := parallel.Do(context.Background(), len(squares), func(i int) error {
		squares[i] = i * i
		return nil
	})
	fmt.Println(squares, err)
	// Output:
	// [0 1 4 9 16] <nil>
}
