package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/regression"

	"github.com/numlearn/numlearn/examples/internal/chart"
)

// cost3 is the lectures' cost on x = y = [1, 2, 3]: mean((W·x + b − x)²).
func cost3(w, b float64) float64 {
	var sum float64
	for _, x := range []float64{1, 2, 3} {
		r := w*x + b - x
		sum += r * r
	}
	return sum / 3
}

// section returns the lines after the line starting with header and before
// the first line starting with end.
func section(t *testing.T, lines []string, header, end string) []string {
	t.Helper()
	start := -1
	for i, l := range lines {
		if start < 0 && strings.HasPrefix(strings.TrimSpace(l), header) {
			start = i + 1
			continue
		}
		if start >= 0 && strings.HasPrefix(l, end) {
			return lines[start:i]
		}
	}
	t.Fatalf("no section from %q to %q", header, end)
	return nil
}

// fields parses a line of numbers separated by spaces.
func fields(t *testing.T, line string) []float64 {
	t.Helper()
	var out []float64
	for _, f := range strings.Fields(line) {
		v, err := strconv.ParseFloat(f, 64)
		require.NoError(t, err, "line %q", line)
		out = append(out, v)
	}
	return out
}

// value parses the number after prefix on the line that starts with it.
func value(t *testing.T, lines []string, prefix string) float64 {
	t.Helper()
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			require.NoError(t, err, "line %q", l)
			return v
		}
	}
	t.Fatalf("no line starting with %q", prefix)
	return 0
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run([]string{"-out", dir}, &out))
	lines := strings.Split(out.String(), "\n")

	var w0, b0 float64
	_, err := fmt.Sscanf(lines[1], "start: W = %f, b = %f", &w0, &b0)
	require.NoError(t, err, "line %q", lines[1])

	t.Run("lecture 2 progress", func(t *testing.T) {
		rows := section(t, lines, "step  cost", "final:")
		require.Len(t, rows, 101, "steps 0, 20, …, 2000")
		prev := math.Inf(1)
		for i, row := range rows {
			f := fields(t, row)
			require.Len(t, f, 4, "step cost W b")
			assert.Equal(t, float64(20*i), f[0])
			// The printed cost belongs to the printed W and b (each
			// rounded to 6 decimals).
			assert.InDelta(t, cost3(f[2], f[3]), f[1], 1e-6+1e-5*f[1], "row %q", row)
			// Full-batch descent on a quadratic never raises the cost.
			assert.LessOrEqual(t, f[1], prev, "row %q", row)
			prev = f[1]
		}
		first := fields(t, rows[0])
		assert.Equal(t, []float64{w0, b0}, first[2:], "step 0 shows the start")
	})

	t.Run("predictions", func(t *testing.T) {
		// The cost's Hessian in (W, b) is 2/3·[[14 6] [6 3]], with
		// eigenvalues λ = (17 ± √265)/3, about 11.09 and 0.2404. With α = 0.01
		// every eigencomponent of (W−1, b) shrinks by at least
		// 1 − α·λmin per step, so after 2001 steps
		//   |H(x) − x| = |(W−1)·x + b| ≤ √(x²+1)·(1 − α·λmin)²⁰⁰¹·|(W₀−1, b₀)|.
		lmin := (17 - math.Sqrt(265)) / 3
		shrink := math.Pow(1-0.01*lmin, 2001) * math.Hypot(w0-1, b0)
		var w, b, cost float64
		final := section(t, lines, "2000 ", "least squares")
		require.Len(t, final, 1)
		_, err := fmt.Sscanf(final[0], "final: W = %f, b = %f, cost = %g", &w, &b, &cost)
		require.NoError(t, err, "line %q", final[0])
		assert.InDelta(t, cost3(w, b), cost, 1e-6+1e-5*cost)
		for _, x := range []float64{5, 2.5} {
			h := value(t, lines, fmt.Sprintf("prediction for x = %g:", x))
			// H(x) = W·x + b from the printed (rounded) W and b.
			assert.InDelta(t, w*x+b, h, 4e-6, "H(%g) from W and b", x)
			assert.InDelta(t, x, h, math.Hypot(x, 1)*shrink, "H(%g)", x)
			assert.InDelta(t, x, h, 0.05, "H(%g) is close to %g", x, x)
		}
		assert.Contains(t, out.String(), "least squares: W = 1.000000, b = 0.000000\n")
	})

	t.Run("lecture 3 descent", func(t *testing.T) {
		// Without bias, W_k = 1 + (W₀ − 1)·cᵏ with c = 1 − 28·0.05/3 = 8/15,
		// and cost_k = 14/3·(W_k − 1)²; W₀ = −3.
		rows := section(t, lines, "step           W", "wrote")
		require.Len(t, rows, 16, "steps 0 to 15")
		for k, row := range rows {
			f := fields(t, row)
			require.Len(t, f, 3, "step W cost")
			wk := 1 - 4*math.Pow(8.0/15, float64(k))
			assert.Equal(t, float64(k), f[0])
			assert.InDelta(t, wk, f[1], 6e-7, "W_%d", k)
			assert.InEpsilon(t, 14.0/3*(wk-1)*(wk-1), f[2], 1e-5, "cost_%d", k)
		}
	})

	t.Run("pictures", func(t *testing.T) {
		for _, tt := range []struct {
			file   string
			colors []color.RGBA // that must appear: the plotted lines and points
		}{
			{"cost_curve.png", []color.RGBA{{B: 200, A: 255}, {R: 220, G: 60, A: 255}}},
			{"fit.png", []color.RGBA{{B: 200, A: 255}, {A: 255}, {R: 220, G: 60, A: 255}}},
		} {
			t.Run(tt.file, func(t *testing.T) {
				path := filepath.Join(dir, tt.file)
				assert.Contains(t, out.String(), "wrote "+path+"\n")
				img, err := chart.ReadPNG(path)
				require.NoError(t, err)
				assert.Greater(t, img.Bounds().Dx(), 300)
				assert.Greater(t, img.Bounds().Dy(), 200)
				for _, c := range tt.colors {
					assert.True(t, hasColor(img, c), "a pixel of colour %v", c)
				}
			})
		}
	})
}

// hasColor reports whether some pixel of img is exactly c.
func hasColor(img image.Image, c color.RGBA) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == c {
				return true
			}
		}
	}
	return false
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		is   error  // errors.Is target, if any
		msg  string // part of the message
	}{
		{"unknown flag", []string{"-bogus"}, nil, "flag provided but not defined"},
		{"stray argument", []string{"extra"}, nil, "unexpected arguments"},
		{"negative learning rate", []string{"-lr", "-1"}, regression.ErrConfig, "LearningRate"},
		{"learning rate too large", []string{"-lr", "0.3"}, regression.ErrDiverged, "learning rate 0.3 is likely too large"},
		{"bad print interval", []string{"-every", "0"}, nil, "-every"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(append([]string{"-out", t.TempDir()}, tt.args...), &out)
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}
