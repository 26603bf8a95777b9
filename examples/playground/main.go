// Command playground trains numlearn's networks on MNIST inside the
// browser: it builds the library into a WebAssembly module, serves it
// with a page, and prints the page's address.
//
//	go run ./examples/playground                  # then open http://127.0.0.1:8080/
//	go run ./examples/playground -addr :9000 -data ~/mnist
//	go run ./examples/playground -bench 500       # steps per second, natively
//	go run -tags purego ./examples/playground -bench 500
//
// The page does all the computing in a Web Worker — the server only
// hands out files. It loads MNIST (the mnist package's cache folder,
// which the command fills first when files are missing, served under
// /mnist/), trains the chosen network — the book's TwoLayerNet, a
// MultiLayerNet with BatchNorm and Dropout, or SimpleConvNet (evaluated
// on the first 1,000 samples of each set, as the book's Trainer does,
// since it is slow here) — with the chosen optimizer, learning rate and
// seed, and draws as it goes: the
// loss of every step, the accuracy on the training and test sets after
// every epoch, the first layer's weights as tiles (28×28 for a fully
// connected network, the filters of a convolutional one), and the
// probabilities the network gives a digit drawn on its pad. It saves
// the network as a model file that numlearn.LoadModel and
// examples/serve read, and loads one.
//
// Training in the page is examples/mnist's run, step for step: the
// network and its mini-batches are drawn from the same seed by the same
// code, and the page shows the command line of the native run with the
// same settings. The WebAssembly build has no assembly kernels, so its
// numbers are those of a -tags purego build; the README gives how close
// they come and the steps per second of the three.
//
// The module is built at start-up with the go command on PATH (GOOS=js
// GOARCH=wasm, into a temporary folder that is removed once the module
// is read), and wasm_exec.js comes from the same Go installation
// ($(go env GOROOT)/lib/wasm, or misc/wasm before Go 1.24), so that the
// two always match. -bench N trains each network natively for N steps
// without the server and prints how many steps a second it takes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/numlearn/numlearn/examples/playground/engine"
	"github.com/numlearn/numlearn/mnist"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("playground", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to serve the page on")
	data := fs.String("data", "", "folder with the MNIST files, fetched if missing (default: mnist.DefaultDir())")
	bench := fs.Int("bench", 0, "train each network natively for this many steps, print steps per second and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("playground: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("playground: unexpected arguments %q", fs.Args())
	}
	if *bench < 0 {
		return fmt.Errorf("playground: -bench %d: must not be negative", *bench)
	}
	dir := *data
	if dir == "" {
		var err error
		if dir, err = mnist.DefaultDir(); err != nil {
			return fmt.Errorf("playground: %w", err)
		}
	}
	if *bench > 0 {
		return benchmark(ctx, dir, *bench, stdout)
	}

	if err := mnist.Download(ctx, dir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "MNIST in %s\n", dir)
	start := time.Now()
	files, err := build(ctx, "go")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "built the WebAssembly module (%.1f MB) in %.1fs\n", float64(len(files.wasm))/1e6, time.Since(start).Seconds())

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("playground: %w", err)
	}
	srv := &http.Server{Handler: newHandler(files, dir), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "serving on http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("playground: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// benchmark prints the steps per second of each network, trained
// natively for steps steps with the page's default settings.
func benchmark(ctx context.Context, dir string, steps int, stdout io.Writer) error {
	train, test, err := mnist.Fetch(ctx, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "native (%s), %d steps of 100:\n", kernels, steps)
	for _, model := range []string{engine.TwoLayerNet, engine.MultiLayerNet, engine.SimpleConvNet} {
		s := engine.Settings{Model: model}
		if model == engine.SimpleConvNet {
			s.Optimizer = "adam"
		}
		rate, err := engine.StepsPerSecond(s, train, test, steps)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-10s %8.1f steps/s\n", model, rate)
	}
	return nil
}
