package numlearn

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/internal/atomicfile"
	"github.com/numlearn/numlearn/internal/npz"
	"github.com/numlearn/numlearn/tensor"
)

// A checkpoint file is a model file (see Save) with more entries: a JSON
// document, checkpoint.npy, that records the step, the run's shape and
// the sampler's random source; the optimizer's buffers, one array per
// buffer and parameter, named optimizer.<buffer>.<parameter>
// (optimizer.m.W1); with Shuffle, the sampler's current order of the
// samples, sampler.order; and with EarlyStopping, the best model so far,
// best.<tensor>. LoadModel reads the model in it and leaves the rest;
// LoadCheckpoint reads both, and numpy's np.load reads every array.

// Checkpoint is the state of an interrupted run that Train can continue
// from (TrainConfig.Resume): besides the network, which LoadCheckpoint
// returns with it, the optimizer's state, the sampler's state and the
// step.
type Checkpoint struct {
	// Step is the number of steps the run had taken.
	Step int
	// Iterations is the number of steps the run was to take.
	Iterations int

	doc       checkpointDoc
	optimizer grad.State
	order     []int            // the sampler's order, with Shuffle
	best      []*tensor.Tensor // EarlyStopping's best model
}

// checkpointDoc is the JSON document of a checkpoint file.
type checkpointDoc struct {
	Format     string       `json:"format"`
	Version    int          `json:"version"`
	Step       int          `json:"step"`
	Iterations int          `json:"iterations"`
	Samples    int          `json:"samples"`
	TestSize   int          `json:"test_samples"`
	BatchSize  int          `json:"batch_size"`
	Shuffle    bool         `json:"shuffle"`
	Source     []byte       `json:"source"` // the sampler's random source, marshalled
	Optimizer  optimizerDoc `json:"optimizer"`
	Early      *earlyDoc    `json:"early_stopping,omitempty"`
	// Layers holds, by layer index, the state that layers keep outside
	// their tensors (Dropout's random stream), as their MarshalBinary
	// gives it.
	Layers map[string][]byte `json:"layers,omitempty"`
}

type optimizerDoc struct {
	Kind    string   `json:"kind"`
	Updates int      `json:"updates"`
	Buffers []string `json:"buffers,omitempty"`
}

type earlyDoc struct {
	Best     float64 `json:"best"`
	BestStep int     `json:"best_step"`
	Bad      int     `json:"bad"`
}

const (
	checkpointName    = "checkpoint"
	checkpointFormat  = "numlearn.Checkpoint"
	checkpointVersion = 1
)

