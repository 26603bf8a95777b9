package numlearn

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func saved(t *testing.T, net *Network) []byte {
	var buf bytes.Buffer
	require.NoError(t, net.Save(&buf))
	return buf.Bytes()
}

func TestSaveLoadRoundTripIsBitExact(t *testing.T) {
	src := NewTwoLayerNet(7, 5, 3, newRand(31))
	src.Params()[1].Data()[2] = math.Copysign(0, -1) // −0 survives
	src.Params()[3].Data()[0] = math.SmallestNonzeroFloat64
	dst := NewTwoLayerNet(7, 5, 3, newRand(32))
	require.NoError(t, dst.Load(bytes.NewReader(saved(t, src))))
	for i, p := range dst.Params() {
		for j, v := range p.Data() {
			require.Equal(t, math.Float64bits(src.Params()[i].Data()[j]), math.Float64bits(v))
		}
	}
}

func TestSaveFileLoadFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "model.npz")
	src := NewTwoLayerNet(4, 3, 2, newRand(33))
	require.NoError(t, src.SaveFile(name))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
	info, err := os.Stat(name)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm(), "readable like any saved file")
	dst := NewTwoLayerNet(4, 3, 2, newRand(34))
	require.NoError(t, dst.LoadFile(name))
	x := tensor.RandN(newRand(35), 1, 2, 4)
	assert.Equal(t, src.Predict(x).Data(), dst.Predict(x).Data())

	err = dst.LoadFile(filepath.Join(dir, "missing.npz"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadRejectsBadFilesAndChangesNothing(t *testing.T) {
	good := saved(t, NewTwoLayerNet(4, 3, 2, newRand(36)))
	flipped := bytes.Clone(good)
	flipped[len(flipped)/3] ^= 0xff // inside W1's data: the CRC catches it
	tests := []struct {
		name    string
		file    []byte
		wantErr error
		msg     string
	}{
		{"empty", nil, ErrFormat, ""},
		{"truncated", good[:len(good)/2], ErrFormat, ""},
		{"corrupted", flipped, ErrFormat, ""},
		{"not a zip", []byte("W1 = [[1, 2]]"), ErrFormat, ""},
		{"another network's shapes", saved(t, NewTwoLayerNet(4, 6, 2, newRand(37))), ErrMismatch, `"W1" has shape [4 6] in the file, [4 3] in the network`},
		{"fewer parameters", saved(t, NewNetwork(NewTwoLayerNet(4, 3, 2, newRand(38)).Layers()[0])), ErrMismatch, `no "W2" in the file`},
		{"more parameters", saved(t, NewMultiLayerNet([]int{4, 3, 2, 2}, MultiLayerConfig{Activation: ReLU, Init: He}, newRand(39))), ErrMismatch, `the file has "W3"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net := NewTwoLayerNet(4, 3, 2, newRand(40))
			before := cloneAll(net.Params())
			err := net.Load(bytes.NewReader(tt.file))
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.msg)
			for i, p := range net.Params() {
				assert.Equal(t, before[i].Data(), p.Data(), "a failed load leaves the network unchanged")
			}
		})
	}
}

func TestEveryPrefixOfAModelFileIsRejected(t *testing.T) {
	good := saved(t, NewTwoLayerNet(3, 2, 2, newRand(41)))
	net := NewTwoLayerNet(3, 2, 2, newRand(42))
	for n := range len(good) {
		require.ErrorIs(t, net.Load(bytes.NewReader(good[:n])), ErrFormat, "prefix of %d bytes", n)
	}
}

// TestNumpyReadsTheFile checks the format against numpy itself when it is
// installed (CI installs it; see .ci/run).
func TestNumpyReadsTheFile(t *testing.T) {
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	name := filepath.Join(t.TempDir(), "model.npz")
	net := NewTwoLayerNet(3, 2, 2, newRand(43))
	require.NoError(t, net.SaveFile(name))
	out, err := runPython(python, `
import sys
try:
    import numpy as np
except ImportError:
    print("SKIP"); sys.exit(0)
p = np.load(sys.argv[1])
print(sorted(p.keys()), p["W1"].shape, p["W1"].dtype, repr(float(p["W1"][1, 0])))
`, name)
	require.NoError(t, err, "%s", out)
	if out == "SKIP\n" {
		t.Skip("numpy is not installed")
	}
	assert.Equal(t, "['W1', 'W2', 'b1', 'b2'] (3, 2) float64 "+reprFloat(net.Params()[0].At(1, 0))+"\n", out)
}
