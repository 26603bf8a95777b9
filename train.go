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
// comment; the defaults are the book's §4.5 and §5.7 settings.
type TrainConfig struct {
	// Iterations is the number of mini-batch steps. When 0, Train runs
	// Epochs epochs of n/BatchSize steps each.
	Iterations int
	// Epochs is used when Iterations is 0; when both are 0, one epoch.
	Epochs int
	// BatchSize is the number of samples per step; 0 means 100.
	BatchSize int
	// Optimizer updates the parameters from their gradients; nil means
	// &grad.SGD{LR: 0.1}. Optimizers keep state: pass a fresh one per run.
	Optimizer grad.Optimizer
	// Rand draws the mini-batches; nil means a PCG seeded with (1, 2), so
	// that runs repeat exactly either way.
	Rand *rand.Rand
	// Shuffle makes each epoch visit every sample once, in a fresh random
	// order. By default each batch is drawn at random with replacement,
	// like the book's np.random.choice(train_size, batch_size).
	Shuffle bool
	// TestX and TestT (one-hot) are optional validation data, evaluated
	// with the training data.
	TestX, TestT *tensor.Tensor
	// EvalEvery is the number of steps between evaluations; 0 means one
	// epoch (n/BatchSize steps) and a negative value means never. As in
	// the book, evaluation happens after step 1, every EvalEvery steps
	// after that, and once more after the last step.
	EvalEvery int
	// SkipTrainAccuracy leaves out the accuracy on the whole training set
	// at each evaluation (the costlier half of it); TrainAccuracy is NaN.
	SkipTrainAccuracy bool
	// EvalChunk is the number of samples evaluated at once, which bounds
	// the memory evaluation needs; 0 means 10,000.
	EvalChunk int
	// Progress, if set, is called after every step, with accuracies after
	// the steps that were evaluated.
	Progress func(Progress)
}

// Progress reports on a training run after one step.
type Progress struct {
	Iteration  int     // steps done, from 1 to Iterations
	Iterations int     // steps in the whole run
	Epoch      float64 // epochs done: Iteration·BatchSize/n
	Loss       float64 // the loss on this step's mini-batch
	// Evaluated says whether the accuracies below were measured after
	// this step; otherwise they are NaN.
	Evaluated     bool
	TrainAccuracy float64 // on the whole training set, NaN if skipped
	TestAccuracy  float64 // on TestX, TestT; NaN without them
	Elapsed       time.Duration
}

// History is the record of a training run.
type History struct {
	Loss  []float64    // the mini-batch loss of every step
	Evals []Evaluation // one per evaluation
	// TrainTime is the time spent on steps; EvalTime on evaluations.
	TrainTime, EvalTime time.Duration
}

// Evaluation is the accuracy measured after one step.
type Evaluation struct {
	Iteration     int
	Epoch         float64
	TrainAccuracy float64 // NaN if SkipTrainAccuracy was set
	TestAccuracy  float64 // NaN without test data
}

// ErrNonFinite is returned (wrapped) by Train when the loss becomes NaN or
// infinite, which usually means the learning rate is too large.
var ErrNonFinite = errors.New("loss is not finite")

