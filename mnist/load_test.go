package mnist_test

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/mnist"
)

// digitPixels returns n 28×28 images; image i has every pixel equal to
// 10·i+1 except the top-left one, which is 255.
func digitPixels(n int) []byte {
	pix := make([]byte, n*784)
	for i := range n {
		for k := range 784 {
			pix[i*784+k] = byte(10*i + 1)
		}
		pix[i*784] = 255
	}
	return pix
}

// miniDir writes a small MNIST folder: 3 training samples (gzip) and 2
// test samples (raw), then applies edit to the file contents.
func miniDir(t *testing.T, edit func(files map[string][]byte)) string {
	t.Helper()
	files := map[string][]byte{
		"train-images-idx3-ubyte.gz": gzipped(t, imageFile(0x803, 3, 28, 28, digitPixels(3))),
		"train-labels-idx1-ubyte.gz": gzipped(t, labelFile(0x801, 3, []byte{5, 0, 4})),
		"t10k-images-idx3-ubyte":     imageFile(0x803, 2, 28, 28, digitPixels(2)),
		"t10k-labels-idx1-ubyte":     labelFile(0x801, 2, []byte{7, 2}),
	}
	if edit != nil {
		edit(files)
	}
	dir := t.TempDir()
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return dir
}

func TestLoad(t *testing.T) {
	const tol = 1e-15
	train, test, err := mnist.Load(miniDir(t, nil))
	require.NoError(t, err)

	require.Equal(t, 3, train.Len())
	assert.Equal(t, []int{3, 784}, train.Images.Shape())
	assert.Equal(t, []int{5, 0, 4}, train.Labels)
	assert.Equal(t, digitPixels(3), train.Pixels)
	assert.InDelta(t, 1.0, train.Images.At(2, 0), tol)
	assert.InDelta(t, 21.0/255, train.Images.At(2, 1), tol)
	assert.Equal(t, []int{3, 1, 28, 28}, train.Images.Reshape(-1, 1, 28, 28).Shape())

	require.Equal(t, 2, test.Len())
	assert.Equal(t, []int{7, 2}, test.Labels)
	assert.InDelta(t, 11.0/255, test.Images.At(1, 783), tol)
	assert.Equal(t, []int{2, 10}, test.OneHot().Shape())
	assert.Equal(t, 1.0, test.OneHot().At(0, 7))
}

func TestLoadPrefersGzip(t *testing.T) {
	dir := miniDir(t, func(files map[string][]byte) {
		// A stale uncompressed copy beside the .gz is ignored.
		files["train-labels-idx1-ubyte"] = labelFile(0x801, 3, []byte{1, 1, 1})
	})
	train, _, err := mnist.Load(dir)
	require.NoError(t, err)
	assert.Equal(t, []int{5, 0, 4}, train.Labels)
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(files map[string][]byte)
		want    error
		message string
	}{
		{"missing file", func(f map[string][]byte) { delete(f, "t10k-labels-idx1-ubyte") }, fs.ErrNotExist,
			"neither t10k-labels-idx1-ubyte.gz nor t10k-labels-idx1-ubyte exists"},
		{"count mismatch", func(f map[string][]byte) {
			f["t10k-labels-idx1-ubyte"] = labelFile(0x801, 3, []byte{7, 2, 1})
		}, mnist.ErrCountMismatch, "mnist: t10k-images-idx3-ubyte has 2 images but t10k-labels-idx1-ubyte has 3 labels"},
		{"not 28x28", func(f map[string][]byte) {
			f["t10k-images-idx3-ubyte"] = imageFile(0x803, 2, 2, 2, make([]byte, 8))
		}, mnist.ErrSize, "mnist: t10k-images-idx3-ubyte: images are 2×2, want 28×28"},
		{"swapped files", func(f map[string][]byte) {
			f["train-images-idx3-ubyte.gz"], f["train-labels-idx1-ubyte.gz"] = f["train-labels-idx1-ubyte.gz"], f["train-images-idx3-ubyte.gz"]
		}, mnist.ErrMagic, "mnist: train-images-idx3-ubyte.gz: magic number 0x00000801 marks a file of labels"},
		{"truncated", func(f map[string][]byte) {
			f["t10k-images-idx3-ubyte"] = f["t10k-images-idx3-ubyte"][:16+784+10]
		}, io.ErrUnexpectedEOF, "mnist: t10k-images-idx3-ubyte: data ends after 1 of 2 images"},
		{"bad label", func(f map[string][]byte) {
			f["train-labels-idx1-ubyte.gz"] = gzipped(t, labelFile(0x801, 3, []byte{5, 0, 40}))
		}, mnist.ErrLabel, "mnist: train-labels-idx1-ubyte.gz: label 2 is 40"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			train, test, err := mnist.Load(miniDir(t, tc.edit))
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.message)
			assert.Nil(t, train)
			assert.Nil(t, test)
		})
	}
}

func TestLoadReadErrorNamesFile(t *testing.T) {
	_, _, err := mnist.Load(miniDir(t, func(f map[string][]byte) {
		f["train-labels-idx1-ubyte.gz"] = gzipped(t, labelFile(0x801, 3, []byte{5}))
	}))
	var re *mnist.ReadError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "train-labels-idx1-ubyte.gz", re.File)
	assert.Equal(t, "data ends after 1 of 3 labels", re.Detail)
}
