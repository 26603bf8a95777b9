package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/examples/playground/engine"
	"github.com/numlearn/numlearn/internal/tooltest"
	"github.com/numlearn/numlearn/mnist"
)

// fakeMNIST returns a folder holding the four files' names, each with
// its own name as content.
func fakeMNIST(t *testing.T) string {
	dir := t.TempDir()
	for name := range mnistFiles {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("no"), 0o644))
	return dir
}

// TestRoutes: the server hands out the page, the module, wasm_exec.js
// and the four MNIST files, and nothing else.
func TestRoutes(t *testing.T) {
	f := files{wasm: []byte("\x00asm module"), wasmExec: []byte("// wasm_exec.js"), built: time.Now()}
	srv := httptest.NewServer(newHandler(f, fakeMNIST(t)))
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		ctype, body  string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8", "<title>numlearn playground</title>"},
		{"GET", "/app.js", 200, "text/javascript; charset=utf-8", "new Worker('worker.js')"},
		{"GET", "/worker.js", 200, "text/javascript; charset=utf-8", "importScripts('wasm_exec.js')"},
		{"GET", "/main.wasm", 200, "application/wasm", "\x00asm module"},
		{"GET", "/wasm_exec.js", 200, "text/javascript; charset=utf-8", "// wasm_exec.js"},
		{"GET", "/mnist/train-images-idx3-ubyte.gz", 200, "application/gzip", "train-images-idx3-ubyte.gz"},
		{"GET", "/mnist/t10k-labels-idx1-ubyte.gz", 200, "application/gzip", "t10k-labels-idx1-ubyte.gz"},
		{"GET", "/mnist/secret.txt", 404, "", ""},
		{"GET", "/mnist/..%2fsecret.txt", 404, "", ""},
		{"GET", "/mnist/", 404, "", ""},
		{"GET", "/index.html", 404, "", ""},
		{"GET", "/page/app.js", 404, "", ""},
		{"GET", "/predict", 404, "", ""},
		{"POST", "/", 405, "", ""},
		{"POST", "/main.wasm", 405, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode)
			if tt.status == 200 {
				assert.Equal(t, tt.ctype, resp.Header.Get("Content-Type"))
				assert.Contains(t, string(body), tt.body)
			}
		})
	}
}

// TestMissingMNISTFile: a file missing from the folder is a 404.
func TestMissingMNISTFile(t *testing.T) {
	h := newHandler(files{}, t.TempDir())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/mnist/train-labels-idx1-ubyte.gz", nil))
	assert.Equal(t, 404, rec.Code)
}

var (
	buildOnce  sync.Once
	builtFiles files
	buildErr   error
)

// built returns the module and wasm_exec.js, built once for all tests.
func built(t *testing.T) files {
	t.Helper()
	buildOnce.Do(func() { builtFiles, buildErr = build(context.Background(), "go") })
	require.NoError(t, buildErr)
	return builtFiles
}

// TestBuild: the module is a WebAssembly binary and wasm_exec.js the Go
// installation's, and the temporary folder is gone.
func TestBuild(t *testing.T) {
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "numlearn-playground-*"))
	f := built(t)
	assert.Equal(t, []byte("\x00asm"), f.wasm[:4])
	assert.Contains(t, string(f.wasmExec), "globalThis.Go = class")
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "numlearn-playground-*"))
	assert.Equal(t, len(before), len(after), "the temporary folder is removed")
}

func TestBuildReportsAMissingGo(t *testing.T) {
	_, err := build(context.Background(), filepath.Join(t.TempDir(), "no-go"))
	assert.ErrorContains(t, err, "playground: go env GOROOT")
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-bench", "-1"}, "-bench -1: must not be negative"},
		{[]string{"extra"}, `unexpected arguments ["extra"]`},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), tt.args, &out, &out)
		assert.ErrorContains(t, err, tt.msg)
	}
}

// realMNIST returns the MNIST folder and sets, fetched if missing; it
// skips under -short.
func realMNIST(t *testing.T) (dir string, train, test *mnist.Set) {
	if testing.Short() {
		t.Skip("trains on the real MNIST files; run without -short")
	}
	dir, err := mnist.DefaultDir()
	require.NoError(t, err)
	train, test, err = mnist.Fetch(context.Background(), dir)
	require.NoError(t, err)
	return dir, train, test
}

