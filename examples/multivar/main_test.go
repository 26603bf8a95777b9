package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/dataset"
	"github.com/numlearn/numlearn/examples/internal/chart"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/regression"
	"github.com/numlearn/numlearn/tensor"
)

// labFile is the lab's data from this folder.
var labFile = filepath.Join("..", "..", "dataset", "testdata", "data-01-test-score.csv")

// scores reads the lab's file without the dataset package: rows of three
// exam scores and the final score.
func scores(t *testing.T) (x [][3]float64, y []float64) {
	t.Helper()
	b, err := os.ReadFile(labFile)
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, ",")
		require.Len(t, f, 4)
		var v [4]float64
		for j := range v {
			v[j], err = strconv.ParseFloat(f[j], 64)
			require.NoError(t, err)
		}
		x = append(x, [3]float64{v[0], v[1], v[2]})
		y = append(y, v[3])
	}
	require.Len(t, y, 25)
	return x, y
}

// residuals returns H(x) − y for H(x) = w·x + b on every row.
func residuals(x [][3]float64, y []float64, w []float64, b float64) []float64 {
	r := make([]float64, len(y))
	for i := range y {
		r[i] = w[0]*x[i][0] + w[1]*x[i][1] + w[2]*x[i][2] + b - y[i]
	}
	return r
}

// meanSquare returns mean(r²), the lab's cost.
func meanSquare(r []float64) float64 {
	var s float64
	for _, v := range r {
		s += v * v
	}
	return s / float64(len(r))
}

// output is what -json prints, decoded by its documented names.
type output struct {
	Cost             float64   `json:"cost"`
	LeastSquaresCost float64   `json:"least_squares_cost"`
	Steps            int       `json:"steps"`
	W                []float64 `json:"w"`
	B                float64   `json:"b"`
	LeastSquaresW    []float64 `json:"least_squares_w"`
	LeastSquaresB    float64   `json:"least_squares_b"`
	Predictions      []struct {
		X []float64 `json:"x"`
		Y float64   `json:"y"`
	} `json:"predictions"`
	Chart string `json:"chart"`
}

// runJSON runs the program with -json and decodes what it prints.
func runJSON(t *testing.T, args ...string) output {
	t.Helper()
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(append([]string{"-json"}, args...), &stdout, &stderr))
	assert.Empty(t, stderr.String())
	var fields map[string]any
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &fields), "stdout holds one JSON object and nothing else")
	for _, k := range []string{"cost", "least_squares_cost", "steps", "w", "b"} {
		assert.Contains(t, fields, k)
	}
	var o output
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &o))
	return o
}

