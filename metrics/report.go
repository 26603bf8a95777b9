package metrics

import (
	"fmt"
	"strconv"
	"strings"
)

// String returns the matrix and a classification report, as
// scikit-learn's confusion_matrix and classification_report print them:
// first a header row of predicted classes and one row of counts per true
// class, then, after a blank line, each class's precision, recall, F1 and
// support, and last the accuracy and the macro and weighted averages.
// For two classes with 3 and 2 samples:
//
//	   true\pred  0  1
//	           0  2  1
//	           1  0  2
//
//	               precision     recall         f1  support
//	           0      1.0000     0.6667     0.8000        3
//	           1      0.6667     1.0000     0.8000        2
//
//	    accuracy                            0.8000        5
//	   macro avg      0.8333     0.8333     0.8000        5
//	weighted avg      0.8667     0.8000     0.8000        5
//
// The text ends without a newline.
func (c *Confusion) String() string {
	const avgLabel = "weighted avg"
	label := max(len(avgLabel), digits(c.classes-1))
	cell := digits(c.classes - 1)
	for _, n := range c.counts {
		cell = max(cell, digits(n))
	}
	support := max(len("support"), digits(c.total))

	var b strings.Builder
	fmt.Fprintf(&b, "%*s", label, `true\pred`)
	for p := range c.classes {
		fmt.Fprintf(&b, "  %*d", cell, p)
	}
	for t := range c.classes {
		fmt.Fprintf(&b, "\n%*d", label, t)
		for p := range c.classes {
			fmt.Fprintf(&b, "  %*d", cell, c.counts[t*c.classes+p])
		}
	}

	fmt.Fprintf(&b, "\n\n%*s  %9s  %9s  %9s  %*s", label, "", "precision", "recall", "f1", support, "support")
	row := func(name string, p, r, f float64, n int) {
		fmt.Fprintf(&b, "\n%*s  %9.4f  %9.4f  %9.4f  %*d", label, name, p, r, f, support, n)
	}
	for k := range c.classes {
		row(strconv.Itoa(k), c.Precision(k), c.Recall(k), c.F1(k), c.support(k))
	}
	fmt.Fprintf(&b, "\n\n%*s  %9s  %9s  %9.4f  %*d", label, "accuracy", "", "", c.Accuracy(), support, c.total)
	row("macro avg", c.MacroPrecision(), c.MacroRecall(), c.MacroF1(), c.total)
	row(avgLabel, c.WeightedPrecision(), c.WeightedRecall(), c.WeightedF1(), c.total)
	return b.String()
}

// digits returns the number of characters of n in decimal.
func digits(n int) int { return len(strconv.Itoa(n)) }