// checkCheckpointing checks, before the first step, that the run can
// write and resume checkpoints.
func (r *run) checkCheckpointing() error {
	if _, ok := r.cfg.Optimizer.(grad.Stateful); !ok {
		return fmt.Errorf("%w: checkpoints need an optimizer whose state can be saved (grad.Stateful); %T is not one", ErrConfig, r.cfg.Optimizer)
	}
	_, m := r.cfg.Rand.(encoding.BinaryMarshaler)
	_, u := r.cfg.Rand.(encoding.BinaryUnmarshaler)
	if !m || !u {
		return fmt.Errorf("%w: checkpoints need a Rand whose state can be saved; %T is not one: pass a *rand.PCG or *rand.ChaCha8 itself, not a *rand.Rand made from it", ErrConfig, r.cfg.Rand)
	}
	if r.cfg.Checkpoint != "" {
		if _, err := r.n.describe(); err != nil {
			return fmt.Errorf("%w: checkpoints hold the architecture: %w", ErrConfig, err)
		}
	}
	if _, err := r.layerStates(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

// binaryState is a layer with state outside its tensors that it can save
// and restore, such as Dropout's random stream.
type binaryState interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// layerStates returns the state of the layers that keep some outside
// their tensors, by layer index.
func (r *run) layerStates() (map[string][]byte, error) {
	var out map[string][]byte
	for i, l := range r.n.seq.Layers() {
		b, ok := l.(binaryState)
		if !ok {
			continue
		}
		state, err := b.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("checkpoints save every layer's state; layer %d (%T) cannot: %w", i, l, err)
		}
		if out == nil {
			out = make(map[string][]byte)
		}
		out[strconv.Itoa(i)] = state
	}
	return out, nil
}

// checkpoint writes the run's checkpoint after step, if the run keeps one
// and it has not been written after that step already.
func (r *run) checkpoint(step int) error {
	if r.cfg.Checkpoint == "" || r.saved == step {
		return nil
	}
	arrays, err := r.checkpointArrays(step)
	if err == nil {
		err = atomicfile.Write(r.cfg.Checkpoint, func(w io.Writer) error { return npz.Write(w, arrays) })
	}
	if err != nil {
		return fmt.Errorf("numlearn: checkpoint %s: %w", r.cfg.Checkpoint, err)
	}
	r.saved = step
	return nil
}

func (r *run) checkpointArrays(step int) ([]npz.Array, error) {
	arrays, err := r.n.arrays(SaveOptions{})
	if err != nil {
		return nil, err
	}
	src, err := r.cfg.Rand.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, err
	}
	st := r.cfg.Optimizer.(grad.Stateful).State()
	states, err := r.layerStates()
	if err != nil {
		return nil, err
	}
	doc := checkpointDoc{
		Layers: states,
		Format: checkpointFormat, Version: checkpointVersion,
		Step: step, Iterations: r.iters, Samples: r.samples, BatchSize: r.cfg.BatchSize, Shuffle: r.cfg.Shuffle,
		Source:    src,
		Optimizer: optimizerDoc{Kind: st.Kind, Updates: st.Updates, Buffers: st.Names()},
	}
	if r.cfg.TestX != nil {
		doc.TestSize = r.cfg.TestX.Shape()[0]
	}
	names := r.n.ParamNames()
	for _, b := range doc.Optimizer.Buffers {
		bufs := st.Buffers[b]
		if len(bufs) != len(names) {
			return nil, fmt.Errorf("the optimizer has %d %q buffers for %d parameters", len(bufs), b, len(names))
		}
		for i, t := range bufs {
			arrays = append(arrays, npz.Array{Name: "optimizer." + b + "." + names[i], Shape: t.Shape(), Data: t.Data()})
		}
	}
	if r.cfg.Shuffle {
		order := make([]float64, len(r.s.order))
		for i, o := range r.s.order {
			order[i] = float64(o)
		}
		arrays = append(arrays, npz.Array{Name: "sampler.order", Shape: []int{len(order)}, Data: order})
	}
	if e := r.early; e != nil && e.bestStep > 0 {
		doc.Early = &earlyDoc{Best: e.best, BestStep: e.bestStep, Bad: e.bad}
		for i, entry := range r.n.tensors {
			t := e.snapshot[i]
			arrays = append(arrays, npz.Array{Name: "best." + entry.name, Shape: t.Shape(), Data: t.Data()})
		}
	}
	text, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return append(arrays, npz.Array{Name: checkpointName, IsText: true, Text: string(text)}), nil
}

// LoadCheckpoint reads a checkpoint file that Train wrote
// (TrainConfig.Checkpoint) and returns the network it holds, ready to
// train on, and the checkpoint to pass as TrainConfig.Resume. The error
// wraps ErrFormat for a file that is not a valid checkpoint and
// ErrMismatch for one whose arrays do not fit together; a model file
// without a run's state is refused too, naming LoadModel.
func LoadCheckpoint(name string) (*Network, *Checkpoint, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("numlearn: load checkpoint: %w", err)
	}
	defer f.Close()
	n, ck, err := ReadCheckpoint(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (%s)", err, name)
	}
	return n, ck, nil
}

