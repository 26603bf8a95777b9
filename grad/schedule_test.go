package grad_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/numlearn/numlearn/grad"
)

// scheduleTol bounds rounding in a cosine or a power of order 1.
const scheduleTol = 1e-15

// factors returns s(step, steps) for step = 0 … steps−1.
func factors(s grad.Schedule, steps int) []float64 {
	out := make([]float64, steps)
	for step := range out {
		out[step] = s(step, steps)
	}
	return out
}

func TestSchedulesByHand(t *testing.T) {
	// cos(π/4) = √2/2, so a quarter of the way down a cosine from 1 to 0
	// is (1 + √2/2)/2, and three quarters (1 − √2/2)/2.
	quarter, threeQuarters := (1+math.Sqrt2/2)/2, (1-math.Sqrt2/2)/2
	tests := []struct {
		name  string
		s     grad.Schedule
		steps int
		want  []float64
	}{
		{"StepDecay(3, ½): halved after every 3 updates", grad.StepDecay(3, 0.5), 8,
			[]float64{1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25}},
		{"StepDecay(1, 0.1) is ExponentialDecay(0.1)", grad.StepDecay(1, 0.1), 3,
			[]float64{1, 0.1, 0.01}},
		{"ExponentialDecay(½)", grad.ExponentialDecay(0.5), 5,
			[]float64{1, 0.5, 0.25, 0.125, 0.0625}},
		{"ExponentialDecay(0.9)", grad.ExponentialDecay(0.9), 3,
			[]float64{1, 0.9, 0.81}},
		{"ExponentialDecay(1) is constant", grad.ExponentialDecay(1), 3,
			[]float64{1, 1, 1}},
		// π·step/4 for step 0…3: cos 0 = 1, cos π/4, cos π/2 = 0, cos 3π/4.
		{"CosineDecay(0) over 4", grad.CosineDecay(0), 4,
			[]float64{1, quarter, 0.5, threeQuarters}},
		// 0.2 + 0.8·(1 + cos(π·step/4))/2.
		{"CosineDecay(0.2) over 4", grad.CosineDecay(0.2), 4,
			[]float64{1, 0.2 + 0.8*quarter, 0.6, 0.2 + 0.8*threeQuarters}},
		{"CosineDecay(1) is constant", grad.CosineDecay(1), 3,
			[]float64{1, 1, 1}},
		// (step+1)/4 for the first 4, then the cosine over the other 4.
		{"WarmUp(4) then CosineDecay(0)", grad.WarmUp(4, grad.CosineDecay(0)), 8,
			[]float64{0.25, 0.5, 0.75, 1, 1, quarter, 0.5, threeQuarters}},
		{"WarmUp(2) then StepDecay(2, ½)", grad.WarmUp(2, grad.StepDecay(2, 0.5)), 6,
			[]float64{0.5, 1, 1, 1, 0.5, 0.5}},
		{"WarmUp(3) then constant", grad.WarmUp(3, nil), 5,
			[]float64{1.0 / 3, 2.0 / 3, 1, 1, 1}},
		{"WarmUp(0) is its schedule", grad.WarmUp(0, grad.ExponentialDecay(0.5)), 3,
			[]float64{1, 0.5, 0.25}},
		{"WarmUp(0, nil) is constant", grad.WarmUp(0, nil), 2,
			[]float64{1, 1}},
		{"a warm-up longer than the run", grad.WarmUp(10, grad.CosineDecay(0)), 4,
			[]float64{0.1, 0.2, 0.3, 0.4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDeltaSlice(t, tt.want, factors(tt.s, tt.steps), scheduleTol)
		})
	}
}

// The cosine's landmarks on a longer run: 1 at the start, (1+floor)/2
// half-way, and floor at step = steps, one past the last update.
func TestCosineDecayLandmarks(t *testing.T) {
	for _, floor := range []float64{0, 0.01, 0.5} {
		s := grad.CosineDecay(floor)
		assert.Equal(t, 1.0, s(0, 1000), "floor %v: start", floor)
		assert.InDelta(t, (1+floor)/2, s(500, 1000), scheduleTol, "floor %v: half-way", floor)
		assert.InDelta(t, floor, s(1000, 1000), scheduleTol, "floor %v: end", floor)
		last := s(999, 1000)
		assert.Greater(t, last, floor, "floor %v: the last update still has a rate above the floor", floor)
	}
}

// PyTorch's schedulers (torch/optim/lr_scheduler.py) compute each rate
// from the previous one when step() is called; the chainable forms below
// are their get_lr, with lr the optimizer's current rate and last the
// number of steps taken. They are an independent check on the closed
// forms here.

// torchStepLR: lr·gamma when last is a positive multiple of step_size,
// else lr.
func torchStepLR(base float64, stepSize int, gamma float64, n int) []float64 {
	out, lr := make([]float64, n), base
	for last := range n {
		if last != 0 && last%stepSize == 0 {
			lr *= gamma
		}
		out[last] = lr
	}
	return out
}

// torchExponentialLR: lr·gamma after the first step.
func torchExponentialLR(base, gamma float64, n int) []float64 {
	out, lr := make([]float64, n), base
	for last := range n {
		if last != 0 {
			lr *= gamma
		}
		out[last] = lr
	}
	return out
}

