package grad

import (
	"fmt"
	"slices"

	"github.com/numlearn/numlearn/internal/update"
	"github.com/numlearn/numlearn/tensor"
)

// Optimizer updates parameters in place from their gradients. params[i] and
// grads[i] belong together and must have the same shape. An Optimizer with
// state (Momentum's velocity, Adam's moments, …) keeps one buffer per
// position in params, created by the first Update, so later calls must pass
// the same parameters in the same order.
type Optimizer interface {
	Update(params, grads []*tensor.Tensor)
}

// Hyperparameter defaults, the book's (common/optimizer.py): a zero field
// in an optimizer means this value.
const (
	DefaultLR       = 0.01  // SGD, Momentum, Nesterov, AdaGrad, RMSProp
	DefaultMomentum = 0.9   // Momentum, Nesterov
	DefaultDecay    = 0.99  // RMSProp
	DefaultAdamLR   = 0.001 // Adam
	DefaultBeta1    = 0.9   // Adam
	DefaultBeta2    = 0.999 // Adam
)

// eps keeps the adaptive optimizers' step finite where a gradient history
// is still 0; the book adds it to the root, outside the square root.
const eps = 1e-7

// or returns v, or def when v is zero.
func or(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// SGD is plain stochastic gradient descent: p ← p − LR·g.
// A zero LR means DefaultLR (0.01). SGD has no state.
type SGD struct {
	LR float64
}

// Update applies one step of SGD. It panics if params and grads differ in
// length or a pair differs in shape.
func (o *SGD) Update(params, grads []*tensor.Tensor) {
	checkPairs("SGD", params, grads)
	lr := or(o.LR, DefaultLR)
	for i, p := range params {
		update.SGD(p.Data(), grads[i].Data(), -lr)
	}
}

// Momentum is SGD with a velocity that accumulates past steps, like a ball
// rolling downhill:
//
//	v ← Momentum·v − LR·g
//	p ← p + v
//
// Zero fields mean DefaultLR (0.01) and DefaultMomentum (0.9), so a momentum
// of 0 cannot be asked for: that is SGD. v starts at 0 for each parameter on
// the first Update.
type Momentum struct {
	LR, Momentum float64

	v []*tensor.Tensor
}

// Update applies one step of Momentum. It panics if params and grads differ
// in length or a pair differs in shape, or if params do not match the
// parameters that the first Update saw.
func (o *Momentum) Update(params, grads []*tensor.Tensor) {
	checkPairs("Momentum", params, grads)
	lr, mu := or(o.LR, DefaultLR), or(o.Momentum, DefaultMomentum)
	ensureState("Momentum", &o.v, params)
	for i, p := range params {
		gd := grads[i].Data()
		pd, vd := p.Data()[:len(gd)], o.v[i].Data()[:len(gd)] // no bounds checks in the loop
		for j, g := range gd {
			v := mu*vd[j] - lr*g
			vd[j] = v
			pd[j] += v
		}
	}
}

// Reset forgets the velocities, so that the next Update starts afresh and
// may see other parameters.
func (o *Momentum) Reset() { o.v = nil }

// Nesterov is Nesterov's accelerated gradient in the book's form
// (common/optimizer.py, after Bengio et al., arXiv:1212.0901), which steps
// from the look-ahead point without a second gradient evaluation:
//
//	v ← Momentum·v − LR·g
//	p ← p + Momentum²·v − (1+Momentum)·LR·g
//
// Zero fields mean DefaultLR (0.01) and DefaultMomentum (0.9). v starts at 0
// for each parameter on the first Update.
type Nesterov struct {
	LR, Momentum float64

	v []*tensor.Tensor
}

// Update applies one step of Nesterov. It panics as Momentum.Update does.
func (o *Nesterov) Update(params, grads []*tensor.Tensor) {
	checkPairs("Nesterov", params, grads)
	lr, mu := or(o.LR, DefaultLR), or(o.Momentum, DefaultMomentum)
	ensureState("Nesterov", &o.v, params)
	// The rule's products group as (mu·mu)·v and ((1+mu)·lr)·g, so the
	// factors are formed once, with the same roundings.
	mu2, step := mu*mu, (1+mu)*lr
	for i, p := range params {
		gd := grads[i].Data()
		pd, vd := p.Data()[:len(gd)], o.v[i].Data()[:len(gd)] // no bounds checks in the loop
		for j, g := range gd {
			v := mu*vd[j] - lr*g
			vd[j] = v
			pd[j] += mu2*v - step*g
		}
	}
}

// Reset forgets the velocities, so that the next Update starts afresh and
// may see other parameters.
func (o *Nesterov) Reset() { o.v = nil }

// checkPairs panics unless params and grads pair up shape by shape.
func checkPairs(op string, params, grads []*tensor.Tensor) {
	if len(params) != len(grads) {
		panic(fmt.Sprintf("grad: %s.Update: %d params but %d grads", op, len(params), len(grads)))
	}
	for i, p := range params {
		if !slices.Equal(p.Shape(), grads[i].Shape()) {
			panic(fmt.Sprintf("grad: %s.Update: param %d has shape %v but its gradient has shape %v",
				op, i, p.Shape(), grads[i].Shape()))
		}
	}
}

// ensureState makes *state hold one zero buffer per parameter on first use,
// and afterwards checks that the parameters still match it.
func ensureState(op string, state *[]*tensor.Tensor, params []*tensor.Tensor) {
	if *state == nil {
		s := make([]*tensor.Tensor, len(params))
		for i, p := range params {
			s[i] = tensor.New(p.Shape()...)
		}
		*state = s
		return
	}
	s := *state
	if len(s) != len(params) {
		panic(fmt.Sprintf("grad: %s.Update: %d params but the state was made for %d; call Reset to start over",
			op, len(params), len(s)))
	}
	for i, p := range params {
		if !slices.Equal(p.Shape(), s[i].Shape()) {
			panic(fmt.Sprintf("grad: %s.Update: param %d has shape %v but its state was made for shape %v; call Reset to start over",
				op, i, p.Shape(), s[i].Shape()))
		}
	}
}
