package numlearn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// TrainConfig sets up Train. Every zero field has a default, given in its
// comment.
type TrainConfig struct {
	// Iterations is the number of mini-batch steps. When 0, Train runs
	// Epochs epochs of n/BatchSize steps each.
	Iterations int
	// Epochs is used when Iterations is 0; when both are 0, one epoch.
	Epochs int
	// BatchSize is the number of samples per step; 0 means 100, the
	// book's. Without Shuffle the samples of a batch are drawn with
	// replacement, so a BatchSize of n is a resample of the data, not
	// the data: for full-batch gradient descent set Shuffle too.
	BatchSize int
	// Optimizer updates the parameters from their gradients; nil means
	// &grad.SGD{}, plain gradient descent at grad.DefaultLR. (The book's
	// train_neuralnet.py uses &grad.SGD{LR: 0.1}.) Optimizers keep state:
	// pass a fresh one per run.
	Optimizer grad.Optimizer
	// Rand is the random source the mini-batches are drawn from: a
	// *rand.Rand, or the source a Rand would draw from (both give the
	// same batches). nil means a PCG seeded with (1, 2), so that runs
	// repeat exactly either way. A run that writes or resumes a
	// Checkpoint needs a source whose state can be saved, one that
	// implements encoding.BinaryMarshaler and BinaryUnmarshaler: a
	// *rand.PCG or *rand.ChaCha8, given itself rather than a Rand made
	// from it.
	Rand rand.Source
	// Shuffle makes each epoch visit every sample once, in a fresh random
	// order. By default each batch is drawn at random with replacement,
	// like the book's np.random.choice(train_size, batch_size).
	Shuffle bool
	// TestX and TestT are optional validation data, evaluated with the
	// training data. A test set of no samples (SplitValidation's at rate
	// 0) is not evaluated: its fields in each Evaluation are NaN, as
	// without one.
	TestX, TestT *tensor.Tensor
	// EvalEvery is the number of steps between evaluations; 0 means one
	// epoch (n/BatchSize steps) and a negative value means never. As in
	// the book, evaluation happens after step 1, every EvalEvery steps
	// after that, and once more after the last step.
	EvalEvery int
	// SkipTrainEval leaves out the evaluation on the whole training set
	// (the costlier half of each evaluation): its fields are NaN.
	SkipTrainEval bool
	// EvalChunk is the number of samples evaluated at once, which bounds
	// the memory evaluation needs; 0 means 10,000.
	EvalChunk int
	// EvalSamples limits each evaluation to the first EvalSamples samples
	// of the training and test sets, as the book's Trainer does with
	// evaluate_sample_num_per_epoch, so that frequent evaluations stay
	// cheap on large sets; 0 means all of them.
	EvalSamples int
	// Progress, if set, is called after every step, with the evaluation
	// after the steps that were evaluated, on the goroutine that called
	// Train; the next step waits for it. NewReporter makes one that
	// prints a line per evaluation.
	Progress func(Progress)
	// Schedule, if set, changes the optimizer's learning rate before
	// every step: the rate it had when Train began times
	// Schedule(step, steps), with step counted from 0 over the whole run
	// (a resumed one included). The optimizer must be a grad.RateSetter,
	// as every optimizer in package grad is; it gets its starting rate
	// back when Train returns.
	Schedule grad.Schedule
	// EarlyStopping, if set, watches the evaluations of the test set
	// (TestX and TestT, which it needs: use a validation set, as
	// SplitValidation or dataset's Split make, not the final test set),
	// stops the run when they stop improving, and leaves the network
	// with the parameters and state of its best evaluation.
	EarlyStopping *EarlyStopping
	// Checkpoint, if set, names the file where Train keeps the run's
	// checkpoint: the model, the optimizer's state, the sampler's state
	// and the step, so that Resume can continue it exactly. Train writes
	// it, replacing the file whole (never a partial one), after every
	// evaluation and when the run stops before its last step (Stop,
	// early stopping, a cancelled context). It needs an optimizer that
	// is a grad.Stateful (all of package grad's are) and a Rand that can
	// be saved.
	Checkpoint string
	// Resume continues the run that a checkpoint recorded (see
	// LoadCheckpoint): training starts after the checkpoint's step, with
	// its optimizer state copied into Optimizer (which must be of the
	// same kind and otherwise as configured before) and its sampler
	// state into Rand, and goes on bit for bit as the run would have
	// without the interruption. The network must be the one
	// LoadCheckpoint returned with it; x, t, BatchSize, Shuffle and the
	// test set must be those of the run that wrote it; Iterations (or
	// Epochs) counts the whole run, the steps before the checkpoint
	// included.
	Resume *Checkpoint
	// Numerical makes every step take its gradient by central differences
	// (NumericalGradient) instead of backpropagation (Gradient), as the
	// book's chapter 4 trains. The two agree to about 1e-7 per element
	// (the 1e-7 inside the cross-entropy's log, which backpropagation
	// leaves out), so training ends in much the same place, only slower.
	Numerical bool
}

