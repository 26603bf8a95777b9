// Command compare times numlearn against numpy on the book's MNIST
// training run, on the machine it runs on, and prints the ratio.
//
//	go run ./bench/compare            # 3 rounds of the full run (~5 minutes)
//	go run ./bench/compare -quick     # 1 round of 500 steps: a smoke test
//	go run ./bench/compare -reps 5
//	go run ./bench/compare -workload conv   # chapter 7's SimpleConvNet against numpy and PyTorch
//
// The workload is chapter 5's train_neuralnet.py: a 784-50-10 network,
// weights 0.01·N(0, 1), mini-batches of 100, SGD with learning rate 0.1,
// 10,000 steps, and the accuracy on all 60,000 training and 10,000 test
// images after step 1, every 600 steps and after the last (18 evaluations).
//
// numlearn runs as examples/mnist built with CGO_ENABLED=0 (and, when the
// module has an openblas build tag, also built with -tags openblas); numpy
// runs as bench/numpy_mnist.py under Debian's /usr/bin/python3, in three
// forms: as the book writes it, lean (no extra loss pass, no input gradient
// for the first layer), and lean on one BLAS thread. The script refuses to
// run unless numpy's BLAS is OpenBLAS, and so does this command:
//
//	sudo apt-get install -y python3-numpy libopenblas0-pthread python3-threadpoolctl
//
// Timings on a shared two-core machine are noisy, and OpenBLAS's two-thread
// timings jump between two levels, so each round runs every configuration
// once, interleaved, and the table shows each configuration's best round
// (smallest train + evaluation time), with every round's total below it.
// The ratio compared with numlearn's goal (at most 0.5) is numlearn pure
// Go's best total over numpy lean's best total.
//
// Some processors' environments set OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE,
// which slow a current numpy; the command removes both from the
// environment of the runs it times (unless -keep-openblas-env is given)
// and reports which kernel OpenBLAS then chooses.
//
// -workload conv times another workload: steps of the book's chapter 7
// SimpleConvNet (batch 100, Adam, float64) and the accuracy on the 10,000
// test images, by numlearn (bench/convstep), the book's im2col code in numpy
// (bench/numpy_convnet.py) and PyTorch on the CPU (bench/torch_convnet.py,
// float64 and float32; sudo apt-get install -y python3-torch), each on one
// and two threads, interleaved round by round. -threads 1,2,4,8,16 gives
// other thread counts: numlearn runs with GOMAXPROCS set to each, PyTorch
// with torch.set_num_threads and numpy's OpenBLAS with as many threads.
// The table shows each configuration's best step time and best
// evaluation time and their ratio to PyTorch float64 on as many threads;
// numlearn's goal is at most 0.5.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// The book's workload, fixed so that the figures mean the same thing
// wherever they are quoted. Only the number of steps can change.
const (
	bookIterations = 10000
	bookEvalEvery  = 600 // train_neuralnet.py's iter_per_epoch: 60000/100
	quickIters     = 500
)

// options are the command's flags.
type options struct {
	reps, iters     int
	quick           bool
	python, script  string
	data            string
	keepOpenBLASEnv bool
	workload        string
	steps           int
	threads         []int // of -workload conv
	openblasTag     bool
	verbose         bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.reps, "reps", 3, "rounds; each runs every configuration once and the table shows the best")
	fs.IntVar(&o.iters, "iters", bookIterations, "training steps per run")
	fs.BoolVar(&o.quick, "quick", false, fmt.Sprintf("smoke test: %d steps and 1 round, unless -iters or -reps say otherwise", quickIters))
	fs.StringVar(&o.python, "python", "/usr/bin/python3", "the Python whose numpy is compared (Debian's)")
	fs.StringVar(&o.script, "script", "", "the numpy script (default: bench/numpy_mnist.py in this module)")
	fs.StringVar(&o.data, "data", "", "folder with the MNIST files, fetched if missing (default: mnist.DefaultDir())")
	fs.BoolVar(&o.keepOpenBLASEnv, "keep-openblas-env", false, "keep OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in the runs' environment")
	fs.BoolVar(&o.openblasTag, "openblas-tag", true, "also time numlearn built with -tags openblas, when that tag exists and builds")
	fs.BoolVar(&o.verbose, "v", false, "print every run's JSON line to stderr")
	fs.StringVar(&o.workload, "workload", "mnist", "mnist: chapter 5's training run against numpy; conv: chapter 7's SimpleConvNet step and evaluation against numpy and PyTorch")
	fs.IntVar(&o.steps, "steps", convSteps, fmt.Sprintf("timed steps per run of -workload conv (-quick: %d)", convQuickSteps))
	threads := fs.String("threads", "1,2", "thread counts of -workload conv, comma-separated: numlearn's GOMAXPROCS, torch.set_num_threads, OpenBLAS's threads")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.threads, err = parseThreads(*threads); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["iters"] {
			o.iters = quickIters
		}
		if !set["reps"] {
			o.reps = 1
		}
		if !set["steps"] {
			o.steps = convQuickSteps
		}
	}
	if o.workload != "mnist" && o.workload != "conv" {
		return o, fmt.Errorf("-workload %q: want mnist or conv", o.workload)
	}
	if o.workload == "mnist" && *threads != "1,2" {
		return o, errors.New("-threads applies to -workload conv (the mnist workload times its fixed configurations)")
	}
	if o.steps <= 0 {
		return o, errors.New("-steps must be positive")
	}
	if o.reps <= 0 || o.iters <= 0 {
		return o, errors.New("-reps and -iters must be positive")
	}
	return o, nil
}

// parseThreads reads -threads: positive counts, comma-separated, each
// once.
func parseThreads(list string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-threads %q: want positive numbers separated by commas, as 1,2,4", list)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.workload == "conv" {
		return runConv(ctx, o, stdout, stderr)
	}
	b, err := newBench(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer b.close()

	fmt.Fprintf(stdout, "numpy %s on %s: OpenBLAS %s, kernel %s, %d threads (%s)\n",
		b.blas.Numpy, b.blas.Python, b.blas.BLAS.Version, b.blas.BLAS.Architecture, b.blas.BLAS.NumThreads, b.envNote())
	fmt.Fprintf(stdout, "workload: 784-50-10, batch 100, SGD 0.1, %d steps, evaluations every %d steps; %d round(s)\n",
		o.iters, bookEvalEvery, o.reps)

	configs := b.configs()
	loadBefore := loadAverage()
	for round := 1; round <= o.reps; round++ {
		for _, c := range configs {
			if c.skipped != "" {
				continue
			}
			r, err := c.run(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			c.runs = append(c.runs, r)
			fmt.Fprintf(stderr, "round %d/%d  %-24s train %6.2fs  eval %6.2fs  %.3f ms/step  test %.4f\n",
				round, o.reps, c.name, r.TrainSeconds, r.EvalSeconds, r.msPerIter(), r.TestAccuracy)
		}
	}
	fmt.Fprintf(stdout, "load average before %s, after %s (%d CPUs)\n\n", loadBefore, loadAverage(), runtime.NumCPU())
	return writeReport(stdout, tableOrder(configs), refName, targetName)
}
