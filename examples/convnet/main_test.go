package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/examples/internal/chart"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShortTrainingOnRealMNIST trains SimpleConvNet for 300 steps of 100
// on the real data, fetched into the cache folder. Chance is 0.1; after
// half an epoch of Adam the book's network is past 0.9, and we require
// 0.85.
func TestShortTrainingOnRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a convolutional network on MNIST for a minute: needs the real MNIST files; run without -short")
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-iters", "300", "-out", out, "-json", "-skip-train-eval"}, &stdout, &stderr)
	require.NoError(t, err, "%s\n%s", stdout.String(), stderr.String())

	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var s summary
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &s), "the last line is JSON")
	assert.Equal(t, "SimpleConvNet", s.Network)
	assert.Equal(t, 300, s.Iterations)
	assert.GreaterOrEqual(t, s.TestAccuracy, 0.85)
	assert.GreaterOrEqual(t, s.TrainAccuracy, 0.85)

	for _, name := range []string{"loss.png", "accuracy.png", "filters-before.png", "filters-after.png"} {
		img, err := chart.ReadPNG(filepath.Join(out, name))
		require.NoError(t, err, name)
		assert.Greater(t, img.Bounds().Dx(), 100, name)
	}
	// The saved model loads into a network of the same shape.
	net := numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, net.LoadFile(filepath.Join(out, "model.npz")))
}

func TestFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"bad epochs", []string{"-epochs", "0"}, "convnet: -epochs 0: must be positive"},
		{"negative steps", []string{"-iters", "-5"}, "convnet: -iters -5: must not be negative"},
		{"extra argument", []string{"now"}, "convnet: unexpected arguments"},
		{"unknown flag", []string{"-hidden", "3"}, "convnet: flag provided but not defined: -hidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append(tt.args, "-out", t.TempDir()), &stdout, &stderr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestHelpIsNotAnError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &stdout, &stderr)
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, stderr.String(), "-deep")
}

func TestWriteFilters(t *testing.T) {
	net := numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{}, rand.New(rand.NewPCG(1, 1)))
	path := filepath.Join(t.TempDir(), "filters.png")
	require.NoError(t, writeFilters(path, net.Params()[0]))
	img, err := chart.ReadPNG(path)
	require.NoError(t, err)
	// 30 filters: 8 columns of 5·12+6 pixels and 4 rows, plus a margin.
	assert.Equal(t, 8*66+6, img.Bounds().Dx())
	assert.Equal(t, 4*66+6, img.Bounds().Dy())
}