// screenshots returns the folder for screenshots: NUMLEARN_SCREENSHOTS,
// or the test's temporary folder.
func screenshots(t *testing.T) string {
	if dir := os.Getenv("NUMLEARN_SCREENSHOTS"); dir != "" {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		return dir
	}
	return t.TempDir()
}

// drive runs testdata/playground.js against a server of the playground
// and decodes what it prints.
func drive(t *testing.T, dir, mode string, steps int, out string, v any) {
	t.Helper()
	modules := tooltest.NodeModules(t, "playwright-core")
	chromium := tooltest.Chromium(t)
	srv := httptest.NewServer(newHandler(built(t), dir))
	defer srv.Close()
	cmd := exec.Command("node", filepath.Join("testdata", "playground.js"), srv.URL+"/", mode, strconv.Itoa(steps), out)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "CHROMIUM="+chromium)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	require.NoError(t, err, "%s%s", stdout, stderr.Bytes())
	require.NoError(t, json.Unmarshal(stdout, v), "%s", stdout)
}

// TestPageInChromium trains the TwoLayerNet for 2,000 steps in the page
// in headless Chromium, reads the test accuracy it shows, draws a 1 and
// a 7 on its pad and reads the predictions, saves the model and loads
// it back. The run is compared step by step with the same run natively.
// NUMLEARN_SCREENSHOTS names a folder to keep the screenshots and the
// model in.
func TestPageInChromium(t *testing.T) {
	tooltest.NodeModules(t, "playwright-core")
	tooltest.Chromium(t)
	dir, train, test := realMNIST(t)
	const steps = 2000
	out := screenshots(t)
	var got struct {
		LoadStatus        string
		TestAccuracyShown float64
		RateShown         float64
		Command           string
		Losses            []float64
		Evals             []numlearn.Evaluation
		Drawn             map[string]struct {
			Digit         string
			Probabilities []float64
		}
		MidDigit  struct{ Digit string }
		MidStep   int
		Loaded    struct{ TestAccuracy float64 }
		Errors    []string
		PageError []any `json:"pageErrors"`
	}
	start := time.Now()
	drive(t, dir, "train", steps, out, &got)
	t.Logf("%s; the page trained %d steps at %.1f steps/s and showed test accuracy %.4f (%.0fs in all); screenshots in %s",
		got.LoadStatus, len(got.Losses), got.RateShown, got.TestAccuracyShown, time.Since(start).Seconds(), out)
	assert.Empty(t, got.Errors)
	assert.Empty(t, got.PageError)
	require.Len(t, got.Losses, steps)
	assert.GreaterOrEqual(t, got.TestAccuracyShown, 0.90)
	assert.Equal(t, fmt.Sprintf("The same run natively: go run ./examples/mnist -seed 1 -iters %d -batch 100 -optimizer sgd -lr 0.1", steps), got.Command)
	for _, d := range []string{"1", "7"} {
		t.Logf("drew a %s: the page shows %s, probabilities %v", d, got.Drawn[d].Digit, got.Drawn[d].Probabilities)
		assert.Equal(t, d, got.Drawn[d].Digit)
	}
	t.Logf("mid-run, after step %d, a drawn 7 read as %s", got.MidStep, got.MidDigit.Digit)

	// The same run natively, with this build's kernels.
	r, err := engine.New(engine.Settings{Iterations: steps}, train, test)
	require.NoError(t, err)
	h, err := r.Train(context.Background(), 0, nil)
	require.NoError(t, err)
	var worst, sum float64
	identical := 0
	for i, l := range h.Loss {
		d := math.Abs(l - got.Losses[i])
		worst, sum = max(worst, d), sum+d
		if d == 0 {
			identical++
		}
	}
	native := h.Evals[len(h.Evals)-1]
	t.Logf("against the native run (%s): %d of %d losses identical, largest difference %.3g, mean %.3g; test accuracy %.4f natively, %.4f in the page",
		kernels, identical, steps, worst, sum/steps, native.TestAccuracy, got.TestAccuracyShown)
	require.Len(t, got.Evals, len(h.Evals))
	for i, e := range h.Evals {
		t.Logf("evaluation after step %d: test accuracy %.4f natively, %.4f in the page; train accuracy %.4f, %.4f",
			e.Iteration, e.TestAccuracy, got.Evals[i].TestAccuracy, e.TrainAccuracy, got.Evals[i].TrainAccuracy)
	}
	assert.InDelta(t, native.TestAccuracy, got.TestAccuracyShown, 0.005)
	assert.Less(t, worst, 0.05, "the page's losses follow the native run's")

	// The saved model is a model file that LoadModel reads, as examples/serve does.
	net, err := numlearn.LoadModel(filepath.Join(out, "model.npz"))
	require.NoError(t, err)
	acc := net.Accuracy(test.Images, test.OneHot())
	t.Logf("model.npz saved by the page: test accuracy %.4f natively, %.4f when the page loaded it back", acc, got.Loaded.TestAccuracy)
	assert.InDelta(t, got.TestAccuracyShown, acc, 0.002)
	assert.InDelta(t, got.TestAccuracyShown, got.Loaded.TestAccuracy, 1e-12)
}

