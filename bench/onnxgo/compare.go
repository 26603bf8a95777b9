package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/numlearn/numlearn/onnx"
	"github.com/numlearn/numlearn/tensor"
	onnxgo "github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/backend/x/gorgonnx"
	gorgonia "gorgonia.org/tensor"
)

// testCase is one backend test case: a model, its first set of test
// inputs and the outputs that PyTorch recorded for them.
type testCase struct {
	name   string
	model  []byte
	inputs []record
	wants  []record
}

// loadCase reads the case in dir: model.onnx and test_data_set_0's
// input_<i>.pb and output_<i>.pb files.
func loadCase(dir string) (c testCase, err error) {
	c.name = filepath.Base(dir)
	if c.model, err = os.ReadFile(filepath.Join(dir, "model.onnx")); err != nil {
		return c, err
	}
	if c.inputs, err = readRecords(dir, "input"); err != nil {
		return c, err
	}
	c.wants, err = readRecords(dir, "output")
	return c, err
}

// readRecords reads test_data_set_0/<kind>_0.pb, <kind>_1.pb, … of dir,
// up to the first number missing after 0.
func readRecords(dir, kind string) ([]record, error) {
	var rs []record
	for i := 0; ; i++ {
		file := filepath.Join(dir, "test_data_set_0", fmt.Sprintf("%s_%d.pb", kind, i))
		b, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) && i > 0 {
			return rs, nil
		}
		if err != nil {
			return nil, err
		}
		r, err := readRecord(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		rs = append(rs, r)
	}
}

// outcome is what one tool made of a case.
type outcome struct {
	imported bool    // Import returned a network; onnx-go built its graph
	fault    string  // why there is no comparable output: the import's error, a run's error, a panic, a shape
	differ   float64 // max|got − want| / max|want| when fault is empty
}

// agrees reports whether the tool's output agrees with the recorded one
// within tol.
func (o outcome) agrees(tol float64) bool { return o.fault == "" && o.differ <= tol }

// compare returns got's largest difference from want, relative to want's
// largest magnitude (the absolute difference when want is all zero), or
// a fault when the shapes differ. A NaN agrees with a recorded NaN, as
// in the ONNX backend tests' own comparison, and with nothing else.
func compare(gotShape []int, got []float64, want record) outcome {
	o := outcome{imported: true}
	if !slices.Equal(gotShape, want.dims) || len(got) != len(want.values) {
		o.fault = fmt.Sprintf("output shape %v, not %v", gotShape, want.dims)
		return o
	}
	largest := 0.0
	for _, v := range want.values {
		if !math.IsNaN(v) {
			largest = max(largest, math.Abs(v))
		}
	}
	for i, v := range want.values {
		d := math.Abs(got[i] - v)
		switch {
		case math.IsNaN(v) && math.IsNaN(got[i]):
			d = 0
		case math.IsNaN(d):
			d = math.Inf(1)
		case largest > 0:
			d /= largest
		}
		o.differ = max(o.differ, d)
	}
	return o
}

// compareAll compares each output with the recorded one, and returns the
// first that faults or else the largest difference.
func compareAll(shapes [][]int, got [][]float64, wants []record) outcome {
	if len(got) != len(wants) {
		return outcome{imported: true, fault: fmt.Sprintf("%d outputs, not %d", len(got), len(wants))}
	}
	o := outcome{imported: true}
	for i, want := range wants {
		oi := compare(shapes[i], got[i], want)
		if oi.fault != "" {
			oi.fault = fmt.Sprintf("output %d: %s", i, oi.fault)
			return oi
		}
		o.differ = max(o.differ, oi.differ)
	}
	return o
}

// runNumlearn imports the case's model with numlearn's onnx.Import and
// runs its input through the network's Output.
func runNumlearn(c testCase) (o outcome) {
	defer func() {
		if r := recover(); r != nil {
			o.fault = fmt.Sprint("panic: ", r)
		}
	}()
	net, err := onnx.Import(bytes.NewReader(c.model))
	if err != nil {
		return outcome{fault: err.Error()}
	}
	o.imported = true
	if len(c.inputs) != 1 || len(c.wants) != 1 {
		o.fault = fmt.Sprintf("the case has %d inputs and %d outputs; a network has one of each", len(c.inputs), len(c.wants))
		return o
	}
	in := c.inputs[0]
	var got tensor.Tensor
	net.Output(&got, tensor.FromSlice(slices.Clone(in.values), in.dims...))
	return compare(got.Shape(), got.Data(), c.wants[0])
}

