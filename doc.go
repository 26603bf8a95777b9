// Package numlearn composes the layers package's building blocks into
// Network, the neural network of the book Deep Learning from Scratch
// (chapters 4–6): forward pass, loss, backpropagation, a gradient check
// against central differences, mini-batch training with any optimizer
// from package grad, and saving the parameters in numpy's .npz format.
//
// # Overview
//
//	train, test, _ := mnist.Load(dir)
//	net := numlearn.NewTwoLayerNet(784, 50, 10, rand.New(rand.NewPCG(1, 2)))
//	hist, err := net.Train(ctx, train.Images, train.OneHot(), numlearn.TrainConfig{
//		Iterations: 10000,                   // the book's settings …
//		BatchSize:  100,
//		Optimizer:  &grad.SGD{LR: 0.1},      // … are also the defaults
//		TestX:      test.Images, TestT: test.OneHot(),
//	})
//	fmt.Println(net.Accuracy(test.Images, test.OneHot())) // about 0.97
//	err = net.SaveFile("model.npz")
//
// examples/mnist is this program in full, with progress, charts and flags.
//
// # Networks
//
// NewTwoLayerNet is the book's TwoLayerNet (Affine → ReLU → Affine, weights
// 0.01·N(0, 1), zero biases); NewMultiLayerNet builds any depth with ReLU,
// Sigmoid or Tanh between the Affine layers and Std, Xavier or He
// initialisation; NewNetwork takes any Layer values, including your own.
// Every network ends in softmax with cross-entropy loss.
//
// # Shapes
//
// Inputs are (n, features) — or (n, d₁, d₂, …), which the first Affine
// layer flattens — and targets are one-hot (n, classes). Predict returns
// scores (n, classes) before softmax. Params and Gradient list W1, b1, W2,
// b2, … in layer order, as ParamNames names them.
//
// # Numerical gradients
//
// NumericalGradient is the book's chapter 4 numerical_gradient: central
// differences (L(θ + h) − L(θ − h)) / 2h, h = 1e-4, of the network's loss
// for every parameter. GradientCheck compares it with backpropagation, and
// TrainConfig.Numerical trains with it, as chapter 4 does. When the layers
// are layers.Dense and layers.ElementWise and the head a
// layers.RowLosser — the built-in ones all are — it runs the batch once
// and works out each perturbed loss from the few rows the parameter
// reaches, so that chapter 4's 10,000 steps on MNIST take minutes rather
// than days; the differences are those of the same loss, and agree with
// perturbing the whole network to about 1e-12. Other networks are
// perturbed whole, on every core.
//
// # Errors
//
// Shape mismatches are programmer errors and panic. Train returns an error
// for bad configuration or data, for a cancelled context, and when the loss
// becomes NaN or infinite (ErrNonFinite), restoring the last good
// parameters rather than leaving NaN in the network. Load returns an error
// wrapping ErrFormat for a damaged file and ErrMismatch for another
// network's file, and leaves the network unchanged.
//
// # Concurrency
//
// A Network is not safe for concurrent use: its layers keep the values of
// the last forward pass and reuse their buffers. Clone makes an
// independent copy cheaply (it copies the parameters, nothing else), so
// each goroutine can predict with its own. NumericalGradient does this to
// use every core.
package numlearn
