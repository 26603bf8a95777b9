package tensor

import (
	"fmt"
	"math"

	"github.com/numlearn/numlearn/internal/relu"
)

// Exp stores eˣ in t for every element x of a.
func (t *Tensor) Exp(a *Tensor) {
	dst, src := t.unary("Exp", a)
	for i, x := range src {
		dst[i] = math.Exp(x)
	}
}

// Log stores the natural logarithm of every element of a in t
// (−Inf at 0, NaN below 0, as math.Log).
func (t *Tensor) Log(a *Tensor) {
	dst, src := t.unary("Log", a)
	for i, x := range src {
		dst[i] = math.Log(x)
	}
}

// Sqrt stores the square root of every element of a in t.
func (t *Tensor) Sqrt(a *Tensor) {
	dst, src := t.unary("Sqrt", a)
	for i, x := range src {
		dst[i] = math.Sqrt(x)
	}
}

// Neg stores −x in t for every element x of a.
func (t *Tensor) Neg(a *Tensor) {
	dst, src := t.unary("Neg", a)
	for i, x := range src {
		dst[i] = -x
	}
}

// Tanh stores tanh(x) in t for every element x of a.
func (t *Tensor) Tanh(a *Tensor) {
	dst, src := t.unary("Tanh", a)
	for i, x := range src {
		dst[i] = math.Tanh(x)
	}
}

// Sigmoid stores the logistic function 1/(1+e⁻ˣ) of every element of a in
// t. Large |x| saturates to exactly 0 or 1 without overflow trouble.
func (t *Tensor) Sigmoid(a *Tensor) {
	dst, src := t.unary("Sigmoid", a)
	for i, x := range src {
		dst[i] = 1 / (1 + math.Exp(-x))
	}
}

// ReLU stores max(0, x) in t for every element x of a; NaN stays NaN and
// −0 becomes 0.
func (t *Tensor) ReLU(a *Tensor) {
	dst, src := t.unary("ReLU", a)
	relu.Forward(dst, src) // Go's max(x, 0), element by element
}

// Step stores the step function of a in t: 1 where x > 0, else 0.
func (t *Tensor) Step(a *Tensor) {
	dst, src := t.unary("Step", a)
	for i, x := range src {
		if x > 0 {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
}

// Softmax stores in t the softmax of a along its last axis: each row
// becomes exp(x − max(x)) / Σ exp(x − max(x)). Subtracting the row's maximum
// first keeps exp from overflowing, so [1010 1000 990] is as finite as
// [10 0 −10]. A scalar is treated as a row of one. Softmax panics if t has
// the wrong shape.
func (t *Tensor) Softmax(a *Tensor) {
	dst, src := t.unary("Softmax", a)
	n := lastDim("Softmax", a)
	if n == 0 {
		return
	}
	for off := 0; off < len(src); off += n {
		x, y := src[off:off+n], dst[off:off+n]
		m := x[0]
		for _, v := range x[1:] {
			m = max(m, v)
		}
		var sum float64
		for i, v := range x {
			e := math.Exp(v - m)
			y[i] = e
			sum += e
		}
		inv := 1 / sum
		for i := range y {
			y[i] *= inv
		}
	}
}

// lastDim returns the length of a's last axis, 1 for a scalar. It panics,
// naming op, if a is empty.
func lastDim(op string, a *Tensor) int {
	if len(a.shape) == 0 {
		if a.IsEmpty() {
			panic(fmt.Sprintf("tensor: %s: empty tensor (the zero value) has no axis", op))
		}
		return 1
	}
	return a.shape[len(a.shape)-1]
}
