// Package grad finds gradients by numerical differentiation and follows
// them downhill: the book's numerical_diff, numerical_gradient and
// gradient_descent (Deep Learning from Scratch, ch. 4), a Check that compares
// two gradients, and the optimizers of chapter 6 (SGD, Momentum, Nesterov,
// AdaGrad, RMSProp, Adam) behind one Optimizer interface.
//
// # Overview
//
//	f := func(x *tensor.Tensor) float64 { // the book's function_2, x₀² + x₁²
//		d := x.Data()
//		return d[0]*d[0] + d[1]*d[1]
//	}
//	g := grad.Numerical(f, tensor.FromSlice([]float64{3, 4}))  // [6 8]
//	x, path := grad.Descent(f, tensor.FromSlice([]float64{-3, 4}), 0.1, 100)
//	// x ≈ [-6.1e-10 8.1e-10]; path[0] is the start, path[99] the last point before x
//
//	opt := &grad.Adam{}                 // zero fields: the book's defaults
//	for range epochs {
//		opt.Update(net.Params(), net.Gradient(xb, tb)) // parameters change in place
//	}
//
// # Numerical gradients
//
// Diff and Numerical use central differences, (f(x+h) − f(x−h)) / 2h
// with the book's step h = H = 1e-4, evaluated by gonum's diff/fd. Their
// error is about h² times the third derivative plus 1e-12·|f|/h from
// rounding: far more accurate than a forward difference, and good to 7–10
// digits for the smooth functions networks compute, which makes Numerical
// the oracle that backpropagation is checked against (see Check).
//
// Numerical changes x in place, one element at a time, and puts every
// element back bit for bit, even when f panics. So f may ignore its argument
// and read x through a closure, as the book's lambda W: net.loss(x, t) reads
// the network's own weights. It costs two evaluations of f per element.
//
// # Optimizers
//
// Each optimizer is a struct of hyperparameters whose zero value means the
// book's default (LR 0.01, or 0.001 for Adam; Momentum 0.9; Decay 0.99;
// Beta1 0.9, Beta2 0.999) and is used through a pointer, which holds its
// state: Update(params, grads) changes every params[i] in place from
// grads[i]. State (velocities, squared-gradient sums, moments) is kept per
// position in params, created zero on the first Update; after that, Update
// allocates nothing. The stateful optimizers have a Reset method that forgets
// the state, so one value can start over on other parameters. The update
// rules, per element:
//
//	SGD       p ← p − lr·g
//	Momentum  v ← μ·v − lr·g;  p ← p + v
//	Nesterov  v ← μ·v − lr·g;  p ← p + μ²·v − (1+μ)·lr·g
//	AdaGrad   h ← h + g²;  p ← p − lr·g/(√h + 1e-7)
//	RMSProp   h ← ρ·h + (1−ρ)·g²;  p ← p − lr·g/(√h + 1e-7)
//	Adam      m ← m + (1−β₁)(g − m);  v ← v + (1−β₂)(g² − v);
//	          p ← p − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + 1e-7)
//
// On amd64, AdaGrad, RMSProp and Adam run their per-element loops in
// AVX-512 or AVX2 assembly when the CPU has it (the build tag purego turns
// the assembly off). Each operation there rounds as in the Go loops, with
// no fused multiply-add, so the parameters come out the same bit for bit
// on every CPU and at every GOAMD64 level (a NaN in the same place, if not
// always with the same payload bits).
//
// An optimizer is not safe for concurrent use.
//
// # Shapes
//
// x may have any shape; Numerical returns a gradient of the same shape.
// Update takes params and grads of equal length whose tensors pair up shape
// by shape, and Check takes two such lists.
//
// # Aliasing
//
// NumericalTo's dst must not share data with x. Descent returns new tensors
// and leaves x0 alone. Update writes only to params and the optimizer's own
// state; grads are read.
//
// # Errors
//
// Everything that can go wrong here is a programmer error and panics with a
// message naming the function and the shapes:
//
//	grad: Adam.Update: param 1 has shape [50] but its gradient has shape [10]
//	grad: Momentum.Update: 3 params but the state was made for 4; call Reset to start over
//
// Numbers are not checked: a NaN gradient makes NaN parameters, and Check
// reports it as a NaN difference rather than hiding it.
package grad
