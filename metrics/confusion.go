package metrics

import (
	"fmt"
	"math"
)

// Confusion is a confusion matrix for classes numbered 0 to Classes()−1:
// Count(truth, pred) samples of class truth were predicted as class pred.
// The diagonal holds the correct predictions; row truth sums to the
// class's support, column pred to how often the class was predicted.
//
// Build one with NewConfusion and grow it with Add; the zero value has no
// classes and accepts no labels. A Confusion is not safe for concurrent
// use: give each goroutine its own and merge their samples afterwards.
type Confusion struct {
	classes int
	counts  []int // classes×classes, row-major: counts[truth*classes+pred]
	total   int
}

// NewConfusion returns the confusion matrix of the true labels truth
// against the predicted labels pred, sample by sample, for classes classes
// numbered 0 to classes−1. Empty slices give an empty matrix to Add to.
//
// Labels come from data, so one outside [0, classes) gives an error
// wrapping ErrLabel that names the sample and the label, and no matrix.
// NewConfusion panics if truth and pred differ in length or classes is
// less than 1: those are mistakes in the calling code.
func NewConfusion(truth, pred []int, classes int) (*Confusion, error) {
	if classes < 1 || classes > math.MaxInt/classes {
		panic(fmt.Sprintf("metrics: NewConfusion: %d classes, want at least 1 (and a matrix that fits in memory)", classes))
	}
	c := &Confusion{classes: classes, counts: make([]int, classes*classes)}
	if err := c.add("NewConfusion", truth, pred); err != nil {
		return nil, err
	}
	return c, nil
}

// Add counts more samples, truth[i] predicted as pred[i], so that a large
// data set can be evaluated in chunks: adding two chunks gives the matrix
// of both at once. A label outside [0, Classes()) gives an error wrapping
// ErrLabel that names the sample (its index in truth and pred) and the
// label; c is then left as it was, none of the samples counted. Add panics
// if truth and pred differ in length.
func (c *Confusion) Add(truth, pred []int) error {
	return c.add("Add", truth, pred)
}

// add is Add for op, which its panics name. It checks every label before
// counting any, so an error leaves c unchanged.
func (c *Confusion) add(op string, truth, pred []int) error {
	if len(truth) != len(pred) {
		panic(fmt.Sprintf("metrics: %s: %d true labels and %d predictions, want one of each per sample", op, len(truth), len(pred)))
	}
	for i, t := range truth {
		if t < 0 || t >= c.classes {
			return fmt.Errorf("%w: sample %d has true label %d, outside [0, %d)", ErrLabel, i, t, c.classes)
		}
		if p := pred[i]; p < 0 || p >= c.classes {
			return fmt.Errorf("%w: sample %d has predicted label %d, outside [0, %d)", ErrLabel, i, p, c.classes)
		}
	}
	for i, t := range truth {
		c.counts[t*c.classes+pred[i]]++
	}
	c.total += len(truth)
	return nil
}

// Classes returns the number of classes, the matrix's rows and columns.
func (c *Confusion) Classes() int { return c.classes }

// Count returns how many samples of class truth were predicted as class
// pred. It panics if either is outside [0, Classes()).
func (c *Confusion) Count(truth, pred int) int {
	c.check("Count", truth)
	c.check("Count", pred)
	return c.counts[truth*c.classes+pred]
}

// Total returns the number of samples counted.
func (c *Confusion) Total() int { return c.total }

// Support returns the number of samples whose true class is class: the
// sum of its row. It panics if class is outside [0, Classes()).
func (c *Confusion) Support(class int) int {
	c.check("Support", class)
	return c.support(class)
}

// Accuracy returns the fraction of samples predicted correctly, the trace
// of the matrix over Total; 0 for an empty matrix.
func (c *Confusion) Accuracy() float64 {
	correct := 0
	for k := range c.classes {
		correct += c.counts[k*c.classes+k]
	}
	return ratio(correct, c.total)
}

