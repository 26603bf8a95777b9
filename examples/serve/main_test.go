package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"mime/multipart"
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
	"github.com/numlearn/numlearn/onnx"
)

// torchModel is the MNIST MLP that PyTorch trained (onnx/testdata): a
// real model, which needs no MNIST files to load.
const torchModel = "../../onnx/testdata/torch_mlp.onnx"

// torchConvNet is the MNIST convolutional network PyTorch trained, which
// takes images (1, 28, 28).
const torchConvNet = "../../onnx/testdata/torch_convnet.onnx"

// testModel returns the model of the ONNX file name, ready to serve.
func testModel(t *testing.T, name string) model {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	net, err := onnx.Import(f)
	require.NoError(t, err)
	m, err := newModel(net)
	require.NoError(t, err)
	return m
}

func testPredictor(t *testing.T) model { return testModel(t, torchModel) }

// pngOf encodes pixel values in [0, 1] as a gray PNG of the given size.
func pngOf(t *testing.T, x []float64, w, h int) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range x {
		img.Pix[i] = uint8(v*255 + 0.5)
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func jsonOf(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestPredictAnswers(t *testing.T) {
	h := newHandler(testPredictor(t))
	one := sampleDigit()
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("image", "one.png")
	require.NoError(t, err)
	fw.Write(pngOf(t, one, 28, 28))
	require.NoError(t, mw.Close())
	tests := []struct {
		name, contentType string
		body              []byte
	}{
		{"JSON pixels", "application/json", jsonOf(t, pixelsRequest{one})},
		{"PNG body", "image/png", pngOf(t, one, 28, 28)},
		{"PNG form upload", mw.FormDataContentType(), form.Bytes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/predict", bytes.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			var p prediction
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
			assert.Equal(t, 1, p.Digit, "a vertical bar is a 1")
			require.Len(t, p.Probabilities, 10)
			sum := 0.0
			for _, v := range p.Probabilities {
				sum += v
			}
			assert.InDelta(t, 1, sum, 1e-9)
			assert.GreaterOrEqual(t, p.TookMS, 0.0)
		})
	}
}

func TestPredictRejectsBadInput(t *testing.T) {
	h := newHandler(testPredictor(t))
	one := sampleDigit()
	tests := []struct {
		name, method, contentType string
		body                      []byte
		status                    int
		msg                       string
	}{
		{"no content type", "POST", "", []byte("{}"), 400, "Content-Type"},
		{"text", "POST", "text/plain", []byte("7"), 400, `Content-Type "text/plain"`},
		{"malformed JSON", "POST", "application/json", []byte(`{"pixels": [1, 2`), 400, "JSON"},
		{"too few pixels", "POST", "application/json", jsonOf(t, pixelsRequest{one[:783]}), 400, "783 pixels, want 784"},
		{"pixel out of range", "POST", "application/json", []byte(`{"pixels": [2` + strings.Repeat(", 0", 783) + `]}`), 400, "pixel 0 is 2"},
		{"unknown field", "POST", "application/json", []byte(`{"pixel": []}`), 400, `unknown field "pixel"`},
		{"two values", "POST", "application/json", append(jsonOf(t, pixelsRequest{one}), "{}"...), 400, "more than one value"},
		{"not a PNG", "POST", "image/png", []byte("GIF89a"), 400, "PNG"},
		{"PNG of the wrong size", "POST", "image/png", pngOf(t, make([]float64, 32*32), 32, 32), 400, "32×32"},
		{"form without image", "POST", "multipart/form-data; boundary=x", []byte("--x--\r\n"), 400, `form field "image"`},
		{"body too large", "POST", "application/json", bytes.Repeat([]byte(" "), maxBodySize+1), 413, "over the limit"},
		{"GET /predict", "GET", "", nil, 405, ""},
		{"unknown path", "GET", "", nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/predict"
			if tt.name == "unknown path" {
				path = "/nothing"
			}
			req := httptest.NewRequest(tt.method, path, bytes.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.msg != "" {
				var e errorResponse
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
				assert.Contains(t, e.Error, tt.msg)
			}
		})
	}
}

func TestPageIsServed(t *testing.T) {
	rec := httptest.NewRecorder()
	newHandler(testPredictor(t)).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Body.String(), `<canvas id="pad"`)
}

func TestGrayPixels(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 1))
	img.Set(0, 0, color.White)
	img.Set(1, 0, color.Black)
	assert.Equal(t, []float64{1, 0}, grayPixels(img))
}

// TestLoadTest sends a bounded load to a server on loopback: 20,000
// requests from 32 goroutines (2,000 under -short), all answered.
func TestLoadTest(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	srv := httptest.NewServer(newHandler(testPredictor(t)))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := sendLoad(ctx, srv.URL+"/predict", n, 32)
	require.NoError(t, err)
	t.Logf("%v", rep)
	assert.Equal(t, 0, rep.Errors)
	assert.Equal(t, n, rep.Requests)
}

func TestRunServesAnNPZModelAndShutsDown(t *testing.T) {
	name := filepath.Join(t.TempDir(), "model.npz")
	net := numlearn.NewMultiLayerNet([]int{784, 20, 10}, numlearn.MultiLayerConfig{}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, net.SaveFile(name, numlearn.SaveOptions{}))

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-model", name, "-loadtest", "300", "-concurrency", "4"}, &out, &out))
	assert.Contains(t, out.String(), "300 requests in")
	assert.Contains(t, out.String(), " 0 errors")

	// Serving until the context ends, then shutting down cleanly.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var err error
	out.Reset()
	wg.Add(1)
	go func() {
		defer wg.Done()
		err = run(ctx, []string{"-model", name, "-addr", "127.0.0.1:0"}, &out, &out)
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	wg.Wait()
	require.NoError(t, err)
	assert.Contains(t, out.String(), "serving on http://127.0.0.1:")
	assert.Contains(t, out.String(), "shutting down")
}

// TestRunServesConvolutionalNetworks: a SimpleConvNet saved as a model
// file and PyTorch's convolutional network through ONNX both take their
// requests as 1×28×28 images; PyTorch's trained one reads the sample
// digit, a vertical bar, as a 1.
func TestRunServesConvolutionalNetworks(t *testing.T) {
	name := filepath.Join(t.TempDir(), "convnet.npz")
	net := numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, net.SaveFile(name, numlearn.SaveOptions{}))
	for _, file := range []string{name, torchConvNet} {
		var out bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"-model", file, "-loadtest", "200", "-concurrency", "4"}, &out, &out))
		assert.Contains(t, out.String(), "input [1 28 28] per digit")
		assert.Contains(t, out.String(), "200 requests in")
		assert.Contains(t, out.String(), " 0 errors")
	}

	h := newHandler(testModel(t, torchConvNet))
	req := httptest.NewRequest(http.MethodPost, "/predict", bytes.NewReader(jsonOf(t, pixelsRequest{sampleDigit()})))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var p prediction
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.Equal(t, 1, p.Digit, "a vertical bar is a 1")
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
	srv := httptest.NewServer(newHandler(testPredictor(t)))
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
