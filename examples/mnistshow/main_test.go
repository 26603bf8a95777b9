package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/mnist"
)

func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("shows MNIST digits: needs the real MNIST files; run without -short")
	}
	out := t.TempDir()
	var stdout bytes.Buffer
	require.NoError(t, run([]string{"-out", out, "-quiet"}, &stdout))

	printed := stdout.String()
	for _, want := range []string{
		"train images (60000, 784)  labels (60000)  one-hot (60000, 10)",
		"test  images (10000, 784)  labels (10000)  one-hot (10000, 10)",
		"first training labels: 5 0 4 1 9 2 1 3 1 4",
		"first test labels:     7 2 1 0 4 1 4 9 5 9",
		"training image 0, label 5, reshaped to (28, 28):",
	} {
		assert.Contains(t, printed, want)
	}

	b, err := os.ReadFile(filepath.Join(out, "mnist_digits.png"))
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, 10*cellW+pad, img.Bounds().Dx())
	assert.Equal(t, title+10*cellH+pad, img.Bounds().Dy())

	// Every pixel of every digit is drawn scale×scale at its cell: compare
	// the PNG with the data.
	dir, err := mnist.DefaultDir()
	require.NoError(t, err)
	_, test, err := mnist.Load(dir)
	require.NoError(t, err)
	for _, i := range []int{0, 57, 99} {
		o := cellOrigin(i)
		for k, p := range test.Pixels[i*784 : (i+1)*784] {
			x, y := o.X+scale*(k%28)+1, o.Y+scale*(k/28)+1
			r, g, bl, _ := img.At(x, y).RGBA()
			require.Equal(t, [3]uint32{uint32(p) * 0x101, uint32(p) * 0x101, uint32(p) * 0x101}, [3]uint32{r, g, bl},
				"digit %d pixel %d at (%d, %d)", i, k, x, y)
		}
	}
}

func TestRunBadFlag(t *testing.T) {
	var stdout bytes.Buffer
	assert.Error(t, run([]string{"-nope"}, &stdout))
	assert.Error(t, run([]string{"extra"}, &stdout))
}
