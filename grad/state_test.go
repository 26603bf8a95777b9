package grad_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
)

// stateful returns a fresh optimizer of each kind in the package.
func stateful() []struct {
	name string
	new  func() grad.Stateful
} {
	return []struct {
		name string
		new  func() grad.Stateful
	}{
		{"SGD", func() grad.Stateful { return &grad.SGD{LR: 0.1} }},
		{"Momentum", func() grad.Stateful { return &grad.Momentum{LR: 0.1} }},
		{"Nesterov", func() grad.Stateful { return &grad.Nesterov{LR: 0.1} }},
		{"AdaGrad", func() grad.Stateful { return &grad.AdaGrad{LR: 0.1} }},
		{"RMSProp", func() grad.Stateful { return &grad.RMSProp{LR: 0.1} }},
		{"Adam", func() grad.Stateful { return &grad.Adam{LR: 0.1} }},
	}
}

// TestStateResumes checks that an optimizer whose state is saved after
// three updates and restored into a fresh one continues bit for bit as
// the one that never stopped.
func TestStateResumes(t *testing.T) {
	for _, tc := range stateful() {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			grads := make([][]*tensor.Tensor, 6)
			for i := range grads {
				grads[i] = []*tensor.Tensor{tensor.RandN(rng, 1, 2, 3), tensor.RandN(rng, 1, 3)}
			}
			start := []*tensor.Tensor{tensor.RandN(rng, 1, 2, 3), tensor.New(3)}

			whole, params := tc.new(), cloneAll(start)
			for _, g := range grads {
				whole.Update(params, g)
			}

			first, resumed := tc.new(), cloneAll(start)
			for _, g := range grads[:3] {
				first.Update(resumed, g)
			}
			saved := cloneState(first.State())
			for _, g := range grads[:2] {
				first.Update(cloneAll(resumed), g) // moves first's buffers; saved must not move
			}
			second := tc.new()
			require.NoError(t, second.SetState(saved))
			for _, g := range grads[3:] {
				second.Update(resumed, g)
			}
			for i := range params {
				assert.Equal(t, params[i].Data(), resumed[i].Data(), "param %d", i)
			}
			assert.Equal(t, tc.name, saved.Kind)
		})
	}
}

func TestStateRefused(t *testing.T) {
	adam := &grad.Adam{}
	p := []*tensor.Tensor{tensor.New(2)}
	adam.Update(p, []*tensor.Tensor{tensor.FromSlice([]float64{1, 2}, 2)})
	s := adam.State()
	assert.Equal(t, 1, s.Updates)
	assert.Equal(t, []string{"m", "v"}, s.Names())

	tests := []struct {
		name string
		opt  grad.Stateful
		s    grad.State
		msg  string
	}{
		{"other kind", &grad.Momentum{}, s, `state of a "Adam" optimizer given to Momentum`},
		{"missing buffer", &grad.Adam{}, grad.State{Kind: "Adam", Updates: 1, Buffers: map[string][]*tensor.Tensor{"m": s.Buffers["m"]}},
			`Adam state has buffers ["m"], want ["m" "v"]`},
		{"shapes differ", &grad.Adam{}, grad.State{Kind: "Adam", Updates: 1, Buffers: map[string][]*tensor.Tensor{"m": s.Buffers["m"], "v": {tensor.New(3)}}},
			`"v" buffer 0 has shape [3] but "m" buffer 0 has [2]`},
		{"updates without buffers", &grad.Adam{}, grad.State{Kind: "Adam", Updates: 4}, "state of 4 updates has no buffers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opt.SetState(tc.s)
			require.ErrorIs(t, err, grad.ErrState)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestLearningRate(t *testing.T) {
	tests := []struct {
		name string
		opt  grad.RateSetter
		want float64
	}{
		{"SGD default", &grad.SGD{}, grad.DefaultLR},
		{"Momentum default", &grad.Momentum{}, grad.DefaultLR},
		{"Adam default", &grad.Adam{}, grad.DefaultAdamLR},
		{"RMSProp set", &grad.RMSProp{LR: 0.5}, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.opt.LearningRate())
			tc.opt.SetLearningRate(0.25)
			assert.Equal(t, 0.25, tc.opt.LearningRate())
			// A rate of 0 stays (next to) 0, not the default.
			tc.opt.SetLearningRate(0)
			assert.Equal(t, math.SmallestNonzeroFloat64, tc.opt.LearningRate())
		})
	}
}

func cloneAll(ts []*tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ts))
	for i, t := range ts {
		out[i] = t.Clone()
	}
	return out
}

func cloneState(s grad.State) grad.State {
	c := s
	c.Buffers = nil
	for name, b := range s.Buffers {
		if c.Buffers == nil {
			c.Buffers = make(map[string][]*tensor.Tensor)
		}
		c.Buffers[name] = cloneAll(b)
	}
	return c
}
