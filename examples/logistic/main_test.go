package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/dataset"
	"github.com/numlearn/numlearn/examples/internal/chart"
)

// diabetes is the lab's data file, from this package's folder.
var diabetes = filepath.Join("..", "..", "dataset", "testdata", "data-03-diabetes.csv")

// rows returns the lines between the line that starts with header and the
// next line that starts with end.
func rows(t *testing.T, lines []string, header, end string) []string {
	t.Helper()
	start := -1
	for i, l := range lines {
		switch {
		case start < 0 && strings.HasPrefix(strings.TrimSpace(l), header):
			start = i + 1
		case start >= 0 && strings.HasPrefix(l, end):
			return lines[start:i]
		}
	}
	t.Fatalf("no lines from %q to %q", header, end)
	return nil
}

// numbers parses a line of numbers separated by spaces.
func numbers(t *testing.T, line string) []float64 {
	t.Helper()
	var out []float64
	for _, f := range strings.Fields(line) {
		v, err := strconv.ParseFloat(f, 64)
		require.NoError(t, err, "line %q", line)
		out = append(out, v)
	}
	return out
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-data", diabetes, "-out", dir, "-json"}, &stdout, &stderr))
	out := stdout.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")

	var s summary
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &s), "the last line is JSON")

	t.Run("results", func(t *testing.T) {
		// The lab reports an accuracy of 0.762846 and a final cost of
		// 0.490767 after 10001 steps at 0.01 from its own random start.
		assert.Equal(t, 10001, s.Steps)
		assert.GreaterOrEqual(t, s.Accuracy, 0.76)
		assert.Less(t, s.Cost, 0.5)
		// Logistic regression cannot fit this data exactly: the cost of
		// the best W and b is far above 0.
		assert.Greater(t, s.Cost, 0.4)
		assert.Greater(t, s.MacroF1, 0.5)
		assert.LessOrEqual(t, s.MacroF1, 1.0)
		assert.Contains(t, out, fmt.Sprintf("final cost %.6f\n", s.Cost))
		assert.Contains(t, out, fmt.Sprintf("Accuracy: %.4f\n", s.Accuracy))
		// The classification report's rows agree with the JSON line.
		assert.Regexp(t, fmt.Sprintf(`\n +accuracy +%.4f +759\n`, s.Accuracy), out)
		assert.Regexp(t, fmt.Sprintf(`\n +macro avg +[0-9.]+ +[0-9.]+ +%.4f +759\n`, s.MacroF1), out)
		assert.Contains(t, out, "x [759 8], y [759 1]\n")
	})

	t.Run("progress", func(t *testing.T) {
		progress := rows(t, lines, "step  cost", "final cost")
		require.Len(t, progress, 51, "steps 0, 200, …, 10000")
		prev := 1e9
		for i, row := range progress {
			f := numbers(t, row)
			require.Len(t, f, 3, "step cost accuracy: %q", row)
			assert.Equal(t, float64(200*i), f[0])
			// The cost is convex with a gradient whose Lipschitz constant is
			// at most ¼·max‖(x, 1)‖² ≤ ¼·9 for 8 features in [−1, 1], so
			// full-batch steps of 0.01 < 2/2.25 never raise it.
			assert.LessOrEqual(t, f[1], prev, "row %q", row)
			prev = f[1]
			assert.True(t, f[2] >= 0 && f[2] <= 1, "accuracy in row %q", row)
		}
		assert.InDelta(t, s.Accuracy, numbers(t, progress[50])[2], 5e-5,
			"the evaluation after the last step is the final accuracy")
	})

	t.Run("hypotheses", func(t *testing.T) {
		shown := rows(t, lines, "hypothesis  predicted", "(749 more")
		require.Len(t, shown, 10)
		d, err := dataset.LoadCSV(diabetes, dataset.CSV{Classes: 2})
		require.NoError(t, err)
		for i, row := range shown {
			f := numbers(t, row)
			require.Len(t, f, 3, "hypothesis predicted Y: %q", row)
			assert.True(t, f[0] > 0 && f[0] < 1, "σ is in (0, 1): %q", row)
			want := 0.0
			if f[0] > 0.5 {
				want = 1
			}
			assert.Equal(t, want, f[1], "prediction is H(x) > 0.5: %q", row)
			assert.Equal(t, float64(d.Labels[i]), f[2], "label of patient %d", i)
		}
	})

	t.Run("pictures", func(t *testing.T) {
		for _, name := range []string{"cost.png", "probability.png"} {
			path := filepath.Join(dir, name)
			assert.Contains(t, out, "wrote "+path+"\n")
			img, err := chart.ReadPNG(path)
			require.NoError(t, err, name)
			assert.Greater(t, img.Bounds().Dx(), 300, name)
			assert.Greater(t, img.Bounds().Dy(), 200, name)
		}
	})
	assert.Empty(t, stderr.String())
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	badLabel := filepath.Join(dir, "bad-label.csv")
	require.NoError(t, os.WriteFile(badLabel, []byte("0.5,-0.5,1\n0.25,0,2\n"), 0o644))

	tests := []struct {
		name string
		args []string
		is   error  // errors.Is target, if any
		msg  string // part of the message
	}{
		{"missing data file", []string{"-data", filepath.Join(dir, "nope.csv")}, fs.ErrNotExist,
			"nope.csv: no such file or directory (-data names the lab's data-03-diabetes.csv"},
		{"label other than 0 or 1", []string{"-data", badLabel}, dataset.ErrFormat,
			`bad-label.csv: line 2, column 8: class label "2" is not an integer in [0, 2)`},
		{"unknown flag", []string{"-bogus"}, nil, "logistic: flag provided but not defined: -bogus"},
		{"stray argument", []string{"extra"}, nil, `logistic: unexpected arguments ["extra"]`},
		{"learning rate", []string{"-lr", "0"}, nil, "logistic: -lr 0: must be positive"},
		{"steps", []string{"-steps", "0"}, nil, "logistic: -steps 0: must be at least 1"},
		{"print interval", []string{"-every", "0"}, nil, "logistic: -every 0: must be at least 1"},
		{"rows shown", []string{"-show", "-1"}, nil, "logistic: -show -1: must not be negative"},
		{"help", []string{"-h"}, flag.ErrHelp, "help requested"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"-data", diabetes, "-out", t.TempDir()}, tt.args...)
			err := run(context.Background(), args, &stdout, &stderr)
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Contains(t, err.Error(), tt.msg)
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var stdout, stderr bytes.Buffer
		err := run(ctx, []string{"-data", diabetes, "-out", t.TempDir()}, &stdout, &stderr)
		assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	})
}
