package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/examples/internal/chart"
)

// TestShortSearch runs 5 trials of 2 epochs twice with the same seed: the
// output is the same, the best trials come best first with their draws in
// the ranges the book gives, and the chart has a panel for each.
func TestShortSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 10 nets on MNIST images: needs the real MNIST files; run without -short")
	}
	dir := t.TempDir()
	args := []string{"-out", dir, "-trials", "5", "-epochs", "2", "-seed", "7"}
	var first, second bytes.Buffer
	require.NoError(t, run(context.Background(), args, &first))
	require.NoError(t, run(context.Background(), args, &second))
	got := first.String()
	assert.Equal(t, got, second.String(), "the same seed gives the same search, trials in parallel or not")
	assert.Contains(t, got, "5 trials: 400 training and 100 validation images, 784-100×6-10 ReLU net, SGD, batch 100, 2 epochs\n")

	line := regexp.MustCompile(`(?m)^best (\d): validation accuracy ([0-9.]+)  lr (\S+)  weight decay (\S+)  \(trial \d\)$`)
	rows := line.FindAllStringSubmatch(got, -1)
	require.Len(t, rows, 5, got)
	prev := 1.0
	for i, r := range rows {
		assert.Equal(t, strconv.Itoa(i+1), r[1])
		acc, lr, decay := parse(t, r[2]), parse(t, r[3]), parse(t, r[4])
		assert.LessOrEqual(t, acc, prev, "best first")
		prev = acc
		assert.True(t, lr >= 1e-6 && lr <= 1e-2, "lr %g in [1e-6, 1e-2]", lr)
		assert.True(t, decay >= 1e-8 && decay <= 1e-4, "weight decay %g in [1e-8, 1e-4]", decay)
	}
	assert.Contains(t, got, "the best 5: lr from ")

	path := filepath.Join(dir, "hyperparams.png")
	assert.Contains(t, got, "wrote "+path+"\n")
	img, err := chart.ReadPNG(path)
	require.NoError(t, err)
	assert.Equal(t, 1248, img.Bounds().Dx()) // 5 columns of 2.6 in at 96 dpi
}

func parse(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return v
}

func TestRunErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	for _, args := range [][]string{{"-nope"}, {"-trials", "0"}, {"-epochs", "0"}, {"-out", file}} {
		assert.Error(t, run(context.Background(), args, &bytes.Buffer{}), "%v", args)
	}
}
