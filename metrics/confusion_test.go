package metrics_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/metrics"
)

// tol is the tolerance for fractions of small counts worked out by hand.
const tol = 1e-12

// Ten samples of three classes, used by several tests.
//
//	truth: 0 0 0 0 1 1 1 2 2 2
//	pred:  0 0 1 2 1 1 0 2 2 1
//
// gives (rows true, columns predicted)
//
//	    0  1  2   support
//	0   2  1  1   4
//	1   1  2  0   3
//	2   0  1  2   3
//	    3  4  3   predicted
var (
	tenTruth = []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}
	tenPred  = []int{0, 0, 1, 2, 1, 1, 0, 2, 2, 1}
)

func TestConfusionScores(t *testing.T) {
	tests := []struct {
		name        string
		truth, pred []int
		classes     int
		counts      [][]int // counts[truth][pred]
		accuracy    float64
		precision   []float64 // per class
		recall      []float64
		f1          []float64
		support     []int
		macro       [3]float64 // precision, recall, F1
		weighted    [3]float64
	}{
		{
			name: "three classes", truth: tenTruth, pred: tenPred, classes: 3,
			counts: [][]int{{2, 1, 1}, {1, 2, 0}, {0, 1, 2}},
			// The diagonal: (2+2+2)/10.
			accuracy: 0.6,
			// TP over the column sums 3, 4, 3.
			precision: []float64{2.0 / 3, 2.0 / 4, 2.0 / 3},
			// TP over the row sums 4, 3, 3.
			recall: []float64{2.0 / 4, 2.0 / 3, 2.0 / 3},
			// 2·TP/(support + predicted): 4/(4+3), 4/(3+4), 4/(3+3).
			f1:      []float64{4.0 / 7, 4.0 / 7, 4.0 / 6},
			support: []int{4, 3, 3},
			macro: [3]float64{
				11.0 / 18, // (2/3 + 1/2 + 2/3)/3 = (4/6 + 3/6 + 4/6)/3
				11.0 / 18, // (1/2 + 2/3 + 2/3)/3
				38.0 / 63, // (4/7 + 4/7 + 2/3)/3 = (12/21 + 12/21 + 14/21)/3
			},
			weighted: [3]float64{
				37.0 / 60, // (4·2/3 + 3·1/2 + 3·2/3)/10 = (16/6 + 9/6 + 12/6)/10
				0.6,       // (4·1/2 + 3·2/3 + 3·2/3)/10 = 6/10, the accuracy
				0.6,       // (4·4/7 + 3·4/7 + 3·2/3)/10 = (16/7 + 12/7 + 2)/10 = 6/10
			},
		},
		{
			// Class 2 neither occurs nor is predicted: all its 0/0 are 0, and
			// it still counts in the macro averages (scikit-learn without
			// labels= would average over classes 0 and 1 only: 3/4, 3/4, 2/3).
			name: "class never seen", truth: []int{0, 0, 1}, pred: []int{0, 1, 1}, classes: 3,
			counts:    [][]int{{1, 1, 0}, {0, 1, 0}, {0, 0, 0}},
			accuracy:  2.0 / 3,
			precision: []float64{1.0 / 1, 1.0 / 2, 0},             // column sums 1, 2, 0
			recall:    []float64{1.0 / 2, 1.0 / 1, 0},             // row sums 2, 1, 0
			f1:        []float64{2.0 / (2 + 1), 2.0 / (1 + 2), 0}, // 2·TP/(support + predicted)
			support:   []int{2, 1, 0},
			macro:     [3]float64{1.0 / 2, 1.0 / 2, 4.0 / 9}, // (1 + 1/2 + 0)/3, (1/2 + 1 + 0)/3, (2/3 + 2/3 + 0)/3
			weighted: [3]float64{
				5.0 / 6, // (2·1 + 1·1/2 + 0·0)/3 = (5/2)/3
				2.0 / 3, // (2·1/2 + 1·1 + 0·0)/3, the accuracy
				2.0 / 3, // (2·2/3 + 1·2/3 + 0·0)/3 = 2/3
			},
		},
		{
			// Class 2 occurs twice but is never predicted: precision 0/0 = 0,
			// recall 0/2, F1 0/(2+0).
			name: "class never predicted", truth: []int{0, 1, 2, 2}, pred: []int{0, 1, 1, 1}, classes: 3,
			counts:    [][]int{{1, 0, 0}, {0, 1, 0}, {0, 2, 0}},
			accuracy:  2.0 / 4,
			precision: []float64{1, 1.0 / 3, 0}, // column sums 1, 3, 0
			recall:    []float64{1, 1, 0.0 / 2}, // row sums 1, 1, 2
			f1:        []float64{2.0 / 2, 2.0 / (1 + 3), 0},
			support:   []int{1, 1, 2},
			macro: [3]float64{
				4.0 / 9, // (1 + 1/3 + 0)/3
				2.0 / 3, // (1 + 1 + 0)/3
				1.0 / 2, // (1 + 1/2 + 0)/3
			},
			weighted: [3]float64{
				1.0 / 3, // (1·1 + 1·1/3 + 2·0)/4 = (4/3)/4
				1.0 / 2, // (1·1 + 1·1 + 2·0)/4, the accuracy
				3.0 / 8, // (1·1 + 1·1/2 + 2·0)/4 = (3/2)/4
			},
		},
		{
			// Class 2 is predicted once but never occurs: precision 0/1,
			// recall 0/0 = 0, F1 0/(0+1).
			name: "class never occurs", truth: []int{0, 0, 1, 1}, pred: []int{0, 2, 1, 1}, classes: 3,
			counts:    [][]int{{1, 0, 1}, {0, 2, 0}, {0, 0, 0}},
			accuracy:  3.0 / 4,
			precision: []float64{1.0 / 1, 2.0 / 2, 0.0 / 1}, // column sums 1, 2, 1
			recall:    []float64{1.0 / 2, 2.0 / 2, 0},       // row sums 2, 2, 0
			f1:        []float64{2.0 / (2 + 1), 4.0 / (2 + 2), 0},
			support:   []int{2, 2, 0},
			macro: [3]float64{
				2.0 / 3, // (1 + 1 + 0)/3
				1.0 / 2, // (1/2 + 1 + 0)/3
				5.0 / 9, // (2/3 + 1 + 0)/3
			},
			weighted: [3]float64{
				1,       // (2·1 + 2·1)/4
				3.0 / 4, // (2·1/2 + 2·1)/4, the accuracy
				5.0 / 6, // (2·2/3 + 2·1)/4 = (10/3)/4
			},
		},
		{
			// Binary, class 1 the positive one:
			//   truth: 1 1 1 0 0 0 0 1
			//   pred:  1 0 1 0 0 1 1 1
			// TP = 3, FN = 1 (row 1), FP = 2, TN = 2 (row 0).
			name: "binary", truth: []int{1, 1, 1, 0, 0, 0, 0, 1}, pred: []int{1, 0, 1, 0, 0, 1, 1, 1}, classes: 2,
			counts:    [][]int{{2, 2}, {1, 3}},
			accuracy:  5.0 / 8,
			precision: []float64{2.0 / 3, 3.0 / 5},             // column sums 3, 5
			recall:    []float64{2.0 / 4, 3.0 / 4},             // row sums 4, 4
			f1:        []float64{4.0 / (4 + 3), 6.0 / (4 + 5)}, // 4/7, 2/3
			support:   []int{4, 4},
			macro:     [3]float64{19.0 / 30, 5.0 / 8, 13.0 / 21}, // (2/3 + 3/5)/2, (1/2 + 3/4)/2, (4/7 + 2/3)/2
			weighted:  [3]float64{19.0 / 30, 5.0 / 8, 13.0 / 21}, // equal supports: the macro averages
		},
		{
			name: "no samples", truth: nil, pred: nil, classes: 2,
			counts:    [][]int{{0, 0}, {0, 0}},
			precision: []float64{0, 0}, recall: []float64{0, 0}, f1: []float64{0, 0},
			support: []int{0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := metrics.NewConfusion(tt.truth, tt.pred, tt.classes)
			require.NoError(t, err)
			require.Equal(t, tt.classes, c.Classes())
			assert.Equal(t, len(tt.truth), c.Total())
			for i := range tt.classes {
				for j := range tt.classes {
					assert.Equal(t, tt.counts[i][j], c.Count(i, j), "Count(%d, %d)", i, j)
				}
				assert.InDelta(t, tt.precision[i], c.Precision(i), tol, "Precision(%d)", i)
				assert.InDelta(t, tt.recall[i], c.Recall(i), tol, "Recall(%d)", i)
				assert.InDelta(t, tt.f1[i], c.F1(i), tol, "F1(%d)", i)
				assert.Equal(t, tt.support[i], c.Support(i), "Support(%d)", i)
			}
			assert.InDelta(t, tt.accuracy, c.Accuracy(), tol, "Accuracy")
			assert.InDelta(t, tt.macro[0], c.MacroPrecision(), tol, "MacroPrecision")
			assert.InDelta(t, tt.macro[1], c.MacroRecall(), tol, "MacroRecall")
			assert.InDelta(t, tt.macro[2], c.MacroF1(), tol, "MacroF1")
			assert.InDelta(t, tt.weighted[0], c.WeightedPrecision(), tol, "WeightedPrecision")
			assert.InDelta(t, tt.weighted[1], c.WeightedRecall(), tol, "WeightedRecall")
			assert.InDelta(t, tt.weighted[2], c.WeightedF1(), tol, "WeightedF1")
		})
	}
}

