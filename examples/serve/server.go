package main

import (
	"bufio"
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"time"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// Limits on a request: a 28×28 image as PNG or JSON is a few KB, so a
// megabyte is generous, and anything larger is refused before it is read.
const (
	side        = 28
	pixels      = side * side
	maxBodySize = 1 << 20
)

//go:embed page/index.html
var page []byte

// prediction is the answer to POST /predict.
type prediction struct {
	Digit         int       `json:"digit"`
	Probabilities []float64 `json:"probabilities"`
	TookMS        float64   `json:"took_ms"`
}

// pixelsRequest is the JSON form of POST /predict: 784 values in [0, 1],
// row by row, white (1) on black (0) as MNIST's.
type pixelsRequest struct {
	Pixels []float64 `json:"pixels"`
}

// errorResponse is the body of every error answer.
type errorResponse struct {
	Error string `json:"error"`
}

// badRequest is an error in the client's request, answered with its
// status: 400, 404, 405 or 413.
type badRequest struct {
	status int
	msg    string
}

func (e *badRequest) Error() string { return e.msg }

func bad(format string, args ...any) error {
	return &badRequest{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// model is a network ready to serve: its shared predictor and the shape
// of the input it takes for one digit, (1, 784) for an MLP or
// (1, 1, 28, 28) for a convolutional network.
type model struct {
	pred  *numlearn.Predictor
	shape []int
	// logProbs says that the head's outputs are log-probabilities
	// (PyTorch's log_softmax), which the answer turns into probabilities.
	logProbs bool
}

// inputShapes are the shapes a 28×28 digit can be given in, in the order
// newModel tries them.
var inputShapes = [][]int{{1, pixels}, {1, 1, side, side}, {1, side, side}}

// newModel returns the model that serves net: it finds the shape of input
// net takes by trying each of inputShapes on a blank digit, and returns an
// error, before anything is served, when net takes none of them, does not
// answer ten scores, or its head does not predict classes.
func newModel(net *numlearn.Network) (model, error) {
	if _, ok := net.Head().(layers.Classifier); !ok {
		return model{}, fmt.Errorf("its head (%T) does not predict classes", net.Head())
	}
	var first error
	for _, shape := range inputShapes {
		out, err := tryPredict(net, tensor.New(shape...))
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		if s := out.Shape(); len(s) != 2 || s[0] != 1 || s[1] != 10 {
			return model{}, fmt.Errorf("it answers scores of shape %v for one digit, want [1 10]", s)
		}
		_, logProbs := net.Head().(*layers.LogSoftmaxWithLoss)
		return model{pred: net.NewPredictor(), shape: shape, logProbs: logProbs}, nil
	}
	return model{}, fmt.Errorf("it takes none of the inputs a 28×28 digit makes (784 values, or 1×28×28): %w", first)
}

// tryPredict returns net's scores for x, or an error where the network
// rejects x's shape (its layers panic on a shape they cannot take).
func tryPredict(net *numlearn.Network, x *tensor.Tensor) (out *tensor.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return net.Predict(x), nil
}

// newHandler returns the service: GET / serves the drawing page and
// POST /predict classifies one image with the model's shared predictor,
// which is safe for any number of requests at once. Every error is
// answered in JSON, a wrong method with the methods allowed. Each request
// is logged to logger when it is answered.
func newHandler(m model, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
		w.Write(page)
	})
	mux.HandleFunc("/{$}", methodNotAllowed("GET, HEAD"))
	mux.HandleFunc("POST /predict", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		x, err := readImage(w, r)
		if err != nil {
			writeError(w, err)
			return
		}
		var probs tensor.Tensor // the caller's own: one per request
		m.pred.Output(&probs, tensor.FromSlice(x, m.shape...))
		p := probs.Data()
		if m.logProbs {
			for i, v := range p {
				p[i] = math.Exp(v)
			}
		}
		digit := 0
		for i, v := range p {
			if v > p[digit] {
				digit = i
			}
		}
		writeJSON(w, http.StatusOK, prediction{Digit: digit, Probabilities: p, TookMS: float64(time.Since(start).Microseconds()) / 1000})
	})
	mux.HandleFunc("/predict", methodNotAllowed("POST"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &badRequest{http.StatusNotFound, fmt.Sprintf("no such path %q: POST /predict, or GET / for the page", r.URL.Path)})
	})
	return logRequests(mux, logger)
}

// methodNotAllowed answers a request for a path whose methods are allow.
func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, &badRequest{http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s: want %s", r.Method, r.URL.Path, allow)})
	}
}

