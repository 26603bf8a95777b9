package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/numlearn/numlearn/mnist"
)

// exitNoBLAS is numpy_mnist.py's exit status when numpy, threadpoolctl or
// OpenBLAS is missing.
const exitNoBLAS = 3

const installHint = "sudo apt-get install -y python3-numpy libopenblas0-pthread python3-threadpoolctl"

// openblasVars slow a current numpy's OpenBLAS where the environment sets
// them for older software; the timed runs go without both.
var openblasVars = []string{"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}

// numpyReport is numpy_mnist.py --blas-info's line.
type numpyReport struct {
	Numpy  string   `json:"numpy"`
	Python string   `json:"python"`
	BLAS   blasInfo `json:"blas"`
}

// bench holds what the runs share: the binaries, the environment, the data.
type bench struct {
	o        options
	stderr   io.Writer
	root     string   // the module's folder
	tmp      string   // binaries and examples/mnist's output files
	env      []string // the timed runs' environment
	removed  []string // the OPENBLAS_* settings taken out of env
	blas     numpyReport
	goBin    string // examples/mnist, CGO_ENABLED=0
	blasBin  string // examples/mnist -tags openblas, or ""
	blasSkip string // why blasBin is ""
}

// newBench fetches MNIST if needed, checks numpy's BLAS and builds
// numlearn. The caller must call close.
func newBench(ctx context.Context, o options, stderr io.Writer) (_ *bench, err error) {
	b := &bench{o: o, stderr: stderr}
	b.env, b.removed = cleanEnv(os.Environ(), o.keepOpenBLASEnv)

	gomod, err := output(ctx, "", nil, "go", "env", "GOMOD")
	if err != nil {
		return nil, err
	}
	gomod = strings.TrimSpace(gomod)
	if gomod == "" || gomod == os.DevNull {
		return nil, errors.New("run inside the numlearn module (go run ./bench/compare from its folder)")
	}
	b.root = filepath.Dir(gomod)
	if b.o.script == "" {
		b.o.script = filepath.Join(b.root, "bench", "numpy_mnist.py")
	}
	if b.o.data == "" {
		if b.o.data, err = mnist.DefaultDir(); err != nil {
			return nil, err
		}
	}
	if err := mnist.Download(ctx, b.o.data); err != nil {
		return nil, err
	}

	if err := b.checkNumpy(ctx); err != nil {
		return nil, err
	}

	if b.tmp, err = os.MkdirTemp("", "numlearn-bench-"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	b.goBin = filepath.Join(b.tmp, "mnist-purego")
	if _, err := output(ctx, b.root, withEnv("CGO_ENABLED=0"), "go", "build", "-o", b.goBin, "./examples/mnist"); err != nil {
		return nil, fmt.Errorf("building numlearn: %w", err)
	}
	if o.openblasTag {
		b.buildOpenBLAS(ctx)
	} else {
		b.blasSkip = "-openblas-tag=false"
	}
	return b, nil
}

func (b *bench) close() {
	if b.tmp != "" {
		os.RemoveAll(b.tmp)
	}
}

// checkNumpy asks the script which BLAS numpy runs; the script exits with
// exitNoBLAS unless it is OpenBLAS.
func (b *bench) checkNumpy(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, b.o.python, b.o.script, "--blas-info")
	cmd.Env = b.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("no %s (%w); install Debian's numpy with OpenBLAS: %s", b.o.python, err, installHint)
	case errors.As(err, &exit) && exit.ExitCode() == exitNoBLAS:
		return fmt.Errorf("refusing to compare: %s", strings.TrimSpace(stderr.String()))
	case err != nil:
		return fmt.Errorf("%s %s --blas-info: %w\n%s", b.o.python, b.o.script, err, stderr.String())
	}
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &b.blas); err != nil {
		return fmt.Errorf("reading %s --blas-info: %w", b.o.script, err)
	}
	if b.blas.BLAS.InternalAPI != "openblas" {
		return fmt.Errorf("refusing to compare: numpy runs %q, not OpenBLAS; %s", b.blas.BLAS.InternalAPI, installHint)
	}
	return nil
}

// buildOpenBLAS builds examples/mnist with -tags openblas if the tag
// changes what is compiled (an unknown tag is silently ignored by go build)
// and the build succeeds; otherwise it records why not.
func (b *bench) buildOpenBLAS(ctx context.Context) {
	list := func(tags ...string) (string, error) {
		args := append([]string{"list", "-deps", "-f", "{{.ImportPath}} {{.GoFiles}} {{.CgoFiles}}"}, tags...)
		return output(ctx, b.root, withEnv("CGO_ENABLED=1"), "go", append(args, "./examples/mnist")...)
	}
	plain, err1 := list()
	tagged, err2 := list("-tags", "openblas")
	switch {
	case err1 != nil || err2 != nil:
		b.blasSkip = fmt.Sprintf("go list failed: %v", errors.Join(err1, err2))
		return
	case plain == tagged:
		b.blasSkip = "no file in the module uses the openblas build tag"
		return
	}
	bin := filepath.Join(b.tmp, "mnist-openblas")
	if _, err := output(ctx, b.root, withEnv("CGO_ENABLED=1"), "go", "build", "-tags", "openblas", "-o", bin, "./examples/mnist"); err != nil {
		msg := err.Error()
		if _, stderr, ok := strings.Cut(msg, "\n"); ok {
			msg = stderr
		}
		b.blasSkip = "-tags openblas does not build: " + firstMessage(msg)
		return
	}
	b.blasBin = bin
}

