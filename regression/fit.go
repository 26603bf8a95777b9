package regression

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/numlearn/numlearn/tensor"
)

// Divergence rule constants; see Fit.
const (
	// divergeGrowth is how many times the starting cost a cost may reach
	// before the fit counts as diverged.
	divergeGrowth = 1e6
	// divergeRises is how many consecutive rising costs, ending above the
	// starting cost, count as divergence.
	divergeRises = 100
)

// historyPrealloc is how many costs Fit makes room for at the start; a
// longer history grows as the steps are made.
const historyPrealloc = 1 << 12

// Config holds the settings of Fit. LearningRate must be set; every other
// zero field means the plain full-batch descent of the lectures.
type Config struct {
	// LearningRate is the step size α in W ← W − α·∂cost/∂W. It must be
	// positive and finite.
	LearningRate float64

	// Steps is the number of updates. Zero makes Fit a no-op; negative is
	// an error. Any positive count is valid, up to math.MaxInt: the cost
	// history grows with the steps made, so a large count with Tolerance
	// or a Callback to stop the fit costs only the steps it runs.
	Steps int

	// Tolerance, if positive, stops the fit early once the descent has
	// flattened out: when the mean cost of an epoch is lower than that of
	// the epoch before by less than Tolerance (a rise does not count).
	// With full batches every step is an epoch, so this compares the costs
	// before consecutive steps. The update of the step that triggers the
	// stop is still made. Zero means run all Steps.
	Tolerance float64

	// BatchSize, if positive and below the number of rows, makes the fit
	// stochastic (mini-batch) gradient descent: each epoch visits the rows
	// once in an order shuffled by Rand, BatchSize rows per step, the last
	// batch of an epoch holding the rest. Zero, or a value not below the
	// number of rows, means full-batch descent.
	BatchSize int

	// Rand shuffles the rows for mini-batches; it is required when
	// BatchSize makes the fit stochastic and unused otherwise. Seed it for
	// reproducible fits.
	Rand *rand.Rand

	// Callback, if not nil, is called before each update with the step
	// number (from 0), the cost and the model's W and B at that point (B
	// is nil for a model without bias), so the cost belongs to those
	// parameters. The tensors are the model's own: read or Clone them, do
	// not change them. Returning Stop ends the fit before this step's
	// update with a nil error; returning another error ends it and Fit
	// returns that error wrapped.
	Callback func(step int, cost float64, w, b *tensor.Tensor) error
}

// check reports a Config field out of range for data with the given rows.
func (cfg *Config) check(rows int) error {
	switch {
	case !(cfg.LearningRate > 0) || math.IsInf(cfg.LearningRate, 1):
		return fmt.Errorf("%w: LearningRate is %g, want a positive finite number", ErrConfig, cfg.LearningRate)
	case cfg.Steps < 0:
		return fmt.Errorf("%w: Steps is %d, want 0 or more", ErrConfig, cfg.Steps)
	case !(cfg.Tolerance >= 0) || math.IsInf(cfg.Tolerance, 1):
		return fmt.Errorf("%w: Tolerance is %g, want 0 or a positive finite number", ErrConfig, cfg.Tolerance)
	case cfg.BatchSize < 0:
		return fmt.Errorf("%w: BatchSize is %d, want 0 (full batch) or more", ErrConfig, cfg.BatchSize)
	case cfg.BatchSize > 0 && cfg.BatchSize < rows && cfg.Rand == nil:
		return fmt.Errorf("%w: BatchSize %d of %d rows needs Rand to shuffle them", ErrConfig, cfg.BatchSize, rows)
	}
	return nil
}

// Fit runs gradient descent on Cost from the model's current W and B,
// updating them in place:
//
//	W ← W − α·∂cost/∂W,   B ← B − α·∂cost/∂B
//
// with the exact gradient of Gradient, on all rows at once or on shuffled
// mini-batches (see Config). It returns the cost before each update that
// was made, so costs[0] is the starting cost and len(costs) is the number
// of updates; for mini-batches each cost is that of the step's batch.
//
// Fit checks its input first and returns, without touching the model, an
// error wrapping ErrShape, ErrEmpty or ErrNonFinite for data the model
// cannot use (see Check; a nil model, W, x or y is an ErrShape), or
// ErrConfig for a bad Config.
//
// The fit counts as diverged at a step whose cost is NaN or infinite,
// whose cost exceeds 10⁶ times the starting cost (for mini-batches, times
// the largest cost a batch could have had at the start, rows/BatchSize
// times the full cost), or whose cost has risen at each of the last 100
// steps and is above the starting cost; likewise when an update makes W or
// B non-finite. A descent that converges, even with a learning rate near
// the limit where the steps overshoot and alternate, lowers the cost at
// every full-batch step and never meets these conditions. On divergence Fit
// stops and puts W and B back to the last parameters whose cost passed
// these checks, one update before the ones that failed. It returns the
// costs before the updates that led to those parameters, and a
// *DivergedError (matching ErrDiverged) that names the step and holds
// their cost as LastCost.
func (m *Linear) Fit(x, y *tensor.Tensor, cfg Config) ([]float64, error) {
	yv, err := m.checkXY(x, y)
	if err != nil {
		return nil, err
	}
	if err := m.checkFinite(x, y); err != nil {
		return nil, err
	}
	rows := x.Shape()[0]
	if err := cfg.check(rows); err != nil {
		return nil, err
	}
	if cfg.Steps == 0 {
		return []float64{}, nil
	}
	f := newFitter(m, x, yv, cfg)
	return f.run()
}

