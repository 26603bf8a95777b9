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
	fmt.Println(batch.Shape())
	chunk := out.Shaped(1000, 50)
	fmt.Println(chunk.Shape())
	first := &chunk.Data()[0]
	again := out.Shaped(100, 50)
	fmt.Println(again.Shape(), &again.Data()[0] == first, again == batch)
	// Output:
	// [100 50]
	// [1000 50]
	// [100 50] true true
}
