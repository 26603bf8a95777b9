package grad

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/numlearn/numlearn/tensor"
)

// RateSetter is an optimizer whose learning rate can change between
// updates, as a Schedule needs. Every optimizer in this package is one.
type RateSetter interface {
	Optimizer
	// LearningRate returns the rate the next Update uses, its default
	// when the field is zero.
	LearningRate() float64
	// SetLearningRate sets the rate of the following updates. Since a
	// zero LR field means the default rate, the optimizers of this
	// package keep a rate of 0 (a schedule's factor can underflow to
	// it) as the smallest positive float64, which moves no parameter.
	SetLearningRate(lr float64)
}

// settable returns lr as an LR field holds it: 0, which the field reads
// as "the default", becomes the smallest positive float64.
func settable(lr float64) float64 {
	if lr == 0 {
		return math.SmallestNonzeroFloat64
	}
	return lr
}

// Stateful is an optimizer whose memory — velocities, moments, the count
// of updates — can be saved and restored, so that a run interrupted
// after any step continues as if it had not stopped. Every optimizer in
// this package is one.
type Stateful interface {
	Optimizer
	// State returns the optimizer's memory. Its buffers are views of
	// the optimizer's own, valid until the next Update: save or clone
	// them before that.
	State() State
	// SetState replaces the optimizer's memory with a copy of s. It
	// returns an error wrapping ErrState, and changes nothing, when s
	// was made by another kind of optimizer or its buffers do not fit.
	SetState(s State) error
}

// State is an optimizer's memory between updates.
type State struct {
	// Kind names the optimizer that made the state: "SGD", "Momentum",
	// "Nesterov", "AdaGrad", "RMSProp" or "Adam".
	Kind string
	// Updates is the number of updates that made the state (Adam's t).
	Updates int
	// Buffers holds one tensor per parameter, in the order Update is
	// given them, under the name of the rule's variable: "v" (Momentum,
	// Nesterov), "h" (AdaGrad, RMSProp), "m" and "v" (Adam). It is empty
	// before the first Update and for SGD.
	Buffers map[string][]*tensor.Tensor
}

// ErrState is wrapped by the errors SetState returns.
var ErrState = errors.New("grad: optimizer state does not fit")

// Names returns the names of s's buffers, sorted.
func (s State) Names() []string { return slices.Sorted(maps.Keys(s.Buffers)) }

// state builds a State from buffer lists and their names, leaving out
// the buffers that do not exist yet.
func state(kind string, updates int, names []string, bufs ...[]*tensor.Tensor) State {
	s := State{Kind: kind, Updates: updates}
	for i, b := range bufs {
		if b != nil {
			if s.Buffers == nil {
				s.Buffers = make(map[string][]*tensor.Tensor)
			}
			s.Buffers[names[i]] = b
		}
	}
	return s
}

// restore checks s against the kind and the buffer names an optimizer
// has, and returns copies of its buffers in the order of names, or nil
// lists when s has none (a state from before the first Update).
func restore(kind string, s State, names ...string) ([][]*tensor.Tensor, error) {
	if s.Kind != kind {
		return nil, fmt.Errorf("%w: state of a %q optimizer given to %s", ErrState, s.Kind, kind)
	}
	if s.Updates < 0 {
		return nil, fmt.Errorf("%w: %s state with %d updates", ErrState, kind, s.Updates)
	}
	out := make([][]*tensor.Tensor, len(names))
	if len(s.Buffers) == 0 {
		if s.Updates != 0 && len(names) > 0 {
			return nil, fmt.Errorf("%w: %s state of %d updates has no buffers", ErrState, kind, s.Updates)
		}
		return out, nil
	}
	if got := s.Names(); !slices.Equal(got, slices.Sorted(slices.Values(names))) {
		return nil, fmt.Errorf("%w: %s state has buffers %q, want %q", ErrState, kind, got, names)
	}
	first := s.Buffers[names[0]]
	for i, name := range names {
		b := s.Buffers[name]
		if len(b) != len(first) {
			return nil, fmt.Errorf("%w: %s state has %d %q buffers but %d %q buffers", ErrState, kind, len(b), name, len(first), names[0])
		}
		out[i] = make([]*tensor.Tensor, len(b))
		for j, t := range b {
			if t == nil {
				return nil, fmt.Errorf("%w: %s state: %q buffer %d is missing", ErrState, kind, name, j)
			}
			if !slices.Equal(t.Shape(), first[j].Shape()) {
				return nil, fmt.Errorf("%w: %s state: %q buffer %d has shape %v but %q buffer %d has %v",
					ErrState, kind, name, j, t.Shape(), names[0], j, first[j].Shape())
			}
			out[i][j] = t.Clone()
		}
	}
	return out, nil
}

