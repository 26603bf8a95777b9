package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/examples/internal/chart"
)

func TestRunOnMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-out", dir, "-epochs", "2"}, &out))
	got := out.String()
	assert.Contains(t, got, "300 training images, 784-100×6-10 ReLU net, SGD lr 0.01, batch 100, 2 epochs\n")
	for _, name := range []string{"no regularisation train ", "weight decay 0.1  train ", "dropout 0.2       train "} {
		assert.Contains(t, got, name)
	}
	path := filepath.Join(dir, "overfit.png")
	assert.Contains(t, got, "wrote "+path+"\n")
	img, err := chart.ReadPNG(path)
	require.NoError(t, err)
	assert.Equal(t, 1440, img.Bounds().Dx()) // 15 in at 96 dpi
}

func TestRunErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	for _, args := range [][]string{{"-nope"}, {"-epochs", "0"}, {"-out", file}} {
		assert.Error(t, run(context.Background(), args, &bytes.Buffer{}), "%v", args)
	}
}
