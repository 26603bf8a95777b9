package numlearn

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestReporterBar(t *testing.T) {
	var buf bytes.Buffer
	rep := NewReporter(&buf)
	assert.False(t, rep.Bar, "a buffer is not a terminal")
	rep.Bar = true
	nan := math.NaN()
	rep.Progress(Progress{Iteration: 1, Iterations: 4, Loss: 1, Evaluated: true, Eval: Evaluation{TrainAccuracy: 0.5, TestAccuracy: nan}})
	rep.Progress(Progress{Iteration: 2, Iterations: 4, Loss: 1, Elapsed: time.Second})
	out := buf.String()
	// Half the steps done: 15 of the bar's 30 places; 2 steps in the 1 s
	// since the run began, so 2 steps a second and 1 s for the 2 left.
	assert.Contains(t, out, "\r["+strings.Repeat("=", 15)+">"+strings.Repeat(" ", 14)+"] 2/4 steps  2 steps/s  ETA 1s\x1b[K")
	rep.Finish()
	assert.True(t, strings.HasSuffix(buf.String(), "\r\x1b[K"), "Finish erases the bar")
}
