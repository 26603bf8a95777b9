package numlearn

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// batchNormNet is Affine → BatchNorm → ReLU → Affine, the book's extended
// net with one hidden layer, built by hand.
func batchNormNet(in, hidden, out int, seed uint64) *Network {
	rng := newRand(seed)
	return NewNetwork(
		layers.NewAffine(tensor.RandN(rng, 0.5, in, hidden), tensor.New(hidden)),
		layers.NewBatchNorm(tensor.Full(1, hidden), tensor.New(hidden)),
		&layers.ReLU{},
		layers.NewAffine(tensor.RandN(rng, 0.5, hidden, out), tensor.New(out)),
	)
}

func TestStateIsNamedAndCollected(t *testing.T) {
	net := batchNormNet(4, 3, 2, 50)
	assert.Equal(t, []string{"W1", "b1", "gamma1", "beta1", "W2", "b2"}, net.ParamNames())
	assert.Equal(t, []string{"running_mean1", "running_var1"}, net.StateNames())
	bn := net.Layers()[1].(*layers.BatchNorm)
	assert.Same(t, bn.RunningMean, net.State()[0])
	assert.Same(t, bn.RunningVar, net.State()[1])
	assert.Empty(t, NewTwoLayerNet(2, 2, 2, newRand(51)).State(), "a net without Stateful layers has no state")
}

func TestSaveLoadKeepsRunningStatistics(t *testing.T) {
	src := batchNormNet(4, 3, 2, 52)
	rng := newRand(53)
	for range 3 { // training steps move the running statistics
		src.Gradient(tensor.RandN(rng, 1, 5, 4), tensor.FromRows([][]float64{{1, 0}, {0, 1}, {1, 0}, {1, 0}, {0, 1}}))
	}
	require.NotZero(t, src.State()[1].Data()[0])

	dst := batchNormNet(4, 3, 2, 54)
	require.NoError(t, dst.Load(bytes.NewReader(saved(t, src))))
	for i, s := range dst.State() {
		assert.Equal(t, src.State()[i].Data(), s.Data(), dst.StateNames()[i])
	}
	x := tensor.RandN(rng, 1, 3, 4)
	assert.Equal(t, src.Predict(x).Data(), dst.Predict(x).Data(), "inference uses the loaded statistics")

	// A file without the statistics belongs to another network.
	plain := NewNetwork(
		layers.NewAffine(tensor.New(4, 3), tensor.New(3)),
		layers.NewAffine(tensor.New(3, 2), tensor.New(2)),
	)
	err := dst.Load(bytes.NewReader(saved(t, plain)))
	require.ErrorIs(t, err, ErrMismatch)
	assert.Equal(t, src.State()[0].Data(), dst.State()[0].Data(), "a failed load leaves the state unchanged")
}

func TestNumpyReadsTheRunningStatistics(t *testing.T) {
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	name := filepath.Join(t.TempDir(), "model.npz")
	net := batchNormNet(3, 2, 2, 55)
	net.Gradient(tensor.RandN(newRand(56), 1, 4, 3), tensor.FromRows([][]float64{{1, 0}, {0, 1}, {1, 0}, {0, 1}}))
	require.NoError(t, net.SaveFile(name, SaveOptions{}))
	out, err := runPython(python, `
import sys
try:
    import numpy as np
except ImportError:
    print("SKIP"); sys.exit(0)
p = np.load(sys.argv[1])
print(sorted(p.keys()), p["running_var1"].shape, repr(float(p["running_var1"][1])))
`, name)
	require.NoError(t, err, "%s", out)
	if out == "SKIP\n" {
		t.Skip("numpy is not installed")
	}
	assert.Equal(t, "['W1', 'W2', 'architecture', 'b1', 'b2', 'beta1', 'gamma1', 'running_mean1', 'running_var1'] (2,) "+
		reprFloat(net.State()[1].At(1))+"\n", out)
}