func TestConfusionAddInChunks(t *testing.T) {
	whole, err := metrics.NewConfusion(tenTruth, tenPred, 3)
	require.NoError(t, err)
	tests := []struct {
		name  string
		split int // the first chunk is samples [0, split), the second the rest
	}{
		{"halves", 5},
		{"uneven", 3},
		{"empty first chunk", 0},
		{"empty second chunk", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := metrics.NewConfusion(nil, nil, 3)
			require.NoError(t, err)
			require.NoError(t, c.Add(tenTruth[:tt.split], tenPred[:tt.split]))
			require.NoError(t, c.Add(tenTruth[tt.split:], tenPred[tt.split:]))
			assert.Equal(t, whole, c)
		})
	}
	t.Run("onto NewConfusion", func(t *testing.T) {
		c, err := metrics.NewConfusion(tenTruth[:6], tenPred[:6], 3)
		require.NoError(t, err)
		require.NoError(t, c.Add(tenTruth[6:], tenPred[6:]))
		assert.Equal(t, whole, c)
	})
}

func TestConfusionBadLabels(t *testing.T) {
	tests := []struct {
		name        string
		truth, pred []int
		want        string
	}{
		{"true label too large", []int{0, 1, 3}, []int{0, 1, 2},
			"metrics: label out of range: sample 2 has true label 3, outside [0, 3)"},
		{"true label negative", []int{-1, 1, 2}, []int{0, 1, 2},
			"metrics: label out of range: sample 0 has true label -1, outside [0, 3)"},
		{"predicted label too large", []int{0, 1, 2}, []int{0, 7, 2},
			"metrics: label out of range: sample 1 has predicted label 7, outside [0, 3)"},
		{"predicted label negative", []int{0, 1, 2}, []int{0, 1, -2},
			"metrics: label out of range: sample 2 has predicted label -2, outside [0, 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := metrics.NewConfusion(tt.truth, tt.pred, 3)
			assert.Nil(t, c)
			require.ErrorIs(t, err, metrics.ErrLabel)
			assert.EqualError(t, err, tt.want)

			// Add reports the same and counts none of the call's samples,
			// not even those before the bad one.
			c, err = metrics.NewConfusion([]int{0}, []int{0}, 3)
			require.NoError(t, err)
			err = c.Add(tt.truth, tt.pred)
			require.ErrorIs(t, err, metrics.ErrLabel)
			assert.EqualError(t, err, tt.want)
			assert.Equal(t, 1, c.Total())
			assert.Equal(t, 1, c.Count(0, 0))
			assert.Equal(t, 0, c.Count(1, 1))
		})
	}
}

