// Package onnx moves numlearn networks to and from ONNX, the model format
// that inference engines (ONNX Runtime, Triton, TensorRT, …) and training
// frameworks (PyTorch, TensorFlow, …) share: Export writes a trained
// Network as a standard ONNX model, and Import reads one — your own, or
// one that PyTorch exported — back into a Network.
//
// # Overview
//
//	// Go → any ONNX engine
//	f, _ := os.Create("mnist.onnx")
//	err := onnx.Export(f, net, onnx.ExportOptions{}) // float32, input (N, 784), or (N, 1, 28, 28) for a convolutional network
//
//	// PyTorch (torch.onnx.export) → Go
//	f, _ := os.Open("mlp.onnx")
//	net, err := onnx.Import(f)
//	classes := net.NewPredictor().Classes(nil, images)
//
// A model computes what the network's Output does: Export writes the
// layers, then the head's prediction (Softmax for a softmax head, Sigmoid
// for a sigmoid head, nothing for an identity head). Its input "input"
// and output "output" have an open batch dimension.
//
// # What is covered
//
// Layers and heads map to operators of the standard operator set,
// version 17 (Opset):
//
//	layers.Affine              Gemm (Flatten first for a sample of more than one dimension)
//	layers.ReLU                Relu
//	layers.Sigmoid             Sigmoid
//	layers.Tanh                Tanh
//	layers.LeakyReLU           LeakyRelu (alpha)
//	layers.ELU                 Elu (alpha)
//	layers.PReLU               PRelu, with a slope of (1), or (C, 1, …, 1) for one per channel
//	layers.BatchNorm           BatchNormalization with the running statistics (Flatten first, as above)
//	layers.BatchNorm2D         BatchNormalization with the running statistics, per channel
//	layers.Dropout             Mul by 1 − ratio; nothing for a ratio of 0
//	layers.Standardize         Sub of the mean, then Div by the standard deviation
//	layers.Convolution         Conv (kernel_shape, strides, pads)
//	layers.GroupedConvolution  Conv (kernel_shape, strides, pads, dilations, group)
//	layers.Pooling             MaxPool (kernel_shape, strides), without padding
//	layers.MaxPool             MaxPool (kernel_shape, strides, pads)
//	layers.AvgPool             AveragePool (kernel_shape, strides, pads, count_include_pad)
//	layers.GlobalAvgPool       GlobalAveragePool
//	layers.Flatten             Flatten (axis 1), for a sample of more than one dimension
//	layers.Softmax             Softmax (axis)
//	layers.LogSoftmax          LogSoftmax (axis)
//	layers.Softplus            Softplus
//	layers.Scale               Mul by its factor
//	layers.SELU                Selu (alpha, gamma)
//	layers.Pad                 Pad (mode), its pads an initializer
//	layers.SoftmaxWithLoss     Softmax (axis −1), as the last node
//	layers.LogSoftmaxWithLoss  LogSoftmax (axis −1), as the last node
//	layers.SigmoidWithLoss     Sigmoid, as the last node
//	layers.IdentityWithLoss    no node
//
// A model computes what the network computes in inference mode. So
// BatchNorm normalizes by its running mean and variance, and the book's
// Dropout, which scales by 1 − ratio at inference, is a Mul by that
// constant: ONNX's own Dropout scales in training instead and is the
// identity at inference, a different layer. The book's BatchNorm
// normalizes each feature of the flattened sample, ONNX's each channel,
// so a BatchNorm after a convolution exports on the flattened value, and
// the layers after it must take a flat value (Affine and the
// activations do); BatchNorm2D normalizes each channel, as ONNX does. A
// Pooling with padding does not export: its zero padding takes part in
// the maximum, MaxPool's never does (layers.MaxPool's does not either).
//
// Import reads the same operators and what PyTorch writes for the same
// networks, in the versions of the operator set from 6 (PyTorch's first
// exporter) to 28, each as its version defines it: MatMul with an
// optional Add of a bias (another form of Affine); Gemm with any alpha
// and beta, transB, and a bias of one value; Flatten, and a Reshape to
// (N, rest), before an Affine; Identity, and Dropout (the identity at
// inference); Conv and the poolings of 2-D images with one stride and one
// dilation for both directions, the same padding on every side and no
// ceil_mode, within the limits below; BatchNormalization in inference
// mode, with any epsilon and momentum; Sub and Div by constants as a
// Standardize. A Mul by a single constant value becomes no layer: its
// factor goes into the weights of the Affine layer right before it or
// else the next one, which computes the same, so an exported network
// with Dropout comes back without its Dropout layers; before another
// layer, or at the end, it is a layers.Scale, and so is a Neg (a factor
// of −1, as in PyTorch's Softmin). A final Softmax or LogSoftmax on the
// classes of (N, classes) is the network's head; on another axis, such
// as the channels of (N, C, H, W), or before the final node, it is a
// layers.Softmax or layers.LogSoftmax along that axis (a final one with
// an identity head, so that the network's Output is the model's
// output). Softplus is a layers.Softplus. A Conv, Relu, MaxPool (2×2,
// stride 2) sequence comes back as the book's three layers, which the
// network's layers.Sequence runs as one fused block.
// Import reads float (float32) and double weights, from raw_data or
// float_data and double_data. Export names the first layer it cannot
// write and Import the first operator, attribute or data type it cannot
// read. OPERATORS.md, in this package's folder, lists every operator and
// attribute read, and what is refused.
//
// # Constants
//
// Import computes at import what a graph computes of constants alone —
// initializers, and the outputs of nodes whose inputs are all constants:
// Constant, a Transpose of a weight (PyTorch's Linear without bias is a
// MatMul by the transposed weight), Reshape, Squeeze and Unsqueeze of a
// constant, and the integer vectors of shape computations. A Shape of
// the network's data gives its batch size as a symbol, N, and its other
// sizes as far as the model declares them; Gather, Unsqueeze and Concat
// carry it on. So PyTorch's x.view(x.size(0), -1), which exports as
//
//	Shape → Gather → Unsqueeze → Concat → Reshape
//
// is the Reshape of each sample to (N, −1): a flattening, as Flatten. A
// Reshape of the data to another shape is refused, since numlearn's
// layers take no reshaped values.
//
// A Flatten (or a flattening Reshape) waits for the next Affine layer,
// which flattens its input itself, across the layers that compute the
// same on a value and on its flattening: the activations, and the book's
// BatchNorm. After the last layer, with an identity or sigmoid head, it
// is read too: the network's output then holds the flattened values, in
// order, in the shape the last layer gives. A network may have no layers
// at all: a model of one Softmax is the softmax head alone.
//
// # Adding a layer
//
// Each layer type exports through a LayerExporter found by the layer's
// type, so a layer plugs in without edits to Export: register one with
// RegisterLayer, which adds nodes with Graph.Node, weights with
// Graph.Weight and a Flatten with Graph.Flat. On the import side, each
// operator is one function in a table of this package.
//
// # Precision
//
// Export writes float32 by default, rounding each weight once, which is
// what engines run fastest; ExportOptions.Float64 writes double, and an
// engine that computes in double then agrees with Predict to rounding
// (ONNX Runtime's CPU provider computes Conv and Softplus in float only,
// so it runs only the float32 form of a network that has them).
// Import widens float32 weights exactly, so a PyTorch model gives the
// same classes in numlearn as in PyTorch, with scores that differ only by
// float32 rounding in PyTorch's arithmetic.
//
// # Errors
//
// Export and Import return errors, never panic, for what they cannot
// translate. Import's errors wrap ErrFormat for a damaged file (a
// truncated or corrupted protobuf, weights whose data does not fit their
// shape, a graph that breaks ONNX's rules), ErrUnsupported for a valid
// model outside the subset above or beyond the limits below, and ErrShape
// for layers whose sizes do not chain. A message names the node at fault
// (its index, operator and name) and the attribute or value, showing at
// most 64 bytes of a name and 64 numbers of a list.
//
// A graph must follow ONNX's rules, and Import refuses one that does not,
// naming the value and the nodes: each value is defined once — by a graph
// input, an initializer (which may also be listed as an input) or one
// node's output; the nodes come in topological order, each reading only
// values defined before it, so that there is no cycle; and every graph
// output is defined.
//
// # Limits
//
// Import checks the geometry of Conv and the poolings when it reads their
// attributes, so that a model it accepts builds layers that run: every
// side of an image, of a window (its taps spread by the dilation) and of
// a padded image, and every stride, dilation and padding, is at most
// 2¹⁶ = 65536; and a sample's input, and each Conv's or pooling's padded
// image, output and unfolding (the windows laid side by side, which a
// convolution multiplies), hold at most 2³¹ − 1 values, 16 GiB of
// float64. Real models stay far inside these
// limits — MNIST's images have sides of 28, ImageNet's 224, and VGG's
// largest unfolding has 29 million values — and within them no size the
// layers compute for a sample can overflow an int. When the model leaves
// the size of its images open, the check is for the smallest image the
// windows fit: any other image gives larger sizes, which the layers check
// when they run.
//
// # Allocation
//
// A crafted file cannot make Import allocate much more than its own size:
// at most 9 times the file's size plus 4 MiB, which the fuzz test checks
// for every input it tries. Import reads the file whole and copies the
// names it holds; all else it builds comes out of a budget of 6 bytes for
// each byte of the file, plus 3 MiB, and is taken from the budget before
// it is built: the graph's structure — nodes, attributes, shapes — which
// the decoder counts before it builds it; a table of the graph's values;
// the layers; and their parameters, 16 bytes for each value (the float64
// and its gradient), four times what a float32 weight takes in the file.
// Real models need well under the budget. A file whose structure alone
// would exceed it, as a million empty nodes in 2 MiB would, is refused
// (ErrFormat) before any node is built; a model whose layers would exceed
// it — thousands of layers that a few bytes each describe, or a weight
// that hundreds of layers read, each holding its own copy — is refused
// (ErrUnsupported) before they are built. Every size the file declares
// is checked against the data it holds before anything is allocated. A
// 2 MiB file made only of empty nodes, or of any other tiny entry, costs
// about its own size, or five times at most (go test -run
// TestImportOfFloodedModels -v ./onnx/).
package onnx
