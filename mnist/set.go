package mnist

import (
	"fmt"
	"image"
	"math"

	"github.com/numlearn/numlearn/tensor"
)

// The size of an MNIST image.
const (
	Rows       = 28
	Cols       = 28
	ImageSize  = Rows * Cols // pixels per image, the width of Set.Images
	NumClasses = 10          // digits 0–9, the width of OneHot
)

// Set is a collection of labelled digit images: MNIST's training or test
// set, or a part of one.
type Set struct {
	Images *tensor.Tensor // (n, 784), pixel/255, so in [0, 1]
	Labels []int          // 0–9

	// Pixels holds the raw pixel values 0–255, n·784 bytes image after
	// image, so that Images.Data()[k] == float64(Pixels[k])/255. It is what
	// the book's load_mnist(normalize=False) returns. Load fills it; a Set
	// built by hand may leave it nil.
	Pixels []byte
}

// Len returns the number of samples, len(s.Labels).
func (s *Set) Len() int { return len(s.Labels) }

// OneHot returns the labels as a new (n, 10) tensor with a 1 in column
// Labels[i] of row i and 0 elsewhere, the book's one_hot_label=True. It
// panics if a label is not 0–9 (possible only in a Set built by hand).
func (s *Set) OneHot() *tensor.Tensor {
	t := tensor.New(len(s.Labels), NumClasses)
	d := t.Data()
	for i, l := range s.Labels {
		d[i*NumClasses+checkLabel("OneHot", i, l)] = 1
	}
	return t
}

// checkLabel returns label l of sample i, panicking if it is not a digit.
func checkLabel(op string, i, l int) int {
	if l < 0 || l >= NumClasses {
		panic(fmt.Sprintf("mnist: %s: label %d of sample %d is not 0-9", op, l, i))
	}
	return l
}

// Slice returns the samples [from, to) as a Set that shares s's data, like
// numpy's x[from:to]; use it to evaluate a large set in chunks. It panics
// unless 0 <= from <= to <= s.Len().
func (s *Set) Slice(from, to int) *Set {
	if from < 0 || from > to || to > s.Len() {
		panic(fmt.Sprintf("mnist: Slice: range [%d:%d] out of range for %d samples", from, to, s.Len()))
	}
	sub := &Set{Images: s.Images.Slice(from, to), Labels: s.Labels[from:to:to]}
	if s.Pixels != nil {
		sub.Pixels = s.Pixels[from*ImageSize : to*ImageSize : to*ImageSize]
	}
	return sub
}

// Image returns sample i as a new 28×28 grayscale image (0 black, 255
// white, as stored in MNIST), ready for image/png. It panics if i is out of
// range.
func (s *Set) Image(i int) *image.Gray {
	if i < 0 || i >= s.Len() {
		panic(fmt.Sprintf("mnist: Image: index %d out of range for %d samples", i, s.Len()))
	}
	img := image.NewGray(image.Rect(0, 0, Cols, Rows))
	if s.Pixels != nil {
		copy(img.Pix, s.Pixels[i*ImageSize:(i+1)*ImageSize])
		return img
	}
	for k, v := range s.Images.Data()[i*ImageSize : (i+1)*ImageSize] {
		img.Pix[k] = uint8(math.Round(255 * min(max(v, 0), 1)))
	}
	return img
}
