package onnx

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/internal/npz"
	"github.com/numlearn/numlearn/internal/tooltest"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

// Tolerances against ONNX Runtime, for the outputs (probabilities,
// sigmoid outputs or scores) of the same model: relative to the largest
// output, since a score near zero is the difference of larger terms and
// carries their rounding.
const (
	ortTol32 = 1e-5  // float32 arithmetic in ONNX Runtime, float64 in numlearn
	ortTol64 = 1e-12 // double on both sides: rounding only
	torchTol = 1e-5  // PyTorch's float32 scores against numlearn's float64 ones, absolute
)

// testImages returns the first n MNIST test images and all the test set,
// skipping under -short.
func testImages(t *testing.T) *mnist.Set {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the real MNIST files; run without -short")
	}
	dir, err := mnist.DefaultDir()
	require.NoError(t, err)
	require.NoError(t, mnist.Download(context.Background(), dir))
	_, test, err := mnist.Load(dir)
	require.NoError(t, err)
	return test
}

// bookNet returns the book's chapter 3 network with its published sample
// weights: a real trained model.
func bookNet(t *testing.T) *numlearn.Network {
	affine := func(in, out int) layers.Layer { return layers.NewAffine(tensor.New(in, out), tensor.New(out)) }
	net := numlearn.NewNetwork(affine(784, 50), &layers.Sigmoid{}, affine(50, 100), &layers.Sigmoid{}, affine(100, 10))
	require.NoError(t, net.LoadFile(filepath.Join("..", "testdata", "sample_weight.npz")))
	return net
}

// exportCase is a model for the outside tools to check.
type exportCase struct {
	name  string
	net   *numlearn.Network
	opts  ExportOptions
	shape []int // of one sample
	conv  bool  // the model has Conv nodes
}

func exportCases(t *testing.T) []exportCase {
	var cases []exportCase
	for _, tt := range testNets() {
		for _, f64 := range []bool{false, true} {
			shape := tt.shape
			if shape == nil {
				shape = []int{784}
			}
			cases = append(cases, exportCase{fmt.Sprintf("%s f64=%v", tt.name, f64), tt.net, ExportOptions{Float64: f64, InputShape: tt.shape}, shape, false})
		}
	}
	book, extend := bookNet(t), extendNet()
	cases = append(cases,
		exportCase{"book ch03 f64=false", book, ExportOptions{}, []int{784}, false},
		exportCase{"book ch03 f64=true", book, ExportOptions{Float64: true}, []int{784}, false},
		exportCase{"batchnorm dropout f64=false", extend, ExportOptions{}, []int{784}, false},
		exportCase{"batchnorm dropout f64=true", extend, ExportOptions{Float64: true}, []int{784}, false})
	for _, tt := range convNets() {
		for _, f64 := range []bool{false, true} {
			cases = append(cases, exportCase{fmt.Sprintf("%s f64=%v", tt.name, f64), tt.net, ExportOptions{Float64: f64, InputShape: tt.shape}, []int{1, 28, 28}, true})
		}
	}
	for _, tt := range modernNets() {
		for _, f64 := range []bool{false, true} {
			cases = append(cases, exportCase{fmt.Sprintf("%s f64=%v", tt.name, f64), tt.net, ExportOptions{Float64: f64, InputShape: tt.shape}, tt.shape, len(tt.shape) == 3})
		}
	}
	return cases
}

// writeModels exports every case into dir and returns the file names.
func writeModels(t *testing.T, dir string, cases []exportCase) []string {
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = filepath.Join(dir, fmt.Sprintf("model%d.onnx", i))
		require.NoError(t, os.WriteFile(names[i], exported(t, c.net, c.opts), 0o644))
	}
	return names
}

