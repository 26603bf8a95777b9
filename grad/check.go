package grad

import (
	"fmt"
	"math"
	"slices"

	"github.com/numlearn/numlearn/tensor"
)

// Difference summarises how far one tensor is from another, element by
// element: the largest and the mean absolute difference |a−b|, and the
// largest relative error |a−b| / max(|a|, |b|), which counts as 0 where both
// are 0. A NaN anywhere makes MaxAbs and MaxRel NaN, so a broken gradient
// cannot hide.
type Difference struct {
	MaxAbs, MeanAbs, MaxRel float64
}

// String formats d as "max abs 1.2e-10, mean abs 3.4e-11, max rel 5.6e-09".
func (d Difference) String() string {
	return fmt.Sprintf("max abs %.2g, mean abs %.2g, max rel %.2g", d.MaxAbs, d.MeanAbs, d.MaxRel)
}

// Check compares got with want pairwise, typically the gradients from
// backpropagation with those from Numerical, and returns one Difference per
// pair. Backprop that is right usually agrees with central differences to a
// MaxAbs near 1e-8 or better; Worst gives the summary over all tensors.
// Check panics if the lists have different lengths or a pair has different
// shapes.
func Check(got, want []*tensor.Tensor) []Difference {
	if len(got) != len(want) {
		panic(fmt.Sprintf("grad: Check: %d tensors against %d", len(got), len(want)))
	}
	ds := make([]Difference, len(got))
	for k, a := range got {
		b := want[k]
		if !slices.Equal(a.Shape(), b.Shape()) {
			panic(fmt.Sprintf("grad: Check: tensor %d has shape %v against %v", k, a.Shape(), b.Shape()))
		}
		ds[k] = difference(a.Data(), b.Data())
	}
	return ds
}

// difference compares two equally long slices. A mean over no elements is 0:
// an empty tensor differs by nothing.
func difference(a, b []float64) Difference {
	var d Difference
	var sum float64
	for i, x := range a {
		y := b[i]
		abs := math.Abs(x - y)
		rel := 0.0
		if x != 0 || y != 0 {
			rel = abs / math.Max(math.Abs(x), math.Abs(y))
		}
		d.MaxAbs = max(d.MaxAbs, abs) // max keeps a NaN
		d.MaxRel = max(d.MaxRel, rel)
		sum += abs
	}
	if len(a) > 0 {
		d.MeanAbs = sum / float64(len(a))
	}
	return d
}

// Worst returns the largest of each field over ds: the worst MaxAbs, MeanAbs
// and MaxRel, which may come from different tensors. It is the zero
// Difference for no ds.
func Worst(ds []Difference) Difference {
	var w Difference
	for _, d := range ds {
		w.MaxAbs = max(w.MaxAbs, d.MaxAbs)
		w.MeanAbs = max(w.MeanAbs, d.MeanAbs)
		w.MaxRel = max(w.MaxRel, d.MaxRel)
	}
	return w
}
