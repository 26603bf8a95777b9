// Package layers provides the building blocks of the book's chapter 5
// networks, each with a Forward pass and the Backward pass that
// backpropagates through it: Affine (y = x·W + b), the activations ReLU,
// Sigmoid and Tanh, and SoftmaxWithLoss, the output layer that joins
// softmax and cross-entropy.
//
// # Overview
//
//	affine1 := layers.NewAffine(w1, b1) // w1 (784, 50), b1 (50)
//	affine2 := layers.NewAffine(w2, b2) // w2 (50, 10), b2 (10)
//	var relu layers.ReLU
//	var last layers.SoftmaxWithLoss
//
//	cost := last.Forward(affine2.Forward(relu.Forward(affine1.Forward(x))), t)
//	dout := last.Backward()                     // (y − t)/batch
//	dout = affine1.Backward(relu.Backward(affine2.Backward(dout)))
//	// affine1.DW and affine1.DB now hold ∂cost/∂W1 and ∂cost/∂b1
//
// The numlearn package composes layers into a Network and does this loop
// for you.
//
// # Shapes
//
// Activations work element-wise on any shape. Affine takes (n, in), or
// (n, d₁, …) with d₁·… = in (it flattens, and gives dx back in the input's
// shape), or one sample (in). SoftmaxWithLoss takes scores (n, classes) or
// (classes) with one-hot targets of the same shape, or class indices.
//
// # Ownership
//
// A layer owns the tensors its Forward and Backward return, and reuses
// their storage on the next call, so a training step allocates nothing
// once warm. Clone a result to keep it. A layer remembers what Backward
// needs from its last Forward (its input or output), so call them in
// pairs, and do not use one layer from two goroutines at once; Clone gives
// an independent copy.
//
// # Errors
//
// Shape mismatches and calling Backward before Forward are programmer
// errors and panic with a message naming the layer and the shapes.
package layers
