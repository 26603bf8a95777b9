package numlearn

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Accuracy returns the fraction of samples in x whose highest score is at
// the class where the one-hot t (n, classes) has its 1 (the book's
// accuracy). It evaluates 10,000 samples at a time, so memory stays
// bounded on large sets. It panics if x and t have different numbers of
// samples.
func (n *Network) Accuracy(x, t *tensor.Tensor) float64 {
	return n.accuracy(x, t, 10000)
}

// AccuracyLabels is Accuracy with the targets given as class indices.
func (n *Network) AccuracyLabels(x *tensor.Tensor, labels []int) float64 {
	if x.Dims() < 1 || x.Shape()[0] != len(labels) {
		panic(fmt.Sprintf("numlearn: AccuracyLabels: inputs shape %v and %d labels", x.Shape(), len(labels)))
	}
	return n.countCorrect(x.Shape()[0], 10000, n.predictRows(x), func(from, to int) []int { return labels[from:to] })
}

func (n *Network) accuracy(x, t *tensor.Tensor, chunk int) float64 {
	checkTargets(x, t)
	return n.countCorrect(x.Shape()[0], chunk, n.predictRows(x), n.wantedFrom(t))
}

// predictRows returns Predict for rows [from, to) of x.
func (n *Network) predictRows(x *tensor.Tensor) func(from, to int) *tensor.Tensor {
	return func(from, to int) *tensor.Tensor { return n.Predict(x.Slice(from, to)) }
}

// trainingAccuracy is accuracy during Train: through the first layer's
// prepared data when there is some, so no chunk is copied or scanned.
func (n *Network) trainingAccuracy(first preparedForwarder, p *layers.Prepared, x, t *tensor.Tensor, chunk int) float64 {
	if first == nil || p == nil {
		return n.accuracy(x, t, chunk)
	}
	checkTargets(x, t)
	return n.countCorrect(p.Len(), chunk, func(from, to int) *tensor.Tensor {
		y := first.ForwardPreparedRange(p, from, to)
		for _, l := range n.layers[1:] {
			y = l.Forward(y)
		}
		return y
	}, n.wantedFrom(t))
}

func checkTargets(x, t *tensor.Tensor) {
	if x.Dims() < 1 || t.Dims() != 2 || x.Shape()[0] != t.Shape()[0] {
		panic(fmt.Sprintf("numlearn: Accuracy: inputs shape %v and targets shape %v: want (n, …) and (n, classes)", x.Shape(), t.Shape()))
	}
}

// wantedFrom returns the classes of rows [from, to) of one-hot t.
func (n *Network) wantedFrom(t *tensor.Tensor) func(from, to int) []int {
	return func(from, to int) []int {
		n.wanted = t.Slice(from, to).AppendArgMax(n.wanted[:0])
		return n.wanted
	}
}

// countCorrect predicts samples rows chunk by chunk and returns the
// fraction whose ArgMax equals the wanted class.
func (n *Network) countCorrect(samples, chunk int, predict func(from, to int) *tensor.Tensor, wanted func(from, to int) []int) float64 {
	if samples == 0 {
		return 0
	}
	correct := 0
	for from := 0; from < samples; from += chunk {
		to := min(from+chunk, samples)
		n.predicted = predict(from, to).AppendArgMax(n.predicted[:0])
		for i, c := range wanted(from, to) {
			if n.predicted[i] == c {
				correct++
			}
		}
	}
	return float64(correct) / float64(samples)
}
