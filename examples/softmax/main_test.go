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
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/dataset"
	"github.com/numlearn/numlearn/examples/internal/chart"
)

// zoo is the lab's data file, from this package's folder.
var zoo = filepath.Join("..", "..", "dataset", "testdata", "data-04-zoo.csv")

// labLine is one of the lab's prediction lines.
var labLine = regexp.MustCompile(`^\[(True|False)\] Prediction: (\d) True Y: (\d)$`)

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

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-data", zoo, "-out", dir, "-json"}, &stdout, &stderr))
	out := stdout.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")

	var s summary
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &s), "the last line is JSON")

	t.Run("results", func(t *testing.T) {
		// The lab reports 100 % and a cost of 0.054 after 2001 steps at
		// 0.1; the zoo's classes are separable by a linear classifier.
		assert.Equal(t, 2001, s.Steps)
		assert.GreaterOrEqual(t, s.Accuracy, 0.99)
		assert.GreaterOrEqual(t, s.MacroF1, 0.95)
		assert.Less(t, s.Cost, 0.1)
		assert.Greater(t, s.Cost, 0.0)
		assert.Contains(t, out, fmt.Sprintf("final cost %.6f\n", s.Cost))
		assert.Regexp(t, fmt.Sprintf(`\n +accuracy +%.4f +101\n`, s.Accuracy), out)
		assert.Regexp(t, fmt.Sprintf(`\n +macro avg +[0-9.]+ +[0-9.]+ +%.4f +101\n`, s.MacroF1), out)
		assert.Contains(t, out, "x [101 16], labels 101, one-hot y [101 7]\n")
	})

	t.Run("progress", func(t *testing.T) {
		var steps []int
		var first, last float64
		for i, l := range rows(t, lines, "step  cost", "final cost") {
			var step int
			var cost, acc float64
			_, err := fmt.Sscanf(l, "%d %f %f%%", &step, &cost, &acc)
			require.NoError(t, err, "step cost accuracy: %q", l)
			if i == 0 {
				first = cost
			}
			steps = append(steps, step)
			last = cost
			assert.True(t, acc >= 0 && acc <= 100, "accuracy in %q", l)
		}
		want := make([]int, 21)
		for i := range want {
			want[i] = 100 * i
		}
		assert.Equal(t, want, steps, "steps 0, 100, …, 2000")
		assert.Less(t, last, first/10, "the descent lowers the cost")
	})

	t.Run("predictions", func(t *testing.T) {
		d, err := dataset.LoadCSV(zoo, dataset.CSV{Classes: 7})
		require.NoError(t, err)
		var shown []string
		for _, l := range lines {
			if labLine.MatchString(l) {
				shown = append(shown, l)
			}
		}
		wrong := 0
		for i, l := range shown {
			m := labLine.FindStringSubmatch(l)
			pred, _ := strconv.Atoi(m[2])
			truth, _ := strconv.Atoi(m[3])
			assert.Equal(t, m[1] == "True", pred == truth, "line %q", l)
			// The first 10 animals, then every other one predicted wrongly.
			if i < 10 {
				assert.Equal(t, d.Labels[i], truth, "line %d is animal %d", i, i)
			} else {
				assert.Equal(t, "False", m[1], "line %q after the first 10", l)
			}
			if pred != truth {
				wrong++
			}
		}
		assert.GreaterOrEqual(t, len(shown), 10)
		assert.InDelta(t, s.Accuracy, float64(101-wrong)/101, 1e-12)
		assert.Contains(t, out, fmt.Sprintf("(%d more [True] lines; -show 101 prints them all)\n", 101-len(shown)))
		assert.Contains(t, out, fmt.Sprintf("Accuracy: %.4f (%d of 101 animals, %d wrong)\n", s.Accuracy, 101-wrong, wrong))
	})

	t.Run("pictures", func(t *testing.T) {
		for _, name := range []string{"cost.png", "confusion.png"} {
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

// TestShow checks that -show 101 prints the lab's line for every animal,
// and -show 0 only for those predicted wrongly.
func TestShow(t *testing.T) {
	for _, tt := range []struct {
		show string
		min  int // lab lines at least
	}{{"101", 101}, {"0", 0}} {
		t.Run("show="+tt.show, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.NoError(t, run(context.Background(), []string{"-data", zoo, "-out", t.TempDir(), "-show", tt.show, "-steps", "300"}, &stdout, &stderr))
			n, wrong := 0, 0
			for _, l := range strings.Split(stdout.String(), "\n") {
				if labLine.MatchString(l) {
					n++
					if strings.HasPrefix(l, "[False]") {
						wrong++
					}
				}
			}
			assert.GreaterOrEqual(t, n, tt.min)
			if tt.show == "0" {
				assert.Equal(t, wrong, n, "-show 0 prints only the mistakes")
				assert.Contains(t, stdout.String(), fmt.Sprintf("(%d more [True] lines;", 101-wrong))
			} else {
				assert.Equal(t, 101, n)
				assert.NotContains(t, stdout.String(), "more [True] lines")
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	badLabel := filepath.Join(dir, "bad-label.csv")
	require.NoError(t, os.WriteFile(badLabel, []byte("1,0,6\n0,1,7\n"), 0o644))

	tests := []struct {
		name string
		args []string
		is   error  // errors.Is target, if any
		msg  string // part of the message
	}{
		{"missing data file", []string{"-data", filepath.Join(dir, "nope.csv")}, fs.ErrNotExist,
			"nope.csv: no such file or directory (-data names the lab's data-04-zoo.csv"},
		{"class beyond 6", []string{"-data", badLabel}, dataset.ErrFormat,
			`bad-label.csv: line 2, column 5: class label "7" is not an integer in [0, 7)`},
		{"unknown flag", []string{"-bogus"}, nil, "softmax: flag provided but not defined: -bogus"},
		{"stray argument", []string{"extra"}, nil, `softmax: unexpected arguments ["extra"]`},
		{"learning rate", []string{"-lr", "-0.1"}, nil, "softmax: -lr -0.1: must be positive"},
		{"steps", []string{"-steps", "0"}, nil, "softmax: -steps 0: must be at least 1"},
		{"print interval", []string{"-every", "0"}, nil, "softmax: -every 0: must be at least 1"},
		{"rows shown", []string{"-show", "-1"}, nil, "softmax: -show -1: must not be negative"},
		{"help", []string{"-h"}, flag.ErrHelp, "help requested"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"-data", zoo, "-out", t.TempDir()}, tt.args...)
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
		err := run(ctx, []string{"-data", zoo, "-out", t.TempDir()}, &stdout, &stderr)
		assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	})
}
