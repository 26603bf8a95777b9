package mnist

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

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

// Sample fills idx with sample indices drawn uniformly, with replacement,
// from [0, s.Len()) using rng: the book's np.random.choice(train_size,
// batch_size). Pass idx to Gather to build the mini-batch. Sample panics if
// the set is empty and idx is not.
func (s *Set) Sample(rng *rand.Rand, idx []int) {
	n := s.Len()
	if n == 0 && len(idx) > 0 {
		panic("mnist: Sample: the set is empty")
	}
	for i := range idx {
		idx[i] = rng.IntN(n)
	}
}

// Gather copies the samples at idx into caller-owned tensors: row i of x
// becomes image idx[i], (len(idx), 784), and row i of t its one-hot label,
// (len(idx), 10). t may be nil when only images are wanted. Empty receivers
// are sized; once x and t are sized, Gather does not allocate, so one pair
// of tensors serves every mini-batch of a training run. Gather panics if x
// or t has another shape, an index is out of range or a label is not 0–9.
func (s *Set) Gather(x, t *tensor.Tensor, idx []int) {
	b := len(idx)
	size := s.Images.Shape()[1]
	sizeTo(x, "x", b, size)
	if t != nil {
		sizeTo(t, "t", b, NumClasses)
	}
	for _, j := range idx {
		if j < 0 || j >= s.Len() {
			panic(fmt.Sprintf("mnist: Gather: index %d out of range for %d samples", j, s.Len()))
		}
	}
	x.TakeRows(s.Images, idx)
	if t == nil {
		return
	}
	td := t.Data()
	clear(td)
	for i, j := range idx {
		td[i*NumClasses+checkLabel("Gather", j, s.Labels[j])] = 1
	}
}

// sizeTo sizes an empty tensor to (rows, cols) or checks that a non-empty
// one has that shape.
func sizeTo(t *tensor.Tensor, name string, rows, cols int) {
	if t.IsEmpty() {
		*t = *tensor.New(rows, cols)
		return
	}
	if sh := t.Shape(); len(sh) != 2 || sh[0] != rows || sh[1] != cols {
		panic(fmt.Sprintf("mnist: Gather: %s has shape %v, want [%d %d]", name, sh, rows, cols))
	}
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
