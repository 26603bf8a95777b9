package onnx_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/internal/npz"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/onnx"
	"github.com/numlearn/numlearn/tensor"
)

// torchScoreTol bounds the difference between PyTorch's float32 outputs
// and numlearn's float64 ones for the same model, relative to
// max(1, |PyTorch's output|): absolute for outputs near zero — a
// log-probability near 0, the confident class's, or a small logit — and
// relative for large ones, whose float32 rounding grows with them, as
// that of a log-probability of −30 does.
const torchScoreTol = 1e-5

// torchSamples is how many test images each model's scores file holds:
// the first of MNIST's test set.
const torchSamples = 1000

// mnistSets returns MNIST's training and test sets, skipping under
// -short.
func mnistSets(t *testing.T) (train, test *mnist.Set) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the real MNIST files; run without -short")
	}
	dir, err := mnist.DefaultDir()
	require.NoError(t, err)
	require.NoError(t, mnist.Download(context.Background(), dir))
	train, test, err = mnist.Load(dir)
	require.NoError(t, err)
	return train, test
}

// importTorch imports testdata/name.onnx, which make_torch_models.py
// wrote, and logs what Import made of it.
func importTorch(t *testing.T, name string) *numlearn.Network {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".onnx"))
	require.NoError(t, err)
	defer f.Close()
	net, err := onnx.Import(f)
	require.NoError(t, err, "importing %s.onnx", name)
	var types []string
	for _, l := range net.Layers() {
		types = append(types, fmt.Sprintf("%T", l))
	}
	t.Logf("%s: layers %v, head %T", name, types, net.Head())
	return net
}

// torchScores reads testdata/name_scores.npz: PyTorch's outputs, one row
// per test image.
func torchScores(t *testing.T, name string) *tensor.Tensor {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+"_scores.npz"))
	require.NoError(t, err)
	arrays, err := npz.Read(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	require.Len(t, arrays, 1)
	require.Equal(t, "logits", arrays[0].Name)
	return tensor.FromSlice(arrays[0].Data, arrays[0].Shape...)
}

// relDiff returns the largest |a − b| / max(1, |b|) over the elements,
// and the index where it is.
func relDiff(a, b []float64) (diff float64, at int) {
	for i := range a {
		if d := math.Abs(a[i]-b[i]) / math.Max(1, math.Abs(b[i])); d > diff {
			diff, at = d, i
		}
	}
	return diff, at
}

// TestTorchModels imports the CNNs that PyTorch trained and exported
// (testdata/make_torch_models.py) and checks that on the first 1,000
// MNIST test images each computes PyTorch's outputs, to float32 rounding,
// and so the same class for every image: the log-probabilities of
// PyTorch's MNIST example (Reshape by a shape computed in the graph,
// LogSoftmax at the end), and the logits of a ResNet-style CNN
// (BatchNormalization per channel, padded MaxPool, a depthwise Conv,
// LeakyRelu, GlobalAveragePool).
func TestTorchModels(t *testing.T) {
	tests := []struct {
		name string
		what string // what the model outputs
	}{
		{"torch_mnist_cnn", "log-probabilities"},
		{"torch_resnet_cnn", "logits"},
	}
	_, test := mnistSets(t)
	images := test.Slice(0, torchSamples).Images4D() // as PyTorch's models take them
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := torchScores(t, tt.name)
			require.Equal(t, []int{torchSamples, 10}, want.Shape())
			net := importTorch(t, tt.name)

			var got tensor.Tensor
			net.Output(&got, images)
			require.Equal(t, want.Shape(), got.Shape())
			diff, at := relDiff(got.Data(), want.Data())
			same, correct := 0, 0
			torchClasses, ours := want.ArgMax(), got.ArgMax()
			for i := range ours {
				if ours[i] == torchClasses[i] {
					same++
				}
				if ours[i] == test.Labels[i] {
					correct++
				}
			}
			t.Logf("%s of PyTorch vs numlearn on %d test images: largest difference %.3g relative to max(1, |x|) (image %d, class %d: PyTorch %.7g, numlearn %.7g); same class for %d",
				tt.what, torchSamples, diff, at/10, at%10, want.Data()[at], got.Data()[at], same)
			assert.LessOrEqual(t, diff, torchScoreTol)
			assert.Equal(t, torchSamples, same)
			t.Logf("accuracy %.4f", float64(correct)/torchSamples)
		})
	}
}

