package numlearn

import (
	"fmt"
	"math"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Evaluation: accuracy, predicted classes, and the mean loss over a data
// set in chunks.

// evalChunk is the number of samples Accuracy evaluates at once.
const evalChunk = 10000

// Accuracy returns the fraction of samples in x whose predicted class
// (Classes) is the class their target in t holds — for the default head,
// whose highest score is where the one-hot t has its 1: the book's
// accuracy. It evaluates 10,000 samples at a time, so memory stays bounded
// on large sets. It panics if x and t have different numbers of samples or
// the head does not predict classes.
func (n *Network) Accuracy(x, t *tensor.Tensor) float64 {
	return n.accuracy(x, t, nil, -1, evalChunk)
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

// accuracy is Accuracy in chunks of the given size over the first
// samples samples, or all of them when samples is negative. With set, the
// chunks are read as runs of rows of the prepared set (Train's
// evaluations); otherwise each is a view of x.
func (n *Network) accuracy(x, t *tensor.Tensor, set *layers.Rows, samples, chunk int) float64 {
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
		scores := n.chunk(x, set, from, to)
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

// chunk returns the scores, in inference mode, of samples [from, to) of
// x, read as a run of rows of set when set is not nil.
func (n *Network) chunk(x *tensor.Tensor, set *layers.Rows, from, to int) *tensor.Tensor {
	if set == nil {
		return n.Predict(x.Slice(from, to))
	}
	n.seqRows = n.seqRows[:0]
	for r := from; r < to; r++ {
		n.seqRows = append(n.seqRows, r)
	}
	n.seq.SetMode(layers.Inference)
	return n.seq.ForwardRows(set, n.seqRows)
}

// measure returns the accuracy (NaN when the head does not predict
// classes) and the loss, as Loss has it, over the first samples of x and
// t in inference mode, chunk by chunk of the given size, read from set
// when it is not nil: one forward pass per chunk serves both.
func (n *Network) measure(x, t *tensor.Tensor, set *layers.Rows, samples, chunk int) (accuracy, cost float64) {
	c, classifies := n.head.(layers.Classifier)
	var sum float64
	correct := 0
	for from := 0; from < samples; from += chunk {
		to := min(from+chunk, samples)
		scores := n.chunk(x, set, from, to)
		if classifies {
			n.classes = c.Classes(n.classes[:0], scores)
			n.expected = c.TargetClasses(n.expected[:0], t.Slice(from, to))
			correct += countEqual(n.classes, n.expected, x.Shape())
		}
		sum += n.head.Forward(scores, t.Slice(from, to)) * float64(to-from)
	}
	accuracy = math.NaN()
	if classifies {
		accuracy = fraction(correct, samples)
	}
	return accuracy, sum/float64(samples) + n.penalty()
}

// classifier returns the head as a layers.Classifier, and panics naming op
// when it does not classify.
func (n *Network) classifier(op string) layers.Classifier {
	c, ok := n.head.(layers.Classifier)
	if !ok {
		panic(fmt.Sprintf("numlearn: %s: the network's head (%T) does not predict classes", op, n.head))
	}
	return c
}

// Classes appends to dst the class the network predicts for each sample of
// x and returns the extended slice: the index of the highest score for a
// softmax head, 1 where σ(score) > 0.5 for a sigmoid head. With a dst of
// enough capacity it allocates nothing once warm. It panics if the head
// does not predict classes (a regression head).
func (n *Network) Classes(dst []int, x *tensor.Tensor) []int {
	return n.classifier("Classes").Classes(dst, n.Predict(x))
}

// Class returns the class the network predicts for one sample x, given in
// its own shape (784 for an MNIST image as a vector) or as a batch of one.
// It panics if x is not one sample or the head does not predict classes.
func (n *Network) Class(x *tensor.Tensor) int {
	n.classes = n.Classes(n.classes[:0], x)
	return oneClass(n.classes, x)
}

// oneClass returns the only class in classes, and panics naming x's shape
// when there is not exactly one.
func oneClass(classes []int, x *tensor.Tensor) int {
	if len(classes) != 1 {
		panic(fmt.Sprintf("numlearn: Class: input shape %v is %d samples, not one", x.Shape(), len(classes)))
	}
	return classes[0]
}