// Precision returns TP/(TP+FP) for class: of the samples predicted as
// class, the fraction that truly are. It is 0 when the class was never
// predicted (0/0), as scikit-learn's default zero_division. It panics if
// class is outside [0, Classes()).
func (c *Confusion) Precision(class int) float64 {
	c.check("Precision", class)
	return ratio(c.tp(class), c.predicted(class))
}

// Recall returns TP/(TP+FN) for class: of the samples that truly are
// class, the fraction predicted as class. It is 0 when the class never
// occurs (0/0). It panics if class is outside [0, Classes()).
func (c *Confusion) Recall(class int) float64 {
	c.check("Recall", class)
	return ratio(c.tp(class), c.support(class))
}

// F1 returns the harmonic mean of Precision and Recall for class,
// computed as 2·TP/(2·TP + FP + FN), which is the same number without the
// rounding of the two fractions. It is 0 when precision and recall are
// both 0, including the 0/0 of a class never seen nor predicted. It panics
// if class is outside [0, Classes()).
func (c *Confusion) F1(class int) float64 {
	c.check("F1", class)
	return ratio(2*c.tp(class), c.support(class)+c.predicted(class))
}

// MacroPrecision returns the unweighted mean of Precision over every class
// 0 to Classes()−1, scikit-learn's average='macro' with
// labels=range(classes): a class that neither occurs nor is predicted
// counts, with precision 0.
func (c *Confusion) MacroPrecision() float64 { return c.macro(c.Precision) }

// MacroRecall returns the unweighted mean of Recall over every class, as
// MacroPrecision does. It is also the balanced accuracy when every class
// occurs.
func (c *Confusion) MacroRecall() float64 { return c.macro(c.Recall) }

// MacroF1 returns the unweighted mean of F1 over every class, as
// MacroPrecision does: the mean of the per-class F1 scores, not the F1 of
// MacroPrecision and MacroRecall.
func (c *Confusion) MacroF1() float64 { return c.macro(c.F1) }

// WeightedPrecision returns the mean of Precision over the classes
// weighted by their Support, scikit-learn's average='weighted'; 0 for an
// empty matrix.
func (c *Confusion) WeightedPrecision() float64 { return c.weighted(c.Precision) }

// WeightedRecall returns the mean of Recall over the classes weighted by
// their Support. It equals Accuracy (Σ TPₖ / Total).
func (c *Confusion) WeightedRecall() float64 { return c.weighted(c.Recall) }

// WeightedF1 returns the mean of F1 over the classes weighted by their
// Support.
func (c *Confusion) WeightedF1() float64 { return c.weighted(c.F1) }

// macro returns the unweighted mean of score over every class.
func (c *Confusion) macro(score func(int) float64) float64 {
	if c.classes == 0 {
		return 0
	}
	sum := 0.0
	for k := range c.classes {
		sum += score(k)
	}
	return sum / float64(c.classes)
}

// weighted returns the mean of score over the classes weighted by support.
func (c *Confusion) weighted(score func(int) float64) float64 {
	if c.total == 0 {
		return 0
	}
	sum := 0.0
	for k := range c.classes {
		if s := c.support(k); s > 0 {
			sum += float64(s) * score(k)
		}
	}
	return sum / float64(c.total)
}

// tp returns the true positives of class k: the diagonal entry.
func (c *Confusion) tp(k int) int { return c.counts[k*c.classes+k] }

// support returns the sum of row k: TP + FN.
func (c *Confusion) support(k int) int {
	s := 0
	for _, n := range c.counts[k*c.classes : (k+1)*c.classes] {
		s += n
	}
	return s
}

// predicted returns the sum of column k: TP + FP.
func (c *Confusion) predicted(k int) int {
	s := 0
	for t := range c.classes {
		s += c.counts[t*c.classes+k]
	}
	return s
}

// check panics, naming op, if class is not a class of c.
func (c *Confusion) check(op string, class int) {
	if class < 0 || class >= c.classes {
		panic(fmt.Sprintf("metrics: %s: class %d outside [0, %d)", op, class, c.classes))
	}
}

// ratio returns num/den, or 0 when den is 0 (scikit-learn's zero_division).
func ratio(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}