// Progress reports on a training run after one step.
type Progress struct {
	Iteration  int     // steps done, from 1 to Iterations
	Iterations int     // steps in the whole run
	Epoch      float64 // epochs done: Iteration·BatchSize/n
	Loss       float64 // the loss on this step's mini-batch
	// LearningRate is the rate of this step's update, when the
	// optimizer is a grad.RateSetter (0 otherwise).
	LearningRate float64
	// Evaluated says whether Eval was measured after this step.
	Evaluated bool
	Eval      Evaluation
	Elapsed   time.Duration
	// Stop ends the run cleanly after this step: Train returns the
	// history with a nil error, having written the checkpoint if there
	// is one, as when a run is interrupted. A program stops a run this
	// way on its own terms; cancelling the context is the way for
	// outside events (a signal), and makes Train return the context's
	// error.
	Stop func()
}

// History is the record of a training run.
type History struct {
	Loss  []float64    // the mini-batch loss of every step
	Evals []Evaluation // one per evaluation
	// TrainTime is the time spent on steps; EvalTime on evaluations.
	TrainTime, EvalTime time.Duration
	// Stopped says why the run ended before its last step, when Stop or
	// EarlyStopping ended it; it is empty for a run that took all its
	// steps.
	Stopped string
	// BestStep is, with EarlyStopping, the step after which the best
	// evaluation was measured: the network holds the parameters and
	// state of that step. It is 0 otherwise.
	BestStep int
}

// Evaluation is what was measured on the whole training and test sets
// after one step: the loss, as Loss gives it (with the weight decay
// penalty), and for a network whose head predicts classes the accuracy
// (for any other, a regression network, the accuracies are NaN). A set
// that was not evaluated gives NaN.
type Evaluation struct {
	Iteration                int
	Epoch                    float64
	TrainAccuracy, TrainLoss float64
	TestAccuracy, TestLoss   float64
}

// ErrDiverged is wrapped by the error Train returns when the loss, the
// parameters or the layers' state become NaN or infinite, which usually
// means the learning rate is too large.
var ErrDiverged = errors.New("numlearn: training diverged")

// ErrConfig is wrapped by the errors Train returns for a configuration it
// cannot run and for data that does not fit the network.
var ErrConfig = errors.New("numlearn: bad training configuration")

// maxHistory is the most steps whose losses Train reserves room for at
// the start; a longer run grows its history as it goes.
const maxHistory = 1 << 16