// ReadCheckpoint is LoadCheckpoint from a reader.
func ReadCheckpoint(r io.Reader) (*Network, *Checkpoint, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("numlearn: load checkpoint: %w", err)
	}
	arrays, err := npz.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, formatError(err)
	}
	var (
		model []npz.Array
		extra = map[string]npz.Array{}
		text  *npz.Array
	)
	for i, a := range arrays {
		switch {
		case a.Name == checkpointName:
			if text != nil || !a.IsText {
				return nil, nil, fmt.Errorf("%w: checkpoint: %q is not one text entry", ErrFormat, a.Name)
			}
			text = &arrays[i]
		case isRunArray(a.Name):
			if _, dup := extra[a.Name]; dup || a.IsText {
				return nil, nil, fmt.Errorf("%w: checkpoint: array %q appears twice or is text", ErrFormat, a.Name)
			}
			extra[a.Name] = a
		default:
			model = append(model, a)
		}
	}
	if text == nil {
		return nil, nil, fmt.Errorf("%w: the file holds no training run (no %s entry); a model file is read by LoadModel", ErrFormat, checkpointName)
	}
	ck := &Checkpoint{}
	dec := json.NewDecoder(strings.NewReader(text.Text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ck.doc); err != nil {
		return nil, nil, fmt.Errorf("%w: checkpoint: %w", ErrFormat, err)
	}
	d := &ck.doc
	switch {
	case d.Format != checkpointFormat:
		return nil, nil, fmt.Errorf("%w: checkpoint: format %q, want %q", ErrFormat, d.Format, checkpointFormat)
	case d.Version != checkpointVersion:
		return nil, nil, fmt.Errorf("%w: checkpoint: version %d, this program reads version %d", ErrFormat, d.Version, checkpointVersion)
	case d.Step < 1 || d.Iterations < d.Step || d.Samples < 1 || d.BatchSize < 1 || d.BatchSize > d.Samples || d.TestSize < 0 || d.Optimizer.Updates < 0:
		return nil, nil, fmt.Errorf("%w: checkpoint: step %d of %d, %d samples in batches of %d, %d test samples, %d updates do not make a run",
			ErrFormat, d.Step, d.Iterations, d.Samples, d.BatchSize, d.TestSize, d.Optimizer.Updates)
	}
	ck.Step, ck.Iterations = d.Step, d.Iterations
	n, err := buildModel(model)
	if err != nil {
		return nil, nil, err
	}
	take := func(name string, shape []int) (*tensor.Tensor, error) {
		a, ok := extra[name]
		if !ok {
			return nil, fmt.Errorf("%w: checkpoint: no array %q", ErrMismatch, name)
		}
		delete(extra, name)
		if !slices.Equal(a.Shape, shape) {
			return nil, fmt.Errorf("%w: checkpoint: array %q has shape %v, want %v", ErrMismatch, name, a.Shape, shape)
		}
		return tensor.FromSlice(a.Data, a.Shape...), nil
	}
	ck.optimizer = grad.State{Kind: d.Optimizer.Kind, Updates: d.Optimizer.Updates}
	names := n.ParamNames()
	for _, b := range d.Optimizer.Buffers {
		if ck.optimizer.Buffers == nil {
			ck.optimizer.Buffers = make(map[string][]*tensor.Tensor)
		}
		if _, dup := ck.optimizer.Buffers[b]; dup {
			return nil, nil, fmt.Errorf("%w: checkpoint: optimizer buffer %q named twice", ErrFormat, b)
		}
		bufs := make([]*tensor.Tensor, len(names))
		for i, p := range n.values {
			if bufs[i], err = take("optimizer."+b+"."+names[i], p.Shape()); err != nil {
				return nil, nil, err
			}
		}
		ck.optimizer.Buffers[b] = bufs
	}
	if d.Shuffle {
		order, err := take("sampler.order", []int{d.Samples})
		if err != nil {
			return nil, nil, err
		}
		if ck.order, err = permutation(order.Data()); err != nil {
			return nil, nil, err
		}
	}
	if e := d.Early; e != nil {
		if e.BestStep < 1 || e.BestStep > d.Step || e.Bad < 0 || math.IsInf(e.Best, 0) {
			return nil, nil, fmt.Errorf("%w: checkpoint: early stopping's best step %d, %d evaluations since, measure %v do not fit step %d",
				ErrFormat, e.BestStep, e.Bad, e.Best, d.Step)
		}
		for _, entry := range n.tensors {
			t, err := take("best."+entry.name, entry.Value.Shape())
			if err != nil {
				return nil, nil, err
			}
			ck.best = append(ck.best, t)
		}
	}
	for _, a := range arrays { // in file order, so the error is the same every time
		if _, left := extra[a.Name]; left {
			return nil, nil, fmt.Errorf("%w: checkpoint: array %q belongs to nothing the run records", ErrMismatch, a.Name)
		}
	}
	return n, ck, nil
}

