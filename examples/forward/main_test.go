package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/examples/internal/chart"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run([]string{"-out", dir}, &out))
	got := out.String()

	// A1, Z1 and y are printed in the book; A2 and Z2 are worked out from
	// them: A2 = Z1·W2 + b2 = (0.0574443 + 0.1336376 + 0.2250780 + 0.1,
	// 0.2297770 + 0.3340939 + 0.4501561 + 0.2) and Z2 = 1/(1 + e^−A2).
	for _, line := range []string{
		"A1 = x·W1 + b1     [0.3 0.7 1.1]",
		"Z1 = sigmoid(A1)   [0.57444252 0.66818777 0.75026011]",
		"A2 = Z1·W2 + b2    [0.51615984 1.21402696]",
		"Z2 = sigmoid(A2)   [0.62624937 0.7710107 ]",
		"A3 = Z2·W3 + b3    [0.31682708 0.69627909]",
		"y = Z3             [0.31682708 0.69627909]",
	} {
		assert.Contains(t, got, line+"\n")
	}

	path := filepath.Join(dir, "forward.png")
	assert.Contains(t, got, "wrote "+path)
	img, err := chart.ReadPNG(path)
	require.NoError(t, err)
	assert.Equal(t, 1152, img.Bounds().Dx()) // 12 in at 96 dpi
	assert.Equal(t, 480, img.Bounds().Dy())
}

func TestRunBadFlag(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"-nope"}, &out)
	require.Error(t, err)
	assert.True(t, strings.Contains(out.String(), "-out"), "usage is printed")
}

func TestRunOutFolder(t *testing.T) {
	t.Run("created if missing", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "b")
		require.NoError(t, run([]string{"-out", dir}, &bytes.Buffer{}))
		assert.FileExists(t, filepath.Join(dir, "forward.png"))
	})
	t.Run("a file is an error", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		require.NoError(t, os.WriteFile(file, nil, 0o644))
		assert.Error(t, run([]string{"-out", file}, &bytes.Buffer{}))
	})
}
