package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/grad"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/examples/internal/chart"
)

// TestShortTrainingOnRealMNIST runs the main job for one epoch (600 steps
// of 100) on the real data, fetched into the cache folder. One epoch of the
// book's SGD takes the test accuracy from 0.1 to about 0.9 (the book's
// figure 4-12); we require 0.88.
func TestShortTrainingOnRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST: needs the real MNIST files; run without -short")
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-iters", "600", "-out", out, "-json"}, &stdout, &stderr)
	require.NoError(t, err, "%s\n%s", stdout.String(), stderr.String())

	text := stdout.String()
	assert.Contains(t, text, "MNIST: 60000 training and 10000 test images")
	lines := strings.Split(strings.TrimSpace(text), "\n")
	var s summary
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &s), "the last line is JSON")
	assert.Equal(t, 600, s.Iterations)
	assert.GreaterOrEqual(t, s.TestAccuracy, 0.88)
	assert.GreaterOrEqual(t, s.TrainAccuracy, 0.88)
	assert.Greater(t, s.TrainSeconds, 0.0)
	assert.Greater(t, s.EvalSeconds, 0.0)

	// Evaluations after step 1 and step 600: two lines of the table.
	assert.Regexp(t, `(?m)^\s+0\.00\s+1\s`, text)
	assert.Regexp(t, `(?m)^\s+1\.00\s+600\s`, text)

	for _, name := range []string{"loss.png", "accuracy.png"} {
		img, err := chart.ReadPNG(filepath.Join(out, name))
		require.NoError(t, err, name)
		assert.Greater(t, img.Bounds().Dx(), 100, name)
	}
	// The saved model loads into a network of the same shape.
	net := numlearn.NewTwoLayerNet(784, 50, 10, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, net.LoadFile(filepath.Join(out, "model.npz")))
}

func TestFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"unknown optimizer", []string{"-optimizer", "lbfgs"}, `mnist: unknown -optimizer "lbfgs"`},
		{"unknown init", []string{"-init", "zeros"}, `mnist: unknown -init "zeros"`},
		{"bad hidden size", []string{"-hidden", "0"}, `mnist: -hidden "0": size 0 must be positive`},
		{"hidden size not a number", []string{"-hidden", "1,x"}, `mnist: -hidden "1,x": "x" is not a whole number`},
		{"no hidden sizes", []string{"-hidden", ""}, `mnist: -hidden "": "" is not a whole number`},
		{"dropout of all", []string{"-dropout", "1"}, "mnist: -dropout 1: must be in [0, 1)"},
		{"negative weight decay", []string{"-weight-decay", "-1e-4"}, "mnist: -weight-decay -0.0001: must be a finite number ≥ 0"},
		{"unknown gradient", []string{"-gradient", "symbolic"}, `mnist: unknown -gradient "symbolic"`},
		{"unknown activation", []string{"-act", "gelu"}, `mnist: unknown -act "gelu"`},
		{"bad step count", []string{"-iters", "-5"}, "mnist: -iters -5: must be positive"},
		{"bad batch", []string{"-batch", "0"}, "mnist: -batch 0: must be positive"},
		{"negative rate", []string{"-lr", "-0.5"}, "mnist: -lr -0.5: must not be negative"},
		{"extra argument", []string{"now"}, "mnist: unexpected arguments"},
		{"unknown flag", []string{"-epochs", "3"}, "mnist: flag provided but not defined: -epochs"},
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

// TestHelpIsNotAnError: -h prints the usage and is no failure, as for
// the go command.
func TestHelpIsNotAnError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &stdout, &stderr)
	assert.ErrorIs(t, err, flag.ErrHelp, "main exits 0 on it")
	assert.Contains(t, stderr.String(), "-hidden")
}

// TestFolderUnderAFile: an -out or -data path that cannot be made says so,
// with one prefix.
func TestFolderUnderAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	for _, tt := range []struct{ flag, prefix string }{
		{"-out", "mnist: -out: mkdir "},
		{"-data", "mnist: mkdir "},
	} {
		t.Run(tt.flag, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{tt.flag, filepath.Join(file, "sub"), "-quiet"}, &stdout, &stderr)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tt.prefix), err.Error())
			assert.Equal(t, 1, strings.Count(err.Error(), "mnist:"), err.Error())
		})
	}
}