// Train fits the network to inputs x (n, …) and targets t (n, …) by
// mini-batch gradient descent, as the book's train_neuralnet.py does, and
// returns what happened. It allocates nothing per step once the first step
// has sized the buffers.
//
// Train runs on the goroutine that calls it, and so do its callbacks:
// Progress is called after each step's update and before the next step
// starts, and Train waits for it to return.
//
// A run ends after its last step, or earlier, cleanly (a nil error, with
// History.Stopped saying why), when Progress calls its Stop or
// EarlyStopping decides. It returns an error wrapping ErrConfig for a
// configuration or data it cannot use (a nil context, mismatched sample
// counts, a batch larger than the data, inputs or targets whose shape does
// not fit the network, a NaN or infinite value in the data, naming its
// sample, step counts that overflow, a checkpoint that belongs to another
// run), and one wrapping the context's error when ctx is cancelled, with
// the history so far. When the loss, the parameters or the layers' state
// (such as BatchNorm's running statistics) become NaN or infinite it
// restores the last parameters and state that were finite and seen to
// give a finite loss (or those it started from), so the network never
// holds NaN, and returns an error wrapping ErrDiverged that names the
// step.
func (n *Network) Train(ctx context.Context, x, t *tensor.Tensor, cfg TrainConfig) (*History, error) {
	if n == nil || n.seq == nil {
		return nil, fmt.Errorf("%w: the network is nil; build one with NewNetwork, NewTwoLayerNet, … or LoadModel", ErrConfig)
	}
	if ctx == nil {
		return nil, fmt.Errorf("%w: the context is nil; pass context.Background(), or one that a signal cancels", ErrConfig)
	}
	cfg, iters, err := n.checkConfig(x, t, cfg)
	if err != nil {
		return nil, err
	}
	r, err := n.newRun(x, t, cfg, iters)
	if err != nil {
		return nil, err
	}
	defer r.finish()
	return r.loop(ctx)
}

// run is one call of Train: what its steps share.
type run struct {
	n        *Network
	x, t     *tensor.Tensor
	cfg      TrainConfig
	iters    int
	first    int // the first step: 0, or the step a checkpoint resumes after
	samples  int
	perEpoch int
	every    int
	sets     evalSets
	s        *stepper
	h        *History

	// model is what a snapshot keeps: the parameters and the layers'
	// state, which a training step's forward pass moves too (BatchNorm's
	// running statistics). good holds the last model known to give a
	// finite loss. A snapshot taken at an evaluation waits in pending
	// until the next step's loss on it has come out finite.
	model, good, pending  []*tensor.Tensor
	lastGood, pendingStep int

	rates grad.RateSetter // the optimizer, when its rate can be read and set
	base  float64         // the rate the schedule scales

	early *earlyStop // nil without EarlyStopping

	stop  func() // Progress.Stop
	asked bool   // whether Stop was called
	saved int    // the step of the last checkpoint written, or −1
}

func (n *Network) newRun(x, t *tensor.Tensor, cfg TrainConfig, iters int) (r *run, err error) {
	r = &run{n: n, x: x, t: t, cfg: cfg, iters: iters, samples: x.Shape()[0], saved: -1}
	r.perEpoch = max(r.samples/cfg.BatchSize, 1)
	r.every = cfg.EvalEvery
	if r.every == 0 {
		r.every = r.perEpoch
	}
	r.rates, _ = cfg.Optimizer.(grad.RateSetter)
	if cfg.Schedule != nil {
		if r.rates == nil {
			return nil, fmt.Errorf("%w: a Schedule needs an optimizer whose rate can be set (grad.RateSetter); %T is not one", ErrConfig, cfg.Optimizer)
		}
		r.base = r.rates.LearningRate()
	}
	if cfg.EarlyStopping != nil {
		if cfg.TestX == nil || r.every < 0 {
			return nil, fmt.Errorf("%w: EarlyStopping watches the evaluations of a validation set: give TestX and TestT, and EvalEvery ≥ 0", ErrConfig)
		}
		if cfg.EarlyStopping.Patience < 0 || !(cfg.EarlyStopping.MinDelta >= 0) || math.IsInf(cfg.EarlyStopping.MinDelta, 0) {
			return nil, fmt.Errorf("%w: EarlyStopping's Patience (%d) and MinDelta (%v) must be ≥ 0 and finite", ErrConfig, cfg.EarlyStopping.Patience, cfg.EarlyStopping.MinDelta)
		}
		if _, classifies := n.head.(layers.Classifier); cfg.EarlyStopping.Accuracy && !classifies {
			return nil, fmt.Errorf("%w: EarlyStopping watches the accuracy, and the network's head (%T) does not predict classes", ErrConfig, n.head)
		}
		r.early = newEarlyStop(*cfg.EarlyStopping)
	}
	if cfg.Checkpoint != "" || cfg.Resume != nil {
		if err := r.checkCheckpointing(); err != nil {
			return nil, err
		}
	}
	// The data sets are prepared once for reading by rows: a sparse set
	// is compressed for a first Affine layer.
	r.sets = evalSets{train: n.seq.PrepareRows(x)}
	if cfg.TestX != nil {
		r.sets.test = n.seq.PrepareRows(cfg.TestX)
	}
	defer func() {
		if err != nil {
			n.seq.Release()
		}
	}()
	r.model = n.allTensors()
	r.good, r.pending = cloneAll(r.model), cloneAll(r.model)
	r.pendingStep = -1
	r.s = newStepper(n, r.sets.train, t, cfg, r.perEpoch)
	if ck := cfg.Resume; ck != nil {
		if err := r.resume(ck); err != nil {
			return nil, err
		}
	}
	r.h = &History{Loss: make([]float64, 0, min(iters-r.first, maxHistory))}
	r.stop = func() { r.asked = true }
	return r, nil
}

