package numlearn

import (
	"fmt"
	"math/rand/v2"

	"github.com/numlearn/numlearn/tensor"
)

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
