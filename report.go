package numlearn

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// Reporter prints a training run's progress to a writer: a heading, then
// a line per evaluation — epoch, step, the mean mini-batch loss since the
// line before, the train and test measures (accuracies for a classifier,
// losses for any other network), the time since the start — and, between
// the lines, a progress bar that redraws itself in place when the writer
// is a terminal. Pass its Progress method as TrainConfig.Progress and call
// Finish after Train returns:
//
//	rep := numlearn.NewReporter(os.Stdout)
//	hist, err := net.Train(ctx, x, t, numlearn.TrainConfig{Progress: rep.Progress})
//	rep.Finish()
//
// A Reporter serves one run at a time, on the goroutine that calls Train.
type Reporter struct {
	// Bar says whether to draw the progress bar. NewReporter sets it when
	// the writer is a terminal; clear it for plain lines anywhere.
	Bar bool

	w        io.Writer
	headed   bool
	losses   bool // whether the lines show losses rather than accuracies
	lossSum  float64
	lossRuns int
	first    int // the step before the first one reported
	started  bool
	drawn    time.Time // when the bar was last drawn
	showing  bool      // whether a bar is on the screen
	line     []byte
}

// barEvery is how often the bar is redrawn at most.
const barEvery = 100 * time.Millisecond

// NewReporter returns a Reporter that writes to w, with a progress bar
// when w is a terminal.
func NewReporter(w io.Writer) *Reporter {
	return &Reporter{w: w, Bar: isTerminal(w)}
}

// isTerminal reports whether w is a character device, such as a
// terminal, where a bar can redraw itself with a carriage return.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Progress takes one step's report (TrainConfig.Progress).
func (r *Reporter) Progress(p Progress) {
	if !r.started {
		r.started, r.first = true, p.Iteration-1
	}
	r.lossSum += p.Loss
	r.lossRuns++
	if !p.Evaluated {
		if r.Bar && time.Since(r.drawn) >= barEvery {
			r.drawBar(p)
		}
		return
	}
	r.clearBar()
	if !r.headed {
		r.headed = true
		r.losses = math.IsNaN(p.Eval.TrainAccuracy) && math.IsNaN(p.Eval.TestAccuracy)
		train, test := "train acc", "test acc"
		if r.losses {
			train, test = "train loss", "test loss"
		}
		fmt.Fprintf(r.w, "%7s %6s %8s %10s %9s %8s\n", "epoch", "step", "loss", train, test, "elapsed")
	}
	train, test := p.Eval.TrainAccuracy, p.Eval.TestAccuracy
	if r.losses {
		train, test = p.Eval.TrainLoss, p.Eval.TestLoss
	}
	fmt.Fprintf(r.w, "%7.2f %6d %8.4f %10s %9s %7.1fs\n",
		p.Epoch, p.Iteration, r.lossSum/float64(r.lossRuns), measure(train), measure(test), p.Elapsed.Seconds())
	r.lossSum, r.lossRuns = 0, 0
}

// measure formats an evaluation's measure, a dash for one not made.
func measure(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.4f", v)
}

// Finish removes the progress bar, after the run.
func (r *Reporter) Finish() { r.clearBar() }

// drawBar draws the bar for step p in place of the one before:
// [=====>      ]  1234/10000 steps  812 steps/s  ETA 11s
func (r *Reporter) drawBar(p Progress) {
	const width = 30
	done := min(width*p.Iteration/max(p.Iterations, 1), width)
	r.line = append(r.line[:0], "\r["...)
	r.line = append(r.line, strings.Repeat("=", done)...)
	if done < width {
		r.line = append(r.line, '>')
		r.line = append(r.line, strings.Repeat(" ", width-done-1)...)
	}
	r.line = fmt.Appendf(r.line, "] %d/%d steps", p.Iteration, p.Iterations)
	if s := p.Elapsed.Seconds(); s > 0 {
		rate := float64(p.Iteration-r.first) / s
		left := time.Duration(float64(p.Iterations-p.Iteration) / rate * float64(time.Second)).Round(time.Second)
		r.line = fmt.Appendf(r.line, "  %.0f steps/s  ETA %v", rate, left)
	}
	r.line = append(r.line, "\x1b[K"...) // erase what a longer bar left
	r.w.Write(r.line)
	r.drawn, r.showing = time.Now(), true
}

// clearBar erases the bar, if one is drawn, leaving the cursor at the
// start of its line.
func (r *Reporter) clearBar() {
	if r.showing {
		io.WriteString(r.w, "\r\x1b[K")
		r.showing = false
	}
}