func TestConfusionPanics(t *testing.T) {
	c, err := metrics.NewConfusion(tenTruth, tenPred, 3)
	require.NoError(t, err)
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"NewConfusion lengths differ", func() { metrics.NewConfusion([]int{0, 1}, []int{0}, 2) },
			"metrics: NewConfusion: 2 true labels and 1 predictions, want one of each per sample"},
		{"NewConfusion no classes", func() { metrics.NewConfusion(nil, nil, 0) },
			"metrics: NewConfusion: 0 classes, want at least 1 (and a matrix that fits in memory)"},
		{"Add lengths differ", func() { c.Add([]int{0}, []int{0, 1}) },
			"metrics: Add: 1 true labels and 2 predictions, want one of each per sample"},
		{"Count true class out of range", func() { c.Count(3, 0) },
			"metrics: Count: class 3 outside [0, 3)"},
		{"Count predicted class negative", func() { c.Count(0, -1) },
			"metrics: Count: class -1 outside [0, 3)"},
		{"Precision", func() { c.Precision(3) }, "metrics: Precision: class 3 outside [0, 3)"},
		{"Recall", func() { c.Recall(-1) }, "metrics: Recall: class -1 outside [0, 3)"},
		{"F1", func() { c.F1(5) }, "metrics: F1: class 5 outside [0, 3)"},
		{"Support", func() { c.Support(3) }, "metrics: Support: class 3 outside [0, 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.f)
		})
	}
}

