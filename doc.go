// Package numlearn composes the layers package's building blocks into
// Network, the neural network of the book Deep Learning from Scratch
// (chapters 4–6): forward pass, loss, backpropagation, a gradient check
// against central differences, mini-batch training with any optimizer
// from package grad, predictions from many goroutines at once, and saving
// the parameters in numpy's .npz format (float64, or float32 on request;
// both load). Package onnx moves networks to and from ONNX engines.
//
// # Overview
//
//	train, test, _ := mnist.Load(dir)
//	net := numlearn.NewTwoLayerNet(784, 50, 10, rand.New(rand.NewPCG(1, 2)))
//	hist, err := net.Train(ctx, train.Images, train.OneHot(), numlearn.TrainConfig{
//		Iterations: 10000,                   // the book's settings
//		BatchSize:  100,
//		Optimizer:  &grad.SGD{LR: 0.1},
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
// Sigmoid or Tanh between the Affine layers, Std, Xavier or He
// initialisation and any head, and with BatchNorm, Dropout and WeightDecay
// it is the book's MultiLayerNetExtend (chapter 6) — all in
// MultiLayerConfig; NewSimpleConvNet is the book's chapter 7 convolutional
// network for images (N, C, H, W), such as mnist.Set.Images4D gives, and
// NewDeepConvNet chapter 8's deeper one (examples/convnet trains both);
// NewNetwork takes any layers, including your own (see layers' contract),
// and ends them in softmax with cross-entropy; NewNetworkWithHead ends them
// in the head you give: layers.IdentityWithLoss for regression,
// layers.SigmoidWithLoss for
// binary labels, or one of your own.
//
// A network uses its layers only through the layer contract of package
// layers, so a layer of your own — with parameters or without — trains,
// clones, gradient-checks, saves and loads exactly as Affine does.
//
// # Modes
//
// Predict, Output, Loss, Accuracy and the evaluations during training run
// the layers in inference mode; Gradient, NumericalGradient and the
// training steps in training mode (layers.Moder): Dropout drops units and
// BatchNorm normalises by the batch only in training.
//
// # Shapes
//
// Inputs are (n, features) — or (n, d₁, d₂, …), which the first Affine
// layer flattens — and targets have the shape of the scores: one-hot
// (n, classes) for the default head. Predict returns the scores before the
// head, Output the head's prediction (probabilities for classifiers),
// Classes the predicted classes. Params and Gradient list W1, b1, W2, b2, …
// in layer order, as ParamNames names them; BatchNorm layers add their
// scale and shift in their place (W1, b1, gamma1, beta1, W2, b2, … in the
// extended net). State lists what layers keep but do not learn —
// BatchNorm's running_mean1, running_var1, running_mean2, … — as
// StateNames names them. Save and Load keep both, under these names.
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
// Shape mismatches in calls are programmer errors and panic. Train returns
// an error for data or configuration it cannot use (ErrConfig: the shapes
// of the data against the network are checked before the first step), for
// a cancelled context, and when the loss, the parameters or the layers'
// state become NaN or infinite (ErrDiverged), restoring the last good
// parameters and state rather than leaving NaN in the network. Load returns an error wrapping ErrFormat for
// a damaged file and ErrMismatch for another network's file, and leaves
// the network unchanged.
//
// # Concurrency
//
// A Network is not safe for concurrent use: its layers keep the values of
// the last forward pass and reuse their buffers. A Predictor
// (NewPredictor) serves predictions to any number of goroutines, with a
// pool of workspaces that allocates nothing per call once warm; Clone
// makes an independent copy for other work. NumericalGradient uses clones
// to spread its work over every core.
package numlearn