// TestStepsPerSecond measures one training step of each network four
// ways in one run — in the page (WebAssembly in headless Chromium, one
// thread), natively with this build's kernels, and natively with -tags
// purego on every core and on one — and logs the table that the README shows. It runs when
// NUMLEARN_PLAYGROUND_BENCH gives the number of steps (the ConvNet takes
// a tenth of them):
//
//	NUMLEARN_PLAYGROUND_BENCH=1000 go test -run StepsPerSecond -v ./examples/playground
func TestStepsPerSecond(t *testing.T) {
	steps, _ := strconv.Atoi(os.Getenv("NUMLEARN_PLAYGROUND_BENCH"))
	if steps <= 0 {
		t.Skip("set NUMLEARN_PLAYGROUND_BENCH to a number of steps to measure")
	}
	dir, train, test := realMNIST(t)
	models := []string{engine.TwoLayerNet, engine.MultiLayerNet, engine.SimpleConvNet}
	stepsOf := func(model string) int {
		if model == engine.SimpleConvNet {
			return max(1, steps/10)
		}
		return steps
	}
	settings := func(model string) engine.Settings {
		s := engine.Settings{Model: model}
		if model == engine.SimpleConvNet {
			s.Optimizer = "adam"
		}
		return s
	}

	var browser struct {
		Bench map[string]struct{ StepsPerSecond float64 }
	}
	drive(t, dir, "bench", steps, screenshots(t), &browser)

	native := map[string]float64{}
	for _, m := range models {
		rate, err := engine.StepsPerSecond(settings(m), train, test, stepsOf(m))
		require.NoError(t, err)
		native[m] = rate
	}

	// -tags purego on every core, and on one as WebAssembly runs.
	purego := func(env ...string) map[string]float64 {
		rates := map[string]float64{}
		cmd := exec.Command("go", "run", "-tags", "purego", ".", "-data", dir, "-bench", strconv.Itoa(steps))
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[2] == "steps/s" {
				rates[f[0]], _ = strconv.ParseFloat(f[1], 64)
			}
		}
		return rates
	}
	all, one := purego(), purego("GOMAXPROCS=1")
	var b strings.Builder
	fmt.Fprintf(&b, "\n| network (batch 100) | steps | browser (wasm, 1 thread) | native, %s (%d cores) | native -tags purego (%d cores) | native -tags purego (GOMAXPROCS=1) |\n|---|---|---|---|---|---|\n",
		kernels, runtime.GOMAXPROCS(0), runtime.GOMAXPROCS(0))
	for _, m := range models {
		w := browser.Bench[m].StepsPerSecond
		fmt.Fprintf(&b, "| %s | %d | %.1f | %.1f | %.1f | %.1f |\n", m, stepsOf(m), w, native[m], all[m], one[m])
		assert.Positive(t, w, m)
		assert.Positive(t, all[m], m)
		assert.Positive(t, one[m], m)
	}
	t.Log(b.String())
}
