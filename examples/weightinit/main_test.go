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
	require.NoError(t, run(context.Background(), []string{"-out", dir, "-steps", "30"}, &out))
	got := out.String()
	// With std 0.01 the five layers scale the input down by about 0.07
	// each, so the scores are near 0 and the loss is ln 10 = 2.3026 to
	// four digits at the start, and stays there.
	assert.Contains(t, got, "std 0.01 loss at step 1 2.3026, mean of the last 30 steps 2.30")
	assert.Contains(t, got, "Xavier   loss at step 1 ")
	assert.Contains(t, got, "He       loss at step 1 ")

	path := filepath.Join(dir, "weightinit.png")
	assert.Contains(t, got, "wrote "+path+"\n")
	img, err := chart.ReadPNG(path)
	require.NoError(t, err)
	assert.Equal(t, 768, img.Bounds().Dx()) // 8 in at 96 dpi
}

func TestRunErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	for _, args := range [][]string{{"-nope"}, {"-steps", "0"}, {"-out", file}} {
		assert.Error(t, run(context.Background(), args, &bytes.Buffer{}), "%v", args)
	}
}
