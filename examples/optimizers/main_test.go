package main

import (
	"bytes"
	"os"
	"path/filepath"
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

	// Step 1 by hand, with g₀ = ∇f(−7, 2) = (−0.7, 4):
	//   SGD       (−7 + 0.95·0.7, 2 − 0.95·4) = (−6.335, −1.8)
	//   Momentum  v = −0.1·g₀ = (0.07, −0.4): (−6.93, 1.6)
	//   AdaGrad   h = g₀², step = 1.5·g₀/|g₀| = (−1.5, 1.5) less ~1e-7: (−5.5, 0.5)
	//   Adam      bias-corrected m/√v = sign(g₀), step = 0.3 less ~1e-6: (−6.7, 1.7)
	// Step 30:
	//   SGD       x = −7·(1 − 0.095)³⁰ = −0.35039, y = 2·(1 − 1.9)³⁰ = 0.084782,
	//             f = 0.0061387 + 0.0071881 = 0.0133
	//   Momentum  linear in (p, v): (p, v)₃₀ = A³⁰·(p₀, 0) with
	//             A = [[1 − 0.1c, 0.9], [−0.1c, 0.9]], c = 1/10 for x and 2 for y,
	//             gives (0.89641, 0.088086) and f = 0.040177 + 0.0077591 = 0.0479
	//   AdaGrad and Adam are not linear; their 30th points come from a
	//   separate float64 re-computation of the book's update rules (in
	//   Python, not with this module): (−0.12016, 2.5e−17), f = 0.00072195,
	//   and (0.13601, 0.31825), f = 0.10221.
	for _, line := range []string{
		"f(x, y) = x²/20 + y² from (-7, 2), f = 6.4500; 30 steps each; the minimum is f(0, 0) = 0",
		"SGD      lr = 0.95  step 1: ( -6.3350,  -1.8000)  step 30: ( -0.3504,   0.0848)  f = 0.0133",
		"Momentum lr = 0.1   step 1: ( -6.9300,   1.6000)  step 30: (  0.8964,   0.0881)  f = 0.0479",
		"AdaGrad  lr = 1.5   step 1: ( -5.5000,   0.5000)  step 30: ( -0.1202,   0.0000)  f = 0.0007",
		"Adam     lr = 0.3   step 1: ( -6.7000,   1.7000)  step 30: (  0.1360,   0.3182)  f = 0.1022",
	} {
		assert.Contains(t, got, line+"\n")
	}

	path := filepath.Join(dir, "optimizers.png")
	assert.Contains(t, got, "wrote "+path+"\n")
	img, err := chart.ReadPNG(path)
	require.NoError(t, err)
	assert.Equal(t, 960, img.Bounds().Dx()) // 10 in at 96 dpi
	assert.Equal(t, 960, img.Bounds().Dy())
}

func TestRunSteps(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run([]string{"-out", t.TempDir(), "-steps", "2"}, &out))
	// SGD step 2: (−6.335·0.905, −1.8·(−0.9)) = (−5.733175, 1.62);
	// f = 32.86928/20 + 2.6244 = 1.643464 + 2.6244 = 4.267864
	assert.Contains(t, out.String(), "SGD      lr = 0.95  step 1: ( -6.3350,  -1.8000)  step 2: ( -5.7332,   1.6200)  f = 4.2679\n")
}

func TestRunErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"-nope"}},
		{"no steps", []string{"-steps", "0"}},
		{"out is a file", []string{"-out", file}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Error(t, run(tt.args, &bytes.Buffer{}))
		})
	}
}
