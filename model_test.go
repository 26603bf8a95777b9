package numlearn

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/numlearn/numlearn/internal/npz"
	"github.com/numlearn/numlearn/internal/tooltest"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func saved(t *testing.T, net *Network) []byte {
	var buf bytes.Buffer
	require.NoError(t, net.Save(&buf, SaveOptions{}))
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
	require.NoError(t, src.SaveFile(name, SaveOptions{}))
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
	flipped[bytes.Index(good, []byte("W1.npy"))+len("W1.npy")+128+8] ^= 0xff // inside W1's data, after its .npy header: the CRC catches it
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
		{"more parameters", saved(t, NewMultiLayerNet([]int{4, 3, 2, 2}, MultiLayerConfig{Activation: &layers.ReLU{}, Init: He}, newRand(39))), ErrMismatch, `the file has "W3"`},
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

// TestNumpyReadsTheFile checks the format against numpy itself. It skips
// where numpy is missing, except under CI, which installs it.
func TestNumpyReadsTheFile(t *testing.T) {
	python := tooltest.Python(t, "numpy")
	name := filepath.Join(t.TempDir(), "model.npz")
	net := NewTwoLayerNet(3, 2, 2, newRand(43))
	require.NoError(t, net.SaveFile(name, SaveOptions{}))
	out, err := runPython(python, `
import json
import sys
import numpy as np
p = np.load(sys.argv[1])
print(sorted(p.keys()), p["W1"].shape, p["W1"].dtype, repr(float(p["W1"][1, 0])))
arch = json.loads(str(p["architecture"]))
print([l["kind"] for l in arch["layers"]], arch["layers"][0]["tensors"], arch["head"]["kind"])
`, name)
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "['W1', 'W2', 'architecture', 'b1', 'b2'] (3, 2) float64 "+reprFloat(net.Params()[0].At(1, 0))+"\n"+
		"['Affine', 'ReLU', 'Affine'] ['W1', 'b1'] SoftmaxWithLoss\n", out)
}

// withDeflated returns the model file model with entries added (or, for a
// name the model has, replaced): each a deflate-compressed .npy file whose
// header declares shape and whose data is values zeros, streamed so that
// the test itself holds little memory.
func withDeflated(t *testing.T, model []byte, entries ...deflatedEntry) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(model), int64(len(model)))
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	replaced := map[string]bool{}
	for _, e := range entries {
		replaced[e.name+".npy"] = true
	}
	for _, f := range zr.File {
		if !replaced[f.Name] {
			require.NoError(t, zw.Copy(f))
		}
	}
	zeros := make([]byte, 64<<10)
	for _, e := range entries {
		// The header alone: npz.Write of an array with no data.
		var hdr bytes.Buffer
		require.NoError(t, npz.Write(&hdr, []npz.Array{{Name: e.name, Shape: e.shape}}))
		hr, err := zip.NewReader(bytes.NewReader(hdr.Bytes()), int64(hdr.Len()))
		require.NoError(t, err)
		rc, err := hr.File[0].Open()
		require.NoError(t, err)
		header, err := io.ReadAll(rc)
		require.NoError(t, err)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name + ".npy", Method: zip.Deflate})
		require.NoError(t, err)
		_, err = w.Write(header)
		require.NoError(t, err)
		for left := 8 * e.values; left > 0; left -= len(zeros) {
			_, err := w.Write(zeros[:min(left, len(zeros))])
			require.NoError(t, err)
		}
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// deflatedEntry is one entry for withDeflated.
type deflatedEntry struct {
	name   string
	shape  []int
	values int
}

// TestLoadChecksBeforeInflating checks that names and shapes are checked
// before any data is inflated and that no array is read beyond the size
// the network expects: files of a few hundred KiB whose deflated data
// would inflate to 32 MiB fail having allocated little, and leave the
// network unchanged.
func TestLoadChecksBeforeInflating(t *testing.T) {
	const big = 1 << 22 // values: 32 MiB, deflated to about 32 KiB
	good := saved(t, NewTwoLayerNet(4, 3, 2, newRand(43)))
	tests := []struct {
		name    string
		entries []deflatedEntry
		wantErr error
		msg     string
	}{
		{"extra huge array", []deflatedEntry{{"huge", []int{big}, big}}, ErrMismatch, `the file has "huge"`},
		{"huge array for a known name", []deflatedEntry{{"W1", []int{big}, big}}, ErrMismatch, `"W1" has shape [4194304] in the file, [4 3] in the network`},
		{"right shape, data too long", []deflatedEntry{{"W1", []int{4, 3}, big}}, ErrFormat, "data continues past the 12 values"},
		{"right shape, data too short", []deflatedEntry{{"b1", []int{3}, 2}}, ErrFormat, "data ends after 2 of 3 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := withDeflated(t, good, tt.entries...)
			require.Less(t, len(file), 256<<10)
			net := NewTwoLayerNet(4, 3, 2, newRand(44))
			before := cloneAll(net.Params())
			var err error
			var ms0, ms1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			err = net.Load(bytes.NewReader(file))
			runtime.ReadMemStats(&ms1)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.msg)
			// The file itself (read whole), a zip reader's buffers and the
			// network's few values: nowhere near the 32 MiB of data.
			got := ms1.TotalAlloc - ms0.TotalAlloc
			assert.Less(t, got, uint64(2*len(file)+1<<20), "allocated %d bytes", got)
			for i, p := range net.Params() {
				assert.Equal(t, before[i].Data(), p.Data(), "a failed load leaves the network unchanged")
			}
		})
	}
}

func TestSaveFloat32RoundsEachValueOnce(t *testing.T) {
	src := NewTwoLayerNet(7, 5, 3, newRand(37))
	src.Params()[1].Data()[0] = 0.1
	var f32, f64 bytes.Buffer
	require.NoError(t, src.Save(&f32, SaveOptions{Float32: true}))
	require.NoError(t, src.Save(&f64, SaveOptions{}))
	assert.Less(t, f32.Len(), f64.Len(), "four bytes a value instead of eight")

	dst := NewTwoLayerNet(7, 5, 3, newRand(38))
	require.NoError(t, dst.Load(bytes.NewReader(f32.Bytes())))
	for i, p := range dst.Params() {
		for j, v := range p.Data() {
			// Load widens exactly, so each value is the float32 nearest to
			// the original.
			require.Equal(t, float64(float32(src.Params()[i].Data()[j])), v)
		}
	}
	assert.Equal(t, float64(float32(0.1)), dst.Params()[1].Data()[0])
}

func TestSaveFileWithFloat32(t *testing.T) {
	name := filepath.Join(t.TempDir(), "model.npz")
	src := NewTwoLayerNet(4, 3, 2, newRand(39))
	require.NoError(t, src.SaveFile(name, SaveOptions{Float32: true}))
	dst := NewTwoLayerNet(4, 3, 2, newRand(40))
	require.NoError(t, dst.LoadFile(name))
	assert.InDeltaSlice(t, src.Params()[0].Data(), dst.Params()[0].Data(), 1e-7)
}