func TestRunJSON(t *testing.T) {
	const tol = 1e-9 // relative, for sums of 25 products of numbers near 100
	dir := t.TempDir()
	o := runJSON(t, "-data", labFile, "-out", dir)
	x, y := scores(t)

	assert.Equal(t, 2001, o.Steps, "the lab's steps")
	require.Len(t, o.W, 3)
	require.Len(t, o.LeastSquaresW, 3)

	t.Run("least squares is the minimum", func(t *testing.T) {
		// At the minimum of mean((Xw + b − y)²) the gradient vanishes:
		// Σ r = 0 and Σ r·x_j = 0 for each exam j (the normal equations).
		r := residuals(x, y, o.LeastSquaresW, o.LeastSquaresB)
		var sum, scale float64
		for i := range r {
			sum += r[i]
			scale += math.Abs(r[i])
		}
		assert.InDelta(t, 0, sum, tol*scale, "Σ r")
		for j := range 3 {
			var dot, scale float64
			for i := range r {
				dot += r[i] * x[i][j]
				scale += math.Abs(r[i] * x[i][j])
			}
			assert.InDelta(t, 0, dot, tol*scale, "Σ r·x_%d", j)
		}
		assert.InEpsilon(t, meanSquare(r), o.LeastSquaresCost, tol)
	})

	t.Run("the descent gets within 5 % of it", func(t *testing.T) {
		assert.InEpsilon(t, meanSquare(residuals(x, y, o.W, o.B)), o.Cost, tol, "cost is that of w and b")
		assert.GreaterOrEqual(t, o.Cost, o.LeastSquaresCost*(1-tol), "nothing beats least squares")
		assert.LessOrEqual(t, o.Cost, 1.05*o.LeastSquaresCost)
	})

	t.Run("predictions", func(t *testing.T) {
		require.Len(t, o.Predictions, 3)
		for i, want := range [][]float64{{100, 70, 101}, {60, 70, 110}, {90, 100, 80}} {
			p := o.Predictions[i]
			assert.Equal(t, want, p.X)
			h := o.W[0]*want[0] + o.W[1]*want[1] + o.W[2]*want[2] + o.B
			assert.InEpsilon(t, h, p.Y, tol, "H(%v)", want)
		}
	})

	t.Run("chart", func(t *testing.T) {
		path := filepath.Join(dir, "cost.png")
		assert.Equal(t, path, o.Chart)
		img, err := chart.ReadPNG(path)
		require.NoError(t, err)
		assert.Equal(t, 605, img.Bounds().Dx(), "16 cm at 96 dpi: 604.7 pixels")
		assert.Equal(t, 416, img.Bounds().Dy(), "11 cm at 96 dpi: 415.7 pixels")
		assert.True(t, hasColor(img, descentColor), "the cost curve")
		assert.True(t, hasColor(img, exactColor), "the least-squares line")
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

func TestRunText(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	// No -data: the default file is found from this folder.
	require.NoError(t, run([]string{"-out", dir}, &stdout, &stderr))
	text := stdout.String()
	lines := strings.Split(text, "\n")

	assert.Equal(t, "lab 4-3: H(X) = XW + b on "+labFile+": 25 rows, 3 features", lines[0])
	assert.Contains(t, text, "prediction [152 185 180 … 192] (the targets)\n")
	assert.Contains(t, text, "wrote "+filepath.Join(dir, "cost.png")+"\n")

	// Steps 0, 200, …, 2000. On standardised features the cost's Hessian
	// in (W, b) is 2·[[R 0] [0 1]], R the scores' correlation matrix,
	// whose eigenvalues sum to its trace 3: every eigenvalue λ ≤ 6, so
	// α = 0.01 < 2/λ shrinks each component of the error at every step
	// and the cost never rises.
	var rows [][]string
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) > 2 && strings.HasPrefix(f[2], "[") {
			if _, err := strconv.Atoi(f[0]); err == nil {
				rows = append(rows, f)
			}
		}
	}
	require.Len(t, rows, 11)
	prev := math.Inf(1)
	for i, f := range rows {
		assert.Equal(t, strconv.Itoa(200*i), f[0])
		cost, err := strconv.ParseFloat(f[1], 64)
		require.NoError(t, err)
		assert.LessOrEqual(t, cost, prev, "step %s", f[0])
		prev = cost
	}

	// The printed predictions follow from the printed model: W to 4
	// decimals moves H by at most 0.00005·(100 + 70 + 101 + 1) < 0.014,
	// and H is printed to 2.
	var w [3]float64
	var b, cost float64
	final := line(t, lines, "final: ")
	_, err := fmt.Sscanf(final, "final: cost %f, W = [%f %f %f], b = %f in exam points", &cost, &w[0], &w[1], &w[2], &b)
	require.NoError(t, err, "line %q", final)
	var h float64
	_, err = fmt.Sscanf(line(t, lines, "your score will be "), "your score will be %f for [100 70 101]", &h)
	require.NoError(t, err)
	assert.InDelta(t, 100*w[0]+70*w[1]+101*w[2]+b, h, 0.02)
}

// line returns the line that starts with prefix.
func line(t *testing.T, lines []string, prefix string) string {
	t.Helper()
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("no line starting with %q", prefix)
	return ""
}

// TestRunLabAsWritten checks the reason for the defaults: on the raw
// scores, the lab's learning rate and steps end far from the minimum.
func TestRunLabAsWritten(t *testing.T) {
	o := runJSON(t, "-data", labFile, "-out", t.TempDir(), "-standardize=false", "-lr", "1e-5")
	assert.Equal(t, 2001, o.Steps)
	assert.Greater(t, o.Cost, 1.05*o.LeastSquaresCost)
}

func TestRunErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("73,80,75,152\n93,88,n/a,185\n"), 0o644))
	tests := []struct {
		name string
		args []string
		is   error  // errors.Is target, if any
		msg  string // part of the message
	}{
		{"unknown flag", []string{"-bogus"}, nil, "flag provided but not defined"},
		{"stray argument", []string{"extra"}, nil, "unexpected arguments"},
		{"bad print interval", []string{"-every", "0"}, nil, "-every must be positive"},
		{"missing file", []string{"-data", filepath.Join(t.TempDir(), "absent.csv")}, fs.ErrNotExist, "absent.csv"},
		{"malformed file", []string{"-data", bad}, dataset.ErrFormat, `line 2, column 7: "n/a" is not a number`},
		{"negative steps", []string{"-steps", "-1"}, regression.ErrConfig, "Steps"},
		// The bias alone has curvature 2 (see TestRunText): every step
		// multiplies its error by 1 − 2α = −3.
		{"learning rate too large", []string{"-lr", "2"}, regression.ErrDiverged, "learning rate 2 is likely too large"},
		// On raw scores the Hessian's largest eigenvalue is at least its
		// diagonal entry 2·mean(x₁²) > 2·70², so α = 0.01 > 2/λmax.
		{"raw scores with the default rate", []string{"-standardize=false"}, regression.ErrDiverged, "learning rate 0.01 is likely too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(append([]string{"-out", t.TempDir()}, tt.args...), &stdout, &stderr)
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestLocate(t *testing.T) {
	assert.Equal(t, labFile, locate(defaultData), "found two folders up")
	assert.Equal(t, "main.go", locate("main.go"), "found here")
	assert.Equal(t, "no/such/file.csv", locate("no/such/file.csv"), "left for the error to name")
	abs := filepath.Join(t.TempDir(), "x.csv")
	assert.Equal(t, abs, locate(abs))
}

func TestUnstandardize(t *testing.T) {
	// On standardised features H = 2·z₁ − z₂ + 3, with μ = (1, 4) and
	// σ = (2, 0.5): W' = (2/2, −1/0.5) = (1, −2) and
	// b' = 3 − (2·1/2 + (−1)·4/0.5) = 3 − (1 − 8) = 10.
	const tol = 1e-12
	m := &regression.Linear{W: tensor.FromSlice([]float64{2, -1}, 2, 1), B: tensor.FromSlice([]float64{3})}
	s := &layers.Standardize{Mean: tensor.FromSlice([]float64{1, 4}), Std: tensor.FromSlice([]float64{2, 0.5})}
	raw := unstandardize(m, s)
	assert.InDeltaSlice(t, []float64{1, -2}, raw.W.Data(), tol)
	assert.InDeltaSlice(t, []float64{10}, raw.B.Data(), tol)
	// x = (3, 5) is z = (1, 2): H = 2 − 2 + 3 = 3 both ways.
	assert.InDelta(t, 3, raw.Predict(tensor.FromSlice([]float64{3, 5}, 1, 2)).At(0, 0), tol)
	assert.Equal(t, []float64{2, -1}, m.W.Data(), "m is unchanged")
}
