package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/numlearn/numlearn/mnist"
)

// The convolutional workload (-workload conv): steps of the book's
// SimpleConvNet (batch 100, Adam, float64) and the accuracy on MNIST's
// 10,000 test images, 100 at a time, by numlearn (bench/convstep), the
// book's numpy code (bench/numpy_convnet.py) and PyTorch
// (bench/torch_convnet.py, float64 and float32), each on the thread
// counts of -threads (one and two by default).
const (
	convSteps      = 30
	convQuickSteps = 5
	convWarmup     = 3
	// convTargetRatio is numlearn's goal against PyTorch float64 at the
	// same number of threads, for a step and for the evaluation alike.
	convTargetRatio = 0.5
)

// convResult is one run's JSON line.
type convResult struct {
	Iterations     int     `json:"iterations"`
	TrainSeconds   float64 `json:"train_seconds"`
	EvalSeconds    float64 `json:"eval_seconds"`
	MsPerIteration float64 `json:"ms_per_iteration"`
	TestAccuracy   float64 `json:"test_accuracy"`
}

// convConfig is one row: who runs, on how many threads, and the runs.
type convConfig struct {
	name    string
	threads int
	skipped string
	run     func(ctx context.Context) (convResult, error)
	runs    []convResult
}

func runConv(ctx context.Context, o options, stdout, stderr io.Writer) error {
	b := &bench{o: o, stderr: stderr}
	b.env, b.removed = cleanEnv(os.Environ(), o.keepOpenBLASEnv)
	gomod, err := output(ctx, "", nil, "go", "env", "GOMOD")
	if err != nil {
		return err
	}
	gomod = strings.TrimSpace(gomod)
	if gomod == "" || gomod == os.DevNull {
		return errors.New("run inside the numlearn module (go run ./bench/compare from its folder)")
	}
	b.root = filepath.Dir(gomod)
	if b.o.script == "" {
		b.o.script = filepath.Join(b.root, "bench", "numpy_convnet.py")
	}
	if b.o.data == "" {
		if b.o.data, err = mnist.DefaultDir(); err != nil {
			return err
		}
	}
	if err := mnist.Download(ctx, b.o.data); err != nil {
		return err
	}
	if err := b.checkNumpy(ctx); err != nil {
		return err
	}
	if b.tmp, err = os.MkdirTemp("", "numlearn-bench-"); err != nil {
		return err
	}
	defer b.close()
	goBin := filepath.Join(b.tmp, "convstep")
	if _, err := output(ctx, b.root, withEnv("CGO_ENABLED=0"), "go", "build", "-o", goBin, "./bench/convstep"); err != nil {
		return fmt.Errorf("building numlearn: %w", err)
	}
	torchScript := filepath.Join(b.root, "bench", "torch_convnet.py")
	torchSkip := ""
	if _, err := output(ctx, "", b.env, b.o.python, "-c", "import torch"); err != nil {
		torchSkip = "no torch for " + b.o.python + "; sudo apt-get install -y python3-torch"
	}

	steps := strconv.Itoa(o.steps)
	common := []string{"-steps", steps, "-warmup", strconv.Itoa(convWarmup), "-data", b.o.data}
	pyArgs := func(extra ...string) []string {
		return append([]string{"--steps", steps, "--warmup", strconv.Itoa(convWarmup), "--data", b.o.data}, extra...)
	}
	runJSON := func(ctx context.Context, env []string, name string, args ...string) (convResult, error) {
		out, err := output(ctx, "", env, name, args...)
		if err != nil {
			return convResult{}, err
		}
		b.logRun(out)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		var r convResult
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
			return r, fmt.Errorf("reading %q: %w", lines[len(lines)-1], err)
		}
		if r.Iterations <= 0 || r.TrainSeconds <= 0 || r.EvalSeconds <= 0 {
			return r, fmt.Errorf("implausible result %q", lines[len(lines)-1])
		}
		return r, nil
	}
	var configs []*convConfig
	for _, threads := range o.threads {
		th := strconv.Itoa(threads)
		configs = append(configs,
			&convConfig{name: "numlearn float64", threads: threads, run: func(ctx context.Context) (convResult, error) {
				return runJSON(ctx, append(b.env[:len(b.env):len(b.env)], "GOMAXPROCS="+th), goBin, common...)
			}},
			&convConfig{name: "PyTorch float64", threads: threads, skipped: torchSkip, run: func(ctx context.Context) (convResult, error) {
				return runJSON(ctx, b.env, b.o.python, append([]string{torchScript}, pyArgs("--dtype", "float64", "--threads", th)...)...)
			}},
			&convConfig{name: "numpy book (im2col)", threads: threads, run: func(ctx context.Context) (convResult, error) {
				return runJSON(ctx, b.env, b.o.python, append([]string{b.o.script}, pyArgs("--threads", th)...)...)
			}},
			&convConfig{name: "PyTorch float32", threads: threads, skipped: torchSkip, run: func(ctx context.Context) (convResult, error) {
				return runJSON(ctx, b.env, b.o.python, append([]string{torchScript}, pyArgs("--dtype", "float32", "--threads", th)...)...)
			}},
		)
	}

	fmt.Fprintf(stdout, "numpy %s on %s: OpenBLAS %s, kernel %s (%s)\n",
		b.blas.Numpy, b.blas.Python, b.blas.BLAS.Version, b.blas.BLAS.Architecture, b.envNote())
	fmt.Fprintf(stdout, "workload: SimpleConvNet (conv 30×5×5, pool 2×2, 4320-100-10), batch 100, Adam; %d timed steps after %d, then 10,000 test images 100 at a time; %d round(s)\n",
		o.steps, convWarmup, o.reps)
	loadBefore := loadAverage()
	for round := 1; round <= o.reps; round++ {
		for _, c := range configs {
			if c.skipped != "" {
				continue
			}
			r, err := c.run(ctx)
			if err != nil {
				return fmt.Errorf("%s, %d thread(s): %w", c.name, c.threads, err)
			}
			c.runs = append(c.runs, r)
			fmt.Fprintf(stderr, "round %d/%d  %-20s %d thread(s)  %8.2f ms/step  eval %6.2fs\n",
				round, o.reps, c.name, c.threads, r.MsPerIteration, r.EvalSeconds)
		}
	}
	fmt.Fprintf(stdout, "load average before %s, after %s (%d CPUs)\n\n", loadBefore, loadAverage(), runtime.NumCPU())
	return writeConvReport(stdout, configs)
}