// finish releases the prepared sets and gives the optimizer back its base
// rate.
func (r *run) finish() {
	r.n.seq.Release()
	if r.cfg.Schedule != nil {
		r.rates.SetLearningRate(r.base)
	}
}

func (r *run) diverged(step int, what string) error {
	copyAll(r.model, r.good)
	return fmt.Errorf("%w at step %d of %d: %s; the learning rate is likely too large; parameters restored to those after step %d",
		ErrDiverged, step, r.iters, what, r.lastGood)
}

func (r *run) loop(ctx context.Context) (*History, error) {
	n, cfg, h := r.n, r.cfg, r.h
	start := time.Now()
	for it := r.first; it < r.iters; it++ {
		if err := ctx.Err(); err != nil {
			err = fmt.Errorf("numlearn: training stopped after %d of %d steps: %w", it, r.iters, err)
			if cerr := r.checkpoint(it); cerr != nil {
				err = errors.Join(err, cerr)
			}
			return h, err
		}
		stepStart := time.Now()
		lr := r.setRate(it)
		grads := r.s.gradient(it)
		cost := n.cost
		if math.IsNaN(cost) || math.IsInf(cost, 0) {
			return h, r.diverged(it+1, fmt.Sprintf("the loss is %v", cost))
		}
		if r.pendingStep >= 0 {
			r.good, r.pending = r.pending, r.good
			r.lastGood, r.pendingStep = r.pendingStep, -1
		}
		cfg.Optimizer.Update(n.values, grads)
		evaluated := r.every > 0 && (it%r.every == 0 || it == r.iters-1)
		if (evaluated || it == r.iters-1) && !allFinite(r.model) {
			// A snapshot must be finite, and after the last step no
			// later loss will show it. The loss can stay finite while
			// the running statistics overflow, since a training step
			// normalises by the batch's own.
			return h, r.diverged(it+1, "the parameters or the layers' state became non-finite")
		}
		h.Loss = append(h.Loss, cost)
		h.TrainTime += time.Since(stepStart)

		p := Progress{Iteration: it + 1, Iterations: r.iters, Epoch: float64(it+1) * float64(cfg.BatchSize) / float64(r.samples),
			Loss: cost, LearningRate: lr, Stop: r.stop}
		stopEarly := false
		if evaluated {
			evalStart := time.Now()
			p.Eval = n.evaluate(r.x, r.t, r.sets, cfg)
			p.Eval.Iteration, p.Eval.Epoch = p.Iteration, p.Epoch
			p.Evaluated = true
			h.Evals = append(h.Evals, p.Eval)
			h.EvalTime += time.Since(evalStart)
			copyAll(r.pending, r.model)
			r.pendingStep = it + 1
			if r.early != nil {
				stopEarly = r.early.observe(p.Eval, it+1, r.model)
			}
			if err := r.checkpoint(it + 1); err != nil {
				return h, err
			}
		}
		p.Elapsed = time.Since(start)
		if cfg.Progress != nil {
			cfg.Progress(p)
		}
		switch {
		case stopEarly:
			h.Stopped = r.early.reason(it + 1)
			h.BestStep = r.early.restore(r.model)
			return h, nil
		case r.asked:
			h.Stopped = fmt.Sprintf("stopped after step %d of %d, as Progress asked", it+1, r.iters)
			if err := r.checkpoint(it + 1); err != nil {
				return h, err
			}
			if r.early != nil {
				h.BestStep = r.early.restore(r.model)
			}
			return h, nil
		}
	}
	if r.early != nil {
		h.BestStep = r.early.restore(r.model)
	}
	return h, nil
}