// runOnnxGo reads the case's model with onnx-go, builds the gorgonia
// graph that its gorgonnx backend maps the operators to, and runs it on
// the case's inputs. The model counts as imported when the graph is built,
// as numlearn's Import builds the network's layers: onnx-go's own decoding
// only records the nodes and defers the operators to the build. A fault
// names the step that failed or panicked: decode, build or run.
func runOnnxGo(c testCase) (o outcome) {
	step := "decode"
	defer func() {
		if r := recover(); r != nil {
			o.fault = fmt.Sprintf("panic in %s: %v", step, r)
		}
	}()
	backend := gorgonnx.NewGraph()
	model := onnxgo.NewModel(backend)
	fail := func(err error) outcome {
		o.fault = step + ": " + message(err)
		return o
	}
	if err := model.UnmarshalBinary(c.model); err != nil {
		return fail(err)
	}
	step = "build"
	for i, in := range c.inputs {
		if err := model.SetInput(i, gorgoniaTensor(in)); err != nil {
			return fail(err)
		}
	}
	if err := backend.PopulateExprgraph(); err != nil {
		return fail(err)
	}
	o.imported = true
	step = "run"
	if err := backend.Run(); err != nil {
		return fail(err)
	}
	outs, err := model.GetOutputTensors()
	if err != nil {
		return fail(err)
	}
	shapes := make([][]int, len(outs))
	got := make([][]float64, len(outs))
	for i, t := range outs {
		if t == nil {
			return fail(fmt.Errorf("output %d missing", i))
		}
		if shapes[i], got[i], err = float64s(t); err != nil {
			return fail(err)
		}
	}
	return compareAll(shapes, got, c.wants)
}

// message returns err's message. An error that holds a nil pointer, as
// gorgonnx returns when an operator's type assertion on the real error
// fails and shadows it, gets a message that says so rather than the panic
// its Error method would raise.
func message(err error) string {
	if v := reflect.ValueOf(err); v.Kind() == reflect.Pointer && v.IsNil() {
		return fmt.Sprintf("a nil %T as the error (the cause is lost)", err)
	}
	return err.Error()
}

// gorgoniaTensor returns r as a gorgonia tensor of r's own data type.
// The values narrow exactly: they were widened from that type.
func gorgoniaTensor(r record) gorgonia.Tensor {
	var backing any
	switch r.dataType {
	case dataTypeFloat:
		v := make([]float32, len(r.values))
		for i, x := range r.values {
			v[i] = float32(x)
		}
		backing = v
	case dataTypeInt64:
		v := make([]int64, len(r.values))
		for i, x := range r.values {
			v[i] = int64(x)
		}
		backing = v
	default:
		backing = slices.Clone(r.values)
	}
	return gorgonia.New(gorgonia.WithShape(r.dims...), gorgonia.WithBacking(backing))
}

// float64s returns the shape and the values of a gorgonia output, widened
// to float64.
func float64s(t gorgonia.Tensor) ([]int, []float64, error) {
	shape := []int(t.Shape().Clone())
	if t.Shape().IsScalar() {
		shape = []int{}
	}
	switch d := t.Data().(type) {
	case []float32:
		v := make([]float64, len(d))
		for i, x := range d {
			v[i] = float64(x)
		}
		return shape, v, nil
	case []float64:
		return shape, slices.Clone(d), nil
	case float32:
		return shape, []float64{float64(d)}, nil
	case float64:
		return shape, []float64{d}, nil
	case []int64:
		v := make([]float64, len(d))
		for i, x := range d {
			v[i] = float64(x)
		}
		return shape, v, nil
	}
	return nil, nil, fmt.Errorf("output of type %T", t.Data())
}
