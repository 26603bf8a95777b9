package mnist_test

import (
	"fmt"
	"testing"

	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
)

func ExampleSet_Images4D() {
	// Two blank images, as a convolutional network takes them.
	s := &mnist.Set{Images: tensor.New(2, mnist.ImageSize), Labels: []int{3, 7}}
	x := s.Images4D()
	fmt.Println(x.Shape())
	x.Set(1, 1, 0, 0, 5) // row 0, column 5 of the second image
	fmt.Println(s.Images.At(1, 5))
	// Output:
	// [2 1 28 28]
	// 1
}

func TestImages4DPanicsOnAMismatch(t *testing.T) {
	s := &mnist.Set{Images: tensor.New(2, 10), Labels: []int{3, 7}}
	assert.PanicsWithValue(t, "mnist: Images4D: images of shape [2 10] for 2 labels, want (2, 784)", func() { s.Images4D() })
}
