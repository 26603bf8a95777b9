package numlearn

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// evalChunk is the number of samples Accuracy evaluates at once.
const evalChunk = 10000

// Accuracy returns the fraction of samples in x whose predicted class
// (Classes) is the class their target in t holds — for the default head,
// whose highest score is where the one-hot t has its 1: the book's
// accuracy. It evaluates 10,000 samples at a time, so memory stays bounded
// on large sets. It panics if x and t have different numbers of samples or
// the head does not predict classes.
func (n *Network) Accuracy(x, t *tensor.Tensor) float64 {
	return n.accuracy(x, t, evalChunk, false)
}

// AccuracyLabels is Accuracy with the targets given as class indices, one
// per sample.
func (n *Network) AccuracyLabels(x *tensor.Tensor, labels []int) float64 {
	if x.Dims() < 1 || x.Shape()[0] != len(labels) {
		panic(fmt.Sprintf("numlearn: AccuracyLabels: inputs shape %v and %d labels", x.Shape(), len(labels)))
	}
	c := n.classifier("AccuracyLabels")
	correct := 0
	for from := 0; from < len(labels); from += evalChunk {
		to := min(from+evalChunk, len(labels))
		n.classes = c.Classes(n.classes[:0], n.Predict(x.Slice(from, to)))
		correct += countEqual(n.classes, labels[from:to], x.Shape())
	}
	return fraction(correct, len(labels))
}

// accuracy is Accuracy in chunks of the given size. With byRows, the
// chunks are read as rows of x, through a first layer that keeps a form of
// x made for that (Train's evaluations); otherwise each is a view of x.
func (n *Network) accuracy(x, t *tensor.Tensor, chunk int, byRows bool) float64 {
	return n.accuracyFirst(x, t, -1, chunk, byRows)
}

// accuracyFirst is accuracy over the first samples samples, or all of
// them when samples is negative.
func (n *Network) accuracyFirst(x, t *tensor.Tensor, samples, chunk int, byRows bool) float64 {
	if x.Dims() < 1 || t.Dims() < 1 || x.Shape()[0] != t.Shape()[0] {
		panic(fmt.Sprintf("numlearn: Accuracy: inputs shape %v and targets shape %v have different numbers of samples", x.Shape(), t.Shape()))
	}
	c := n.classifier("Accuracy")
	if samples < 0 || samples > x.Shape()[0] {
		samples = x.Shape()[0]
	}
	correct := 0
	for from := 0; from < samples; from += chunk {
		to := min(from+chunk, samples)
		var scores *tensor.Tensor
		if byRows {
			scores = n.forward(x, n.rowRun(from, to), layers.Inference)
		} else {
			scores = n.Predict(x.Slice(from, to))
		}
		n.classes = c.Classes(n.classes[:0], scores)
		n.expected = c.TargetClasses(n.expected[:0], t.Slice(from, to))
		correct += countEqual(n.classes, n.expected, x.Shape())
	}
	return fraction(correct, samples)
}

// countEqual counts the positions where got and want agree, and panics if
// their lengths differ (the head gave a class per element, not per sample).
func countEqual(got, want []int, shape []int) int {
	if len(got) != len(want) {
		panic(fmt.Sprintf("numlearn: Accuracy: %d predicted classes for %d targets (inputs shape %v)", len(got), len(want), shape))
	}
	c := 0
	for i, g := range got {
		if g == want[i] {
			c++
		}
	}
	return c
}

func fraction(correct, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(correct) / float64(total)
}

// rowRun returns the row indices from, from+1, …, to−1 in a buffer the
// network keeps: an evaluation chunk read by rows of its data set.
func (n *Network) rowRun(from, to int) []int {
	n.seq = n.seq[:0]
	for r := from; r < to; r++ {
		n.seq = append(n.seq, r)
	}
	return n.seq
}