// setRate sets the optimizer's rate for step it, as the schedule gives it,
// and returns the rate the step uses (0 when the optimizer's cannot be
// read).
func (r *run) setRate(it int) float64 {
	switch {
	case r.rates == nil:
		return 0
	case r.cfg.Schedule != nil:
		lr := r.base * r.cfg.Schedule(it, r.iters)
		r.rates.SetLearningRate(lr)
		return lr
	}
	return r.rates.LearningRate()
}

// evalSets are the training and test sets of a run, prepared for reading
// by rows.
type evalSets struct{ train, test *layers.Rows }

// evaluate measures the network on the training set (unless skipped) and
// the test set, reading both by runs of rows of their prepared forms.
func (n *Network) evaluate(x, t *tensor.Tensor, sets evalSets, cfg TrainConfig) Evaluation {
	e := Evaluation{TrainAccuracy: math.NaN(), TrainLoss: math.NaN(), TestAccuracy: math.NaN(), TestLoss: math.NaN()}
	if !cfg.SkipTrainEval {
		e.TrainAccuracy, e.TrainLoss = n.measure(x, t, sets.train, evalSamples(x, cfg), cfg.EvalChunk)
	}
	if cfg.TestX != nil {
		e.TestAccuracy, e.TestLoss = n.measure(cfg.TestX, cfg.TestT, sets.test, evalSamples(cfg.TestX, cfg), cfg.EvalChunk)
	}
	return e
}

// evalSamples is the number of samples of x that an evaluation measures.
func evalSamples(x *tensor.Tensor, cfg TrainConfig) int {
	if cfg.EvalSamples > 0 {
		return min(cfg.EvalSamples, x.Shape()[0])
	}
	return x.Shape()[0]
}

