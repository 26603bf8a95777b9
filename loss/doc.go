// Package loss measures how far a network's output y is from the target t:
// the book's sum of squared errors and cross-entropy (Deep Learning from
// Scratch, §4.2) and the lectures' mean squared error.
//
// # Overview
//
//	y := tensor.FromSlice([]float64{0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0})
//	t := tensor.FromSlice([]float64{0, 0, 1, 0, 0, 0, 0, 0, 0, 0}) // one-hot: class 2
//
//	loss.SSE(y, t)                       // ½·Σ(y−t)² = 0.0975
//	loss.MSE(y, t)                       // mean((y−t)²) = 0.0195
//	loss.CrossEntropy(y, t)              // −log(0.6 + 1e-7) ≈ 0.5108
//	loss.CrossEntropyLabels(y, []int{2}) // the same, from the class index
//
// Every function returns a plain float64 and allocates nothing.
//
// # Shapes
//
// SSE and MSE take y and t of the same shape, whatever it is, and reduce
// over every element.
//
// CrossEntropy and CrossEntropyLabels read y as a batch of probability rows:
// a 2-D y of shape (n, classes) holds n samples, and a 1-D y of shape
// (classes) is one sample, as in the book's cross_entropy_error. The result
// is the mean over the samples of −Σ t·log(y + 1e-7). CrossEntropy takes a
// target t of y's shape (one-hot rows, or any distribution over the classes
// for soft targets); CrossEntropyLabels takes one class index per sample,
// which is the same as a one-hot t with a 1 in that column. The 1e-7 keeps
// log finite where y is 0. A batch of no samples gives NaN (0/0), as a mean
// over nothing does in numpy.
//
// # Errors
//
// Every failure here is a programmer error and panics with a message that
// names the function and the shapes involved, for example
//
//	loss: SSE: shapes [2 3] and [3 2] differ
//	loss: CrossEntropyLabels: label 10 at row 3 out of range for 10 classes
//
// Values are not checked: a NaN in y gives a NaN loss, and a probability
// below −1e-7 in a target's column gives NaN from the logarithm. Columns
// whose target is 0 contribute nothing at all, whatever y holds there, so
// CrossEntropy and CrossEntropyLabels agree on any y.
package loss