// LearningRate returns LR, or DefaultLR when LR is zero.
func (o *SGD) LearningRate() float64 { return or(o.LR, DefaultLR) }

// SetLearningRate sets LR (see RateSetter for a rate of 0).
func (o *SGD) SetLearningRate(lr float64) { o.LR = settable(lr) }

// State returns SGD's state, which is only its kind: SGD has no memory.
func (o *SGD) State() State { return State{Kind: "SGD"} }

// SetState checks that s is an SGD's state.
func (o *SGD) SetState(s State) error {
	_, err := restore("SGD", s)
	return err
}

// LearningRate returns LR, or DefaultLR when LR is zero.
func (o *Momentum) LearningRate() float64 { return or(o.LR, DefaultLR) }

// SetLearningRate sets LR (see RateSetter for a rate of 0).
func (o *Momentum) SetLearningRate(lr float64) { o.LR = settable(lr) }

// State returns the velocities, as "v".
func (o *Momentum) State() State { return state("Momentum", 0, []string{"v"}, o.v) }

// SetState replaces the velocities with copies of s's.
func (o *Momentum) SetState(s State) error {
	b, err := restore("Momentum", s, "v")
	if err == nil {
		o.v = b[0]
	}
	return err
}

// LearningRate returns LR, or DefaultLR when LR is zero.
func (o *Nesterov) LearningRate() float64 { return or(o.LR, DefaultLR) }

// SetLearningRate sets LR (see RateSetter for a rate of 0).
func (o *Nesterov) SetLearningRate(lr float64) { o.LR = settable(lr) }

// State returns the velocities, as "v".
func (o *Nesterov) State() State { return state("Nesterov", 0, []string{"v"}, o.v) }

// SetState replaces the velocities with copies of s's.
func (o *Nesterov) SetState(s State) error {
	b, err := restore("Nesterov", s, "v")
	if err == nil {
		o.v = b[0]
	}
	return err
}

// LearningRate returns LR, or DefaultLR when LR is zero.
func (o *AdaGrad) LearningRate() float64 { return or(o.LR, DefaultLR) }

// SetLearningRate sets LR (see RateSetter for a rate of 0).
func (o *AdaGrad) SetLearningRate(lr float64) { o.LR = settable(lr) }

// State returns the squared-gradient sums, as "h".
func (o *AdaGrad) State() State { return state("AdaGrad", 0, []string{"h"}, o.h) }

// SetState replaces the squared-gradient sums with copies of s's.
func (o *AdaGrad) SetState(s State) error {
	b, err := restore("AdaGrad", s, "h")
	if err == nil {
		o.h = b[0]
	}
	return err
}

// LearningRate returns LR, or DefaultLR when LR is zero.
func (o *RMSProp) LearningRate() float64 { return or(o.LR, DefaultLR) }

// SetLearningRate sets LR (see RateSetter for a rate of 0).
func (o *RMSProp) SetLearningRate(lr float64) { o.LR = settable(lr) }

// State returns the squared-gradient averages, as "h".
func (o *RMSProp) State() State { return state("RMSProp", 0, []string{"h"}, o.h) }

// SetState replaces the squared-gradient averages with copies of s's.
func (o *RMSProp) SetState(s State) error {
	b, err := restore("RMSProp", s, "h")
	if err == nil {
		o.h = b[0]
	}
	return err
}

// LearningRate returns LR, or DefaultAdamLR when LR is zero.
func (o *Adam) LearningRate() float64 { return or(o.LR, DefaultAdamLR) }

// SetLearningRate sets LR (see RateSetter for a rate of 0).
func (o *Adam) SetLearningRate(lr float64) { o.LR = settable(lr) }

// State returns the moments, as "m" and "v", and the number of updates.
func (o *Adam) State() State { return state("Adam", o.iter, []string{"m", "v"}, o.m, o.v) }

// SetState replaces the moments and the update count with s's.
func (o *Adam) SetState(s State) error {
	b, err := restore("Adam", s, "m", "v")
	if err == nil {
		o.m, o.v, o.iter = b[0], b[1], s.Updates
	}
	return err
}
