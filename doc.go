// Package numlearn composes the layers package's building blocks into
// Network, the neural network of the book Deep Learning from Scratch
// (chapters 4–8): forward pass, loss, backpropagation, a gradient check
// against central differences, mini-batch training with any optimizer
// from package grad, predictions from many goroutines at once, and model
// files in numpy's .npz format that carry the network's architecture with
// its parameters (float64, or float32 on request), which LoadModel reads
// back into a ready network. Package onnx moves networks to and from ONNX
// engines.
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
//	err = net.SaveFile("model.npz", numlearn.SaveOptions{})
//
//	// later, or in another program:
//	net, err := numlearn.LoadModel("model.npz")
//
// examples/trainnet is the book's train_neuralnet.py line by line;
// examples/mnist is the full program, with progress, charts and flags.
//
// # Files
//
// The package's files follow what a reader looks for: network.go is the
// Network itself (forward, loss, backpropagation, weight decay),
// networks.go the book's networks and weight initialisations, train.go
// training, control.go early stopping, checkpoint.go checkpoints that
// resume a run, report.go the progress reporter, evaluate.go accuracy and
// predicted classes, numerical.go the numerical gradient and the gradient
// check, model.go model files, and predictor.go concurrent predictions.
//
// # Training control
//
// TrainConfig's fields say how a run goes beyond the book's loop: Schedule
// changes the learning rate step by step (grad.StepDecay, CosineDecay,
// WarmUp, …); EarlyStopping ends the run when the validation loss stops
// improving and keeps the best weights; Progress.Stop ends it cleanly from
// the callback, which runs on the goroutine that called Train; Checkpoint
// keeps a file from which LoadCheckpoint and Resume continue the run bit
// for bit — parameters, state, the optimizer's memory, the sampler and the
// layers' random streams; NewReporter prints the epoch table. On your own
// data: package dataset reads CSV, layers.NewStandardize scales the
// features inside the model, and package metrics measures the result.
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
// layers, and runs them through a layers.Sequence, so a layer of your own
// — with parameters or without — trains, clones, gradient-checks and saves
// exactly as Affine does, and loads from a model file once its kind is
// registered (layers.Register).
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
// StateNames names them. Model files keep both, under these names.
//
// # Model files
//
// Save and SaveFile write a network as an .npz archive that numpy's
// np.load opens: one array per parameter and state tensor, under the
// names above, and the architecture — each layer's kind, configuration
// and arrays, the head, the weight decay — as a JSON document in the
// entry "architecture". LoadModel and ReadModel return the network from
// the file alone, computing bit for bit what the saved one computed;
// Network.Load reads the arrays into a network built in code, the way to
// read a file without an architecture (SaveOptions.WeightsOnly, or
// numpy's np.savez of the book's params).
//
// # Numerical gradients
//
// NumericalGradient is the book's chapter 4 numerical_gradient: central
// differences (L(θ + h) − L(θ − h)) / 2h, h = grad.H = 1e-4, of the
// network's loss for every parameter. GradientCheck compares it with
// backpropagation, and TrainConfig.Numerical trains with it, as chapter 4
// does. When the layers are Affine layers and activations and the head is
// one of package layers' — the book's networks — the plan of the
// network's layers.Sequence runs the batch once and works out each
// perturbed loss from the few rows the parameter reaches, so that chapter
// 4's 10,000 steps on MNIST take minutes rather than days; the differences
// are those of the same loss, and agree with perturbing the whole network
// to about 1e-12. Other networks are perturbed whole, on every core.
//
// # Errors
//
// Shape mismatches in calls are programmer errors and panic. Train returns
// an error for data or configuration it cannot use (ErrConfig: the shapes
// of the data against the network are checked before the first step), for
// a cancelled context, and when the loss, the parameters or the layers'
// state become NaN or infinite (ErrDiverged), restoring the last good
// parameters and state rather than leaving NaN in the network. Reading a
// model returns an error wrapping ErrFormat for a damaged file and
// ErrMismatch for arrays that are not those expected, with memory that
// grows with the data actually read; Load leaves the network unchanged on
// error.
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
