package trainlog

import (
	"fmt"
	"io"
	"os"

	"github.com/numlearn/numlearn"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal, where a progress bar can
// redraw itself.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Table prints a line per evaluation of a training run — epoch, step,
// mean loss since the line before, train and test accuracy, time — and on
// a terminal a progress bar between them.
type Table struct {
	w        io.Writer
	bar      *progressbar.ProgressBar // nil when not on a terminal
	lossSum  float64
	lossRuns int
}

// NewTable prints the table's heading to w and returns the table of a run
// of iters steps; interactive adds the progress bar.
func NewTable(w io.Writer, iters int, interactive bool) *Table {
	p := &Table{w: w}
	if interactive {
		p.bar = progressbar.NewOptions(iters,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("training"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("steps"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100_000_000), // redraw at most every 0.1 s
		)
	}
	fmt.Fprintf(w, "%7s %6s %8s %10s %9s %8s\n", "epoch", "step", "loss", "train acc", "test acc", "elapsed")
	return p
}

// Update is the training callback (TrainConfig.Progress): the loss column
// is the mean mini-batch loss since the previous line.
func (p *Table) Update(s numlearn.Progress) {
	p.lossSum += s.Loss
	p.lossRuns++
	if p.bar != nil {
		p.bar.Set(s.Iteration)
	}
	if !s.Evaluated {
		return
	}
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintf(p.w, "%7.2f %6d %8.4f %10.4f %9.4f %7.1fs\n",
		s.Epoch, s.Iteration, p.lossSum/float64(p.lossRuns), s.Eval.TrainAccuracy, s.Eval.TestAccuracy, s.Elapsed.Seconds())
	p.lossSum, p.lossRuns = 0, 0
}

// Finish removes the progress bar, after the last step.
func (p *Table) Finish() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar.Clear()
	}
}

// Download returns a progress callback for the MNIST download: a
// byte-counting bar on a terminal, a line per file otherwise.
func Download(w io.Writer, interactive bool) func(file string, done, total int64) {
	var bar *progressbar.ProgressBar
	current := ""
	return func(file string, done, total int64) {
		if file != current || done == 0 {
			current = file
			if !interactive {
				fmt.Fprintf(w, "fetching %s (%d bytes)\n", file, total)
				return
			}
			if bar != nil {
				bar.Finish()
			}
			bar = progressbar.DefaultBytes(total, "fetching "+file)
		}
		if bar != nil {
			bar.Set64(done)
		}
	}
}
