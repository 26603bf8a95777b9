// Package layers provides the building blocks of the book's chapter 5 and
// 6 networks, each with a Forward pass and the Backward pass that
// backpropagates through it: Affine (y = x·W + b), the activations ReLU,
// Sigmoid and Tanh, BatchNorm and Dropout, and SoftmaxWithLoss, the output layer that
// joins softmax and cross-entropy.
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
// Activations work element-wise on any shape. BatchNorm takes (n, d), or
// (n, d₁, …) with d₁·… = d, such as a convolution's (N, C, H, W). Dropout
// works element-wise on any shape. Affine takes (n, in), or
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
// # Performance
//
// Affine looks at each input batch: when at most SparseMaxDensity (30 %)
// of its entries are nonzero, as for MNIST images (19 %), Forward stores it
// in compressed-row form and multiplies only the nonzeros, fused with the
// bias, and Backward computes ∂L/∂W = xᵀ·dout from the same form; dx =
// dout·Wᵀ, when wanted, is dense either way. On amd64 the sparse kernels
// are AVX-512 or AVX2+FMA assembly (plain Go elsewhere or with the purego
// build tag). The check stops reading a batch as soon as it has seen too
// many nonzeros, so a dense batch pays for only a part of one pass over
// it. The results equal the dense products up to rounding (the sums are
// taken in another order); weights or a dout holding NaN or ±Inf take the
// dense path, so that 0·Inf terms give NaN exactly where a dense product
// gives it. Storage is kept between calls, so training still allocates
// nothing once warm. BenchmarkAffineFirstLayer and BenchmarkAffineDensity
// compare the two paths. After a batch turns out too dense (a hidden
// layer's input, about half zeros after ReLU), the next 64 are taken dense
// without looking.
//
// A training loop reads its mini-batches from rows scattered over the
// whole data set. ForwardRows takes such a batch as row indices and
// compresses it straight from the data, with no gathered copy; Prepare
// goes further and compresses a sparse data set once, after which
// ForwardPrepared copies only a batch's nonzeros and ForwardPreparedRange
// reads an evaluation chunk in place. numlearn's Network.Train does this.
//
// # Errors
//
// Shape mismatches and calling Backward before Forward are programmer
// errors and panic with a message naming the layer and the shapes.
package layers
