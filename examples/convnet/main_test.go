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
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShortTrainingOnRealMNIST trains SimpleConvNet for 300 steps of 100
// on the real data, fetched into the cache folder. Chance is 0.1; after
// half an epoch of Adam the book's network is past 0.9, and we require
// 0.85. Evaluated every 100 steps, the run is evaluated after steps 1,
// 101, 201 and 300.
func TestShortTrainingOnRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a convolutional network on MNIST for a minute: needs the real MNIST files; run without -short")
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-iters", "300", "-eval-every", "100", "-out", out, "-json", "-skip-train-eval"}, &stdout, &stderr)
	require.NoError(t, err, "%s\n%s", stdout.String(), stderr.String())

	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var s summary
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &s), "the last line is JSON")
	assert.Equal(t, "SimpleConvNet", s.Network)
	assert.Equal(t, 300, s.Iterations)
	assert.GreaterOrEqual(t, s.TestAccuracy, 0.85)
	assert.GreaterOrEqual(t, s.TrainAccuracy, 0.85)
	assert.Contains(t, stdout.String(), "(4 evaluations)")

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
		{"negative evaluation interval", []string{"-eval-every", "-1"}, "convnet: -eval-every -1: must not be negative"},
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
	rng := rand.New(rand.NewPCG(1, 1))
	simple := numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{}, rng).Params()[0]
	deep := numlearn.NewDeepConvNet(numlearn.DeepConvNetConfig{}, rng).Params()[0]
	tests := []struct {
		name          string
		w             *tensor.Tensor
		when          string
		title         string
		width, height int
	}{
		// 30 filters: 8 columns of 5·12+6 pixels and 4 rows, a margin, and
		// the title's strip of 20 pixels above them.
		{"SimpleConvNet", simple, "before training", "conv1: 30 filters of 5x5, before training", 8*66 + 6, 20 + 4*66 + 6},
		// 16 filters: 8 columns of 3·12+6 pixels, 342 in all, and 2 rows;
		// the title's 52 characters of 7 pixels and its margins take 376.
		{"DeepConvNet, widened for its title", deep, "after 12345 training steps",
			"conv1: 16 filters of 3x3, after 12345 training steps", 52*7 + 12, 20 + 2*42 + 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			title := filtersTitle(tt.w, tt.when)
			assert.Equal(t, tt.title, title)
			path := filepath.Join(t.TempDir(), "filters.png")
			require.NoError(t, writeFilters(path, title, tt.w))
			img, err := chart.ReadPNG(path)
			require.NoError(t, err)
			assert.Equal(t, tt.width, img.Bounds().Dx())
			assert.Equal(t, tt.height, img.Bounds().Dy())
			// The title is black text on the white strip.
			dark := 0
			for y := range 20 {
				for x := range img.Bounds().Dx() {
					if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
						dark++
					}
				}
			}
			assert.Greater(t, dark, 100, "dark pixels of the title")
		})
	}
}
