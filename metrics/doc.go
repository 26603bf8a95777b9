// Package metrics measures how good a trained model's predictions are:
// the confusion matrix with accuracy, precision, recall and F1 for a
// classifier, and the mean absolute error, mean squared error, its root
// and R² for a regression. The loss package holds what training
// minimises; this package holds what you report afterwards, computed as
// scikit-learn computes it.
//
// # Overview
//
//	truth := []int{0, 0, 1, 1, 1, 2} // true classes
//	pred := []int{0, 1, 1, 1, 2, 2}  // a classifier's predictions
//	c, err := metrics.NewConfusion(truth, pred, 3)
//	if err != nil {
//		return err // a label outside [0, 3)
//	}
//	c.Count(1, 2)  // 1: one sample of class 1 predicted as 2
//	c.Accuracy()   // 4/6 ≈ 0.6667
//	c.Precision(1) // 2/3: of the three predicted 1, two are
//	c.Recall(1)    // 2/3: of the three true 1, two were found
//	c.MacroF1()    // (2/3 + 2/3 + 2/3)/3 ≈ 0.6667
//	fmt.Println(c) // the matrix and a classification report
//
//	r, err := metrics.NewRegression(
//		tensor.FromSlice([]float64{2, 4, 6}), // predictions
//		tensor.FromSlice([]float64{1, 4, 8})) // targets
//	// r.MAE = 1, r.RMSE = √(5/3) ≈ 1.2910, r.R2 = 1 − 5/(74/3) ≈ 0.7973
//
// # Classification
//
// A Confusion counts samples by true class (rows) and predicted class
// (columns), for classes numbered 0 to Classes()−1. For a class k, TP is
// the diagonal entry (k predicted as k), FN the rest of row k (k predicted
// as something else) and FP the rest of column k (something else predicted
// as k). Then
//
//	Accuracy  = Σₖ TPₖ / Total
//	Precision = TP / (TP + FP)        the column's share that is right
//	Recall    = TP / (TP + FN)        the row's share that is found
//	F1        = 2·P·R / (P + R) = 2·TP / (2·TP + FP + FN)
//	Support   = TP + FN               how many samples truly are k
//
// A fraction whose denominator is 0 — the precision of a class never
// predicted, the recall of a class that never occurs, the F1 of a class
// that neither occurs nor is predicted, the accuracy of no samples — is 0,
// as with scikit-learn's default zero_division (which also warns). A class
// predicted but never present has precision 0/FP = 0 by the formula itself
// and recall 0/0 = 0 by this rule.
//
// The macro averages are the unweighted means over all Classes() classes,
// as scikit-learn's average='macro' with labels=range(classes). Without
// labels, scikit-learn averages only over the classes that occur in the
// truth or the predictions; here a class the data never touched still
// counts, with scores of 0, so the macro scores of such a matrix are lower
// than scikit-learn's default ones. MacroF1 is the mean of the per-class
// F1, not the F1 of MacroPrecision and MacroRecall. The weighted averages
// weight each class by its support (average='weighted'); WeightedRecall
// equals Accuracy. The String method prints the matrix and all of these
// as scikit-learn's classification_report does.
//
// # Regression
//
// NewRegression compares predictions p with targets t of shape (n) or
// (n, k), n samples of k outputs:
//
//	MAE  = mean |p − t|           over all n·k elements
//	MSE  = mean (p − t)²          over all n·k elements
//	RMSE = √MSE                   in the targets' units
//	R²   = 1 − Σ(t − p)² / Σ(t − t̄)²   per output column, then the mean
//	                                   over the columns
//
// R² is 1 for perfect predictions, 0 for predicting the mean every time,
// and negative for worse. A column whose targets are all equal has R² 1 if
// predicted exactly and 0 otherwise, as scikit-learn's force_finite.
//
// # Evaluating a network
//
// The package does not import numlearn; it takes labels and tensors, so a
// network's predictions go in directly. For a classifier, Classes gives
// the predicted class index of every sample:
//
//	pred := net.Classes(nil, test.Images) // the index of each row's highest score
//	c, err := metrics.NewConfusion(test.Labels, pred, 10)
//	if err != nil {
//		return err
//	}
//	fmt.Printf("accuracy %.4f, macro F1 %.4f\n", c.Accuracy(), c.MacroF1())
//
// A large set goes in chunks, reusing the prediction slice:
//
//	c, _ := metrics.NewConfusion(nil, nil, 10) // empty
//	var pred []int
//	for from := 0; from < n; from += 1000 {
//		to := min(from+1000, n)
//		pred = net.Classes(pred[:0], x.Slice(from, to))
//		if err := c.Add(labels[from:to], pred); err != nil {
//			return err
//		}
//	}
//
// For a regression network (a layers.IdentityWithLoss head), Output fills
// a tensor with the head's values, (n, k) for k outputs:
//
//	var y tensor.Tensor // empty: sized by Output
//	net.Output(&y, x)
//	r, err := metrics.NewRegression(&y, target)
//	if err != nil {
//		return err
//	}
//	fmt.Printf("RMSE %.4f, R² %.4f\n", r.RMSE, r.R2)
//
// A sigmoid head's Output is the probability of label 1; Classes
// thresholds it at 0.5, and a Confusion with 2 classes measures that.
//
// # Errors
//
// Labels and values come from data, so problems with them are errors, each
// wrapping a sentinel that errors.Is recognises and saying where the
// problem is:
//
//	metrics: label out of range: sample 3 has predicted label 7, outside [0, 3)
//	metrics: shapes do not match: prediction shape [4 2] and target shape [4 3]
//	metrics: no data: prediction and target shape [0]
//	metrics: value is not finite: target of sample 2, output 0, is NaN
//
// ErrLabel comes from NewConfusion and Add, which count nothing of a call
// that fails; ErrShape, ErrEmpty and ErrNonFinite from NewRegression.
// Mistakes in the calling code panic instead, naming the method: label
// slices of different lengths, fewer than 1 class, a class index outside
// the matrix given to Count, Precision and the others, a nil tensor.
//
// # Aliasing
//
// Nothing here changes its arguments or keeps them: a Confusion holds its
// own counts, and NewRegression only reads its tensors.
package metrics
