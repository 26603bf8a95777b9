// Command serve answers digit predictions over HTTP with a numlearn model:
// the shape of a Go service that embeds a trained network.
//
//	go run ./examples/serve -model model.npz      # a model file: examples/mnist's, examples/convnet's, any Network's
//	go run ./examples/serve -model mlp.onnx       # or one from PyTorch, through ONNX
//	go run ./examples/serve                       # trains a quick one first
//
// Then open http://127.0.0.1:8080/ and draw a digit, or ask it directly:
//
//	curl -F image=@digit.png http://127.0.0.1:8080/predict
//	curl -H 'Content-Type: image/png' --data-binary @digit.png http://127.0.0.1:8080/predict
//	curl -H 'Content-Type: application/json' -d '{"pixels": [0, 0, …784 values in [0, 1]…]}' \
//	     http://127.0.0.1:8080/predict
//
// POST /predict takes a 28×28 image, white on black as MNIST's — a PNG
// (the body, or the form field "image") or JSON {"pixels": [784 values]} —
// and answers {"digit": 7, "probabilities": [10 values], "took_ms": 0.05}.
// GET / is a page to draw a digit on, which it scales to 28×28 and centres
// as MNIST's digits are, and shows the prediction live.
//
// Every error is answered in JSON, {"error": "…"}: 400 for bad input (an
// empty body, a PNG of another size, 783 pixels…), 413 for a body over
// 1 MiB, 404 for an unknown path, 405 with an Allow header for a method
// a path does not take, and 500 should the model fail on a digit — a
// panic in it included — with the details in the log, not the answer.
//
// Each request is logged to stderr as it is answered, one line in
// log/slog's text form with the method, path, status, bytes answered,
// duration and, for a 500, the error:
//
//	time=… level=INFO msg=request method=POST path=/predict status=200 bytes=245 duration=412µs
//
// Any classifier of digits serves: a model file that carries its
// architecture (numlearn.LoadModel) or an ONNX model (onnx.Import), an
// MLP that takes 784 values or a convolutional network that takes a
// 1×28×28 image. At start-up the command finds which input the model
// takes and shapes every request to it, and it refuses a model it cannot
// feed a 28×28 digit, or that does not answer ten classes, before
// listening.
//
// One numlearn.Predictor answers every request: it is safe for concurrent
// use and allocates nothing per call once warm. The server has read and
// write timeouts and shuts down gracefully on SIGINT or SIGTERM.
//
// -loadtest N sends N requests from -concurrency goroutines to a server of
// its own on a loopback port, prints throughput and latency percentiles,
// and exits:
//
//	go run ./examples/serve -model model.npz -loadtest 20000 -concurrency 32
//
// Should requests fail, the report counts the answers by status and those
// that never came, and gives the first failure: its status and body, or
// the transport's error. The load test's server logs to stderr only the
// requests it fails, with their error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/onnx"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	addr, model, data      string
	iters, hidden          int
	loadtest, concurrency  int
	shutdownGrace, timeout time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&o.model, "model", "", "model to serve: a numlearn model file (.npz) or .onnx, taking 784 values or 1×28×28; none: train a quick one")
	fs.StringVar(&o.data, "data", "", "folder with the MNIST files for the quick training, fetched if missing (default: mnist.DefaultDir())")
	fs.IntVar(&o.iters, "iters", 3000, "training steps of the quick model")
	fs.IntVar(&o.hidden, "hidden", 50, "hidden layer size of the quick model")
	fs.IntVar(&o.loadtest, "loadtest", 0, "send this many requests to a loopback server of its own, report, and exit")
	fs.IntVar(&o.concurrency, "concurrency", 32, "goroutines sending the -loadtest requests")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "read and write timeout of a request")
	fs.DurationVar(&o.shutdownGrace, "grace", 10*time.Second, "how long a shutdown waits for requests in flight")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("serve: %w", err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("serve: unexpected arguments %q", fs.Args())
	}
	if o.iters <= 0 || o.hidden <= 0 || o.concurrency <= 0 || o.loadtest < 0 {
		return o, errors.New("serve: -iters, -hidden and -concurrency must be positive, -loadtest not negative")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	net, err := loadModel(ctx, o, stdout)
	if err != nil {
		return err
	}
	m, err := newModel(net)
	if err != nil {
		return fmt.Errorf("serve: %s: %w", o.model, err)
	}
	fmt.Fprintf(stdout, "model: %s, input %v per digit\n", describe(net), m.shape[1:])
	if o.loadtest > 0 {
		return loadTest(ctx, m, o.loadtest, o.concurrency, stdout, stderr)
	}
	return serve(ctx, o, m, stdout, stderr)
}

// newServer returns a server for h with the timeouts a public service
// needs: a slow client cannot hold a connection open for ever. What the
// server itself has to report (a failed TLS handshake, a connection it
// cannot read) goes to logger too.
func newServer(h http.Handler, timeout time.Duration, logger *slog.Logger) *http.Server {
	return &http.Server{
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       timeout,
		WriteTimeout:      timeout,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
}

// serve serves m on o.addr until ctx ends, then shuts down gracefully:
// requests in flight get o.shutdownGrace to finish. It logs each request
// to stderr.
func serve(ctx context.Context, o options, m model, stdout, stderr io.Writer) error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv := newServer(newHandler(m, logger), o.timeout, logger)
	fmt.Fprintf(stdout, "serving on http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// loadModel returns the model that -model names, or trains a quick one.
func loadModel(ctx context.Context, o options, stdout io.Writer) (*numlearn.Network, error) {
	switch ext := strings.ToLower(filepath.Ext(o.model)); {
	case o.model == "":
		return trainQuick(ctx, o, stdout)
	case ext == ".onnx":
		f, err := os.Open(o.model)
		if err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		defer f.Close()
		net, err := onnx.Import(f)
		if err != nil {
			return nil, fmt.Errorf("serve: %s: %w", o.model, err)
		}
		return net, nil
	default:
		net, err := numlearn.LoadModel(o.model)
		if err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		return net, nil
	}
}

// describe names the network's layers, in order.
func describe(net *numlearn.Network) string {
	var kinds []string
	for _, l := range net.Layers() {
		kinds = append(kinds, strings.TrimPrefix(fmt.Sprintf("%T", l), "*layers."))
	}
	return strings.Join(kinds, " → ")
}

// trainQuick trains the main job's network (examples/mnist: 784-50-10,
// the book's initialisation, SGD at 0.1, batches of 100) for o.iters
// steps: enough for about 93 % test accuracy in a few seconds.
func trainQuick(ctx context.Context, o options, stdout io.Writer) (*numlearn.Network, error) {
	train, test, err := mnist.Fetch(ctx, o.data)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(stdout, "no -model: training 784-%d-10 for %d steps…\n", o.hidden, o.iters)
	net := numlearn.NewTwoLayerNet(pixels, o.hidden, 10, rand.New(rand.NewPCG(1, 2)))
	start := time.Now()
	_, err = net.Train(ctx, train.Images, train.OneHot(), numlearn.TrainConfig{
		Iterations: o.iters,
		Optimizer:  &grad.SGD{LR: 0.1},
		EvalEvery:  -1,
	})
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(stdout, "trained in %.1fs: test accuracy %.4f\n", time.Since(start).Seconds(), net.AccuracyLabels(test.Images, test.Labels))
	return net, nil
}
