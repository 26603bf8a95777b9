package numlearn

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

// bookChapter3Net is the network of the book's ch03/neuralnet_mnist.py:
// 784 → 50 → 100 → 10 with sigmoid between, softmax at the end.
func bookChapter3Net() *Network {
	affine := func(in, out int) Layer { return layers.NewAffine(tensor.New(in, out), tensor.New(out)) }
	return NewNetwork(affine(784, 50), &layers.Sigmoid{}, affine(50, 100), &layers.Sigmoid{}, affine(100, 10))
}

// TestBookSampleWeightsReachThePrintedAccuracy loads the book's published
// chapter 3 weights (ch03/sample_weight.pkl, float32, converted to .npz by
// testdata/convert_sample_weight.py) and checks the accuracy that
// neuralnet_mnist.py prints for them on the 10,000 test images.
func TestBookSampleWeightsReachThePrintedAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST files; run without -short")
	}
	net := bookChapter3Net()
	require.NoError(t, net.LoadFile("testdata/sample_weight.npz"))
	dir, err := mnist.DefaultDir()
	require.NoError(t, err)
	require.NoError(t, mnist.Download(context.Background(), dir))
	_, test, err := mnist.Load(dir)
	require.NoError(t, err)
	acc := net.Accuracy(test.Images, test.OneHot())
	assert.Equal(t, "0.9352", fmt.Sprintf("%.4f", acc), "the book prints Accuracy:0.9352")
}
