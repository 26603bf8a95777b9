package layers

import "math"

// ElementWise is a layer whose Forward applies one scalar function to every
// element on its own, y[k] = f(x[k]), in any shape: ForwardScalar(x)
// returns f(x), bit for bit what Forward puts in the element whose input is
// x. Sigmoid, ReLU and Tanh are ElementWise.
//
// Because a change to one input element then changes only the same element
// of the output, a network can follow the effect of one parameter through
// such a layer without running it on a whole batch: numlearn's
// NumericalGradient does so. ForwardScalar must not change the layer's
// state, so that several goroutines may call it at once.
type ElementWise interface {
	Layer
	ForwardScalar(x float64) float64
}

// ForwardScalar returns 1/(1+e⁻ˣ), the value Forward gives an element x.
func (s *Sigmoid) ForwardScalar(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// ForwardScalar returns max(0, x), the value Forward gives an element x.
func (r *ReLU) ForwardScalar(x float64) float64 { return max(x, 0) }

// ForwardScalar returns tanh(x), the value Forward gives an element x.
func (t *Tanh) ForwardScalar(x float64) float64 { return math.Tanh(x) }
