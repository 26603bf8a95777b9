package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
)

// tol is the tolerance of the comparisons here, the command's default.
const tol = 1e-5

// caseDir is the folder of the backend test cases that the command
// reads by default.
var caseDir = filepath.Join("..", "..", "onnx", "testdata", "pytorch-converted")

// TestCases runs two backend cases through both importers: a Gemm, which
// both read and compute as PyTorch did, and a Softsign, for which onnx-go's
// graph build returns an error that is a nil pointer, whose Error method
// panics.
func TestCases(t *testing.T) {
	tests := []struct {
		name           string
		numlearnAgrees bool   // numlearn imports the model and agrees
		onnxGo         string // the start of onnx-go's cell, "" where it agrees
	}{
		{name: "test_Linear", numlearnAgrees: true},
		{name: "test_Softsign", onnxGo: "no: build: a nil *onnx.ErrNotImplemented as the error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(caseDir, tt.name)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("no case %s: %v", dir, err)
			}
			c, err := loadCase(dir)
			require.NoError(t, err)
			require.Len(t, c.inputs, 1)
			require.Len(t, c.wants, 1)
			if tt.numlearnAgrees {
				o := runNumlearn(c)
				assert.True(t, o.agrees(tol), "numlearn: %s", cell(o, tol))
			}
			o := runOnnxGo(c)
			if tt.onnxGo == "" {
				assert.True(t, o.agrees(tol), "onnx-go: %s", cell(o, tol))
			} else {
				assert.True(t, strings.HasPrefix(cell(o, tol), tt.onnxGo), "onnx-go: %s", cell(o, tol))
			}
		})
	}
}

// TestReadRecord decodes TensorProtos built by hand, with their values in
// each of the encodings that ONNX files use.
func TestReadRecord(t *testing.T) {
	varint := func(num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
	}
	bytesField := func(num protowire.Number, v []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), v)
	}
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	f32 := func(vs ...float32) (packed []byte) {
		for _, v := range vs {
			packed = protowire.AppendFixed32(packed, math.Float32bits(v))
		}
		return packed
	}
	dims := join(varint(fieldDims, 2), varint(fieldDims, 1)) // (2, 1), unpacked
	tests := []struct {
		name    string
		proto   []byte
		want    record
		wantErr string
	}{
		{
			name:  "float_data packed",
			proto: join(dims, varint(fieldDataType, dataTypeFloat), bytesField(fieldFloatData, f32(1.5, -2))),
			want:  record{dims: []int{2, 1}, dataType: dataTypeFloat, values: []float64{1.5, -2}},
		},
		{
			name: "float_data unpacked, dims packed",
			proto: join(bytesField(fieldDims, protowire.AppendVarint(protowire.AppendVarint(nil, 2), 1)),
				varint(fieldDataType, dataTypeFloat),
				protowire.AppendFixed32(protowire.AppendTag(nil, fieldFloatData, protowire.Fixed32Type), math.Float32bits(0.25)),
				protowire.AppendFixed32(protowire.AppendTag(nil, fieldFloatData, protowire.Fixed32Type), math.Float32bits(3))),
			want: record{dims: []int{2, 1}, dataType: dataTypeFloat, values: []float64{0.25, 3}},
		},
		{
			name:  "raw_data of floats, with a name",
			proto: join(dims, varint(fieldDataType, dataTypeFloat), bytesField(8, []byte("x")), bytesField(fieldRawData, f32(7, 0.5))),
			want:  record{dims: []int{2, 1}, dataType: dataTypeFloat, values: []float64{7, 0.5}},
		},
		{
			name: "double_data",
			proto: join(dims, varint(fieldDataType, dataTypeDouble), bytesField(fieldDoubleData,
				protowire.AppendFixed64(protowire.AppendFixed64(nil, math.Float64bits(0.1)), math.Float64bits(-4)))),
			want: record{dims: []int{2, 1}, dataType: dataTypeDouble, values: []float64{0.1, -4}},
		},
		{
			name:  "int64_data",
			proto: join(dims, varint(fieldDataType, dataTypeInt64), varint(fieldInt64Data, 3), varint(fieldInt64Data, 0)),
			want:  record{dims: []int{2, 1}, dataType: dataTypeInt64, values: []float64{3, 0}},
		},
		{
			name:  "a scalar",
			proto: join(varint(fieldDataType, dataTypeFloat), bytesField(fieldFloatData, f32(9))),
			want:  record{dataType: dataTypeFloat, values: []float64{9}},
		},
		{
			name:    "too few values",
			proto:   join(dims, varint(fieldDataType, dataTypeFloat), bytesField(fieldRawData, f32(7))),
			wantErr: "raw_data has 4 bytes, dims [2 1] need 8",
		},
		{
			name:    "an unread data type",
			proto:   join(dims, varint(fieldDataType, 3), bytesField(fieldRawData, []byte{1, 2})),
			wantErr: "data type 3 not read",
		},
		{
			name:    "truncated",
			proto:   join(dims, varint(fieldDataType, dataTypeFloat), bytesField(fieldFloatData, f32(1, 2)))[:10],
			wantErr: "unexpected EOF",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readRecord(tt.proto)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestCompare checks the relative difference, and that NaNs agree only
// with NaNs.
func TestCompare(t *testing.T) {
	want := record{dims: []int{3}, values: []float64{2, -4, math.NaN()}}
	tests := []struct {
		name       string
		shape      []int
		got        []float64
		wantDiffer float64
		wantFault  string
	}{
		{name: "equal", shape: []int{3}, got: []float64{2, -4, math.NaN()}, wantDiffer: 0},
		{name: "off by 0.1 of the largest 4", shape: []int{3}, got: []float64{2.4, -4, math.NaN()}, wantDiffer: 0.1},
		{name: "a number for a NaN", shape: []int{3}, got: []float64{2, -4, 0}, wantDiffer: math.Inf(1)},
		{name: "another shape", shape: []int{1, 3}, got: []float64{2, -4, math.NaN()}, wantFault: "output shape [1 3], not [3]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := compare(tt.shape, tt.got, want)
			assert.True(t, o.imported)
			assert.Equal(t, tt.wantFault, o.fault)
			switch {
			case tt.wantFault != "":
			case math.IsInf(tt.wantDiffer, 1):
				assert.True(t, math.IsInf(o.differ, 1), "differ %g", o.differ)
			default:
				assert.InDelta(t, tt.wantDiffer, o.differ, 1e-12)
			}
		})
	}
}