// logRequests wraps h: it logs one line per request to logger — method,
// path, status, bytes answered, duration, and for a 500 the error — at
// level ERROR for a 500 or a panic, INFO for the rest.
//
// A panic in h is answered as any other internal error: newModel checked
// the model against a digit's shape, but should it fail on one anyway,
// the client gets a 500, not a dropped connection, and the log gets the
// panic's value. Once the status is sent, a 500 is too late: the
// connection is cut instead, so that the client does not take part of an
// answer for the whole.
func logRequests(h http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &loggingWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			sent := lw.status != 0
			if v != nil {
				err := fmt.Errorf("panic: %v", v)
				if sent {
					lw.err = err
				} else {
					writeError(lw, err)
				}
			}
			status := cmp.Or(lw.status, http.StatusOK)
			level, attrs := slog.LevelInfo, []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", lw.bytes),
				slog.Duration("duration", time.Since(start)),
			}
			if lw.err != nil {
				level = slog.LevelError
				attrs = append(attrs, slog.String("err", lw.err.Error()))
			}
			logger.LogAttrs(r.Context(), level, "request", attrs...)
			if v != nil && sent {
				panic(http.ErrAbortHandler) // the server cuts the connection, and logs nothing more
			}
		}()
		h.ServeHTTP(lw, r)
	})
}

// loggingWriter is a ResponseWriter that keeps what the log says of an
// answer: its status, its length and, for a 500, the error.
type loggingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	err    error
}

func (w *loggingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *loggingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap returns the ResponseWriter underneath, for http.ResponseController.
func (w *loggingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// errEmptyBody answers a POST /predict without a body.
var errEmptyBody = bad("empty body: want a 28×28 PNG (the body, or the form field \"image\") or JSON {\"pixels\": [784 values]}")

// readImage reads the request's image as 784 pixel values in [0, 1]: a
// PNG (the body itself, or the "image" field of a form upload) or JSON
// pixels.
func readImage(w http.ResponseWriter, r *http.Request) ([]float64, error) {
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, maxBodySize))
	// An empty body is told apart from a short one of any kind, whether
	// its length was declared or not.
	if _, err := body.Peek(1); err == io.EOF {
		return nil, errEmptyBody
	} else if err != nil {
		return nil, bodyError("body", err)
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{body, r.Body}
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, bad("Content-Type %q: want application/json, image/png or multipart/form-data", r.Header.Get("Content-Type"))
	}
	switch ct {
	case "application/json":
		var req pixelsRequest
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, bodyError("JSON", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			if err == nil {
				return nil, bad("JSON: more than one value in the body")
			}
			return nil, bodyError("JSON", err)
		}
		if len(req.Pixels) != pixels {
			return nil, bad("JSON: %d pixels, want %d (28×28, row by row)", len(req.Pixels), pixels)
		}
		for i, v := range req.Pixels {
			if !(v >= 0 && v <= 1) { // NaN fails too
				return nil, bad("JSON: pixel %d is %g, not in [0, 1]", i, v)
			}
		}
		return req.Pixels, nil
	case "image/png":
		return readPNG(r.Body)
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, bad("multipart/form-data without a boundary")
		}
		f, _, err := r.FormFile("image")
		if err != nil {
			return nil, bodyError("form field \"image\"", err)
		}
		defer f.Close()
		return readPNG(f)
	}
	return nil, bad("Content-Type %q: want application/json, image/png or multipart/form-data", ct)
}

// readPNG decodes a 28×28 PNG into pixel values in [0, 1], its gray level
// divided by 255: a white digit on black, as MNIST's.
func readPNG(r io.Reader) ([]float64, error) {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return nil, bodyError("PNG", err)
	}
	// The header gives the size: check it before decoding any pixels.
	cfg, err := png.DecodeConfig(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, bad("PNG: %v", err)
	}
	if cfg.Width != side || cfg.Height != side {
		return nil, bad("PNG of %d×%d pixels, want 28×28", cfg.Width, cfg.Height)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		return nil, bad("PNG: %v", err)
	}
	return grayPixels(img), nil
}

// grayPixels returns img's gray levels in [0, 1], row by row.
func grayPixels(img image.Image) []float64 {
	b := img.Bounds()
	x := make([]float64, 0, b.Dx()*b.Dy())
	for py := b.Min.Y; py < b.Max.Y; py++ {
		for px := b.Min.X; px < b.Max.X; px++ {
			g := color.Gray16Model.Convert(img.At(px, py)).(color.Gray16)
			x = append(x, float64(g.Y)/math.MaxUint16)
		}
	}
	return x
}

// bodyError turns an error reading the body into a client error: 413 for
// a body over the limit, 400 for the rest.
func bodyError(what string, err error) error {
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		return &badRequest{http.StatusRequestEntityTooLarge, fmt.Sprintf("body over the limit of %d bytes", mbe.Limit)}
	}
	return bad("%s: %v", what, err)
}

// writeError answers err: a client error with its status and message,
// anything else as 500, whose error goes to the log and not to the client.
func writeError(w http.ResponseWriter, err error) {
	if br := (*badRequest)(nil); errors.As(err, &br) {
		writeJSON(w, br.status, errorResponse{br.msg})
		return
	}
	if lw, ok := w.(*loggingWriter); ok {
		lw.err = err
	}
	writeJSON(w, http.StatusInternalServerError, errorResponse{"internal error"})
}

// writeJSON answers v in JSON with status. A browser is told not to guess
// another type: an error may quote the client's own words.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
