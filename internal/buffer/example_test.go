package buffer_test

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/buffer"
)

// A layer's output buffer: a training batch, then a larger evaluation
// chunk, then the batch again, which reuses the same storage.
func ExampleReusable() {
	var out buffer.Reusable
	batch := out.Shaped(100, 50)
	chunk := out.Shaped(1000, 50)
	again := out.Shaped(100, 50)
	fmt.Println(batch.Shape(), chunk.Shape(), again.Shape())
	fmt.Println(&again.Data()[0] == &chunk.Data()[0])
	// Output:
	// [100 50] [1000 50] [100 50]
	// true
}