// Train fits the network to inputs x (n, …) and one-hot targets t (n,
// classes) by mini-batch gradient descent, as the book's train_neuralnet.py
// does, and returns what happened. It allocates nothing per step once the
// first step has sized the buffers.
//
// Train returns an error for bad configuration or data (mismatched sample
// counts, a batch larger than the data), when ctx is cancelled (with the
// history so far), and when the loss becomes non-finite: then it restores
// the parameters of the last evaluation whose loss was then seen to be
// finite (or those it started from), so the network never holds NaN, and
// the error wraps ErrNonFinite and names the step.
func (n *Network) Train(ctx context.Context, x, t *tensor.Tensor, cfg TrainConfig) (*History, error) {
	cfg, err := cfg.withDefaults(x, t)
	if err != nil {
		return nil, err
	}
	samples := x.Shape()[0]
	perEpoch := max(samples/cfg.BatchSize, 1)
	iters := cfg.Iterations
	if iters == 0 {
		iters = cfg.Epochs * perEpoch
	}
	every := cfg.EvalEvery
	if every == 0 {
		every = perEpoch
	}

	h := &History{Loss: make([]float64, 0, iters)}
	prepStart := time.Now()
	s := n.newStepper(x, t, cfg, perEpoch)
	h.TrainTime += time.Since(prepStart)
	var testPrep *layers.Prepared
	if s.first != nil && cfg.TestX != nil {
		prepStart = time.Now()
		testPrep = layers.Prepare(cfg.TestX)
		h.EvalTime += time.Since(prepStart)
	}
	// good holds the last parameters known to give a finite loss. A
	// snapshot taken at an evaluation waits in pending until the next
	// step's loss on it has come out finite.
	good, pending := cloneAll(n.params), cloneAll(n.params)
	lastGood, pendingStep := 0, -1
	start := time.Now()

	for it := range iters {
		if err := ctx.Err(); err != nil {
			return h, fmt.Errorf("numlearn: training stopped after %d of %d steps: %w", it, iters, err)
		}
		stepStart := time.Now()
		grads := s.gradient(it)
		cost := n.LastLoss()
		if math.IsNaN(cost) || math.IsInf(cost, 0) {
			copyAll(n.params, good)
			return h, fmt.Errorf("numlearn: step %d of %d: %w (%v); the learning rate is likely too large; parameters restored to those after step %d",
				it+1, iters, ErrNonFinite, cost, lastGood)
		}
		if pendingStep >= 0 {
			good, pending = pending, good
			lastGood, pendingStep = pendingStep, -1
		}
		cfg.Optimizer.Update(n.params, grads)
		h.Loss = append(h.Loss, cost)
		h.TrainTime += time.Since(stepStart)

		p := Progress{Iteration: it + 1, Iterations: iters, Epoch: float64((it+1)*cfg.BatchSize) / float64(samples),
			Loss: cost, TrainAccuracy: math.NaN(), TestAccuracy: math.NaN()}
		if every > 0 && (it%every == 0 || it == iters-1) {
			evalStart := time.Now()
			if !cfg.SkipTrainAccuracy {
				p.TrainAccuracy = n.trainingAccuracy(s.first, s.prep, x, t, cfg.EvalChunk)
			}
			if cfg.TestX != nil {
				p.TestAccuracy = n.trainingAccuracy(s.first, testPrep, cfg.TestX, cfg.TestT, cfg.EvalChunk)
			}
			p.Evaluated = true
			h.Evals = append(h.Evals, Evaluation{Iteration: p.Iteration, Epoch: p.Epoch, TrainAccuracy: p.TrainAccuracy, TestAccuracy: p.TestAccuracy})
			h.EvalTime += time.Since(evalStart)
			copyAll(pending, n.params)
			pendingStep = it + 1
		}
		p.Elapsed = time.Since(start)
		if cfg.Progress != nil {
			cfg.Progress(p)
		}
	}
	return h, nil
}

// withDefaults checks the configuration against the data and fills in the
// defaults.
func (cfg TrainConfig) withDefaults(x, t *tensor.Tensor) (TrainConfig, error) {
	if x.Dims() < 1 || t.Dims() != 2 {
		return cfg, fmt.Errorf("numlearn: Train: inputs shape %v and targets shape %v: want (n, …) and (n, classes)", x.Shape(), t.Shape())
	}
	if x.Shape()[0] != t.Shape()[0] {
		return cfg, fmt.Errorf("numlearn: Train: %d inputs but %d targets", x.Shape()[0], t.Shape()[0])
	}
	if cfg.TestX != nil || cfg.TestT != nil {
		if cfg.TestX == nil || cfg.TestT == nil || cfg.TestX.Dims() < 1 || cfg.TestT.Dims() != 2 || cfg.TestX.Shape()[0] != cfg.TestT.Shape()[0] {
			return cfg, errors.New("numlearn: Train: TestX and TestT must be given together with the same number of samples")
		}
	}
	if cfg.Iterations < 0 || cfg.Epochs < 0 || cfg.BatchSize < 0 || cfg.EvalChunk < 0 {
		return cfg, fmt.Errorf("numlearn: Train: negative Iterations (%d), Epochs (%d), BatchSize (%d) or EvalChunk (%d)",
			cfg.Iterations, cfg.Epochs, cfg.BatchSize, cfg.EvalChunk)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 100
	}
	if x.Shape()[0] == 0 {
		return cfg, errors.New("numlearn: Train: no training samples")
	}
	if cfg.BatchSize > x.Shape()[0] {
		return cfg, fmt.Errorf("numlearn: Train: batch size %d is larger than the %d samples", cfg.BatchSize, x.Shape()[0])
	}
	if cfg.Iterations == 0 && cfg.Epochs == 0 {
		cfg.Epochs = 1
	}
	if cfg.Optimizer == nil {
		cfg.Optimizer = &grad.SGD{LR: 0.1}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(1, 2))
	}
	if cfg.EvalChunk == 0 {
		cfg.EvalChunk = 10000
	}
	return cfg, nil
}

