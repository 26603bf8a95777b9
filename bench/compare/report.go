package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Names of the configurations the ratio is taken between.
const (
	refName       = "numpy lean"
	oneThreadName = "numpy lean 1 thread"
	targetName    = "numlearn pure Go"
)

// numlearn's goals for the full run: at most half numpy's time, and at
// least the book's test accuracy.
const (
	targetRatio    = 0.5
	targetAccuracy = 0.965
)

// result is one run's JSON line, as examples/mnist -json and
// bench/numpy_mnist.py print it (the latter adds BLAS).
type result struct {
	Iterations    int       `json:"iterations"`
	LoadSeconds   float64   `json:"load_seconds"`
	TrainSeconds  float64   `json:"train_seconds"`
	EvalSeconds   float64   `json:"eval_seconds"`
	TrainAccuracy float64   `json:"train_accuracy"`
	TestAccuracy  float64   `json:"test_accuracy"`
	BLAS          *blasInfo `json:"blas,omitempty"`
}

// blasInfo is threadpoolctl's record of numpy's BLAS.
type blasInfo struct {
	InternalAPI  string `json:"internal_api"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
	NumThreads   int    `json:"num_threads"`
	Filepath     string `json:"filepath"`
}

// total is the time the comparison is about: training plus evaluations.
func (r result) total() float64 { return r.TrainSeconds + r.EvalSeconds }

// msPerIter is the training time per step, in milliseconds.
func (r result) msPerIter() float64 { return 1000 * r.TrainSeconds / float64(r.Iterations) }

// errNoJSON is returned by parseResult when a run printed no JSON line.
var errNoJSON = errors.New("no JSON line in the output")

// parseResult reads the last line of out that starts with '{'.
func parseResult(out []byte) (result, error) {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		line := bytes.TrimSpace(lines[i])
		if !bytes.HasPrefix(line, []byte("{")) {
			continue
		}
		var r result
		if err := json.Unmarshal(line, &r); err != nil {
			return r, fmt.Errorf("reading %q: %w", line, err)
		}
		if r.Iterations <= 0 || r.TrainSeconds < 0 || r.EvalSeconds < 0 {
			return r, fmt.Errorf("implausible result %q", line)
		}
		return r, nil
	}
	return result{}, errNoJSON
}

// best returns the run with the smallest total, and false for no runs.
func best(runs []result) (result, bool) {
	if len(runs) == 0 {
		return result{}, false
	}
	b := runs[0]
	for _, r := range runs[1:] {
		if r.total() < b.total() {
			b = r
		}
	}
	return b, true
}

// outcome is one row of the report: a configuration's name and its runs,
// or why it was skipped.
type outcome struct {
	name    string
	runs    []result
	skipped string
}

// writeReport prints each configuration's best run, its total relative to
// the ref configuration's best, every round's total, and the ratio of
// target over ref against numlearn's goals (targetRatio, targetAccuracy).
func writeReport(w io.Writer, rows []outcome, ref, target string) error {
	refBest, ok := bestOf(rows, ref)
	if !ok || refBest.total() <= 0 {
		return fmt.Errorf("no run of %s to compare with", ref)
	}
	refTotal := refBest.total()

	// Numbers align right; the names, padded to one width, read left.
	width := len("configuration")
	for _, o := range rows {
		width = max(width, utf8.RuneCountInString(o.name))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\ttrain s\teval s\ttotal s\tms/step\ttest acc\t× %s\t\n", width, "configuration", ref)
	var skipped []string
	for _, o := range rows {
		b, ok := best(o.runs)
		if !ok {
			skipped = append(skipped, fmt.Sprintf("%s: skipped (%s)", o.name, o.skipped))
			continue
		}
		fmt.Fprintf(tw, "%-*s\t%.2f\t%.2f\t%.2f\t%.3f\t%.4f\t%.2f\t\n",
			width, o.name, b.TrainSeconds, b.EvalSeconds, b.total(), b.msPerIter(), b.TestAccuracy, b.total()/refTotal)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintln(w, s)
	}

	fmt.Fprintln(w, "\ntotal s of every round (the table shows the smallest):")
	for _, o := range rows {
		if len(o.runs) == 0 {
			continue
		}
		totals := make([]string, len(o.runs))
		for i, r := range o.runs {
			totals[i] = fmt.Sprintf("%.2f", r.total())
		}
		fmt.Fprintf(w, "  %-22s %s\n", o.name, strings.Join(totals, "  "))
	}

	for _, o := range rows {
		if o.name != target {
			continue
		}
		b, ok := best(o.runs)
		if !ok {
			return fmt.Errorf("no run of %s to compare", target)
		}
		ratio := b.total() / refTotal
		fmt.Fprintf(w, "\n%s / %s (train + evaluations, best of each): %.2f (target ≤ %.2f: %s)\n",
			target, ref, ratio, targetRatio, verdict(ratio <= targetRatio))
		if one, ok := bestOf(rows, oneThreadName); ok {
			fmt.Fprintf(w, "%s / %s: %.2f\n", target, oneThreadName, b.total()/one.total())
			if one.total() < refTotal {
				fmt.Fprintf(w, "warning: numpy was faster on one BLAS thread than on two, so the machine was busy\n"+
					"  and the two-thread figures understate numpy; rerun when it is idle\n")
			}
		}
		if b.Iterations >= bookIterations {
			fmt.Fprintf(w, "%s test accuracy %.4f, %s %.4f (target ≥ %.3f: %s)\n",
				target, b.TestAccuracy, ref, refBest.TestAccuracy, targetAccuracy, verdict(b.TestAccuracy >= targetAccuracy))
		} else {
			fmt.Fprintf(w, "(%d steps instead of %d: a smoke test, not the full measurement)\n", b.Iterations, bookIterations)
		}
	}
	return nil
}

// bestOf returns the best run of the row called name, if it has runs.
func bestOf(rows []outcome, name string) (result, bool) {
	for _, o := range rows {
		if o.name == name {
			return best(o.runs)
		}
	}
	return result{}, false
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}
