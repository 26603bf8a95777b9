package grad_test

import (
	"fmt"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
)

// A training loop sets the optimizer's rate before each update: the base
// rate times the schedule's factor. Here SGD at base rate 0.1 warms up
// over 2 updates (0.05, then 0.1) and then decays along a cosine over the
// other 4: factors 1, (1+cos(π/4))/2, ½ and (1+cos(3π/4))/2. With a
// gradient of 1 throughout, p moves down by each rate in turn, 0.4 in
// all.
func ExampleSchedule() {
	opt := &grad.SGD{LR: 0.1}
	s := grad.WarmUp(2, grad.CosineDecay(0))
	p := tensor.FromSlice([]float64{1})
	g := tensor.FromSlice([]float64{1})

	const steps = 6
	base := opt.LearningRate()
	for step := range steps {
		opt.SetLearningRate(base * s(step, steps))
		fmt.Printf("step %d: lr %.4f\n", step, opt.LearningRate())
		opt.Update([]*tensor.Tensor{p}, []*tensor.Tensor{g})
	}
	opt.SetLearningRate(base)
	fmt.Printf("p %.4f\n", p.At(0))
	// Output:
	// step 0: lr 0.0500
	// step 1: lr 0.1000
	// step 2: lr 0.1000
	// step 3: lr 0.0854
	// step 4: lr 0.0500
	// step 5: lr 0.0146
	// p 0.6000
}

// The rate halves after every 3 updates, as PyTorch's StepLR(step_size=3,
// gamma=0.5).
func ExampleStepDecay() {
	s := grad.StepDecay(3, 0.5)
	for step := range 8 {
		fmt.Printf("%.4f ", s(step, 8))
	}
	fmt.Println()
	// Output: 1.0000 1.0000 1.0000 0.5000 0.5000 0.5000 0.2500 0.2500
}

// The rate shrinks by 10% at every update: 0.9^step.
func ExampleExponentialDecay() {
	s := grad.ExponentialDecay(0.9)
	for step := range 4 {
		fmt.Printf("%.4f ", s(step, 4))
	}
	fmt.Println()
	// Output: 1.0000 0.9000 0.8100 0.7290
}

// Over a run of 100 updates the factor falls from 1 along half a cosine
// towards minFactor 0.1: (1 + 0.1)/2 = 0.55 half-way, and 0.1 at step 100,
// one past the last update.
func ExampleCosineDecay() {
	s := grad.CosineDecay(0.1)
	for _, step := range []int{0, 25, 50, 75, 99, 100} {
		fmt.Printf("step %3d: %.4f\n", step, s(step, 100))
	}
	// Output:
	// step   0: 1.0000
	// step  25: 0.8682
	// step  50: 0.5500
	// step  75: 0.2318
	// step  99: 0.1002
	// step 100: 0.1000
}

// A linear warm-up over 4 updates, (step+1)/4, then the base rate.
func ExampleWarmUp() {
	s := grad.WarmUp(4, nil)
	for step := range 6 {
		fmt.Printf("%.4f ", s(step, 6))
	}
	fmt.Println()
	// Output: 0.2500 0.5000 0.7500 1.0000 1.0000 1.0000
}
