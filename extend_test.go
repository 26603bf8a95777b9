package numlearn

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// layerKinds names the layers' types, in order.
func layerKinds(net *Network) []string {
	var out []string
	for _, l := range net.Layers() {
		out = append(out, fmt.Sprintf("%T", l))
	}
	return out
}

func TestMultiLayerNetExtendIsTheBooks(t *testing.T) {
	cfg := MultiLayerConfig{BatchNorm: true, Dropout: 0.2, WeightDecay: 0.1}
	net := NewMultiLayerNet([]int{6, 5, 4, 3}, cfg, newRand(70))
	assert.Equal(t, []string{
		"*layers.Affine", "*layers.BatchNorm", "*layers.ReLU", "*layers.Dropout",
		"*layers.Affine", "*layers.BatchNorm", "*layers.ReLU", "*layers.Dropout",
		"*layers.Affine",
	}, layerKinds(net))
	assert.Equal(t, []string{"W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"}, net.ParamNames())
	assert.Equal(t, []string{"running_mean1", "running_var1", "running_mean2", "running_var2"}, net.StateNames())
	assert.Equal(t, 0.1, net.WeightDecay())
	assert.Equal(t, []float64{1, 1, 1, 1, 1}, net.Params()[2].Data(), "γ starts at 1")
	assert.Equal(t, make([]float64, 5), net.Params()[3].Data(), "β starts at 0")
	assert.Equal(t, 0.2, net.Layers()[3].(*layers.Dropout).Ratio)

	plain := NewMultiLayerNet([]int{6, 5, 4, 3}, MultiLayerConfig{}, newRand(70))
	for i, w := range []int{0, 4, 8} {
		assert.Equal(t, plain.Params()[2*i].Data(), net.Params()[w].Data(), "W%d is the plain net's", i+1)
	}
}

func TestMultiLayerNetExtendGradientCheck(t *testing.T) {
	// Without dropout, whose masks change on every pass, the extended
	// net's loss is a function of its parameters. A regression head keeps
	// it smooth (see TestWeightDecayGradientCheck).
	cfg := MultiLayerConfig{BatchNorm: true, WeightDecay: 0.2, Head: &layers.IdentityWithLoss{}}
	net := NewMultiLayerNet([]int{5, 4, 4, 3}, cfg, newRand(71))
	x, tgt := tensor.RandN(newRand(72), 1, 6, 5), tensor.RandN(newRand(73), 1, 6, 3)
	for i, d := range net.GradientCheck(x, tgt) {
		assert.Less(t, d.MaxAbs, 1e-6, "%s: %v", net.ParamNames()[i], d)
	}
}

func TestDropoutNetPredictsAlikeAndTrainsAtRandom(t *testing.T) {
	net := NewMultiLayerNet([]int{5, 8, 3}, MultiLayerConfig{Dropout: 0.5}, newRand(74))
	x, tgt := tensor.RandN(newRand(75), 1, 4, 5), oneHot([]int{0, 1, 2, 0}, 3)
	first := net.Predict(x).Clone()
	g1 := cloneAll(net.Gradient(x, tgt))
	assert.Equal(t, first.Data(), net.Predict(x).Data(), "inference has no randomness")
	assert.NotEqual(t, g1[0].Data(), net.Gradient(x, tgt)[0].Data(), "each training pass draws new masks")

	again := NewMultiLayerNet([]int{5, 8, 3}, MultiLayerConfig{Dropout: 0.5}, newRand(74))
	assert.Equal(t, g1[0].Data(), again.Gradient(x, tgt)[0].Data(), "the same seed draws the same masks")
}

func TestMultiLayerNetExtendSaveLoad(t *testing.T) {
	cfg := MultiLayerConfig{BatchNorm: true, Dropout: 0.2}
	src := NewMultiLayerNet([]int{6, 5, 3}, cfg, newRand(76))
	x, tgt := tensor.RandN(newRand(77), 1, 8, 6), oneHot([]int{0, 1, 2, 0, 1, 2, 0, 1}, 3)
	for range 3 {
		src.Gradient(x, tgt)
	}
	dst := NewMultiLayerNet([]int{6, 5, 3}, cfg, newRand(78))
	require.NoError(t, dst.Load(bytes.NewReader(saved(t, src))))
	assert.Equal(t, src.Predict(x).Data(), dst.Predict(x).Data())
	for i := range src.State() {
		assert.Equal(t, src.State()[i].Data(), dst.State()[i].Data(), src.StateNames()[i])
	}
}

func TestMultiLayerNetExtendPanics(t *testing.T) {
	rng := newRand(79)
	assert.PanicsWithValue(t, "numlearn: NewMultiLayerNet: dropout ratio 1 is not in [0, 1)", func() {
		NewMultiLayerNet([]int{2, 2, 2}, MultiLayerConfig{Dropout: 1}, rng)
	})
	assert.PanicsWithValue(t, "numlearn: NewMultiLayerNet: weight decay -0.1 is not a finite number ≥ 0", func() {
		NewMultiLayerNet([]int{2, 2, 2}, MultiLayerConfig{WeightDecay: -0.1}, rng)
	})
}
