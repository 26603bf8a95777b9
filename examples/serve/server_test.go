package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/onnx"
	"github.com/numlearn/numlearn/tensor"
)

// torchModel is the MNIST MLP that PyTorch trained (onnx/testdata): a
// real model, which needs no MNIST files to load.
const torchModel = "../../onnx/testdata/torch_mlp.onnx"

// torchConvNet is the MNIST convolutional network PyTorch trained, which
// takes images (1, 28, 28).
const torchConvNet = "../../onnx/testdata/torch_convnet.onnx"

// torchMNISTCNN is PyTorch's MNIST example (channels halved), which
// flattens by view and ends in log_softmax.
const torchMNISTCNN = "../../onnx/testdata/torch_mnist_cnn.onnx"

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

// smallModel returns an untrained 784-8-10 MLP, ready to serve: quick to
// run, for tests of the service rather than of the prediction.
func smallModel(tb testing.TB) model {
	m, err := newModel(numlearn.NewTwoLayerNet(pixels, 8, 10, rand.New(rand.NewPCG(1, 2))))
	require.NoError(tb, err)
	return m
}

// panicky is a layer with a bug: its Forward panics.
type panicky struct{}

func (panicky) Forward(*tensor.Tensor) *tensor.Tensor  { panic("panicky: a bug in Forward") }
func (panicky) Backward(*tensor.Tensor) *tensor.Tensor { panic("panicky: a bug in Backward") }
func (p panicky) Clone() layers.Layer                  { return p }

// panickyModel returns a model whose every prediction panics. newModel
// would refuse it, so it is put together by hand.
func panickyModel() model {
	return model{pred: numlearn.NewNetwork(panicky{}).NewPredictor(), shape: []int{1, pixels}}
}

// discard is a logger that keeps nothing.
var discard = slog.New(slog.DiscardHandler)

// pngOf encodes pixel values in [0, 1] as a gray PNG of the given size.
func pngOf(tb testing.TB, x []float64, w, h int) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range x {
		img.Pix[i] = uint8(v*255 + 0.5)
	}
	var buf bytes.Buffer
	require.NoError(tb, png.Encode(&buf, img))
	return buf.Bytes()
}

func jsonOf(tb testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(tb, err)
	return b
}

// formOf returns a multipart form with the file field "image" holding
// body, and its Content-Type; the boundary is fixed, so that the fuzz
// seeds are the same on every run.
func formOf(tb testing.TB, body []byte) (contentType string, form []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(tb, mw.SetBoundary("digit"))
	fw, err := mw.CreateFormFile("image", "digit.png")
	require.NoError(tb, err)
	fw.Write(body)
	require.NoError(tb, mw.Close())
	return mw.FormDataContentType(), buf.Bytes()
}

