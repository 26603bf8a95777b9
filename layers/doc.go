// Package layers provides the building blocks of the book's networks and
// the contract they share: Affine (y = x·W + b), the activations ReLU,
// Sigmoid and Tanh, BatchNorm and Dropout, Standardize (inputs scaled by
// statistics fitted on training data), the convolutional layers of
// chapter 7, Convolution and Pooling (max pooling), and the heads that end
// a network — SoftmaxWithLoss (classes, cross-entropy), SigmoidWithLoss
// (binary labels, binary cross-entropy) and IdentityWithLoss (regression,
// mean squared error) — each with a Forward pass and the Backward pass
// that backpropagates through it, side by side. A Sequence runs layers in
// order, and plans how.
//
// Beyond the book, for networks trained in PyTorch and imported through
// ONNX, there are the rectifiers LeakyReLU, ELU and PReLU (a slope learned
// per channel), BatchNorm2D (batch normalization per channel, PyTorch's
// BatchNorm2d) and the head LogSoftmaxWithLoss (log-probabilities, the
// negative log-likelihood), each computing what its PyTorch counterpart
// computes.
//
// For convolutional networks from PyTorch there are also MaxPool (max
// pooling whose padding never wins, MaxPool2d), AvgPool and GlobalAvgPool
// (average pooling, AvgPool2d and AdaptiveAvgPool2d(1)) and
// GroupedConvolution (a convolution with groups and dilation: depthwise
// and atrous convolutions, Conv2d's groups and dilation); and Flatten,
// each sample to one axis (x.view(N, -1)), where no Affine layer that
// flattens its input itself follows.
//
// Softmax and LogSoftmax along any axis of a sample (nn.Softmax(dim) and
// nn.LogSoftmax(dim), ordinary layers where the heads take only the
// classes of (n, classes)), Softplus (log(1 + eˣ), a smooth ReLU) and
// Scale (a constant factor, which ONNX's Mul by a constant and Neg
// compute) complete what imported models compute.
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
//   - Learnable: it keeps tensors of its own as part of the model, which
//     Params describes, each a Param — name, value, gradient, and whether
//     weight decay applies — like PyTorch's named parameters and buffers:
//     parameters have a gradient (Affine's W and b), state does not
//     (BatchNorm's running_mean and running_var, saved but not learned).
//   - Describer: it can be saved as part of a model: Describe returns its
//     kind and configuration (Description), from which the builder
//     registered for its kind (Register) makes it again.
//   - Cloner: it can be copied for another goroutine (every layer here).
//   - Moder: it computes differently in training and in inference
//     (SetMode; layers start in Training mode): Dropout, BatchNorm and
//     BatchNorm2D.
//   - Classifier: a head whose predictions are classes (SoftmaxWithLoss,
//     SigmoidWithLoss, LogSoftmaxWithLoss), for which accuracy means
//     something.
//
// A Sequence, and numlearn's Network above it, asks for these and nothing
// else, so a layer of your own with the same methods is trained, cloned,
// gradient-checked and saved exactly as Affine is. To load it from a model
// file too, describe it and register its kind once:
//
//	func (l *Scale) Describe() layers.Description {
//		return layers.NewDescription("mypkg.Scale", scaleConfig{Axis: l.axis})
//	}
//
//	layers.Register("mypkg.Scale", func(d layers.Description, params []*tensor.Tensor, _ *rand.Rand) (layers.Layer, error) {
//		var cfg scaleConfig
//		if err := d.Decode(&cfg); err != nil {
//			return nil, err
//		}
//		… // check params, the tensors of its Params in order
//		return newScale(params[0], cfg.Axis), nil
//	})
//
// A layer that is not registered still trains and predicts; only saving it
// as part of a model fails, with an error that names its kind.
//
// Model exchange sits above this package: package onnx exports every
// layer and head here (Pooling without padding), each layer type through
// an exporter it finds by the layer's type, and a new layer type exports
// once it registers one (onnx.RegisterLayer).
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
// LeakyReLU and ELU work element-wise on any shape; so does PReLU with one
// shared slope, while C slopes take (N, C, …), one per index of axis 1.
// BatchNorm2D takes (N, C, H, W), or any (N, C, …), and normalizes each
// channel over all its values in the batch. LogSoftmaxWithLoss takes
// scores (n, classes) or (classes) with targets of the same shape.
//
// MaxPool and AvgPool take images (N, C, H, W) and return (N, C, OH, OW)
// as Pooling does; GlobalAvgPool returns (N, C, 1, 1). GroupedConvolution
// takes (N, C, H, W) with W of (FN, C/groups, KH, KW) and returns
// (N, FN, OH, OW), with OH = (H + 2·pad − dilation·(KH − 1) − 1)/stride + 1
// and OW likewise.
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
// A Sequence plans how its layers run when it is made, recognising this
// package's own layer types the way image/draw recognises its fast cases;
// a layer of your own runs as it is, and the layers themselves are what
// the Sequence's Layers returns. The plan's fast paths:
//
// Affine looks at each input batch: when at most 30 % of its entries are
// nonzero, as for MNIST images (19 %), Forward stores it in compressed-row
// form and multiplies only the nonzeros, fused with the bias, and Backward
// computes ∂L/∂W = xᵀ·dout from the same form; dx = dout·Wᵀ, when wanted,
// is dense either way. On amd64 the sparse kernels are AVX-512 or AVX2+FMA
// assembly (plain Go elsewhere or with the purego build tag). The check
// stops reading a batch as soon as it has seen too many nonzeros, so a
// dense batch pays for only a part of one pass over it; in training, after
// a batch turns out too dense (a hidden layer's input, about half zeros
// after ReLU), the next 64 are taken dense without looking. A Sequence's
// inference passes always look, so that which path a batch takes, and so
// the rounding of its result, depends on the batch alone: a network
// loaded from a model file predicts bit for bit what the saved one
// predicted. The results equal the dense products up to rounding (the
// sums are taken in another order); weights or a dout holding NaN or ±Inf
// take the dense path, so that 0·Inf terms give NaN exactly where a dense
// product gives it. Storage is kept between calls, so training allocates
// nothing once warm. BenchmarkAffineFirstLayer and BenchmarkAffineDensity
// compare the two paths.
//
// A training loop reads its mini-batches from rows scattered over the
// whole data set. Sequence.PrepareRows prepares a data set once: when the
// first layer is an Affine and the set is sparse, its nonzeros are
// compressed once, after which ForwardRows copies only a mini-batch's
// nonzeros and reads a run of consecutive rows (an evaluation chunk) in
// place. numlearn's Network.Train reads its data this way. The rows of a
// mini-batch lie scattered over memory far larger than the caches, so the
// first lines of all of them are asked for (internal/prefetch) before any
// is copied, and their misses overlap.
//
// ReLU's forward and backward loops run in AVX-512 where the CPU has it
// (internal/relu), with Go's max(x, 0) and its mask bit for bit.
//
// The first layer's ∂L/∂input has no one to use it: a Sequence's Backward
// leaves it out of an Affine or a Convolution in first place, a third of
// an Affine's backward work and half a convolution's.
//
// Convolution unfolds one image at a time (im2col) into a buffer that
// stays in the cache, multiplies it with the filters in the orientation
// that lands the result in (FN, OH, OW) order without a transpose, and
// shares a batch's images among the cores; Backward unfolds each image
// again instead of keeping the whole batch's unfolding. Its products run
// on the engine package tensor uses (tensor.CurrentEngine); on the Packed
// engine the unfolding is written straight into the layout the kernels
// read. Pooling has loops of its own for the book's 2×2 windows at stride
// 2, and finds each window's arg-max again in Backward instead of storing
// it.
//
// Convolution, ReLU and Pooling in a row pass a batch's whole activations
// from layer to layer — 14 MB per batch of 100 on the book's MNIST
// network, more than a core's cache — and read them again on the way
// back. A Sequence runs a Convolution followed by a ReLU and a 2×2 Pooling
// at stride 2 as one fused block (on the Packed engine) that computes the
// same three steps image by image while the image's activations are in
// the cache, keeps only the pooled output and each window's arg-max, and
// so moves about a tenth of the memory. It unfolds each image with the
// members of every 2×2 window in four separate blocks of columns, so that
// the pooling (and, in training, its arg-max) is an elementwise operation
// on four blocks of the product, and leaves out the convolution outputs no
// window reads. In Backward, the gradient of the convolution's output is
// nonzero only at the arg-maxes, one position in four at most, so each
// filter's weight gradient is summed from the receptive fields of those
// positions, read straight from the image, rather than multiplied out
// against a whole unfolding. The block's forward pass equals the three
// layers' bit for bit; its gradients equal theirs up to rounding.
//
// Sequence.NumericalGradient, the book's chapter 4 central differences,
// works out each perturbed loss from one cached forward pass when every
// layer is an Affine or an activation and the head is one of this
// package's: see its doc.
//
// # Cores
//
// The layers share their work among GOMAXPROCS cores (internal/workers),
// always cut into pieces that the data alone decides, so that a training
// run gives the same bits on one core as on sixteen: a convolution's
// images, one at a time forward; its backward pass in sixteen fixed runs
// of consecutive images, each summing its images' gradients in order, the
// runs then added in order (so up to sixteen cores share a backward pass);
// Affine's products, whose tiles each sum their terms in the same order
// wherever they run; ReLU on inputs of 65,536 values and more, in runs of
// elements; BatchNorm on batches of 1000 rows of 100 features and the
// like, its sums over the batch in pieces of at least 4,096 values and 8
// rows, each summed over its rows in order, the pieces then added in
// order (a batch of up to 48 rows of 100 features is one piece); Affine's
// ∂L/∂b, its sum over a large batch taken the same way in pieces of at
// least 16,384 values; and the copying of a large batch's rows for a
// first layer that cannot read them in place. Each core starts on the
// same share of the rows (or images) in every pass, so that the rows a
// core writes in one layer are those it reads in the next, from its own
// cache. Small passes, such as those of the book's 784-50-10 net on a
// batch of 100, stay on the calling goroutine: a hand-off would cost more
// than it saves.
//
// # Errors
//
// Shape mismatches and calling Backward before Forward are programmer
// errors and panic with a message naming the layer and the shapes.
package layers
