package layers

import (
	"fmt"
	"slices"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/loss"
	"github.com/numlearn/numlearn/tensor"
)

// SoftmaxWithLoss is the output layer of the book's §5.6.3: softmax over
// the last axis followed by the cross-entropy error against the targets,
// whose joint gradient is simply (y − t)/batch. Input is (n, classes), or
// (classes) for a single sample. The zero value is ready to use.
type SoftmaxWithLoss struct {
	y      *tensor.Tensor // softmax of the last input
	t      *tensor.Tensor // one-hot targets, or nil when labels are used
	labels []int
	cost   float64
	out    buffer.Reusable
	dx     buffer.Reusable
}

// Forward computes y = softmax(x) and returns the mean cross-entropy
// −Σ t·log(y + 1e-7) over the rows, with t one-hot of x's shape. The
// softmax subtracts each row's maximum first, so large scores do not
// overflow. Forward panics if t's shape differs from x's.
func (s *SoftmaxWithLoss) Forward(x, t *tensor.Tensor) float64 {
	if !slices.Equal(x.Shape(), t.Shape()) {
		panic(fmt.Sprintf("layers: SoftmaxWithLoss.Forward: scores shape %v and targets shape %v differ", x.Shape(), t.Shape()))
	}
	s.softmax(x)
	s.t, s.labels = t, nil
	s.cost = loss.CrossEntropy(s.y, t)
	return s.cost
}

// ForwardLabels is Forward with targets given as class indices, one per
// row. It panics if len(labels) is not the number of rows or a label is out
// of range.
func (s *SoftmaxWithLoss) ForwardLabels(x *tensor.Tensor, labels []int) float64 {
	s.softmax(x)
	s.t, s.labels = nil, labels
	s.cost = loss.CrossEntropyLabels(s.y, labels)
	return s.cost
}

func (s *SoftmaxWithLoss) softmax(x *tensor.Tensor) {
	checkScores("SoftmaxWithLoss.Forward", x)
	s.y = s.out.Shaped(x.Shape()...)
	s.y.Softmax(x)
}

// Backward returns ∂L/∂x = (y − t)/batch for the last Forward, where batch
// is the number of rows (1 for a single 1-D sample). The result is owned by
// the layer and valid until its next Backward. Backward panics if no
// Forward has run.
func (s *SoftmaxWithLoss) Backward() *tensor.Tensor {
	if s.y == nil {
		panic("layers: SoftmaxWithLoss.Backward: called before Forward")
	}
	batch, classes := 1, s.y.Size()
	if s.y.Dims() == 2 {
		batch, classes = s.y.Shape()[0], s.y.Shape()[1]
	}
	dx := s.dx.Shaped(s.y.Shape()...)
	inv := 1 / float64(batch)
	y, g := s.y.Data(), dx.Data()
	if s.t != nil {
		t := s.t.Data()
		for i, v := range y {
			g[i] = (v - t[i]) * inv
		}
		return dx
	}
	for i, v := range y {
		g[i] = v * inv
	}
	for row, label := range s.labels {
		g[row*classes+label] -= inv // t is 1 at the label
	}
	return dx
}

// Predict sets dst to softmax(x), the class probabilities, without
// changing the layer's state. An empty dst is sized by the call. It panics
// if x is not (n, classes) or (classes), or dst is non-empty and of
// another shape.
func (s *SoftmaxWithLoss) Predict(dst, x *tensor.Tensor) {
	checkScores("SoftmaxWithLoss.Predict", x)
	dst.Softmax(x)
}

// Classes appends to dst the class each row of scores x predicts: the
// index of its largest score.
func (s *SoftmaxWithLoss) Classes(dst []int, x *tensor.Tensor) []int {
	checkScores("SoftmaxWithLoss.Classes", x)
	return x.AppendArgMax(dst)
}

// TargetClasses appends to dst the class each row of one-hot targets t
// holds: the index of its 1 (of its largest entry).
func (s *SoftmaxWithLoss) TargetClasses(dst []int, t *tensor.Tensor) []int {
	checkScores("SoftmaxWithLoss.TargetClasses", t)
	return t.AppendArgMax(dst)
}

// Clone returns a new SoftmaxWithLoss (it has no parameters to copy).
func (s *SoftmaxWithLoss) Clone() Head { return &SoftmaxWithLoss{} }

// Describe returns the description of kind "SoftmaxWithLoss".
func (s *SoftmaxWithLoss) Describe() Description { return Description{Kind: "SoftmaxWithLoss"} }

// Output returns the softmax probabilities of the last Forward, owned by
// the layer.
func (s *SoftmaxWithLoss) Output() *tensor.Tensor { return s.y }

// Loss returns the loss the last Forward computed.
func (s *SoftmaxWithLoss) Loss() float64 { return s.cost }

// checkScores panics unless x is (n, classes) or (classes).
func checkScores(op string, x *tensor.Tensor) {
	if x.Dims() != 1 && x.Dims() != 2 {
		panic(fmt.Sprintf("layers: %s: scores shape %v is not (n, classes) or (classes)", op, x.Shape()))
	}
}
