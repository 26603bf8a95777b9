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

// TestBatchNormLearnsWherePlainCannot runs a reduced figure 6-19: 4
// weight scales (1, 0.0464, 0.00215, 0.0001) for 5 epochs. From the three
// small scales the signal through 5 plain ReLU layers dies out, so the
// plain net stays near chance (the book's 0.117), while with BatchNorm it
// learns: above 0.6 from 0.0464 and 0.00215 even after 5 epochs, and
// clearly better than chance from 0.0001.
func TestBatchNormLearnsWherePlainCannot(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 8 nets on 1000 MNIST images: needs the real MNIST files; run without -short")
	}
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-out", dir, "-scales", "4", "-epochs", "5"}, &out))
	got := out.String()
	assert.Contains(t, got, "1000 training images, 784-100×5-10 ReLU net, SGD lr 0.01, batch 100, 5 epochs; final train accuracy\n")

	line := regexp.MustCompile(`(?m)^weight scale (\S+) +with BatchNorm ([0-9.]+) +without ([0-9.]+)$`)
	rows := line.FindAllStringSubmatch(got, -1)
	require.Len(t, rows, 3, "the three small scales train without diverging:\n%s", got)
	tests := []struct {
		scale    string
		minBN    float64
		maxPlain float64
	}{
		{"0.0464", 0.6, 0.2},
		{"0.00215", 0.6, 0.2},
		{"0.0001", 0.25, 0.2},
	}
	for i, tt := range tests {
		t.Run("scale="+tt.scale, func(t *testing.T) {
			require.Equal(t, tt.scale, rows[i][1])
			bn, err := strconv.ParseFloat(rows[i][2], 64)
			require.NoError(t, err)
			plain, err := strconv.ParseFloat(rows[i][3], 64)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, bn, tt.minBN, "BatchNorm learns")
			assert.LessOrEqual(t, plain, tt.maxPlain, "the plain net stays near chance")
		})
	}
	assert.Regexp(t, `(?m)^weight scale 1 +with BatchNorm [0-9.]+ +without `, got)

	path := filepath.Join(dir, "batchnorm.png")
	assert.Contains(t, got, "wrote "+path+"\n")
	img, err := chart.ReadPNG(path)
	require.NoError(t, err)
	assert.Equal(t, 576, img.Bounds().Dx()) // 2 columns of 3 in at 96 dpi
}

func TestLogspace(t *testing.T) {
	const tol = 1e-12
	assert.InDeltaSlice(t, []float64{1, 0.1, 0.01, 0.001, 0.0001}, logspace(0, -4, 5), tol)
	assert.InDeltaSlice(t, []float64{1, 100}, logspace(0, 2, 2), tol)
}

func TestRunErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	for _, args := range [][]string{{"-nope"}, {"-epochs", "0"}, {"-scales", "1"}, {"-out", file}} {
		assert.Error(t, run(context.Background(), args, &bytes.Buffer{}), "%v", args)
	}
}