// bestConv returns the smallest step time and the smallest evaluation
// time among runs (each from whichever run had it), and false for none.
func bestConv(runs []convResult) (step, eval float64, ok bool) {
	for i, r := range runs {
		if i == 0 || r.MsPerIteration < step {
			step = r.MsPerIteration
		}
		if i == 0 || r.EvalSeconds < eval {
			eval = r.EvalSeconds
		}
	}
	return step, eval, len(runs) > 0
}

// writeConvReport prints each row's best step and evaluation times and
// their ratio to PyTorch float64 on the same number of threads.
func writeConvReport(w io.Writer, configs []*convConfig) error {
	ref := map[int][2]float64{}
	for _, c := range configs {
		if step, eval, ok := bestConv(c.runs); ok && c.name == "PyTorch float64" {
			ref[c.threads] = [2]float64{step, eval}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-20s\tthreads\tms/step\t× torch f64\teval s\t× torch f64\t\n", "configuration")
	ratio := func(v float64, threads, i int) string {
		r, ok := ref[threads]
		if !ok || r[i] <= 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f", v/r[i])
	}
	var notes []string
	for _, c := range configs {
		step, eval, ok := bestConv(c.runs)
		if !ok {
			if c.skipped != "" {
				notes = append(notes, fmt.Sprintf("%s, %d thread(s): skipped (%s)", c.name, c.threads, c.skipped))
			}
			continue
		}
		fmt.Fprintf(tw, "%-20s\t%d\t%.1f\t%s\t%.2f\t%s\t\n", c.name, c.threads, step, ratio(step, c.threads, 0), eval, ratio(eval, c.threads, 1))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	for _, c := range configs {
		if c.name != "numlearn float64" {
			continue
		}
		step, eval, ok := bestConv(c.runs)
		r, has := ref[c.threads]
		if !ok || !has {
			continue
		}
		fmt.Fprintf(w, "\nnumlearn / PyTorch float64, %d thread(s): step %.2f, evaluation %.2f (target ≤ %.2f: %s)",
			c.threads, step/r[0], eval/r[1], convTargetRatio, verdict(step/r[0] <= convTargetRatio && eval/r[1] <= convTargetRatio))
	}
	fmt.Fprintln(w)
	return nil
}