// checkConfig checks the configuration and the data against each other and
// the network, fills in the defaults and returns the number of steps.
func (n *Network) checkConfig(x, t *tensor.Tensor, cfg TrainConfig) (TrainConfig, int, error) {
	bad := func(format string, args ...any) (TrainConfig, int, error) {
		return cfg, 0, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	if x == nil || t == nil {
		return bad("inputs and targets must not be nil")
	}
	if x.Dims() < 1 || t.Dims() < 1 || x.Shape()[0] != t.Shape()[0] {
		return bad("inputs shape %v and targets shape %v: want the same number of samples, (n, …) and (n, …)", x.Shape(), t.Shape())
	}
	if (cfg.TestX == nil) != (cfg.TestT == nil) {
		return bad("TestX and TestT must be given together")
	}
	if cfg.TestX != nil && (cfg.TestX.Dims() < 1 || cfg.TestT.Dims() < 1 || cfg.TestX.Shape()[0] != cfg.TestT.Shape()[0]) {
		return bad("test inputs shape %v and targets shape %v: want the same number of samples", cfg.TestX.Shape(), cfg.TestT.Shape())
	}
	if cfg.Iterations < 0 || cfg.Epochs < 0 || cfg.BatchSize < 0 || cfg.EvalChunk < 0 {
		return bad("negative Iterations (%d), Epochs (%d), BatchSize (%d) or EvalChunk (%d)",
			cfg.Iterations, cfg.Epochs, cfg.BatchSize, cfg.EvalChunk)
	}
	if cfg.EvalSamples < 0 {
		return bad("negative EvalSamples (%d)", cfg.EvalSamples)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 100
	}
	samples := x.Shape()[0]
	if samples == 0 {
		return bad("no training samples")
	}
	if cfg.BatchSize > samples {
		return bad("batch size %d is larger than the %d samples", cfg.BatchSize, samples)
	}
	if cfg.Iterations == 0 && cfg.Epochs == 0 {
		cfg.Epochs = 1
	}
	iters := cfg.Iterations
	if iters == 0 {
		perEpoch := max(samples/cfg.BatchSize, 1)
		if cfg.Epochs > math.MaxInt/perEpoch {
			return bad("%d epochs of %d steps is more steps than an int holds", cfg.Epochs, perEpoch)
		}
		iters = cfg.Epochs * perEpoch
	}
	if err := n.fits("", x, t); err != nil {
		return cfg, 0, err
	}
	if cfg.TestX != nil && cfg.TestX.Shape()[0] == 0 {
		cfg.TestX, cfg.TestT = nil, nil // nothing to evaluate
	}
	if cfg.TestX != nil {
		if err := n.fits("test ", cfg.TestX, cfg.TestT); err != nil {
			return cfg, 0, err
		}
	}
	for _, d := range []struct {
		name string
		t    *tensor.Tensor
	}{{"inputs", x}, {"targets", t}, {"test inputs", cfg.TestX}, {"test targets", cfg.TestT}} {
		if d.t == nil {
			continue
		}
		if i := firstNonFinite(d.t.Data()); i >= 0 {
			return bad("%s hold %v in sample %d (at %v); training needs finite data",
				d.name, d.t.Data()[i], i/(d.t.Size()/d.t.Shape()[0]), unravel(d.t.Shape(), i))
		}
	}
	if cfg.Optimizer == nil {
		cfg.Optimizer = &grad.SGD{}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.NewPCG(1, 2)
	}
	if cfg.EvalChunk == 0 {
		cfg.EvalChunk = evalChunk
	}
	return cfg, iters, nil
}

// firstNonFinite returns the index of the first NaN or ±Inf in s, or −1
// if there is none. Train calls it once per data set, before its first
// step; BenchmarkCheckConfig measures it on MNIST-shaped data. Each
// block's values are summed as v − v, which is 0 for a finite v and NaN
// otherwise, so that the loop has no branch per value and runs at about
// the speed of memory, a few times faster than testing each value.
func firstNonFinite(s []float64) int {
	const block = 256
	for lo := 0; lo < len(s); lo += block {
		b := s[lo:min(lo+block, len(s))]
		var a0, a1, a2, a3 float64
		i := 0
		for ; i+4 <= len(b); i += 4 {
			a0 += b[i] - b[i]
			a1 += b[i+1] - b[i+1]
			a2 += b[i+2] - b[i+2]
			a3 += b[i+3] - b[i+3]
		}
		for ; i < len(b); i++ {
			a0 += b[i] - b[i]
		}
		if a0+a1+a2+a3 == 0 {
			continue
		}
		for j, v := range b {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return lo + j
			}
		}
	}
	return -1
}

// unravel returns the position in a tensor of the given shape of its i-th
// value in row-major order, as numpy's unravel_index.
func unravel(shape []int, i int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = i % shape[d]
		i /= shape[d]
	}
	return idx
}

// fits runs the first sample of x through the network and its head in
// inference mode, and returns an error wrapping ErrConfig, naming both
// shapes, if a layer or the head rejects its shape.
func (n *Network) fits(which string, x, t *tensor.Tensor) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %sinputs shape %v and targets shape %v do not fit the network: %v", ErrConfig, which, x.Shape(), t.Shape(), r)
		}
	}()
	n.head.Forward(n.Predict(x.Slice(0, 1)), t.Slice(0, 1))
	return nil
}

// stepper draws the mini-batch of each step and computes its gradient.
type stepper struct {
	n        *Network
	cfg      TrainConfig
	x        *layers.Rows
	t        *tensor.Tensor
	perEpoch int
	rng      *rand.Rand // draws from cfg.Rand
	idx      []int      // the samples of this step
	order    []int      // a permutation of the samples, with Shuffle
	bt       *tensor.Tensor
}

// asRand returns src as a *rand.Rand: itself if it is one, else a Rand
// drawing from it, which draws the same numbers as any Rand on src.
func asRand(src rand.Source) *rand.Rand {
	if r, ok := src.(*rand.Rand); ok {
		return r
	}
	return rand.New(src)
}

