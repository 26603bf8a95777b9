package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
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

// badRequest is an error in the client's input, answered with its status.
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
		return model{pred: net.NewPredictor(), shape: shape}, nil
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
// which is safe for any number of requests at once.
func newHandler(m model) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
		w.Write(page)
	})
	mux.HandleFunc("POST /predict", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		defer func() {
			// newModel checked the model against a digit's shape; should
			// it fail on one anyway, the client gets an answer, not a
			// dropped connection.
			if v := recover(); v != nil {
				writeError(w, fmt.Errorf("predicting: %v", v))
			}
		}()
		x, err := readImage(w, r)
		if err != nil {
			writeError(w, err)
			return
		}
		var probs tensor.Tensor // the caller's own: one per request
		m.pred.Output(&probs, tensor.FromSlice(x, m.shape...))
		p := probs.Data()
		digit := 0
		for i, v := range p {
			if v > p[digit] {
				digit = i
			}
		}
		writeJSON(w, http.StatusOK, prediction{Digit: digit, Probabilities: p, TookMS: float64(time.Since(start).Microseconds()) / 1000})
	})
	return mux
}

// readImage reads the request's image as 784 pixel values in [0, 1]: a
// PNG (the body itself, or the "image" field of a form upload) or JSON
// pixels.
func readImage(w http.ResponseWriter, r *http.Request) ([]float64, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodySize)
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
		if dec.More() {
			return nil, bad("JSON: more than one value in the body")
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
// anything else as 500.
func writeError(w http.ResponseWriter, err error) {
	if br := (*badRequest)(nil); errors.As(err, &br) {
		writeJSON(w, br.status, errorResponse{br.msg})
		return
	}
	writeJSON(w, http.StatusInternalServerError, errorResponse{"internal error"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
