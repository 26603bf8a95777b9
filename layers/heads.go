package layers

import (
	"fmt"
	"math"
	"slices"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/loss"
	"github.com/numlearn/numlearn/tensor"
)

// IdentityWithLoss is the head of a regression network: the prediction is
// the scores themselves, and the loss is their mean squared error against
// the targets, mean((x − t)²) over every element (loss.MSE, PyTorch's
// MSELoss). Scores and targets have the same shape, any shape. The zero
// value is ready to use.
type IdentityWithLoss struct {
	x, t *tensor.Tensor
	dx   buffer.Reusable
}

// Forward returns mean((x − t)²) and remembers x and t (not copies) for
// Backward. It panics if t's shape differs from x's.
func (h *IdentityWithLoss) Forward(x, t *tensor.Tensor) float64 {
	checkTargets("IdentityWithLoss.Forward", x, t)
	h.x, h.t = x, t
	return loss.MSE(x, t)
}

// Backward returns ∂L/∂x = 2·(x − t)/N for the last Forward, N the number
// of elements. The result is owned by the layer and valid until its next
// Backward. It panics if no Forward has run.
func (h *IdentityWithLoss) Backward() *tensor.Tensor {
	if h.x == nil {
		panic("layers: IdentityWithLoss.Backward: called before Forward")
	}
	dx := h.dx.Shaped(h.x.Shape()...)
	scale := 2 / float64(max(h.x.Size(), 1))
	x, t, g := h.x.Data(), h.t.Data(), dx.Data()
	for i, v := range x {
		g[i] = (v - t[i]) * scale
	}
	return dx
}

// Predict copies x into dst: a regression network predicts its scores.
// An empty dst is sized by the call.
func (h *IdentityWithLoss) Predict(dst, x *tensor.Tensor) { dst.Scale(1, x) }

// Clone returns a new IdentityWithLoss.
func (h *IdentityWithLoss) Clone() Head { return &IdentityWithLoss{} }

// Describe returns the description of kind "IdentityWithLoss".
func (h *IdentityWithLoss) Describe() Description { return Description{Kind: "IdentityWithLoss"} }

// SigmoidWithLoss is the head of a binary classifier: each score x is
// turned into the probability σ(x) = 1/(1+e⁻ˣ) that its label is 1, and the
// loss is the mean binary cross-entropy over every element,
//
//	−mean(t·log σ(x) + (1 − t)·log(1 − σ(x)))
//
// with targets t in [0, 1] of x's shape — (n, 1) or (n) for one label per
// sample, (n, k) for k independent labels. The loss is computed from x as
// max(x, 0) − t·x + log(1 + e^−|x|), which equals the formula above and
// neither overflows nor takes log(0) for large |x| (PyTorch's
// BCEWithLogitsLoss). The zero value is ready to use.
type SigmoidWithLoss struct {
	x, t *tensor.Tensor
	dx   buffer.Reusable
}

// Forward returns the mean binary cross-entropy of σ(x) against t and
// remembers x and t (not copies) for Backward. It panics if t's shape
// differs from x's.
func (h *SigmoidWithLoss) Forward(x, t *tensor.Tensor) float64 {
	checkTargets("SigmoidWithLoss.Forward", x, t)
	h.x, h.t = x, t
	if x.Size() == 0 {
		return math.NaN()
	}
	td := t.Data()
	var sum float64
	for i, v := range x.Data() {
		sum += max(v, 0) - td[i]*v + math.Log1p(math.Exp(-math.Abs(v)))
	}
	return sum / float64(x.Size())
}

// Backward returns ∂L/∂x = (σ(x) − t)/N for the last Forward, N the number
// of elements. The result is owned by the layer and valid until its next
// Backward. It panics if no Forward has run.
func (h *SigmoidWithLoss) Backward() *tensor.Tensor {
	if h.x == nil {
		panic("layers: SigmoidWithLoss.Backward: called before Forward")
	}
	dx := h.dx.Shaped(h.x.Shape()...)
	dx.Sigmoid(h.x)
	inv := 1 / float64(max(h.x.Size(), 1))
	t, g := h.t.Data(), dx.Data()
	for i, v := range g {
		g[i] = (v - t[i]) * inv
	}
	return dx
}

// Predict sets dst to σ(x), the probability of label 1 for each score. An
// empty dst is sized by the call.
func (h *SigmoidWithLoss) Predict(dst, x *tensor.Tensor) { dst.Sigmoid(x) }

// Classes appends to dst one class per element of x: 1 where x > 0 (σ(x) >
// 0.5), else 0.
func (h *SigmoidWithLoss) Classes(dst []int, x *tensor.Tensor) []int {
	return appendAbove(dst, x, 0)
}

// TargetClasses appends to dst one class per element of t: 1 where t > 0.5,
// else 0.
func (h *SigmoidWithLoss) TargetClasses(dst []int, t *tensor.Tensor) []int {
	return appendAbove(dst, t, 0.5)
}

// Clone returns a new SigmoidWithLoss.
func (h *SigmoidWithLoss) Clone() Head { return &SigmoidWithLoss{} }

// Describe returns the description of kind "SigmoidWithLoss".
func (h *SigmoidWithLoss) Describe() Description { return Description{Kind: "SigmoidWithLoss"} }

// appendAbove appends 1 for each element of x above limit, else 0.
func appendAbove(dst []int, x *tensor.Tensor, limit float64) []int {
	for _, v := range x.Data() {
		c := 0
		if v > limit {
			c = 1
		}
		dst = append(dst, c)
	}
	return dst
}

// checkTargets panics unless x and t have the same shape.
func checkTargets(op string, x, t *tensor.Tensor) {
	if !slices.Equal(x.Shape(), t.Shape()) {
		panic(fmt.Sprintf("layers: %s: scores shape %v and targets shape %v differ", op, x.Shape(), t.Shape()))
	}
}
