package onnx

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/tensor"
)

// backendTol is the tolerance of TestBackendCases, relative to the
// largest expected output: the expected outputs are PyTorch's, computed
// in float32, and numlearn computes in float64 from the same float32
// weights and inputs.
const backendTol = 1e-5

// backendAgree lists the cases of testdata/pytorch-converted — the ONNX
// project's backend test data converted from PyTorch — that Import reads
// and whose outputs agree with PyTorch's. A case that leaves the list
// fails the test, and so does one that joins it unlisted: update the list
// when Import learns an operator.
var backendAgree = []string{
	"test_AvgPool2d", "test_AvgPool2d_stride",
	"test_BatchNorm1d_3d_input_eval", "test_BatchNorm2d_eval", "test_BatchNorm2d_momentum_eval",
	"test_BatchNorm3d_eval", "test_BatchNorm3d_momentum_eval",
	"test_ConstantPad2d", "test_Conv2d", "test_Conv2d_depthwise", "test_Conv2d_depthwise_padded", "test_Conv2d_depthwise_strided",
	"test_Conv2d_depthwise_with_multiplier", "test_Conv2d_dilated", "test_Conv2d_groups", "test_Conv2d_groups_thnn",
	"test_Conv2d_no_bias", "test_Conv2d_padding", "test_Conv2d_strided",
	"test_ELU", "test_LeakyReLU", "test_LeakyReLU_with_negval",
	"test_Linear", "test_Linear_no_bias",
	"test_LogSoftmax", "test_MaxPool2d",
	"test_PReLU_1d", "test_PReLU_1d_multiparam", "test_PReLU_2d", "test_PReLU_2d_multiparam",
	"test_PReLU_3d", "test_PReLU_3d_multiparam",
	"test_ReLU", "test_ReflectionPad2d", "test_ReplicationPad2d", "test_SELU", "test_Sigmoid", "test_Softmax", "test_Softmin", "test_Softplus", "test_Tanh",
	"test_ZeroPad2d",
	"test_log_softmax_dim3", "test_log_softmax_lastdim", "test_softmax_functional_dim3", "test_softmax_lastdim",
}

// backendCase is the outcome of one backend case.
type backendCase struct {
	name   string
	err    error   // Import's error, or nil
	differ float64 // the largest difference from the expected output, relative to its largest value
	fault  string  // what went wrong after the import: a panic, a shape that differs
}

func (c backendCase) agrees() bool { return c.err == nil && c.fault == "" && c.differ <= backendTol }

// TestBackendCases imports each model of testdata/pytorch-converted, runs
// it on its test input and compares the network's output with the
// expected one, and checks that the cases that agree are those of
// backendAgree. A model Import does not read must be refused with
// ErrUnsupported or ErrShape, never ErrFormat (they are valid models)
// and never with a panic, and a model it reads must give the expected
// output. With -v it prints a table of the cases.
func TestBackendCases(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "pytorch-converted", "test_*"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	var cases []backendCase
	for _, dir := range dirs {
		c := runBackendCase(t, dir)
		cases = append(cases, c)
		switch {
		case c.err != nil && !errors.Is(c.err, ErrUnsupported) && !errors.Is(c.err, ErrShape):
			t.Errorf("%s: Import: %v, neither ErrUnsupported nor ErrShape", c.name, c.err)
		case c.err == nil && !c.agrees():
			t.Errorf("%s: imported, but the output does not agree: %s (relative difference %.3g)", c.name, c.fault, c.differ)
		}
	}
	agree := []string{}
	var table strings.Builder
	fmt.Fprintf(&table, "%-40s %s\n", "case", "outcome")
	for _, c := range cases {
		outcome := fmt.Sprintf("agrees (%.1e)", c.differ)
		switch {
		case c.err != nil:
			outcome = strings.TrimPrefix(c.err.Error(), "onnx: ")
		case !c.agrees():
			outcome = fmt.Sprintf("DIFFERS: %s (%.3g)", c.fault, c.differ)
		default:
			agree = append(agree, c.name)
		}
		fmt.Fprintf(&table, "%-40s %s\n", c.name, outcome)
	}
	fmt.Fprintf(&table, "%d of %d cases import and agree", len(agree), len(cases))
	t.Log("\n" + table.String())
	assert.Equal(t, backendAgree, agree, "the cases that import and agree; update backendAgree")
}

// runBackendCase imports the model of dir and runs it on its test input.
func runBackendCase(t *testing.T, dir string) (c backendCase) {
	c.name = filepath.Base(dir)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return b
	}
	defer func() {
		if r := recover(); r != nil {
			c.fault = fmt.Sprint("panic: ", r)
			c.differ = math.Inf(1)
		}
	}()
	net, err := Import(bytes.NewReader(read("model.onnx")))
	if err != nil {
		c.err = err
		return c
	}
	x := tensorFile(t, read(filepath.Join("test_data_set_0", "input_0.pb")))
	want := tensorFile(t, read(filepath.Join("test_data_set_0", "output_0.pb")))
	var got tensor.Tensor
	net.Output(&got, x)
	if !slices.Equal(got.Shape(), want.Shape()) {
		c.fault = fmt.Sprintf("output shape %v, not %v", got.Shape(), want.Shape())
		c.differ = math.Inf(1)
		return c
	}
	largest := 0.0
	for _, v := range want.Data() {
		largest = max(largest, math.Abs(v))
	}
	for i, v := range want.Data() {
		d := math.Abs(got.Data()[i] - v)
		if largest > 0 {
			d /= largest
		}
		if !(d <= c.differ) { // NaN counts as a difference
			c.differ = max(d, c.differ)
			if math.IsNaN(d) {
				c.differ = math.Inf(1)
			}
		}
	}
	return c
}

// tensorFile returns the float tensor that the TensorProto file b holds.
func tensorFile(t *testing.T, b []byte) *tensor.Tensor {
	var tp tensorProto
	require.NoError(t, tp.decode(newBudget(len(b)), b))
	require.NoError(t, tp.check())
	require.Contains(t, []int64{dataTypeFloat, dataTypeDouble}, tp.dataType)
	return tp.values(false)
}
