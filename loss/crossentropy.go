package loss

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/xent"
	"github.com/numlearn/numlearn/tensor"
)

// CrossEntropy returns the mean over samples of −Σ t·log(y + 1e-7), where y
// holds predicted probabilities (for example a softmax) and t the targets,
// usually one-hot rows. A 2-D y of shape (n, classes) is a batch of n
// samples; a 1-D y is one sample. CrossEntropy panics if y and t have
// different shapes or y is not 1-D or 2-D.
func CrossEntropy(y, t *tensor.Tensor) float64 {
	checkSame("CrossEntropy", y, t)
	n, _ := rowsCols("CrossEntropy", y)
	return xent.Sum(y.Data(), t.Data()) / float64(n)
}

// CrossEntropyLabels returns the same mean cross-entropy as CrossEntropy for
// targets given as class indices: the mean over rows i of
// −log(y[i, labels[i]] + 1e-7). A 1-D y is one sample and takes one label.
// CrossEntropyLabels panics if y is not 1-D or 2-D, if len(labels) differs
// from the number of rows, or if a label is outside [0, classes).
func CrossEntropyLabels(y *tensor.Tensor, labels []int) float64 {
	n, c := rowsCols("CrossEntropyLabels", y)
	if len(labels) != n {
		panic(fmt.Sprintf("loss: CrossEntropyLabels: %d labels for y of shape %v (%d rows)", len(labels), y.Shape(), n))
	}
	yd := y.Data()
	var s float64
	for i, l := range labels {
		if l < 0 || l >= c {
			panic(fmt.Sprintf("loss: CrossEntropyLabels: label %d at row %d out of range for %d classes", l, i, c))
		}
		s += xent.Label(yd[i*c+l])
	}
	return s / float64(n)
}

// rowsCols returns the number of samples and classes of a 1-D or 2-D y.
func rowsCols(op string, y *tensor.Tensor) (n, c int) {
	switch s := y.Shape(); len(s) {
	case 1:
		return 1, s[0]
	case 2:
		return s[0], s[1]
	default:
		panic(fmt.Sprintf("loss: %s: y has shape %v, want 1-D (one sample) or 2-D (samples, classes)", op, s))
	}
}