// TestONNXCheckerAcceptsExports runs the reference checker of the ONNX
// project (python3-onnx) with full_check, which also infers every shape,
// on every kind of model Export writes.
func TestONNXCheckerAcceptsExports(t *testing.T) {
	python := tooltest.Python(t, "onnx")
	cases := exportCases(t)
	names := writeModels(t, t.TempDir(), cases)
	script := `
import sys, onnx
for name in sys.argv[1:]:
    m = onnx.load(name)
    onnx.checker.check_model(m, full_check=True)
    print("ok", name, m.opset_import[0].version)
`
	out, err := exec.Command(python, append([]string{"-c", script}, names...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, len(names), bytes.Count(out, []byte("ok ")), "%s", out)
	assert.Contains(t, string(out), " 17\n")
}

// writeFloat64s writes values as little-endian float64.
func writeFloat64s(t *testing.T, name string, v []float64) {
	b := make([]byte, 0, 8*len(v))
	for _, f := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	require.NoError(t, os.WriteFile(name, b, 0o644))
}

func readFloat64s(t *testing.T, name string) []float64 {
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v
}

// maxRelDiff returns the largest difference between a and b relative to
// the largest magnitude in b: the normwise relative error in the max norm.
func maxRelDiff(a, b []float64) float64 {
	diff, scale := 0.0, 0.0
	for i := range a {
		diff = math.Max(diff, math.Abs(a[i]-b[i]))
		scale = math.Max(scale, math.Abs(b[i]))
	}
	if scale == 0 {
		return diff
	}
	return diff / scale
}

// TestONNXRuntimeAgreesWithOutput runs every exported model in ONNX
// Runtime (onnxruntime-node, CPU) on 1,000 MNIST test images and compares
// its outputs with the network's Output.
func TestONNXRuntimeAgreesWithOutput(t *testing.T) {
	modules := tooltest.NodeModules(t, "onnxruntime-node")
	test := testImages(t)
	const n = 1000
	images := tensor.FromSlice(test.Images.Data()[:n*784], n, 784)
	dir := t.TempDir()
	input := filepath.Join(dir, "input.bin")
	writeFloat64s(t, input, images.Data())
	cases := exportCases(t)
	names := writeModels(t, dir, cases)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			output := filepath.Join(dir, fmt.Sprintf("output%d.bin", i))
			if c.conv && c.opts.Float64 {
				t.Skip("ONNX Runtime's CPU provider has no double Conv kernel; the checker accepts this model, and its float32 twin runs")
			}
			typ, tol := "float32", ortTol32
			if c.opts.Float64 {
				typ, tol = "float64", ortTol64
			}
			args := []string{filepath.Join("testdata", "ort_run.js"), names[i], input, output, typ, strconv.Itoa(n)}
			for _, d := range c.shape {
				args = append(args, strconv.Itoa(d))
			}
			cmd := exec.Command("node", args...)
			cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			got := readFloat64s(t, output)
			var want tensor.Tensor
			c.net.Output(&want, images.Reshape(append([]int{n}, c.shape...)...))
			require.Len(t, got, want.Size())
			diff := maxRelDiff(got, want.Data())
			t.Logf("%s: largest relative difference from ONNX Runtime %.3g over %d values", typ, diff, len(got))
			assert.LessOrEqual(t, diff, tol)
		})
	}
}

// TestImportsPyTorchModels imports the models that PyTorch trained and
// exported (testdata/make_torch_models.py) and checks their scores and
// classes on the 10,000 test images against PyTorch's own.
func TestImportsPyTorchModels(t *testing.T) {
	tests := []struct {
		name   string
		layers []string // what Import makes of the model
	}{
		// The Flatten is Affine's own.
		{"torch_mlp", []string{"*layers.Affine", "*layers.ReLU", "*layers.Affine"}},
		{"torch_convnet", []string{"*layers.Convolution", "*layers.ReLU", "*layers.Pooling", "*layers.Affine", "*layers.ReLU", "*layers.Affine"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.name+".onnx"))
			require.NoError(t, err)
			defer f.Close()
			net, err := Import(f)
			require.NoError(t, err)
			assert.IsType(t, &layers.SoftmaxWithLoss{}, net.Head())
			var types []string
			for _, l := range net.Layers() {
				types = append(types, fmt.Sprintf("%T", l))
			}
			require.Equal(t, tt.layers, types)

			b, err := os.ReadFile(filepath.Join("testdata", tt.name+"_scores.npz"))
			require.NoError(t, err)
			arrays, err := npz.Read(bytes.NewReader(b), int64(len(b)))
			require.NoError(t, err)
			require.Len(t, arrays, 1)
			logits := tensor.FromSlice(arrays[0].Data, arrays[0].Shape...)

			test := testImages(t)
			require.Equal(t, []int{test.Len(), 10}, logits.Shape())
			images := test.Images.Reshape(test.Len(), 1, 28, 28) // as PyTorch's models take them
			scores := net.Predict(images)
			maxAbs := 0.0
			for i, v := range scores.Data() {
				maxAbs = math.Max(maxAbs, math.Abs(v-logits.Data()[i]))
			}
			same := 0
			torchClasses, ours := logits.ArgMax(), net.NewPredictor().Classes(nil, images)
			for i := range ours {
				if ours[i] == torchClasses[i] {
					same++
				}
			}
			t.Logf("PyTorch vs numlearn on %d test images: largest score difference %.3g, same class for %d", test.Len(), maxAbs, same)
			assert.LessOrEqual(t, maxAbs, torchTol)
			assert.Equal(t, test.Len(), same)
			t.Logf("accuracy %.4f", net.AccuracyLabels(images, test.Labels))
		})
	}
}
