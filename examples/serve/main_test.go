package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/internal/tooltest"
	"github.com/numlearn/numlearn/layers"
)

// TestLoadTest sends a bounded load to a server on loopback: 20,000
// requests from 32 goroutines (2,000 under -short), all answered.
func TestLoadTest(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	srv := httptest.NewServer(newHandler(testPredictor(t), discard))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := sendLoad(ctx, srv.URL+"/predict", n, 32)
	require.NoError(t, err)
	t.Logf("%v", rep)
	assert.Equal(t, 0, rep.Errors)
	assert.Equal(t, n, rep.Requests)
	assert.Equal(t, map[int]int{200: n}, rep.Statuses)
	assert.NoError(t, rep.FirstError)
}

// TestLoadTestReportsFailures: when requests fail, the report says how
// many got which status and what the first failure was, and the
// server's log says why it failed them.
func TestLoadTestReportsFailures(t *testing.T) {
	var out, log bytes.Buffer
	err := loadTest(context.Background(), panickyModel(), 30, 3, &out, &log)
	require.Error(t, err)
	assert.ErrorContains(t, err, "30 of 30 requests failed")
	assert.ErrorContains(t, err, "500: 30")
	assert.ErrorContains(t, err, `first: status 500: {"error":"internal error"}`)
	assert.Contains(t, out.String(), "30 errors")
	assert.Contains(t, log.String(), `err="panic: panicky: a bug in Forward"`)
	assert.NotContains(t, log.String(), "status=200", "the load test logs only failures")
}

func TestClip(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", " {} \n", 8, "{}"},
		{"cut", "abcdef", 4, "abcd…"},
		{"cut before a character of two bytes", "abc×", 4, "abc…"},
		{"at the end of a character", "ab×c", 4, "ab×…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, clip([]byte(tt.in), tt.n))
		})
	}
}

// TestLoadTestReportsUnansweredRequests: a request that gets no answer
// is reported with the transport's error.
func TestLoadTestReportsUnansweredRequests(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/predict"
	srv.Close()
	rep, err := sendLoad(context.Background(), url, 10, 2)
	require.NoError(t, err)
	assert.Equal(t, 10, rep.Errors)
	assert.Equal(t, 10, rep.Unanswered)
	assert.Empty(t, rep.Statuses)
	assert.ErrorContains(t, rep.FirstError, "connection refused")
	assert.Contains(t, rep.String(), "10 without an answer")
	assert.Contains(t, rep.String(), "connection refused")
}

func TestRunServesAnNPZModelAndShutsDown(t *testing.T) {
	name := filepath.Join(t.TempDir(), "model.npz")
	net := numlearn.NewMultiLayerNet([]int{784, 20, 10}, numlearn.MultiLayerConfig{}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, net.SaveFile(name, numlearn.SaveOptions{}))

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-model", name, "-loadtest", "300", "-concurrency", "4"}, &out, &out))
	assert.Contains(t, out.String(), "300 requests in")
	assert.Contains(t, out.String(), " 0 errors")

	// Serving until the context ends, logging each request to stderr,
	// then shutting down cleanly.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var err error
	var stdout, stderr lockedBuffer
	wg.Add(1)
	go func() {
		defer wg.Done()
		err = run(ctx, []string{"-model", name, "-addr", "127.0.0.1:0"}, &stdout, &stderr)
	}()
	var url string
	require.Eventually(t, func() bool {
		_, rest, ok := strings.Cut(stdout.String(), "serving on ")
		url, _, _ = strings.Cut(rest, " ")
		return ok
	}, 5*time.Second, 10*time.Millisecond)
	resp, getErr := http.Get(url + "nothing")
	require.NoError(t, getErr)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	cancel()
	wg.Wait()
	require.NoError(t, err)
	assert.Contains(t, stdout.String(), "serving on http://127.0.0.1:")
	assert.Contains(t, stdout.String(), "shutting down")
	assert.Contains(t, stderr.String(), "msg=request method=GET path=/nothing status=404")
	assert.NotContains(t, stdout.String(), "msg=request", "requests are logged to stderr")
}

