package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/numlearn/numlearn/tensor"
)

// Data is a data set held in memory: n samples, each a row of features in
// X and a row of targets in T.
//
// A Data made by hand needs X and T of shape (n, …) with the same n, and
// Labels nil or of length n.
type Data struct {
	// X holds the features, (n, features).
	X *tensor.Tensor

	// T holds the targets, (n, targets), or their one-hot encoding
	// (n, Classes) when the file was read with CSV.Classes > 0.
	T *tensor.Tensor

	// Labels holds the class of each sample, 0 to Classes−1, when the file
	// was read with CSV.Classes > 0; otherwise it is nil.
	Labels []int

	// FeatureNames and TargetNames name the columns of X and of the file's
	// target columns (one name for a column of class labels): the header's
	// fields, space trimmed, or "column 3" for the file's column index 3
	// (0-based, as in CSV.Features) when there is no header.
	FeatureNames, TargetNames []string
}

// Len returns the number of samples, n.
func (d *Data) Len() int { return d.X.Shape()[0] }

// Subset returns a new Data with the samples rows of d, in that order;
// repeats are allowed (a bootstrap sample). Its tensors, labels and names
// are copies: changing them leaves d alone. Subset panics if a row is out
// of range [0, d.Len()).
func (d *Data) Subset(rows []int) *Data {
	n := d.Len()
	for _, r := range rows {
		if r < 0 || r >= n {
			panic(fmt.Sprintf("dataset: Subset: row %d out of range [0, %d)", r, n))
		}
	}
	out := &Data{
		X:            take(d.X, rows),
		T:            take(d.T, rows),
		FeatureNames: slices.Clone(d.FeatureNames),
		TargetNames:  slices.Clone(d.TargetNames),
	}
	if d.Labels != nil {
		out.Labels = make([]int, len(rows))
		for i, r := range rows {
			out.Labels[i] = d.Labels[r]
		}
	}
	return out
}

// take returns the rows of t as a new tensor.
func take(t *tensor.Tensor, rows []int) *tensor.Tensor {
	var out tensor.Tensor
	out.TakeRows(t, rows)
	return &out
}

// Shuffle returns a new Data with the samples of d in an order drawn from
// rng: the same seed gives the same order. It panics if rng is nil.
func (d *Data) Shuffle(rng *rand.Rand) *Data {
	if rng == nil {
		panic("dataset: Shuffle: rng is nil")
	}
	return d.Subset(rng.Perm(d.Len()))
}

// Split cuts d into three new Data for training, validation and testing.
// The samples are first put in an order drawn from rng (the same seed
// gives the same split), or kept in file order when rng is nil; then,
// of the n samples in that order,
//
//	train  the first n − ⌊validation·n⌋ − ⌊test·n⌋
//	val    the next ⌊validation·n⌋
//	tst    the last ⌊test·n⌋
//
// so that with a nil rng the test samples are the last of the file, as
// for data recorded in time order, where a model is tested on the most
// recent. A product within a relative 10⁻¹² below a whole number counts as
// that number, so that 0.29 of 100 samples is 29 although 0.29·100 is
// 28.999999999999996 in float64. The training part is never empty when d
// is not. Either fraction may be 0, making that part empty.
//
// Split panics if a fraction is negative or NaN, or if they sum to 1 or
// more.
func (d *Data) Split(rng *rand.Rand, validation, test float64) (train, val, tst *Data) {
	if !(validation >= 0 && test >= 0 && validation+test < 1) {
		panic(fmt.Sprintf("dataset: Split: fractions %g (validation) and %g (test) must be 0 or more and sum to less than 1",
			validation, test))
	}
	n := d.Len()
	var order []int
	if rng != nil {
		order = rng.Perm(n)
	} else {
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
	}
	nVal, nTest := part(validation, n), part(test, n)
	// The tolerance of part could take the last sample when the fractions
	// sum to within 10⁻¹² of 1: keep it for training.
	for n > 0 && nVal+nTest >= n {
		if nTest > 0 {
			nTest--
		} else {
			nVal--
		}
	}
	nTrain := n - nVal - nTest
	return d.Subset(order[:nTrain]), d.Subset(order[nTrain : nTrain+nVal]), d.Subset(order[nTrain+nVal:])
}

// part returns ⌊f·n⌋, counting a product just below a whole number (by a
// relative 10⁻¹², far more than its rounding error) as that number.
func part(f float64, n int) int {
	return int(math.Floor(f * float64(n) * (1 + 1e-12)))
}
