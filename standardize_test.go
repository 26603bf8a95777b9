package numlearn_test

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// standardizedNet is a linear regression on raw features, standardized by
// its first layer:
//
//	column 0: 0, 0, 4, 4      mean 2,  std 2
//	column 1: 10, 20, 30, 40  mean 25, std √125 = 5√5
//
// then y = 1·x̂₀ + 2·x̂₁ + 0.5, with x̂ the standardized features.
func standardizedNet(t *testing.T) (net *numlearn.Network, x, targets *tensor.Tensor) {
	t.Helper()
	x = tensor.FromRows([][]float64{{0, 10}, {0, 20}, {4, 30}, {4, 40}})
	targets = tensor.FromRows([][]float64{{1}, {2}, {3}, {4}})
	std, err := layers.NewStandardize(x)
	require.NoError(t, err)
	w := tensor.FromRows([][]float64{{1}, {2}})
	b := tensor.FromSlice([]float64{0.5})
	return numlearn.NewNetworkWithHead(&layers.IdentityWithLoss{}, std, layers.NewAffine(w, b)), x, targets
}

func TestStandardizedNetworkSavesItsStatistics(t *testing.T) {
	const tol = 1e-12
	net, _, _ := standardizedNet(t)
	assert.Equal(t, []string{"W1", "b1"}, net.ParamNames(), "the statistics are not parameters")
	assert.Equal(t, []string{"mean1", "std1"}, net.StateNames(), "they are state, which a model file keeps")

	// Raw features: (6, 25) standardizes to (2, 0), so y = 2 + 0 + 0.5 = 2.5;
	// (2, 30) to (0, 5/(5√5)) = (0, 1/√5), so y = 2/√5 + 0.5.
	raw := tensor.FromRows([][]float64{{6, 25}, {2, 30}})
	want := []float64{2.5, 2/math.Sqrt(5) + 0.5}
	got := net.Predict(raw).Clone()
	assert.InDeltaSlice(t, want, got.Data(), tol)

	var buf bytes.Buffer
	require.NoError(t, net.Save(&buf, numlearn.SaveOptions{}))
	loaded, err := numlearn.ReadModel(&buf)
	require.NoError(t, err)
	require.Len(t, loaded.Layers(), 2)
	s, ok := loaded.Layers()[0].(*layers.Standardize)
	require.True(t, ok, "the first layer is a %T", loaded.Layers()[0])
	assert.InDeltaSlice(t, []float64{2, 25}, s.Mean.Data(), tol)
	assert.InDeltaSlice(t, []float64{2, 5 * math.Sqrt(5)}, s.Std.Data(), tol)
	assert.Equal(t, got.Data(), loaded.Predict(raw).Data(), "the loaded model takes raw features and predicts the same bits")
}

func TestTrainLeavesStandardizeAlone(t *testing.T) {
	net, x, targets := standardizedNet(t)
	s := net.Layers()[0].(*layers.Standardize)
	mean, std := s.Mean.Clone(), s.Std.Clone()
	w := net.Layers()[1].(*layers.Affine).W
	w0 := w.Clone()

	_, err := net.Train(context.Background(), x, targets, numlearn.TrainConfig{
		Iterations: 5, BatchSize: x.Shape()[0], Optimizer: &grad.SGD{LR: 0.1},
	})
	require.NoError(t, err)
	assert.NotEqual(t, w0.Data(), w.Data(), "training moved W")
	assert.Equal(t, mean.Data(), s.Mean.Data(), "training did not move the mean")
	assert.Equal(t, std.Data(), s.Std.Data(), "nor the std")
}

// Backpropagation through the Standardize layer agrees with central
// differences of the network's loss.
func TestStandardizedNetworkGradient(t *testing.T) {
	const tol = 1e-7
	net, x, targets := standardizedNet(t)
	numeric := net.NumericalGradient(x, targets)
	backprop := net.Gradient(x, targets)
	for i, d := range grad.Check(backprop, numeric) {
		assert.Less(t, d.MaxAbs, tol, "%s: %v", net.ParamNames()[i], d)
	}
}