// envNote says what happened to the OPENBLAS_* settings.
func (b *bench) envNote() string {
	switch {
	case b.o.keepOpenBLASEnv:
		return "OPENBLAS_* environment kept"
	case len(b.removed) == 0:
		return strings.Join(openblasVars, " and ") + " not set"
	}
	return "unset for the runs: " + strings.Join(b.removed, " ")
}

// config is one configuration the rounds time.
type config struct {
	outcome
	run func(context.Context) (result, error)
}

// configs returns the configurations in the order the rounds run them:
// numpy's runs separated by numlearn's, so that a slow spell of the
// machine does not fall on one side only.
func (b *bench) configs() []*config {
	numpy := func(variant string, threads int) func(context.Context) (result, error) {
		return func(ctx context.Context) (result, error) { return b.numpy(ctx, variant, threads) }
	}
	cs := []*config{
		{outcome: outcome{name: refName}, run: numpy("lean", 0)},
		{outcome: outcome{name: targetName}, run: func(ctx context.Context) (result, error) { return b.numlearn(ctx, b.goBin) }},
		{outcome: outcome{name: "numpy book"}, run: numpy("book", 0)},
		{outcome: outcome{name: "numlearn + OpenBLAS", skipped: b.blasSkip}},
		{outcome: outcome{name: oneThreadName}, run: numpy("lean", 1)},
	}
	if b.blasBin != "" {
		cs[3].run = func(ctx context.Context) (result, error) { return b.numlearn(ctx, b.blasBin) }
	}
	return cs
}

// tableOrder is the order of the report's rows.
func tableOrder(cs []*config) []outcome {
	order := []string{"numpy book", refName, oneThreadName, targetName, "numlearn + OpenBLAS"}
	rows := make([]outcome, 0, len(cs))
	for _, name := range order {
		for _, c := range cs {
			if c.name == name {
				rows = append(rows, c.outcome)
			}
		}
	}
	return rows
}

func (b *bench) numpy(ctx context.Context, variant string, threads int) (result, error) {
	out, err := output(ctx, "", b.env, b.o.python, b.o.script, "--variant", variant,
		"--iters", strconv.Itoa(b.o.iters), "--eval-every", strconv.Itoa(bookEvalEvery),
		"--threads", strconv.Itoa(threads), "--data", b.o.data)
	if err != nil {
		return result{}, err
	}
	b.logRun(out)
	r, err := parseResult([]byte(out))
	if err != nil {
		return r, err
	}
	switch {
	case r.BLAS == nil || r.BLAS.InternalAPI != "openblas":
		return r, errors.New("numpy did not run on OpenBLAS")
	case threads > 0 && r.BLAS.NumThreads != threads:
		return r, fmt.Errorf("numpy ran on %d BLAS threads, want %d", r.BLAS.NumThreads, threads)
	}
	return r, nil
}

func (b *bench) numlearn(ctx context.Context, bin string) (result, error) {
	out, err := output(ctx, "", b.env, bin, "-json", "-quiet", "-out", b.tmp,
		"-iters", strconv.Itoa(b.o.iters), "-eval-every", strconv.Itoa(bookEvalEvery), "-data", b.o.data)
	if err != nil {
		return result{}, err
	}
	b.logRun(out)
	return parseResult([]byte(out))
}

func (b *bench) logRun(out string) {
	if b.o.verbose {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		fmt.Fprintln(b.stderr, lines[len(lines)-1])
	}
}

// loadAverage returns the machine's 1, 5 and 15 minute load averages
// where /proc/loadavg has them, else "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// cleanEnv returns environ without openblasVars (unless keep) and the
// settings it took out.
func cleanEnv(environ []string, keep bool) (env, removed []string) {
	if keep {
		return environ, nil
	}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, v := range openblasVars {
			drop = drop || name == v
		}
		if drop {
			removed = append(removed, kv)
		} else {
			env = append(env, kv)
		}
	}
	return env, removed
}

// output runs name with args in dir and returns its stdout. env, when not
// nil, is the whole environment. The error includes the end of stderr.
func output(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	return stdout.String(), nil
}

// withEnv returns this process's environment with settings appended.
func withEnv(settings ...string) []string {
	return append(os.Environ(), settings...)
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// firstMessage returns the first line of s that is not blank and not a
// "# package" header of the go command.
func firstMessage(s string) string {
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return line
		}
	}
	return strings.TrimSpace(s)
}
