package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/numlearn/numlearn/mnist"
)

// page holds the page: index.html, app.js (the page's drawing and
// controls) and worker.js (the Web Worker that runs the module).
//
//go:embed page
var page embed.FS

// wasmPackage is the module's package, built for GOOS=js GOARCH=wasm.
const wasmPackage = "github.com/numlearn/numlearn/examples/playground/wasm"

// files are what build makes: the module and the wasm_exec.js of the
// same Go installation.
type files struct {
	wasm, wasmExec []byte
	built          time.Time
}

// build compiles the module with the go command goCmd into a temporary
// folder, reads it and removes the folder, and reads wasm_exec.js from
// the same installation.
func build(ctx context.Context, goCmd string) (files, error) {
	out, err := exec.CommandContext(ctx, goCmd, "env", "GOROOT").Output()
	if err != nil {
		return files{}, fmt.Errorf("playground: go env GOROOT: %w", err)
	}
	goroot := strings.TrimSpace(string(out))
	var f files
	for _, dir := range []string{"lib/wasm", "misc/wasm"} { // Go 1.24 moved it to lib/wasm
		if f.wasmExec, err = os.ReadFile(filepath.Join(goroot, dir, "wasm_exec.js")); err == nil {
			break
		}
	}
	if err != nil {
		return files{}, fmt.Errorf("playground: wasm_exec.js is in neither %s/lib/wasm nor %s/misc/wasm: %w", goroot, goroot, err)
	}

	tmp, err := os.MkdirTemp("", "numlearn-playground-")
	if err != nil {
		return files{}, fmt.Errorf("playground: %w", err)
	}
	defer os.RemoveAll(tmp)
	wasm := filepath.Join(tmp, "main.wasm")
	cmd := exec.CommandContext(ctx, goCmd, "build", "-o", wasm, wasmPackage)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return files{}, fmt.Errorf("playground: building the WebAssembly module (GOOS=js GOARCH=wasm go build %s, run inside the numlearn module): %w\n%s",
			wasmPackage, err, stderr.Bytes())
	}
	if f.wasm, err = os.ReadFile(wasm); err != nil {
		return files{}, fmt.Errorf("playground: %w", err)
	}
	f.built = time.Now()
	return f, nil
}

// mnistFiles are the files served under /mnist/: the four that
// mnist.Download keeps.
var mnistFiles = map[string]bool{
	mnist.TrainImagesFile + ".gz": true,
	mnist.TrainLabelsFile + ".gz": true,
	mnist.TestImagesFile + ".gz":  true,
	mnist.TestLabelsFile + ".gz":  true,
}

// newHandler serves the page, the module, wasm_exec.js and the MNIST
// files of dir. Nothing else: no computation happens on the server.
func newHandler(f files, dir string) http.Handler {
	mux := http.NewServeMux()
	static, err := fs.Sub(page, "page")
	if err != nil {
		panic(err) // the embedded folder is there
	}
	mux.Handle("GET /{$}", noCache(http.FileServerFS(static)))
	for _, name := range []string{"app.js", "worker.js"} {
		mux.Handle("GET /"+name, noCache(http.FileServerFS(static)))
	}
	serve := func(name, ctype string, b []byte) {
		mux.HandleFunc("GET /"+name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeContent(w, r, name, f.built, bytes.NewReader(b))
		})
	}
	serve("main.wasm", "application/wasm", f.wasm)
	serve("wasm_exec.js", "text/javascript; charset=utf-8", f.wasmExec)
	mux.HandleFunc("GET /mnist/{file}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		if !mnistFiles[name] {
			http.NotFound(w, r)
			return
		}
		file, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				http.NotFound(w, r)
				return
			}
			http.Error(w, "cannot read "+name, http.StatusInternalServerError)
			return
		}
		defer file.Close()
		info, err := file.Stat()
		if err != nil {
			http.Error(w, "cannot read "+name, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/gzip")
		http.ServeContent(w, r, name, info.ModTime(), file)
	})
	return mux
}

// noCache makes the browser check the page's files on every load, so
// that an edited page is never served stale.
func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}