// lockedBuffer is a bytes.Buffer that one goroutine can write while
// another reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRunServesConvolutionalNetworks: a SimpleConvNet saved as a model
// file and PyTorch's convolutional networks through ONNX (the book's
// SimpleConvNet, and PyTorch's MNIST example, which flattens by view and
// ends in log_softmax) all take their requests as 1×28×28 images;
// PyTorch's trained ones read the sample digit, a vertical bar, as a 1,
// with probabilities that sum to 1.
func TestRunServesConvolutionalNetworks(t *testing.T) {
	name := filepath.Join(t.TempDir(), "convnet.npz")
	net := numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, net.SaveFile(name, numlearn.SaveOptions{}))
	for _, file := range []string{name, torchConvNet, torchMNISTCNN} {
		var out bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"-model", file, "-loadtest", "200", "-concurrency", "4"}, &out, &out))
		assert.Contains(t, out.String(), "input [1 28 28] per digit")
		assert.Contains(t, out.String(), "200 requests in")
		assert.Contains(t, out.String(), " 0 errors")
	}

	for _, file := range []string{torchConvNet, torchMNISTCNN} {
		h := newHandler(testModel(t, file), discard)
		req := httptest.NewRequest(http.MethodPost, "/predict", bytes.NewReader(jsonOf(t, pixelsRequest{sampleDigit()})))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var p prediction
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
		assert.Equal(t, 1, p.Digit, "%s: a vertical bar is a 1", file)
		sum := 0.0
		for _, v := range p.Probabilities {
			sum += v
		}
		assert.InDelta(t, 1, sum, 1e-6, "%s: the probabilities sum to 1", file)
	}
}

func TestRunRejectsBadModels(t *testing.T) {
	dir := t.TempDir()
	save := func(name string, net *numlearn.Network, opts numlearn.SaveOptions) string {
		path := filepath.Join(dir, name)
		require.NoError(t, net.SaveFile(path, opts))
		return path
	}
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name, file, msg string
	}{
		{"five inputs", save("five.npz", numlearn.NewMultiLayerNet([]int{5, 3, 10}, numlearn.MultiLayerConfig{}, rng), numlearn.SaveOptions{}),
			"takes none of the inputs a 28×28 digit makes (784 values, or 1×28×28)"},
		{"three classes", save("three.npz", numlearn.NewMultiLayerNet([]int{784, 3, 3}, numlearn.MultiLayerConfig{}, rng), numlearn.SaveOptions{}),
			"it answers scores of shape [1 3] for one digit, want [1 10]"},
		{"a regression head", save("regression.npz", numlearn.NewMultiLayerNet([]int{784, 3, 10}, numlearn.MultiLayerConfig{Head: &layers.IdentityWithLoss{}}, rng), numlearn.SaveOptions{}),
			"its head (*layers.IdentityWithLoss) does not predict classes"},
		{"weights alone", save("weights.npz", numlearn.NewTwoLayerNet(784, 5, 10, rng), numlearn.SaveOptions{WeightsOnly: true}),
			"the file has no architecture, only weights"},
		{"a missing file", filepath.Join(dir, "none.onnx"), "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), []string{"-model", tt.file, "-loadtest", "1"}, &out, &out)
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.msg)
			assert.NotContains(t, out.String(), "requests in", "nothing is served")
		})
	}
}

func TestRunTrainsAQuickModel(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on the real MNIST files; run without -short")
	}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-iters", "300", "-loadtest", "100"}, &out, &out))
	assert.Contains(t, out.String(), "training 784-50-10 for 300 steps")
	assert.Contains(t, out.String(), " 0 errors")
}

// TestPageInChromium draws a 1 and a 7 on the page's canvas in headless
// Chromium (testdata/draw.js, through playwright-core) and reads the
// prediction the page shows. NUMLEARN_SCREENSHOTS names a folder to keep
// the screenshots in.
func TestPageInChromium(t *testing.T) {
	modules := tooltest.NodeModules(t, "playwright-core")
	chromium := tooltest.Chromium(t)
	srv := httptest.NewServer(newHandler(testPredictor(t), discard))
	defer srv.Close()
	dir := os.Getenv("NUMLEARN_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, digit := range []string{"1", "7"} {
		t.Run(digit, func(t *testing.T) {
			shot := filepath.Join(dir, "draw"+digit+".png")
			cmd := exec.Command("node", filepath.Join("testdata", "draw.js"), srv.URL+"/", digit, shot)
			cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "CHROMIUM="+chromium)
			out, err := cmd.Output()
			require.NoError(t, err, "%s", out)
			var got struct {
				Digit         string
				Probabilities []float64
				Errors        []string
			}
			require.NoError(t, json.Unmarshal(out, &got), "%s", out)
			t.Logf("drew a %s: the page shows %s, probabilities %v; screenshot %s", digit, got.Digit, got.Probabilities, shot)
			assert.Equal(t, digit, got.Digit)
			assert.Empty(t, got.Errors, "no script errors on the page")
			assert.Len(t, got.Probabilities, 10)
			info, err := os.Stat(shot)
			require.NoError(t, err)
			assert.Positive(t, info.Size())
		})
	}
}
