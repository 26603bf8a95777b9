// Package layers provides the building blocks of the book's networks and
// the contract they share: Affine (y = x·W + b), the activations ReLU,
// Sigmoid and Tanh, BatchNorm and Dropout, the convolutional layers of
// chapter 7, Convolution and Pooling (max pooling), and ConvReLUPool, the
// three in a row as one layer, and the heads that end a network —
// SoftmaxWithLoss (classes, cross-entropy), SigmoidWithLoss (binary labels,
// binary cross-entropy) and IdentityWithLoss (regression, mean squared
// error) — each with a Forward pass and the Backward pass that
// backpropagates through it, side by side.
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
// # The layer contract
//
// A Layer is anything with Forward(x) and Backward(dout); a Head is a
// network's last step, with Forward(x, t) returning the loss. What else a
// layer can do it says by implementing small optional interfaces, each
// named for one capability:
//
//   - Learnable: it has parameters and their gradients (Affine,
//     BatchNorm, Convolution, ConvReLUPool).
//   - Named: it names its parameters for saved models (Affine,
//     Convolution and ConvReLUPool: W, b; BatchNorm: gamma, beta).
//   - Stateful: it has state that is saved but not learned (BatchNorm's
//     running_mean and running_var).
//   - Decayer: it says which parameters weight decay applies to (Affine's
//     W).
//   - Cloner: it can be copied for another goroutine (every layer here).
//   - Moder: it computes differently in training and in inference
//     (SetMode; layers start in Training mode): Dropout and BatchNorm;
//     ConvReLUPool skips what only Backward needs in inference.
//   - InputGradSkipper: it can leave ∂L/∂input out of Backward, as a
//     network's first layer may (Affine, Convolution, ConvReLUPool).
//   - RowForwarder: it reads a batch as rows of a whole data set
//     (Affine; see Performance).
//   - Dense and ElementWise: it is y = x·W + b (Affine), or one scalar
//     function per element (the activations), which lets a network work
//     out numerical gradients from one cached forward pass.
//   - Classifier: a head whose predictions are classes (SoftmaxWithLoss,
//     SigmoidWithLoss), for which accuracy means something; RowLosser and
//     LineLosser: a head whose loss is a mean of per-row terms (every head
//     here), for the same numerical gradients.
//
// numlearn's Network asks for these and nothing else: it never names a
// concrete layer type, so a layer of your own with the same methods is
// trained, cloned, gradient-checked, saved and loaded exactly as Affine is.
//
// Model exchange sits above this package: package onnx exports every
// layer and head here (Pooling without padding), each layer type through an exporter it finds by
// the layer's type, and a new layer type exports once it registers one
// (onnx.RegisterLayer).
//
// # Shapes
//
// Activations work element-wise on any shape. BatchNorm takes (n, d), or
// (n, d₁, …) with d₁·… = d, such as a convolution's (N, C, H, W). Dropout
// works element-wise on any shape. Affine takes (n, in), or
// (n, d₁, …) with d₁·… = in (it flattens, and gives dx back in the input's
// shape), or one sample (in). Convolution and Pooling take images
// (N, C, H, W) and return (N, FN, OH, OW) and (N, C, OH, OW), with
// OH = (H + 2·pad − FH)/stride + 1 and OW likewise. SoftmaxWithLoss takes scores (n, classes) or
// (classes) with one-hot targets of the same shape, or class indices.
// SigmoidWithLoss and IdentityWithLoss take scores and targets of one
// shape, any shape: one binary label or value per element.
//
// # Ownership
//
// A layer owns the tensors its Forward and Backward return, and reuses
// their storage on the next call, so a training step allocates nothing
// once warm. Clone a result to keep it. A layer remembers what Backward
// needs from its last Forward (its input or output), so call them in
// pairs, and do not use one layer from two goroutines at once; Clone gives
// an independent copy. A head's Predict, Classes and TargetClasses do not
// touch its state, so one head may serve several goroutines.
//
// # Performance
//
// Affine looks at each input batch: when at most 30 % of its entries are
// nonzero, as for MNIST images (19 %), Forward stores it in compressed-row
// form and multiplies only the nonzeros, fused with the bias, and Backward
// computes ∂L/∂W = xᵀ·dout from the same form; dx = dout·Wᵀ, when wanted,
// is dense either way. On amd64 the sparse kernels are AVX-512 or AVX2+FMA
// assembly (plain Go elsewhere or with the purego build tag). The check
// stops reading a batch as soon as it has seen too many nonzeros, so a
// dense batch pays for only a part of one pass over it. The results equal
// the dense products up to rounding (the sums are taken in another
// order); weights or a dout holding NaN or ±Inf take the dense path, so
// that 0·Inf terms give NaN exactly where a dense product gives it.
// Storage is kept between calls, so training still allocates nothing once
// warm. BenchmarkAffineFirstLayer and BenchmarkAffineDensity compare the
// two paths. After a batch turns out too dense (a hidden layer's input,
// about half zeros after ReLU), the next 64 are taken dense without
// looking.
//
// A training loop reads its mini-batches from rows scattered over the
// whole data set. Affine's ForwardRows takes such a batch as row indices:
// the first time it sees a sparse data set it compresses it once, and
// keeps that copy (for the last two data sets, a training and a test set),
// after which a mini-batch copies only its nonzeros and a run of
// consecutive rows (an evaluation chunk) is read in place. numlearn's
// Network.Train reads its data this way, and releases the copies when it
// returns.
//
// Convolution unfolds one image at a time (im2col) into a buffer that
// stays in the cache, multiplies it with the filters in the orientation
// that lands the result in (FN, OH, OW) order without a transpose, and
// shares a batch's images among the cores; Backward unfolds each image
// again instead of keeping the whole batch's unfolding. Pooling has loops
// of its own for the book's 2×2 windows at stride 2, and finds each
// window's arg-max again in Backward instead of storing it.
//
// Convolution, ReLU and Pooling in a row pass a batch's whole activations
// from layer to layer — 14 MB per batch of 100 on the book's MNIST
// network, more than a core's cache — and read them again on the way
// back. ConvReLUPool computes the same three steps image by image while
// the image's activations are in the cache, keeps only the pooled output
// and each window's arg-max, and so moves about a tenth of the memory;
// numlearn's SimpleConvNet and DeepConvNet are built from it. It unfolds
// each image with the members of every 2×2 window in four separate blocks
// of columns, so that the pooling (and, in training, its arg-max) is an
// elementwise operation on four blocks of the product, and leaves out the
// convolution outputs no window reads. In Backward, the gradient of the
// convolution's output is nonzero only at the arg-maxes, one position in
// four at most, so each filter's weight gradient is summed from the
// receptive fields of those positions, read straight from the image,
// rather than multiplied out against a whole unfolding.
//
// # Errors
//
// Shape mismatches and calling Backward before Forward are programmer
// errors and panic with a message naming the layer and the shapes.
package layers