// isRunArray reports whether a checkpoint's array of this name records the
// run rather than the model.
func isRunArray(name string) bool {
	return strings.HasPrefix(name, "optimizer.") || strings.HasPrefix(name, "sampler.") || strings.HasPrefix(name, "best.")
}

// permutation returns v as ints, checking that it is a permutation of
// 0, …, len(v)−1.
func permutation(v []float64) ([]int, error) {
	seen := make([]bool, len(v))
	out := make([]int, len(v))
	for i, f := range v {
		k := int(f)
		if float64(k) != f || k < 0 || k >= len(v) || seen[k] {
			return nil, fmt.Errorf("%w: checkpoint: sampler.order is not a permutation of the samples (value %v at %d)", ErrFormat, f, i)
		}
		seen[k] = true
		out[i] = k
	}
	return out, nil
}

// resume sets the run up to continue from ck: the optimizer's and the
// sampler's state, early stopping's, and the first step.
func (r *run) resume(ck *Checkpoint) error {
	d := &ck.doc
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: resume: "+format, append([]any{ErrConfig}, args...)...)
	}
	testSize := 0
	if r.cfg.TestX != nil {
		testSize = r.cfg.TestX.Shape()[0]
	}
	switch {
	case d.Samples != r.samples || d.BatchSize != r.cfg.BatchSize || d.Shuffle != r.cfg.Shuffle || d.TestSize != testSize:
		return bad("the checkpoint's run had %d samples (%d test samples) in batches of %d, shuffled %v; this one has %d (%d) in batches of %d, shuffled %v",
			d.Samples, d.TestSize, d.BatchSize, d.Shuffle, r.samples, testSize, r.cfg.BatchSize, r.cfg.Shuffle)
	case ck.Step >= r.iters:
		return bad("the checkpoint is after step %d and this run has %d steps: nothing is left to do", ck.Step, r.iters)
	case (d.Early != nil) && r.early == nil:
		return bad("the checkpoint's run used EarlyStopping and this one does not")
	}
	for name, bufs := range ck.optimizer.Buffers {
		if len(bufs) != len(r.n.values) {
			return bad("the optimizer state has %d %q buffers for the network's %d parameters", len(bufs), name, len(r.n.values))
		}
		for i, b := range bufs {
			if !slices.Equal(b.Shape(), r.n.values[i].Shape()) {
				return bad("optimizer buffer %q %d has shape %v, the parameter %v: the checkpoint belongs to another network", name, i, b.Shape(), r.n.values[i].Shape())
			}
		}
	}
	if err := r.cfg.Optimizer.(grad.Stateful).SetState(ck.optimizer); err != nil {
		return bad("%w", err)
	}
	if err := r.cfg.Rand.(encoding.BinaryUnmarshaler).UnmarshalBinary(d.Source); err != nil {
		return bad("the sampler's source (%T) cannot take the checkpoint's state: %w", r.cfg.Rand, err)
	}
	if d.Shuffle {
		copy(r.s.order, ck.order)
	}
	ls := r.n.seq.Layers()
	for key := range d.Layers {
		if i, err := strconv.Atoi(key); err != nil || i < 0 || i >= len(ls) || ls[i] == nil {
			return bad("the checkpoint holds the state of a layer %q the network does not have", key)
		} else if _, ok := ls[i].(binaryState); !ok {
			return bad("the checkpoint holds the state of layer %d, a %T, which keeps none", i, ls[i])
		}
	}
	for i, l := range ls {
		b, ok := l.(binaryState)
		if !ok {
			continue
		}
		state, ok := d.Layers[strconv.Itoa(i)]
		if !ok {
			return bad("the checkpoint has no state for layer %d (%T)", i, l)
		}
		if err := b.UnmarshalBinary(state); err != nil {
			return bad("layer %d (%T): %w", i, l, err)
		}
	}
	if e := d.Early; e != nil {
		if len(ck.best) != len(r.model) {
			return bad("the checkpoint's best model has %d tensors, the network %d", len(ck.best), len(r.model))
		}
		r.early.best, r.early.bestStep, r.early.bad = e.Best, e.BestStep, e.Bad
		r.early.snapshot = cloneAll(ck.best)
	}
	r.first = ck.Step
	return nil
}