// torchCosineAnnealingLR:
//
//	last = 0:                       base
//	(last − 1 − T_max) % 2T_max = 0: lr + (base − η_min)(1 − cos(π/T_max))/2
//	otherwise:                      (1 + cos(π·last/T_max)) / (1 + cos(π·(last−1)/T_max))·(lr − η_min) + η_min
func torchCosineAnnealingLR(base float64, tMax int, etaMin float64, n int) []float64 {
	out, lr := make([]float64, n), base
	T := float64(tMax)
	for last := range n {
		l := float64(last)
		switch {
		case last == 0:
			lr = base
		case (last-1-tMax)%(2*tMax) == 0:
			lr += (base - etaMin) * (1 - math.Cos(math.Pi/T)) / 2
		default:
			lr = (1+math.Cos(math.Pi*l/T))/(1+math.Cos(math.Pi*(l-1)/T))*(lr-etaMin) + etaMin
		}
		out[last] = lr
	}
	return out
}

// torchLinearLR (end_factor 1):
//
//	last = 0:           base·start
//	last > total_iters: lr
//	otherwise:          lr·(1 + (1 − start)/(total_iters·start + (last − 1)·(1 − start)))
func torchLinearLR(base, start float64, totalIters, n int) []float64 {
	out, lr := make([]float64, n), base
	for last := range n {
		switch {
		case last == 0:
			lr = base * start
		case last > totalIters:
		default:
			lr *= 1 + (1-start)/(float64(totalIters)*start+float64(last-1)*(1-start))
		}
		out[last] = lr
	}
	return out
}

func scaled(base float64, fs []float64) []float64 {
	out := make([]float64, len(fs))
	for i, f := range fs {
		out[i] = base * f
	}
	return out
}

func TestSchedulesMatchPyTorch(t *testing.T) {
	// The chained products drift from the closed forms by a few ulps per
	// step.
	const tol = 1e-12
	const base = 0.1
	const steps = 200
	const warm = 10
	tests := []struct {
		name  string
		s     grad.Schedule
		torch []float64
	}{
		{"StepLR(step_size=30, gamma=0.1)", grad.StepDecay(30, 0.1), torchStepLR(base, 30, 0.1, steps)},
		{"StepLR(step_size=1, gamma=0.97)", grad.StepDecay(1, 0.97), torchStepLR(base, 1, 0.97, steps)},
		{"ExponentialLR(gamma=0.98)", grad.ExponentialDecay(0.98), torchExponentialLR(base, 0.98, steps)},
		{"CosineAnnealingLR(T_max=200)", grad.CosineDecay(0), torchCosineAnnealingLR(base, steps, 0, steps)},
		{"CosineAnnealingLR(T_max=200, eta_min=0.1·base)", grad.CosineDecay(0.1), torchCosineAnnealingLR(base, steps, 0.1*base, steps)},
		{"SequentialLR(LinearLR(1/10, total_iters=9), CosineAnnealingLR(T_max=190), milestones=[10])",
			grad.WarmUp(warm, grad.CosineDecay(0)),
			append(torchLinearLR(base, 1.0/warm, warm-1, warm), torchCosineAnnealingLR(base, steps-warm, 0, steps-warm)...)},
		{"LinearLR(1/10, total_iters=9) alone", grad.WarmUp(warm, nil), torchLinearLR(base, 1.0/warm, warm-1, steps)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDeltaSlice(t, tt.torch, scaled(base, factors(tt.s, steps)), tol)
		})
	}
}

func TestSchedulePanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
		want string
	}{
		{"StepDecay every 0", func() { grad.StepDecay(0, 0.5) },
			"grad: StepDecay: every = 0; want at least 1 update between decays"},
		{"StepDecay gamma 0", func() { grad.StepDecay(10, 0) },
			"grad: StepDecay: gamma = 0; want a finite factor > 0 (below 1 to decay)"},
		{"StepDecay gamma NaN", func() { grad.StepDecay(10, math.NaN()) },
			"grad: StepDecay: gamma = NaN; want a finite factor > 0 (below 1 to decay)"},
		{"ExponentialDecay gamma negative", func() { grad.ExponentialDecay(-0.5) },
			"grad: ExponentialDecay: gamma = -0.5; want a finite factor > 0 (below 1 to decay)"},
		{"ExponentialDecay gamma infinite", func() { grad.ExponentialDecay(math.Inf(1)) },
			"grad: ExponentialDecay: gamma = +Inf; want a finite factor > 0 (below 1 to decay)"},
		{"CosineDecay minFactor above 1", func() { grad.CosineDecay(1.5) },
			"grad: CosineDecay: minFactor = 1.5; want a fraction of the base rate in [0, 1]"},
		{"CosineDecay minFactor negative", func() { grad.CosineDecay(-0.1) },
			"grad: CosineDecay: minFactor = -0.1; want a fraction of the base rate in [0, 1]"},
		{"CosineDecay minFactor NaN", func() { grad.CosineDecay(math.NaN()) },
			"grad: CosineDecay: minFactor = NaN; want a fraction of the base rate in [0, 1]"},
		{"CosineDecay over no steps", func() { grad.CosineDecay(0)(0, 0) },
			"grad: CosineDecay: step 0 of 0 steps; a run has at least one"},
		{"WarmUp negative", func() { grad.WarmUp(-1, nil) },
			"grad: WarmUp: warm = -1; want a number of updates ≥ 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.fn)
		})
	}
}
