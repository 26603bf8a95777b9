package grad

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/numlearn/numlearn/tensor"
)

// H is the step of the central differences that Diff, Numerical and
// NumericalTo take, (f(x+h) − f(x−h)) / 2h: the book's h = 1e-4 (§4.3.1),
// small enough for the O(h²) truncation error to vanish, large enough that
// f(x+h) − f(x−h) keeps most of its float64 digits.
const H = 1e-4

// central is the finite-difference rule both Diff and Numerical use:
// gonum's second-order central formula (f(x+h) − f(x−h)) / 2h with h = H.
var central = fd.Settings{Formula: fd.Central, Step: H}

// Diff returns the derivative of f at x by the central difference
// (f(x+h) − f(x−h)) / 2h with h = H, the book's numerical_diff. Its
// error is O(h²) from truncation plus about 1e-12·|f|/h from rounding, so
// the derivative of 0.01x² + 0.1x at 5 comes out as 0.2 to ten digits.
func Diff(f func(float64) float64, x float64) float64 {
	settings := central
	return fd.Derivative(f, x, &settings)
}

// Numerical returns ∂f/∂x, a tensor of x's shape holding the central
// difference of f along every element of x in turn (h = H), the book's
// numerical_gradient. x is perturbed in place and restored exactly, so f may
// ignore its argument and read x through a closure, as the book's
// lambda W: net.loss(x, t) does. See NumericalTo for the form that writes
// into a tensor of the caller's.
func Numerical(f func(x *tensor.Tensor) float64, x *tensor.Tensor) *tensor.Tensor {
	var dst tensor.Tensor
	numerical("Numerical", &dst, f, x)
	return &dst
}

// NumericalTo stores ∂f/∂x in dst, as Numerical returns it. An empty dst
// takes x's shape; NumericalTo panics if a non-empty dst has another shape
// or shares its data with x.
//
// Every element of x is changed to x+H and x−H while f runs and then set
// back to its original value, bit for bit, also when f panics; x must not
// be read or written by another goroutine meanwhile. With a sized dst the
// only allocations are gonum fd.Derivative's two small ones per element,
// slight next to the two evaluations of f.
func NumericalTo(dst *tensor.Tensor, f func(x *tensor.Tensor) float64, x *tensor.Tensor) {
	numerical("NumericalTo", dst, f, x)
}

func numerical(op string, dst *tensor.Tensor, f func(x *tensor.Tensor) float64, x *tensor.Tensor) {
	if dst.IsEmpty() {
		dst.CopyFrom(x) // sizes dst; every element is overwritten below
	} else if !slices.Equal(dst.Shape(), x.Shape()) {
		panic(fmt.Sprintf("grad: %s: dst has shape %v, x has shape %v", op, dst.Shape(), x.Shape()))
	}
	xd, gd := x.Data(), dst.Data()
	if len(xd) > 0 && &xd[0] == &gd[0] {
		panic(fmt.Sprintf("grad: %s: dst shares its data with x", op))
	}

	// i and orig name the element being perturbed; the deferred restore
	// puts it back even if f panics half-way through a difference.
	i, orig := -1, 0.0
	defer func() {
		if i >= 0 {
			xd[i] = orig
		}
	}()
	along := func(v float64) float64 {
		xd[i] = v
		return f(x)
	}
	settings := central
	for i = range xd {
		orig = xd[i]
		gd[i] = fd.Derivative(along, orig, &settings)
		xd[i] = orig
	}
}
