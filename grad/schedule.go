package grad

import (
	"fmt"
	"math"
)

// Schedule gives the factor by which a run multiplies its optimizer's base
// learning rate for update step (counted from 0) of a run of steps
// updates. A nil Schedule means a constant rate, a factor of 1 throughout.
//
// A training loop sets the rate before each update, lr = base·s(step,
// steps), with base the rate the optimizer had when the run began:
//
//	base := opt.LearningRate() // opt is a RateSetter: every optimizer here is
//	for step := range steps {
//		opt.SetLearningRate(base * s(step, steps))
//		opt.Update(params, grads)
//	}
//	opt.SetLearningRate(base)
//
// numlearn's Train does this when its TrainConfig has a Schedule. Setting
// the rate, not scaling the step, is what PyTorch's schedulers do too, so
// an adaptive optimizer (AdaGrad, RMSProp, Adam) keeps its own per-element
// scaling under a schedule.
//
// StepDecay, ExponentialDecay, CosineDecay and WarmUp make the usual
// schedules, each with PyTorch's formula for the scheduler of the same
// name stepped once per update; a func of your own is a Schedule too. A
// factor is meant for 0 ≤ step < steps; what a schedule gives outside
// that range is its formula's continuation.
type Schedule func(step, steps int) float64

// StepDecay returns the schedule gamma^⌊step/every⌋: the rate is
// multiplied by gamma after every `every` updates, as PyTorch's StepLR
// with step_size = every. It panics if every < 1, or if gamma is not a
// finite positive number: the rate would not decay by a factor.
func StepDecay(every int, gamma float64) Schedule {
	if every < 1 {
		panic(fmt.Sprintf("grad: StepDecay: every = %d; want at least 1 update between decays", every))
	}
	checkGamma("StepDecay", gamma)
	return func(step, _ int) float64 {
		return math.Pow(gamma, float64(step/every)) // ⌊step/every⌋ for step ≥ 0
	}
}

// ExponentialDecay returns the schedule gamma^step: the rate is
// multiplied by gamma after every update, as PyTorch's ExponentialLR
// stepped once per update. It panics if gamma is not a finite positive
// number. (A small gamma over a long run makes a factor that underflows
// to 0: 0.9^7100 does.)
func ExponentialDecay(gamma float64) Schedule {
	checkGamma("ExponentialDecay", gamma)
	return func(step, _ int) float64 {
		return math.Pow(gamma, float64(step))
	}
}

// checkGamma panics, naming op, unless gamma is finite and positive.
func checkGamma(op string, gamma float64) {
	if !(gamma > 0) || math.IsInf(gamma, 1) {
		panic(fmt.Sprintf("grad: %s: gamma = %v; want a finite factor > 0 (below 1 to decay)", op, gamma))
	}
}

// CosineDecay returns the schedule that takes the rate from its base down
// to minFactor times it along half a cosine over the run,
//
//	minFactor + (1 − minFactor)·(1 + cos(π·step/steps))/2
//
// which is 1 at step 0, (1 + minFactor)/2 half-way and reaches minFactor
// at step = steps, one past the last update: PyTorch's CosineAnnealingLR
// with T_max = steps and eta_min = minFactor·base, stepped once per
// update. It panics if minFactor is outside [0, 1]; the schedule panics if
// it is asked for a run of no steps.
func CosineDecay(minFactor float64) Schedule {
	if !(minFactor >= 0 && minFactor <= 1) {
		panic(fmt.Sprintf("grad: CosineDecay: minFactor = %v; want a fraction of the base rate in [0, 1]", minFactor))
	}
	return func(step, steps int) float64 {
		if steps < 1 {
			panic(fmt.Sprintf("grad: CosineDecay: step %d of %d steps; a run has at least one", step, steps))
		}
		return minFactor + (1-minFactor)*(1+math.Cos(math.Pi*float64(step)/float64(steps)))/2
	}
}

// WarmUp returns the schedule that raises the rate linearly over the first
// warm updates, (step+1)/warm for step < warm — 1/warm of the base rate
// for the first update, the whole of it for update warm−1 — and then
// follows then over the rest of the run, as a run of its own:
// then(step − warm, steps − warm). A nil then keeps the base rate after
// the warm-up. In PyTorch this is SequentialLR of LinearLR (start_factor
// = 1/warm, total_iters = warm − 1) and then's scheduler, with the
// milestone at warm. WarmUp(0, then) is then itself (or a constant rate,
// for a nil then).
//
// It panics if warm is negative.
func WarmUp(warm int, then Schedule) Schedule {
	if warm < 0 {
		panic(fmt.Sprintf("grad: WarmUp: warm = %d; want a number of updates ≥ 0", warm))
	}
	return func(step, steps int) float64 {
		if step < warm {
			return float64(step+1) / float64(warm)
		}
		if then == nil {
			return 1
		}
		return then(step-warm, steps-warm)
	}
}
