package numlearn

import (
	"fmt"
	"math"

	"github.com/numlearn/numlearn/tensor"
)

// EarlyStopping ends a run when the evaluations of its validation set
// (TrainConfig.TestX and TestT) stop improving, and leaves the network
// with the parameters and state of the best one, as Keras's EarlyStopping
// with restore_best_weights does. It watches the validation loss (lower is
// better), or with Accuracy the validation accuracy (higher is better),
// which moves in steps of 1/n on n samples and so suits only large sets.
type EarlyStopping struct {
	// Patience is the number of evaluations in a row without
	// improvement after which the run stops; 0 means 5.
	Patience int
	// MinDelta is how much an evaluation must beat the best so far by
	// to count as an improvement; 0 means any amount.
	MinDelta float64
	// Accuracy watches the accuracy instead of the loss; the network's
	// head must predict classes.
	Accuracy bool
}

// earlyStop is EarlyStopping's bookkeeping in a run.
type earlyStop struct {
	cfg      EarlyStopping
	best     float64          // the best measure so far
	bestStep int              // the step it was measured after; 0 before the first evaluation
	bad      int              // evaluations since then without improvement
	snapshot []*tensor.Tensor // the model after bestStep
}

func newEarlyStop(cfg EarlyStopping) *earlyStop {
	if cfg.Patience == 0 {
		cfg.Patience = 5
	}
	return &earlyStop{cfg: cfg}
}

// measure returns the evaluation's measure, made so that lower is better.
func (e *earlyStop) measure(ev Evaluation) float64 {
	if e.cfg.Accuracy {
		return -ev.TestAccuracy
	}
	return ev.TestLoss
}

// observe records the evaluation made after step, keeping a copy of model
// when it is the best so far, and reports whether the run should stop.
func (e *earlyStop) observe(ev Evaluation, step int, model []*tensor.Tensor) bool {
	v := e.measure(ev)
	if e.bestStep == 0 || v < e.best-e.cfg.MinDelta {
		e.best, e.bestStep, e.bad = v, step, 0
		if e.snapshot == nil {
			e.snapshot = cloneAll(model)
		} else {
			copyAll(e.snapshot, model)
		}
		return false
	}
	e.bad++
	return e.bad >= e.cfg.Patience
}

// restore copies the best model into model and returns its step, or
// returns 0 and leaves model alone when there has been no evaluation.
func (e *earlyStop) restore(model []*tensor.Tensor) int {
	if e.bestStep == 0 {
		return 0
	}
	copyAll(model, e.snapshot)
	return e.bestStep
}

// reason says why the run stopped after step.
func (e *earlyStop) reason(step int) string {
	what, best := "test loss", e.best
	if e.cfg.Accuracy {
		what, best = "test accuracy", -best
	}
	if math.IsNaN(best) {
		return fmt.Sprintf("early stopping after step %d: the %s was NaN", step, what)
	}
	return fmt.Sprintf("early stopping after step %d: the %s did not improve on %.4f (after step %d) for %d evaluations; parameters restored to those after step %d",
		step, what, best, e.bestStep, e.bad, e.bestStep)
}
