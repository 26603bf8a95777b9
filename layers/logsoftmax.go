package layers

import (
	"math"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/tensor"
)

// LogSoftmaxWithLoss is the head of a classifier that predicts
// log-probabilities: its output is the log-softmax of the scores along
// the last axis,
//
//	y = log softmax(x) = x − max(x) − log Σ exp(x − max(x))
//
// and its loss the negative log-likelihood of the targets, −Σ t·y, mean
// over the rows: PyTorch's log_softmax followed by nll_loss, with which
// PyTorch's MNIST example ends. The loss is the cross-entropy that
// SoftmaxWithLoss computes, and its gradient the same (softmax(x) − t)/batch;
// what differs is the output, log-probabilities rather than
// probabilities, and that the loss is taken from the log-softmax itself,
// finite for any finite scores, without the book's δ inside the logarithm
// (−log(y + 1e-7) stops at 16.1 for a confident wrong answer; −log y does
// not), so that it equals PyTorch's.
//
// Scores are (n, classes), or (classes) for a single sample, with targets
// of the same shape: one-hot rows, or probabilities. The zero value is
// ready to use.
type LogSoftmaxWithLoss struct {
	y    *tensor.Tensor // log-softmax of the last input
	t    *tensor.Tensor // the targets of the last Forward
	cost float64
	out  buffer.Reusable
	dx   buffer.Reusable
}

// Forward computes y = log softmax(x) and returns the mean negative
// log-likelihood −Σ t·y over the rows, leaving out the terms whose target
// is 0. It remembers t (not a copy) for Backward. Forward panics if x is
// not (n, classes) or (classes), or t's shape differs from x's.
func (h *LogSoftmaxWithLoss) Forward(x, t *tensor.Tensor) float64 {
	checkScores("LogSoftmaxWithLoss.Forward", x)
	checkTargets("LogSoftmaxWithLoss.Forward", x, t)
	h.y, h.t = h.out.Shaped(x.Shape()...), t
	logSoftmax(h.y.Data(), x.Data(), lastAxis(x))
	var sum float64
	for i, p := range t.Data() {
		if p != 0 {
			sum -= p * h.y.Data()[i]
		}
	}
	h.cost = sum / float64(scoreRows(x))
	return h.cost
}

// Backward returns ∂L/∂x for the last Forward: with batch the number of
// rows (1 for a single 1-D sample) and p = softmax(x) = eʸ,
//
//	∂L/∂x = (p·Σt − t)/batch
//
// for each row, since ∂(−Σ t·y)/∂x = −t + p·Σt: (p − t)/batch for
// targets that sum to 1, as one-hot rows and probabilities do. The result
// is owned by the layer and valid until its next Backward. Backward panics
// if no Forward has run.
func (h *LogSoftmaxWithLoss) Backward() *tensor.Tensor {
	if h.y == nil {
		panic("layers: LogSoftmaxWithLoss.Backward: called before Forward")
	}
	classes := lastAxis(h.y)
	dx := h.dx.Shaped(h.y.Shape()...)
	inv := 1 / float64(scoreRows(h.y))
	y, t, g := h.y.Data(), h.t.Data(), dx.Data()
	for off := 0; off < len(y); off += classes {
		var total float64
		for _, p := range t[off : off+classes] {
			total += p
		}
		for i := off; i < off+classes; i++ {
			g[i] = (math.Exp(y[i])*total - t[i]) * inv
		}
	}
	return dx
}

// Predict sets dst to log softmax(x), the log-probabilities of the
// classes, without changing the head's state. An empty dst is sized by
// the call. It panics if x is not (n, classes) or (classes), or dst is
// non-empty and of another shape.
func (h *LogSoftmaxWithLoss) Predict(dst, x *tensor.Tensor) {
	checkScores("LogSoftmaxWithLoss.Predict", x)
	dst.Scale(1, x) // sizes dst and copies x, which logSoftmax may read in place
	logSoftmax(dst.Data(), dst.Data(), lastAxis(x))
}

// Classes appends to dst the class each row of scores x predicts: the
// index of its largest score, which has the largest log-probability.
func (h *LogSoftmaxWithLoss) Classes(dst []int, x *tensor.Tensor) []int {
	checkScores("LogSoftmaxWithLoss.Classes", x)
	return x.AppendArgMax(dst)
}

// TargetClasses appends to dst the class each row of one-hot targets t
// holds: the index of its 1 (of its largest entry).
func (h *LogSoftmaxWithLoss) TargetClasses(dst []int, t *tensor.Tensor) []int {
	checkScores("LogSoftmaxWithLoss.TargetClasses", t)
	return t.AppendArgMax(dst)
}

// Clone returns a new LogSoftmaxWithLoss (it has no parameters to copy).
func (h *LogSoftmaxWithLoss) Clone() Head { return &LogSoftmaxWithLoss{} }

// Describe returns the description of kind "LogSoftmaxWithLoss".
func (h *LogSoftmaxWithLoss) Describe() Description {
	return Description{Kind: "LogSoftmaxWithLoss"}
}

// Output returns the log-probabilities of the last Forward, owned by the
// head.
func (h *LogSoftmaxWithLoss) Output() *tensor.Tensor { return h.y }

// Loss returns the loss the last Forward computed.
func (h *LogSoftmaxWithLoss) Loss() float64 { return h.cost }

// logSoftmax sets dst to the log-softmax of each row of n values of src,
// as logSoftmaxLine computes it for each. dst and src have the same
// length and may be the same slice.
func logSoftmax(dst, src []float64, n int) {
	if n == 0 {
		return
	}
	for off := 0; off < len(src); off += n {
		logSoftmaxLine(dst, src, off, n, 1)
	}
}

// lastAxis returns the length of x's last axis: the number of classes of
// scores (n, classes) or (classes).
func lastAxis(x *tensor.Tensor) int { return x.Shape()[x.Dims()-1] }

// scoreRows returns the number of rows of scores (n, classes), 1 for a
// single sample (classes).
func scoreRows(x *tensor.Tensor) int {
	if x.Dims() == 2 {
		return x.Shape()[0]
	}
	return 1
}