// The zero value has no classes: it rejects every label and reports 0.
func TestConfusionZeroValue(t *testing.T) {
	var c metrics.Confusion
	assert.Equal(t, 0, c.Classes())
	assert.Equal(t, 0.0, c.Accuracy())
	assert.Equal(t, 0.0, c.MacroF1())
	assert.NoError(t, c.Add(nil, nil))
	err := c.Add([]int{0}, []int{0})
	assert.True(t, errors.Is(err, metrics.ErrLabel))
}

// The binary case of TestConfusionScores, as a table: counts [[2 2] [1 3]];
// class 0 has P = 2/3, R = 2/4, F1 = 4/7 ≈ 0.5714; class 1 has P = 3/5,
// R = 3/4, F1 = 2/3; accuracy 5/8; macro and weighted averages (equal
// supports) 19/30 ≈ 0.6333, 5/8, 13/21 ≈ 0.6190.
func TestConfusionString(t *testing.T) {
	c, err := metrics.NewConfusion([]int{1, 1, 1, 0, 0, 0, 0, 1}, []int{1, 0, 1, 0, 0, 1, 1, 1}, 2)
	require.NoError(t, err)
	// Columns: labels right-aligned in 12 ("weighted avg"), counts in 1,
	// scores in 9 ("precision"), support in 7, two spaces between.
	want := "   true\\pred  0  1\n" +
		"           0  2  2\n" +
		"           1  1  3\n" +
		"\n" +
		"              precision     recall         f1  support\n" +
		"           0     0.6667     0.5000     0.5714        4\n" +
		"           1     0.6000     0.7500     0.6667        4\n" +
		"\n" +
		"    accuracy                           0.6250        8\n" +
		"   macro avg     0.6333     0.6250     0.6190        8\n" +
		"weighted avg     0.6333     0.6250     0.6190        8"
	assert.Equal(t, want, c.String())
}

// Columns widen for counts and class numbers of more digits.
func TestConfusionStringWide(t *testing.T) {
	truth := make([]int, 0, 120)
	pred := make([]int, 0, 120)
	for range 110 {
		truth, pred = append(truth, 0), append(pred, 0)
	}
	for range 10 {
		truth, pred = append(truth, 11), append(pred, 0)
	}
	c, err := metrics.NewConfusion(truth, pred, 12)
	require.NoError(t, err)
	lines := strings.Split(c.String(), "\n")
	// Header: 12 columns of width 3 ("110" is the widest count).
	assert.Equal(t, `   true\pred    0    1    2    3    4    5    6    7    8    9   10   11`, lines[0])
	assert.Equal(t, `          11   10    0    0    0    0    0    0    0    0    0    0    0`, lines[12])
	assert.Equal(t, `          11     0.0000     0.0000     0.0000       10`, lines[26])
}