// postPredict sends body to h's POST /predict and returns the answer.
func postPredict(h http.Handler, contentType string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/predict", bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// goodInputs are a digit in each form POST /predict takes.
func goodInputs(tb testing.TB) []request {
	one := sampleDigit()
	formType, form := formOf(tb, pngOf(tb, one, 28, 28))
	return []request{
		{"JSON pixels", "application/json", jsonOf(tb, pixelsRequest{one})},
		{"PNG body", "image/png", pngOf(tb, one, 28, 28)},
		{"PNG form upload", formType, form},
	}
}

// request is a body for POST /predict and its Content-Type.
type request struct {
	name, contentType string
	body              []byte
}

// badInput is a request that POST /predict refuses, with the status and
// the words of the error it answers.
type badInput struct {
	request
	status int
	msg    string
}

func badInputs(tb testing.TB) []badInput {
	one := sampleDigit()
	formType, _ := formOf(tb, nil)
	bigFormType, bigForm := formOf(tb, make([]byte, maxBodySize))
	return []badInput{
		{request{"no content type", "", []byte("{}")}, 400, "Content-Type"},
		{request{"text", "text/plain", []byte("7")}, 400, `Content-Type "text/plain"`},
		{request{"malformed JSON", "application/json", []byte(`{"pixels": [1, 2`)}, 400, "JSON"},
		{request{"too few pixels", "application/json", jsonOf(tb, pixelsRequest{one[:783]})}, 400, "783 pixels, want 784"},
		{request{"pixel out of range", "application/json", []byte(`{"pixels": [2` + strings.Repeat(", 0", 783) + `]}`)}, 400, "pixel 0 is 2"},
		{request{"unknown field", "application/json", []byte(`{"pixel": []}`)}, 400, `unknown field "pixel"`},
		{request{"two values", "application/json", append(jsonOf(tb, pixelsRequest{one}), "{}"...)}, 400, "more than one value"},
		{request{"a value and a bracket", "application/json", append(jsonOf(tb, pixelsRequest{one}), "]"...)}, 400, "JSON"},
		{request{"a value and a brace", "application/json", append(jsonOf(tb, pixelsRequest{one}), " }"...)}, 400, "JSON"},
		{request{"not a PNG", "image/png", []byte("GIF89a")}, 400, "PNG"},
		{request{"PNG of the wrong size", "image/png", pngOf(tb, make([]float64, 32*32), 32, 32)}, 400, "32×32"},
		{request{"truncated PNG", "image/png", pngOf(tb, one, 28, 28)[:100]}, 400, "PNG"},
		{request{"form without image", "multipart/form-data; boundary=x", []byte("--x--\r\n")}, 400, `form field "image"`},
		{request{"form without a boundary", "multipart/form-data", []byte("--x--\r\n")}, 400, "boundary"},
		{request{"text in the form", formType, []byte("not a form")}, 400, `form field "image"`},
		{request{"body too large", "application/json", bytes.Repeat([]byte(" "), maxBodySize+1)}, 413, "over the limit"},
		{request{"PNG too large", "image/png", bytes.Repeat([]byte{0}, maxBodySize+1)}, 413, "over the limit"},
		{request{"form too large", bigFormType, bigForm}, 413, "over the limit"},
		{request{"empty JSON", "application/json", nil}, 400, "empty body"},
		{request{"empty PNG", "image/png", nil}, 400, "empty body"},
		{request{"empty form", formType, nil}, 400, "empty body"},
		{request{"empty, no content type", "", nil}, 400, "empty body"},
	}
}

func TestPredictAnswers(t *testing.T) {
	h := newHandler(testPredictor(t), discard)
	for _, tt := range goodInputs(t) {
		t.Run(tt.name, func(t *testing.T) {
			rec := postPredict(h, tt.contentType, tt.body)
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
	h := newHandler(smallModel(t), discard)
	for _, tt := range badInputs(t) {
		t.Run(tt.name, func(t *testing.T) {
			rec := postPredict(h, tt.contentType, tt.body)
			assert.Equal(t, tt.status, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			var e errorResponse
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
			assert.Contains(t, e.Error, tt.msg)
		})
	}
}

// TestPredictRejectsAnEmptyStream: a body sent in chunks, whose length is
// not known in advance, can be empty too.
func TestPredictRejectsAnEmptyStream(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/predict", io.NopCloser(strings.NewReader("")))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	newHandler(smallModel(t), discard).ServeHTTP(rec, req)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "empty body")
}

// TestRoutesAnswerJSON: a wrong method and an unknown path are answered
// in JSON as every other error, a wrong method with the methods allowed.
func TestRoutesAnswerJSON(t *testing.T) {
	h := newHandler(smallModel(t), discard)
	tests := []struct {
		name, method, path string
		status             int
		allow              string
	}{
		{"GET /predict", "GET", "/predict", 405, "POST"},
		{"DELETE /predict", "DELETE", "/predict", 405, "POST"},
		{"POST /", "POST", "/", 405, "GET, HEAD"},
		{"an unknown path", "GET", "/nothing", 404, ""},
		{"POST to an unknown path", "POST", "/predict/more", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.allow, rec.Header().Get("Allow"))
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), "a browser takes the answer for JSON, whatever the path it echoes")
			var e errorResponse
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
			assert.NotEmpty(t, e.Error)
		})
	}
}

func TestPageIsServed(t *testing.T) {
	for _, method := range []string{"GET", "HEAD"} {
		rec := httptest.NewRecorder()
		newHandler(smallModel(t), discard).ServeHTTP(rec, httptest.NewRequest(method, "/", nil))
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
		if method == "GET" {
			assert.Contains(t, rec.Body.String(), `<canvas id="pad"`)
		}
	}
}

// TestRequestsAreLogged: one line per request, with its method, path,
// status, the bytes of the answer and how long it took.
func TestRequestsAreLogged(t *testing.T) {
	var log bytes.Buffer
	h := newHandler(smallModel(t), slog.New(slog.NewTextHandler(&log, nil)))
	good := postPredict(h, "application/json", jsonOf(t, pixelsRequest{sampleDigit()}))
	require.Equal(t, http.StatusOK, good.Code)
	bad := postPredict(h, "text/plain", []byte("7"))
	require.Equal(t, http.StatusBadRequest, bad.Code)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/nothing", nil))
	require.Equal(t, http.StatusNotFound, rec.Code)

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	require.Len(t, lines, 3, log.String())
	for i, want := range []string{
		"level=INFO msg=request method=POST path=/predict status=200 bytes=" + strconv.Itoa(good.Body.Len()) + " duration=",
		"level=INFO msg=request method=POST path=/predict status=400 bytes=" + strconv.Itoa(bad.Body.Len()) + " duration=",
		"level=INFO msg=request method=GET path=/nothing status=404 bytes=" + strconv.Itoa(rec.Body.Len()) + " duration=",
	} {
		assert.Contains(t, lines[i], want)
		assert.NotContains(t, lines[i], "err=")
	}
}

// TestPanicIsAnsweredAndLogged: a model that panics costs the client a
// 500 with a JSON error, not a dropped connection, and the log says why.
func TestPanicIsAnsweredAndLogged(t *testing.T) {
	var log bytes.Buffer
	srv := httptest.NewServer(newHandler(panickyModel(), slog.New(slog.NewTextHandler(&log, nil))))
	defer srv.Close()
	for range 2 { // and the server goes on answering
		resp, err := http.Post(srv.URL+"/predict", "application/json", bytes.NewReader(jsonOf(t, pixelsRequest{sampleDigit()})))
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		assert.JSONEq(t, `{"error": "internal error"}`, string(body))
	}
	srv.Close()
	got := log.String()
	assert.Equal(t, 2, strings.Count(got, "level=ERROR msg=request method=POST path=/predict status=500"), got)
	assert.Contains(t, got, `err="panic: panicky: a bug in Forward"`)
}

// TestPanicAfterTheAnswerStarted: once the status is sent, a panic cannot
// become a 500; the connection is cut, so that the client does not take
// a partial answer for a whole one, and the log says why.
func TestPanicAfterTheAnswerStarted(t *testing.T) {
	var log bytes.Buffer
	h := logRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"digit": 1`))
		panic("a bug halfway")
	}), slog.New(slog.NewTextHandler(&log, nil)))
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	assert.Error(t, err, "the client sees that the answer broke off")
	srv.Close()
	assert.Contains(t, log.String(), `level=ERROR msg=request method=GET path=/ status=200 bytes=11`)
	assert.Contains(t, log.String(), `err="panic: a bug halfway"`)
}

func TestGrayPixels(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 1))
	img.Set(0, 0, color.White)
	img.Set(1, 0, color.Black)
	assert.Equal(t, []float64{1, 0}, grayPixels(img))
}

// FuzzPredict sends arbitrary bodies, with any Content-Type, to POST
// /predict. Every answer is a prediction (200) or a client error in JSON
// (4xx) — never a 500, a panic or an answer that is not JSON — and one
// request allocates no more than a bounded multiple of its body.
//
//	go test -run '^$' -fuzz FuzzPredict -fuzztime 10m -parallel 1 ./examples/serve/
func FuzzPredict(f *testing.F) {
	for _, in := range goodInputs(f) {
		f.Add(in.contentType, in.body)
	}
	for _, in := range badInputs(f) {
		f.Add(in.contentType, in.body)
	}
	var log bytes.Buffer
	h := newHandler(smallModel(f), slog.New(slog.NewTextHandler(&log, nil)))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		log.Reset()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rec := postPredict(h, contentType, body)
		runtime.ReadMemStats(&after)

		// The body is read through a limit of maxBodySize and a PNG is
		// checked for size before its pixels are decoded: what one
		// request allocates is bounded by what it sends. (A server
		// bounds the header too, by MaxHeaderBytes; here any length of
		// Content-Type comes, and counts.)
		n := min(len(body), maxBodySize+1) + len(contentType)
		if alloc, limit := after.TotalAlloc-before.TotalAlloc, uint64(64*n+4<<20); alloc > limit {
			t.Errorf("a body of %d bytes with a Content-Type of %d allocated %d bytes, over %d", len(body), len(contentType), alloc, limit)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("status %d with Content-Type %q: %s", rec.Code, ct, rec.Body)
		}
		switch {
		case rec.Code == http.StatusOK:
			checkPrediction(t, rec.Body.Bytes())
		case rec.Code >= 400 && rec.Code < 500:
			var e errorResponse
			dec := json.NewDecoder(rec.Body)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil || e.Error == "" {
				t.Fatalf("status %d: no JSON error (%v): %s", rec.Code, err, rec.Body)
			}
		default:
			t.Fatalf("status %d: %s; log: %s", rec.Code, rec.Body, &log)
		}
	})
}

// checkPrediction fails t unless body is a prediction: a digit, the
// largest of ten probabilities that sum to 1.
func checkPrediction(t *testing.T, body []byte) {
	t.Helper()
	const tol = 1e-9
	var p prediction
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("status 200: not a prediction (%v): %s", err, body)
	}
	if len(p.Probabilities) != 10 || p.Digit < 0 || p.Digit > 9 || !(p.TookMS >= 0) {
		t.Fatalf("status 200: not a prediction: %s", body)
	}
	sum := 0.0
	for _, v := range p.Probabilities {
		if !(v >= 0 && v <= 1) || v > p.Probabilities[p.Digit] {
			t.Fatalf("status 200: digit %d is not the most probable of %v", p.Digit, p.Probabilities)
		}
		sum += v
	}
	if math.Abs(sum-1) > tol {
		t.Fatalf("status 200: probabilities sum to %v: %v", sum, p.Probabilities)
	}
}

// TestLogSoftmaxModelAnswersProbabilities: a model whose head gives
// log-probabilities, as PyTorch's MNIST example ends in log_softmax, is
// answered with probabilities. Its one Affine layer has zero weights and
// biases b, so every digit gets softmax(b): with b = log(1, …, 10) the
// probabilities are k/55 for k = 1, …, 10 and the digit is 9.
func TestLogSoftmaxModelAnswersProbabilities(t *testing.T) {
	b := tensor.New(10)
	for k := range 10 {
		b.Set(math.Log(float64(k+1)), k)
	}
	net := numlearn.NewNetworkWithHead(&layers.LogSoftmaxWithLoss{}, layers.NewAffine(tensor.New(pixels, 10), b))
	m, err := newModel(net)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/predict", bytes.NewReader(jsonOf(t, pixelsRequest{sampleDigit()})))
	req.Header.Set("Content-Type", "application/json")
	newHandler(m, discard).ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var p prediction
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.Equal(t, 9, p.Digit)
	require.Len(t, p.Probabilities, 10)
	for k, v := range p.Probabilities {
		assert.InDelta(t, float64(k+1)/55, v, 1e-12, "digit %d", k)
	}
}