// TestFineTuneImportedResNet fine-tunes a CNN with BatchNorm2d that
// PyTorch trained briefly: imported, it trains with Train (its loss
// falls), its backpropagation agrees with central differences, and it
// saves as a model file that loads back computing the same.
func TestFineTuneImportedResNet(t *testing.T) {
	train, test := mnistSets(t)
	net := importTorch(t, "torch_resnet_cnn")
	// The model ends in its logits, without a Softmax, so Import gives it
	// an identity head; a classifier trains with the softmax's.
	if _, ok := net.Head().(*layers.IdentityWithLoss); ok {
		net = numlearn.NewNetworkWithHead(&layers.SoftmaxWithLoss{}, net.Layers()...)
	}
	require.IsType(t, &layers.SoftmaxWithLoss{}, net.Head())

	// Full batches of 500 training images, so that each step's loss is
	// that of the same images and falls with the training, not with the
	// luck of the draw.
	const samples, steps, window = 500, 30, 5
	x, labels := train.Slice(0, samples).Images4D(), train.Slice(0, samples).OneHot()
	testX, testT := test.Slice(0, torchSamples).Images4D(), test.Slice(0, torchSamples).OneHot()
	lossBefore, accBefore := net.Loss(testX, testT), net.Accuracy(testX, testT)
	h, err := net.Train(context.Background(), x, labels, numlearn.TrainConfig{
		Iterations: steps,
		BatchSize:  samples,
		Shuffle:    true,
		Optimizer:  &grad.Adam{LR: 3e-3}, // the rate PyTorch trained it at
		EvalEvery:  -1,
	})
	require.NoError(t, err)
	require.Len(t, h.Loss, steps)
	first, last := mean(h.Loss[:window]), mean(h.Loss[steps-window:])
	lossAfter, accAfter := net.Loss(testX, testT), net.Accuracy(testX, testT)
	t.Logf("%d steps of Adam on %d training images: loss %.4f over the first %d steps, %.4f over the last %d (step 1: %.4f, step %d: %.4f)",
		steps, samples, first, window, last, window, h.Loss[0], steps, h.Loss[steps-1])
	t.Logf("on %d test images: loss %.4f → %.4f, accuracy %.4f → %.4f", torchSamples, lossBefore, lossAfter, accBefore, accAfter)
	assert.Less(t, last, first, "the loss falls")

	// Backpropagation against central differences, with the layers in
	// training mode (BatchNorm2d normalizing by the batch's statistics).
	// A step of h in a weight moves many of the values that the ReLUs,
	// the LeakyReLU and the MaxPool compare, and a value that crosses a
	// kink or overtakes its window's maximum makes a central difference
	// differ from the derivative: the differences then reach 1e-3 in the
	// first convolution's filters, a few tenths of a percent of its
	// gradient. So each tensor's mean difference is bounded relative to
	// its gradient's mean size, a bound that a wrong backward pass, off
	// by a term or a factor, exceeds by far; gradTiny covers the
	// gradients that are zero, those of the biases before a
	// BatchNormalization, which cancels them.
	const gradTol, gradTiny = 1e-2, 1e-9
	checkX, checkT := train.Slice(20000, 20002).Images4D(), train.Slice(20000, 20002).OneHot()
	sizes := make([]float64, len(net.Params()))
	for i, g := range net.Gradient(checkX, checkT) {
		sizes[i] = meanAbs(g.Data())
	}
	ds := net.GradientCheck(checkX, checkT)
	t.Logf("gradient check on %d images: %v", checkX.Shape()[0], grad.Worst(ds))
	for i, name := range net.ParamNames() {
		t.Logf("  %-6s %-13s mean |gradient| %.3g, %v", name, fmt.Sprint(net.Params()[i].Shape()), sizes[i], ds[i])
		assert.LessOrEqual(t, ds[i].MeanAbs, gradTol*sizes[i]+gradTiny, "%s: mean difference, against mean |gradient| %.3g", name, sizes[i])
	}

	var want tensor.Tensor
	net.Output(&want, testX)
	name := filepath.Join(t.TempDir(), "resnet.npz")
	require.NoError(t, net.SaveFile(name, numlearn.SaveOptions{}))
	loaded, err := numlearn.LoadModel(name)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, net.Save(&buf, numlearn.SaveOptions{}))
	read, err := numlearn.ReadModel(&buf)
	require.NoError(t, err)
	for which, n := range map[string]*numlearn.Network{"LoadModel": loaded, "ReadModel": read} {
		var got tensor.Tensor
		n.Output(&got, testX)
		assert.Equal(t, want.Data(), got.Data(), "%s computes what the network saved computed", which)
	}
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func meanAbs(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += math.Abs(x)
	}
	return s / float64(len(v))
}