func newStepper(n *Network, x *layers.Rows, t *tensor.Tensor, cfg TrainConfig, perEpoch int) *stepper {
	samples := x.Len()
	s := &stepper{n: n, cfg: cfg, x: x, t: t, perEpoch: perEpoch, idx: make([]int, cfg.BatchSize), rng: asRand(cfg.Rand)}
	s.bt = tensor.New(append([]int{cfg.BatchSize}, t.Shape()[1:]...)...)
	if cfg.Shuffle {
		s.order = make([]int, samples)
		for i := range s.order {
			s.order[i] = i
		}
	}
	return s
}

// gradient draws step it's batch and returns the gradient on it, as
// Network.Gradient does, reading the batch's rows of the prepared set.
func (s *stepper) gradient(it int) []*tensor.Tensor {
	s.sample(it)
	s.bt.TakeRows(s.t, s.idx)
	if s.cfg.Numerical {
		return s.n.numericalStep(s.x.Data(), s.idx, s.bt)
	}
	s.n.seq.SetMode(layers.Training)
	return s.n.backprop(s.n.seq.ForwardRows(s.x, s.idx), s.bt)
}

// sample fills idx with the samples of step it: drawn with replacement,
// or the next slice of a permutation shuffled afresh at the start of every
// epoch.
func (s *stepper) sample(it int) {
	if !s.cfg.Shuffle {
		for i := range s.idx {
			s.idx[i] = s.rng.IntN(s.x.Len())
		}
		return
	}
	pos := it % s.perEpoch * len(s.idx)
	if pos == 0 {
		s.rng.Shuffle(len(s.order), func(i, j int) { s.order[i], s.order[j] = s.order[j], s.order[i] })
	}
	copy(s.idx, s.order[pos:])
}

// allTensors returns every tensor of the model: parameters and state.
func (n *Network) allTensors() []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(n.tensors))
	for i, e := range n.tensors {
		out[i] = e.Value
	}
	return out
}

func cloneAll(ts []*tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ts))
	for i, t := range ts {
		out[i] = t.Clone()
	}
	return out
}

// copyAll copies src[i] into dst[i], which have the same shapes.
func copyAll(dst, src []*tensor.Tensor) {
	for i := range dst {
		copy(dst[i].Data(), src[i].Data())
	}
}

// allFinite reports whether no element of ts is NaN or ±Inf.
func allFinite(ts []*tensor.Tensor) bool {
	for _, t := range ts {
		for _, v := range t.Data() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

// SplitValidation shuffles the samples of inputs x (n, …) and targets t
// (n, …) together, drawing the order from rng, and splits off the first
// ⌊rate·n⌋ as a validation set, as the book's hyperparameter search does
// with shuffle_dataset and validation_rate: tune on the validation set and
// keep the test set for the end. The four results are new tensors; x and
// t are unchanged. It panics if x and t have different numbers of
// samples, rate is not in [0, 1), or rng is nil.
func SplitValidation(x, t *tensor.Tensor, rate float64, rng *rand.Rand) (trainX, trainT, valX, valT *tensor.Tensor) {
	if x.Dims() < 1 || t.Dims() < 1 || x.Shape()[0] != t.Shape()[0] {
		panic(fmt.Sprintf("numlearn: SplitValidation: inputs shape %v and targets shape %v have different numbers of samples", x.Shape(), t.Shape()))
	}
	if !(rate >= 0 && rate < 1) {
		panic(fmt.Sprintf("numlearn: SplitValidation: rate %v is not in [0, 1)", rate))
	}
	if rng == nil {
		panic("numlearn: SplitValidation: rng is nil; pass rand.New(rand.NewPCG(seed1, seed2))")
	}
	n := x.Shape()[0]
	order := rng.Perm(n)
	cut := int(rate * float64(n))
	take := func(a *tensor.Tensor, rows []int) *tensor.Tensor {
		dst := tensor.New(append([]int{len(rows)}, a.Shape()[1:]...)...)
		dst.TakeRows(a, rows)
		return dst
	}
	return take(x, order[cut:]), take(t, order[cut:]), take(x, order[:cut]), take(t, order[:cut])
}