func TestNegativeEvalEveryMeansNever(t *testing.T) {
	o, err := parseFlags([]string{"-eval-every", "-1"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, -1, o.evalEvery)
}

func TestOptimizersAndInits(t *testing.T) {
	for _, name := range []string{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"} {
		_, lr, err := newOptimizer(name, 0)
		require.NoError(t, err)
		assert.Greater(t, lr, 0.0, name)
	}
	_, lr, _ := newOptimizer("sgd", 0)
	assert.Equal(t, 0.1, lr, "train_neuralnet.py's rate")
	_, lr, _ = newOptimizer("adam", 0)
	assert.Equal(t, 0.001, lr, "the book's Adam default")
	opt, lr, _ := newOptimizer("momentum", 0.05)
	assert.Equal(t, 0.05, lr)
	assert.Equal(t, &grad.Momentum{LR: 0.05}, opt, "the rate given is the rate used")
	for _, name := range []string{"std", "xavier", "he"} {
		_, err := newInit(name)
		assert.NoError(t, err)
	}
}

func TestHiddenSizes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []int
	}{
		{"the book's", nil, []int{50}},
		{"one", []string{"-hidden", "100"}, []int{100}},
		{"two", []string{"-hidden", "100,100"}, []int{100, 100}},
		{"spaced", []string{"-hidden", "20, 30"}, []int{20, 30}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, io.Discard)
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.hidden)
		})
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
		cfg   numlearn.MultiLayerConfig
		want  string
	}{
		{"the book's two-layer net", []int{784, 50, 10}, numlearn.MultiLayerConfig{},
			"Affine(784→50) → ReLU → Affine(50→10) → softmax"},
		{"the extended net", []int{784, 100, 100, 10}, numlearn.MultiLayerConfig{BatchNorm: true, Dropout: 0.2, WeightDecay: 1e-4},
			"Affine(784→100) → BatchNorm → ReLU → Dropout(0.2) → Affine(100→100) → BatchNorm → ReLU → Dropout(0.2) → Affine(100→10) → softmax; weight decay 0.0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, describe(tt.sizes, "ReLU", tt.cfg))
		})
	}
}

// TestResumedRunEqualsWhole runs the main job for 1,200 steps in one go,
// and again stopped after step 500 and resumed from its checkpoint: the
// two end with the same model.npz, array for array and bit for bit, and
// the same accuracies.
func TestResumedRunEqualsWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST: needs the real MNIST files; run without -short")
	}
	whole, parts := t.TempDir(), t.TempDir()
	ck := filepath.Join(parts, "ck")
	runs := []struct {
		out  string
		args []string
		done string
	}{
		{whole, []string{"-iters", "1200"}, "train accuracy"},
		{parts, []string{"-iters", "1200", "-stop-after", "500", "-checkpoint", ck}, "stopped after step 500"},
		{parts, []string{"-iters", "1200", "-resume", ck, "-checkpoint", ck}, "train accuracy"},
	}
	var outputs []string
	for _, r := range runs {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append(r.args, "-out", r.out, "-json", "-quiet"), &stdout, &stderr)
		require.NoError(t, err, "%s\n%s", stdout.String(), stderr.String())
		require.Contains(t, stdout.String(), r.done)
		outputs = append(outputs, stdout.String())
	}
	last := func(s string) summary {
		lines := strings.Split(strings.TrimSpace(s), "\n")
		var sum summary
		require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &sum))
		return sum
	}
	a, b := last(outputs[0]), last(outputs[2])
	assert.Equal(t, 1200, b.Iterations)
	assert.Equal(t, a.TrainAccuracy, b.TrainAccuracy)
	assert.Equal(t, a.TestAccuracy, b.TestAccuracy)

	want, err := numlearn.LoadModel(filepath.Join(whole, "model.npz"))
	require.NoError(t, err)
	got, err := numlearn.LoadModel(filepath.Join(parts, "model.npz"))
	require.NoError(t, err)
	require.Equal(t, want.ParamNames(), got.ParamNames())
	for i, p := range want.Params() {
		assert.Equal(t, p.Data(), got.Params()[i].Data(), want.ParamNames()[i])
	}
}
