package grad

import (
	"math"

	"github.com/numlearn/numlearn/internal/update"
	"github.com/numlearn/numlearn/tensor"
)

// AdaGrad scales each element's step by the root of its summed squared
// gradients, so that often-moved elements slow down:
//
//	h ← h + g²
//	p ← p − LR·g / (√h + 1e-7)
//
// A zero LR means DefaultLR (0.01). h starts at 0 for each parameter on the
// first Update; since h only grows, each element's effective rate
// LR/(√h + 1e-7) only ever shrinks.
type AdaGrad struct {
	LR float64

	h []*tensor.Tensor
}

// Update applies one step of AdaGrad. It panics if params and grads differ
// in length or a pair differs in shape, or if params do not match the
// parameters that the first Update saw.
func (o *AdaGrad) Update(params, grads []*tensor.Tensor) {
	checkPairs("AdaGrad", params, grads)
	lr := or(o.LR, DefaultLR)
	ensureState("AdaGrad", &o.h, params)
	for i, p := range params {
		update.AdaGrad(p.Data(), grads[i].Data(), o.h[i].Data(), lr, eps)
	}
}

// Reset forgets the squared-gradient sums, so that the next Update starts
// afresh and may see other parameters.
func (o *AdaGrad) Reset() { o.h = nil }

// RMSProp is AdaGrad with a leaky sum: old squared gradients decay, so the
// step size recovers when gradients shrink:
//
//	h ← Decay·h + (1−Decay)·g²
//	p ← p − LR·g / (√h + 1e-7)
//
// Zero fields mean DefaultLR (0.01) and DefaultDecay (0.99). h starts at 0
// for each parameter on the first Update.
type RMSProp struct {
	LR, Decay float64

	h []*tensor.Tensor
}

// Update applies one step of RMSProp. It panics as AdaGrad.Update does.
func (o *RMSProp) Update(params, grads []*tensor.Tensor) {
	checkPairs("RMSProp", params, grads)
	lr, rho := or(o.LR, DefaultLR), or(o.Decay, DefaultDecay)
	ensureState("RMSProp", &o.h, params)
	for i, p := range params {
		update.RMSProp(p.Data(), grads[i].Data(), o.h[i].Data(), rho, 1-rho, lr, eps)
	}
}

// Reset forgets the squared-gradient averages, so that the next Update
// starts afresh and may see other parameters.
func (o *RMSProp) Reset() { o.h = nil }

// Adam combines Momentum's running mean of gradients m with RMSProp's
// running mean of squares v, correcting both for starting at 0 through the
// step size, as the book does (common/optimizer.py). On update t = 1, 2, …:
//
//	lrₜ = LR·√(1−Beta2ᵗ) / (1−Beta1ᵗ)
//	m ← m + (1−Beta1)·(g − m)
//	v ← v + (1−Beta2)·(g² − v)
//	p ← p − lrₜ·m / (√v + 1e-7)
//
// Zero fields mean DefaultAdamLR (0.001), DefaultBeta1 (0.9) and
// DefaultBeta2 (0.999). m and v start at 0 for each parameter on the first
// Update. Early steps move each element by about LR whatever the size of
// its gradient.
type Adam struct {
	LR, Beta1, Beta2 float64

	iter int
	m, v []*tensor.Tensor
}

// Update applies one step of Adam. It panics as AdaGrad.Update does.
func (o *Adam) Update(params, grads []*tensor.Tensor) {
	checkPairs("Adam", params, grads)
	lr := or(o.LR, DefaultAdamLR)
	b1, b2 := or(o.Beta1, DefaultBeta1), or(o.Beta2, DefaultBeta2)
	ensureState("Adam", &o.m, params)
	ensureState("Adam", &o.v, params)
	o.iter++
	t := float64(o.iter)
	lrt := lr * math.Sqrt(1-math.Pow(b2, t)) / (1 - math.Pow(b1, t))
	for i, p := range params {
		update.Adam(p.Data(), grads[i].Data(), o.m[i].Data(), o.v[i].Data(), 1-b1, 1-b2, lrt, eps)
	}
}

// Reset forgets the moments and the step count, so that the next Update
// starts afresh and may see other parameters.
func (o *Adam) Reset() {
	o.iter = 0
	o.m, o.v = nil, nil
}
