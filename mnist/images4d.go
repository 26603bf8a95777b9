package mnist

import (
	"fmt"

	"github.com/numlearn/numlearn/tensor"
)

// Images4D returns the images as (n, 1, 28, 28) — n single-channel images
// of Rows×Cols, the book's load_mnist(flatten=False) — for convolutional
// layers. It is a view of Images, sharing its data, not a copy. It panics
// if Images is not (n, 784) for the n labels.
func (s *Set) Images4D() *tensor.Tensor {
	if s.Images == nil || s.Images.Size() != s.Len()*ImageSize {
		var shape []int
		if s.Images != nil {
			shape = s.Images.Shape()
		}
		panic(fmt.Sprintf("mnist: Images4D: images of shape %v for %d labels, want (%d, %d)", shape, s.Len(), s.Len(), ImageSize))
	}
	return s.Images.Reshape(s.Len(), 1, Rows, Cols)
}
