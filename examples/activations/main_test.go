package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/examples/internal/chart"
)

// stds returns the five numbers printed after the configuration's name.
func stds(t *testing.T, out, name string) []float64 {
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			var vs []float64
			for _, f := range strings.Fields(rest) {
				v, err := strconv.ParseFloat(f, 64)
				require.NoError(t, err)
				vs = append(vs, v)
			}
			require.Len(t, vs, 5)
			return vs
		}
	}
	t.Fatalf("no line for %q in\n%s", name, out)
	return nil
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run([]string{"-out", dir, "-samples", "200"}, &out))
	got := out.String()
	assert.Contains(t, got, "200 inputs from N(0, 1) through 5 layers of 100 units")

	// A sigmoid's slope is at most ¼, and std 0.01 gives the first layer
	// pre-activations of std 0.01·√100 = 0.1, so every layer's activations
	// spread by at most 0.025 around 0.5.
	for _, s := range stds(t, got, "sigmoid, std 0.01 ") {
		assert.Less(t, s, 0.03)
	}
	// Std 1 drives a sigmoid's outputs to 0 and 1: their std nears ½.
	for _, s := range stds(t, got, "sigmoid, std 1    ") {
		assert.Greater(t, s, 0.35)
	}
	// ReLU with std 0.01 scales each layer's activations by about
	// 0.01·√(100/2) ≈ 0.07: nothing is left by layer 5, while He's
	// √(2/100) makes that factor 1 and keeps every layer alike.
	assert.Less(t, stds(t, got, "ReLU, std 0.01    ")[4], 1e-3)
	for _, s := range stds(t, got, "ReLU, He          ") {
		assert.InDelta(t, 0.85, s, 0.35)
	}

	path := filepath.Join(dir, "activations.png")
	assert.Contains(t, got, "wrote "+path+"\n")
	img, err := chart.ReadPNG(path)
	require.NoError(t, err)
	assert.Equal(t, 1440, img.Bounds().Dx()) // 15 in at 96 dpi
}

func TestRunErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	for _, args := range [][]string{{"-nope"}, {"-samples", "0"}, {"-out", file}} {
		assert.Error(t, run(args, &bytes.Buffer{}), "%v", args)
	}
}
