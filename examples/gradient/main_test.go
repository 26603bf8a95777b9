package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

	for _, line := range []string{
		// f'(x) = 0.02x + 0.1; the tangent at a is y = f'(a)·x + f(a) − f'(a)·a:
		// at 5, f = 0.25 + 0.5 = 0.75 and 0.75 − 1 = −0.25; at 10, f = 2 and 2 − 3 = −1.
		"  f'(5)  = 0.2000000000 (exact 0.2), tangent y = 0.2000x − 0.2500",
		"  f'(10) = 0.3000000000 (exact 0.3), tangent y = 0.3000x − 1.0000",
		// ∇(x0² + x1²) = 2x, the book's three examples
		"  ∇f(3, 4) = [6.0000 8.0000]",
		"  ∇f(0, 2) = [0.0000 4.0000]",
		"  ∇f(3, 0) = [6.0000 0.0000]",
		// x_k = 0.8^k·(−3, 4) and f = 25·0.64^k:
		// 0.8⁵ = 0.32768, 0.8¹⁰ = 0.10737, 0.8¹⁵ = 0.035184, 0.8²⁰ = 0.011529
		"  step  0: x = [ -3.0000   4.0000], f = 25.0000",
		"  step  5: x = [ -0.9830   1.3107], f = 2.6844",
		"  step 10: x = [ -0.3221   0.4295], f = 0.2882",
		"  step 15: x = [ -0.1056   0.1407], f = 0.0309",
		"  step 20: x = [ -0.0346   0.0461], f = 0.0033",
		// The book prints [-6.11110793e-10 8.14814391e-10] for lr = 0.1 and
		// [-2.99999994 3.99999992] for lr = 1e-10 (= (1 − 2e-10)¹⁰⁰·(−3, 4)).
		"  lr = 0.1   x = [-6.11110793e-10 8.14814391e-10]  converges",
		"  lr = 1e-10 x = [-2.99999994 3.99999992]  too small: hardly moves",
	} {
		assert.Contains(t, got, line+"\n")
	}

	// lr = 10 multiplies x by −19 per step until x ± 1e-4 rounds to x and
	// the numerical gradient becomes 0; the book ends near 1e13. The exact
	// digits depend on rounding, so check the size only.
	m := regexp.MustCompile(`lr = 10 +x = \[(\S+) (\S+)\]`).FindStringSubmatch(got)
	require.NotNil(t, m, "lr = 10 line")
	x0, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	assert.Greater(t, abs(x0), 1e12)

	path := filepath.Join(dir, "gradient.png")
	assert.Contains(t, got, "wrote "+path+"\n")
	img, err := chart.ReadPNG(path)
	require.NoError(t, err)
	assert.Equal(t, 1440, img.Bounds().Dx()) // 15 in at 96 dpi
	assert.Equal(t, 480, img.Bounds().Dy())
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestRunBadFlag(t *testing.T) {
	var out bytes.Buffer
	require.Error(t, run([]string{"-nope"}, &out))
	assert.Contains(t, out.String(), "-out")
}

func TestRunOutIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	assert.Error(t, run([]string{"-out", file}, &bytes.Buffer{}))
}
