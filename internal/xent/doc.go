// Package xent is numlearn's one cross-entropy, −Σ t·log(y + δ) with the
// book's δ = 1e-7, which keeps the logarithm finite where a predicted
// probability is 0. Package loss computes a batch's cross-entropy with
// it, and package layers a softmax head's loss of one row, and the change
// of that loss along a line, which the numerical gradient plan asks for
// many times per row.
//
// Sum adds −t·log(y + δ) over a slice, leaving out the terms whose target
// is 0; Label is the term of a one-hot target; SoftmaxRow is Sum of the
// softmax of a row of scores, computed as tensor's Softmax computes it;
// SoftmaxRowAlong gives SoftmaxRow at many points on a line through a row
// at once, from series that keep the digits a difference of two
// logarithms would lose.
package xent