// stepper draws the mini-batch of each step and computes its gradient.
type stepper struct {
	n        *Network
	cfg      TrainConfig
	x, t     *tensor.Tensor
	perEpoch int
	idx      []int // the samples of this step
	order    []int // a permutation of the samples, with Shuffle
	bx, bt   *tensor.Tensor
	// first is the first layer when it reads prepared data (as
	// layers.Affine does), and prep the training inputs prepared for it:
	// then a batch is taken by row index, without copying its inputs.
	first preparedForwarder
	prep  *layers.Prepared
}

// preparedForwarder is a first layer that reads layers.Prepared data by
// rows, as layers.Affine does.
type preparedForwarder interface {
	ForwardPrepared(p *layers.Prepared, rows []int) *tensor.Tensor
	ForwardPreparedRange(p *layers.Prepared, from, to int) *tensor.Tensor
}

// firstPrepared returns the first layer if it reads prepared data.
func (n *Network) firstPrepared() preparedForwarder {
	if len(n.layers) == 0 {
		return nil
	}
	f, _ := n.layers[0].(preparedForwarder)
	return f
}

func (n *Network) newStepper(x, t *tensor.Tensor, cfg TrainConfig, perEpoch int) *stepper {
	samples := x.Shape()[0]
	s := &stepper{n: n, cfg: cfg, x: x, t: t, perEpoch: perEpoch, idx: make([]int, cfg.BatchSize)}
	if s.first = n.firstPrepared(); s.first != nil {
		s.prep = layers.Prepare(x)
	} else {
		s.bx = tensor.New(append([]int{cfg.BatchSize}, x.Shape()[1:]...)...)
	}
	s.bt = tensor.New(cfg.BatchSize, t.Size()/samples)
	if cfg.Shuffle {
		s.order = make([]int, samples)
		for i := range s.order {
			s.order[i] = i
		}
	}
	return s
}

// gradient draws step it's batch and returns the gradient on it, as
// Network.Gradient does.
func (s *stepper) gradient(it int) []*tensor.Tensor {
	s.sample(it)
	s.bt.TakeRows(s.t, s.idx)
	if s.first == nil {
		s.bx.TakeRows(s.x, s.idx)
		return s.n.Gradient(s.bx, s.bt)
	}
	y := s.first.ForwardPrepared(s.prep, s.idx)
	for _, l := range s.n.layers[1:] {
		y = l.Forward(y)
	}
	s.n.last.Forward(y, s.bt)
	return s.n.backward()
}

// sample fills idx with the samples of step it: drawn with replacement,
// or the next slice of a permutation shuffled afresh at the start of every
// epoch.
func (s *stepper) sample(it int) {
	if !s.cfg.Shuffle {
		for i := range s.idx {
			s.idx[i] = s.cfg.Rand.IntN(s.x.Shape()[0])
		}
		return
	}
	pos := it % s.perEpoch * len(s.idx)
	if pos == 0 {
		s.cfg.Rand.Shuffle(len(s.order), func(i, j int) { s.order[i], s.order[j] = s.order[j], s.order[i] })
	}
	copy(s.idx, s.order[pos:])
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
