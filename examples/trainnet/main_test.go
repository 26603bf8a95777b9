package main

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/tensor"
)

// accLine is the line the script prints once per epoch.
var accLine = regexp.MustCompile(`^train acc, test acc \| (\d\.\d{4}), (\d\.\d{4})$`)

// digits makes n samples of a synthetic MNIST: 784 pixels, 10 classes.
// Class c's image is its own random pattern of lit pixels (each pixel lit
// with probability 0.2), with every pixel then flipped with probability
// 0.1: noisy, but far apart enough for the net to tell the classes apart.
// It returns the images and their one-hot targets.
func digits(rng *rand.Rand, patterns [][]float64, n int) (x, t *tensor.Tensor) {
	x, t = tensor.New(n, 784), tensor.New(n, 10)
	for i := range n {
		c := i % 10
		t.Set(1, i, c)
		for k, v := range patterns[c] {
			if rng.Float64() < 0.1 {
				v = 1 - v
			}
			x.Set(v, i, k)
		}
	}
	return x, t
}

// TestTrainNetLearns runs the script's loop on synthetic digits: 1,000
// training images, so an epoch is 10 iterations, and 100 iterations. At
// the start every score is close to 0 (the weights are 0.01·N(0, 1)), so
// the softmax is uniform and the loss is ln 10 ≈ 2.303; a net that has
// learned the ten patterns must bring it below a tenth of that.
func TestTrainNetLearns(t *testing.T) {
	const (
		iters     = 100
		startTol  = 0.01 // |first loss − ln 10|, after one small step
		lossRatio = 0.1  // the final loss is below this fraction of ln 10
	)
	rng := rand.New(rand.NewPCG(3, 4))
	patterns := make([][]float64, 10)
	for c := range patterns {
		patterns[c] = make([]float64, 784)
		for k := range patterns[c] {
			if rng.Float64() < 0.2 {
				patterns[c][k] = 1
			}
		}
	}
	xTrain, tTrain := digits(rng, patterns, 1000)
	xTest, tTest := digits(rng, patterns, 200)

	var out bytes.Buffer
	h := trainNet(&out, xTrain, tTrain, xTest, tTest, iters, rand.New(rand.NewPCG(1, 2)))

	require.Len(t, h.trainLoss, iters)
	assert.InDelta(t, math.Log(10), h.trainLoss[0], startTol, "first loss")
	last := 0.0
	for _, v := range h.trainLoss[iters-10:] {
		last += v / 10
	}
	assert.Less(t, last, lossRatio*math.Log(10), "mean loss of the last 10 iterations")

	// One line per epoch, at iterations 0, 10, …, 90.
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, iters/10)
	require.Len(t, h.testAcc, iters/10)
	for i, line := range lines {
		m := accLine.FindStringSubmatch(line)
		require.NotNil(t, m, "line %d: %q", i, line)
		train, _ := strconv.ParseFloat(m[1], 64)
		test, _ := strconv.ParseFloat(m[2], 64)
		assert.InDelta(t, h.trainAcc[i], train, 5e-5, "line %d", i)
		assert.InDelta(t, h.testAcc[i], test, 5e-5, "line %d", i)
	}
	assert.Greater(t, h.testAcc[len(h.testAcc)-1], 0.95, "final test accuracy")
}

// TestRunOnRealMNIST runs the program for one epoch and one step on the
// real data: two lines, after iterations 0 and 600. One epoch of the
// book's SGD takes the test accuracy from about 0.1 to about 0.9 (the
// book's figure 4-12); we require 0.88.
func TestRunOnRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST: needs the real MNIST files; run without -short")
	}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-iters", "601"}, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2, out.String())
	m := accLine.FindStringSubmatch(lines[1])
	require.NotNil(t, m, lines[1])
	for _, s := range m[1:] {
		acc, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, acc, 0.88)
	}
}

func TestBadFlags(t *testing.T) {
	var out bytes.Buffer
	assert.EqualError(t, run(context.Background(), []string{"-iters", "0"}, &out), "-iters must be positive, not 0")
	assert.Error(t, run(context.Background(), []string{"-bogus"}, &out))
	assert.Empty(t, out.String())
}