// fitter holds the state and the buffers of one Fit, so that a step
// allocates nothing.
type fitter struct {
	m    *Linear
	x, y *tensor.Tensor // y viewed as (rows, outputs)
	cfg  Config

	dW, dB       tensor.Tensor // gradients
	prevW, prevB tensor.Tensor // parameters before the last update

	full  batch   // all rows (full batch) or BatchSize rows
	rest  batch   // the last, shorter batch of an epoch
	perm  []int   // row order of the current epoch
	next  int     // position in perm
	batch int     // rows per step
	ref   float64 // the starting cost the divergence rule scales
}

// batch holds the rows of one step and their residual.
type batch struct {
	x, y *tensor.Tensor
	r    tensor.Tensor
}

func newFitter(m *Linear, x, y *tensor.Tensor, cfg Config) *fitter {
	rows := x.Shape()[0]
	f := &fitter{m: m, x: x, y: y, cfg: cfg, batch: rows}
	f.full.x, f.full.y = x, y
	if cfg.BatchSize > 0 && cfg.BatchSize < rows {
		f.batch = cfg.BatchSize
		f.full.x = tensor.New(f.batch, x.Shape()[1])
		f.full.y = tensor.New(f.batch, y.Shape()[1])
		if r := rows % f.batch; r > 0 {
			f.rest.x = tensor.New(r, x.Shape()[1])
			f.rest.y = tensor.New(r, y.Shape()[1])
		}
		f.perm = make([]int, rows)
		for i := range f.perm {
			f.perm[i] = i
		}
		f.next = rows // shuffle at the first step
	}
	f.prevW.CopyFrom(m.W)
	if m.B != nil {
		f.prevB.CopyFrom(m.B)
	}
	return f
}

func (f *fitter) run() ([]float64, error) {
	m, cfg := f.m, f.cfg
	// The cost on all rows at the start: the reference for divergence.
	var r tensor.Tensor
	c0 := m.residual(&r, f.x, f.y)
	if math.IsNaN(c0) || math.IsInf(c0, 0) {
		return nil, fmt.Errorf("%w: the starting cost is %g: the data or the weights are too large", ErrNonFinite, c0)
	}
	f.ref = c0
	if f.perm != nil {
		f.ref = c0 * float64(len(f.perm)) / float64(f.batch)
	} else {
		f.full.r = r // reuse the buffer for every step
	}

	costs := make([]float64, 0, min(cfg.Steps, historyPrealloc))
	rises := 0
	prevEpoch, epochSum, epochSteps := math.NaN(), 0.0, 0
	for step := range cfg.Steps {
		b, endOfEpoch := f.nextBatch()
		cost := m.gradient(&f.dW, &f.dB, &b.r, b.x, b.y)

		if step > 0 && cost > costs[step-1] {
			rises++
		} else {
			rises = 0
		}
		if math.IsNaN(cost) || math.IsInf(cost, 0) || cost > divergeGrowth*f.ref ||
			(rises >= divergeRises && cost > c0) {
			return f.diverged(costs, step, cost, c0)
		}

		if cfg.Callback != nil {
			if err := cfg.Callback(step, cost, m.W, m.B); err != nil {
				if errors.Is(err, Stop) {
					return costs, nil
				}
				return costs, fmt.Errorf("regression: callback at step %d: %w", step, err)
			}
		}
		costs = append(costs, cost)

		f.prevW.CopyFrom(m.W)
		m.W.AddScaled(m.W, -cfg.LearningRate, &f.dW)
		if m.B != nil {
			f.prevB.CopyFrom(m.B)
			m.B.AddScaled(m.B, -cfg.LearningRate, &f.dB)
		}
		if firstNonFinite(m.W.Data()) >= 0 || (m.B != nil && firstNonFinite(m.B.Data()) >= 0) {
			// The step overflowed; the next cost would be non-finite.
			return f.diverged(costs, step+1, math.Inf(1), c0)
		}

		epochSum += cost
		epochSteps++
		if endOfEpoch {
			mean := epochSum / float64(epochSteps)
			if drop := prevEpoch - mean; cfg.Tolerance > 0 && drop >= 0 && drop < cfg.Tolerance {
				return costs, nil
			}
			prevEpoch, epochSum, epochSteps = mean, 0, 0
		}
	}
	return costs, nil
}

// diverged restores the parameters from before the last update and returns
// the error for a divergence seen at step with the given cost. costs are the
// costs before each update made so far.
func (f *fitter) diverged(costs []float64, step int, cost, c0 float64) ([]float64, error) {
	last := c0
	if len(costs) > 0 {
		// The last update is undone, and its cost dropped with it.
		last = costs[len(costs)-1]
		costs = costs[:len(costs)-1]
	}
	f.m.W.CopyFrom(&f.prevW)
	if f.m.B != nil {
		f.m.B.CopyFrom(&f.prevB)
	}
	return costs, &DivergedError{Step: step, Cost: cost, LastCost: last, LearningRate: f.cfg.LearningRate}
}

// nextBatch returns the rows of the next step and whether they end an
// epoch. For full-batch descent that is all of x and y, every time.
func (f *fitter) nextBatch() (*batch, bool) {
	if f.perm == nil {
		return &f.full, true
	}
	rows := len(f.perm)
	if f.next == rows {
		f.cfg.Rand.Shuffle(rows, func(i, j int) { f.perm[i], f.perm[j] = f.perm[j], f.perm[i] })
		f.next = 0
	}
	n := min(f.batch, rows-f.next)
	b := &f.full
	if n < f.batch {
		b = &f.rest
	}
	b.x.TakeRows(f.x, f.perm[f.next:f.next+n])
	b.y.TakeRows(f.y, f.perm[f.next:f.next+n])
	f.next += n
	return b, f.next == rows
}
