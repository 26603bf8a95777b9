package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The ONNX TensorProto.DataType values that the test data use.
const (
	dataTypeFloat  = 1
	dataTypeInt64  = 7
	dataTypeDouble = 11
)

// record is a tensor read from a TensorProto file: a test case's input
// or expected output. Its values are widened to float64, which holds
// every float and double exactly, and every int64 index that a test
// case uses.
type record struct {
	dims     []int
	dataType int64
	values   []float64
}

// TensorProto's fields, from onnx.proto.
const (
	fieldDims       = 1
	fieldDataType   = 2
	fieldFloatData  = 4
	fieldInt64Data  = 7
	fieldRawData    = 9
	fieldDoubleData = 10
)

// readRecord decodes the TensorProto b. It reads float, double and int64
// tensors, whose values come from raw_data (little-endian) or from the
// typed field, packed or not, and checks that their number is the
// product of the dims.
func readRecord(b []byte) (record, error) {
	var r record
	var raw []byte
	var typed []float64
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return r, fmt.Errorf("tensorproto: tag: %w", protowire.ParseError(n))
		}
		b = b[n:]
		var err error
		switch {
		case num == fieldDims:
			err = repeated(&b, typ, protowire.VarintType, func(v uint64) { r.dims = append(r.dims, int(int64(v))) })
		case num == fieldDataType && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return r, fmt.Errorf("tensorproto: data_type: %w", protowire.ParseError(n))
			}
			r.dataType, b = int64(v), b[n:]
		case num == fieldFloatData:
			err = repeated(&b, typ, protowire.Fixed32Type, func(v uint64) { typed = append(typed, float64(math.Float32frombits(uint32(v)))) })
		case num == fieldInt64Data:
			err = repeated(&b, typ, protowire.VarintType, func(v uint64) { typed = append(typed, float64(int64(v))) })
		case num == fieldDoubleData:
			err = repeated(&b, typ, protowire.Fixed64Type, func(v uint64) { typed = append(typed, math.Float64frombits(v)) })
		case num == fieldRawData && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return r, fmt.Errorf("tensorproto: raw_data: %w", protowire.ParseError(n))
			}
			raw, b = v, b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return r, fmt.Errorf("tensorproto: field %d: %w", num, protowire.ParseError(n))
			}
			b = b[n:]
		}
		if err != nil {
			return r, fmt.Errorf("tensorproto: field %d: %w", num, err)
		}
	}
	size := 1
	for _, d := range r.dims {
		if d < 0 || d > math.MaxInt32 || size > math.MaxInt32/max(d, 1) {
			return r, fmt.Errorf("tensorproto: dims %v out of range", r.dims)
		}
		size *= d
	}
	switch {
	case raw != nil:
		width := map[int64]int{dataTypeFloat: 4, dataTypeInt64: 8, dataTypeDouble: 8}[r.dataType]
		if width == 0 {
			return r, fmt.Errorf("tensorproto: data type %d not read", r.dataType)
		}
		if len(raw) != size*width {
			return r, fmt.Errorf("tensorproto: raw_data has %d bytes, dims %v need %d", len(raw), r.dims, size*width)
		}
		r.values = make([]float64, size)
		for i := range r.values {
			switch r.dataType {
			case dataTypeFloat:
				r.values[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
			case dataTypeInt64:
				r.values[i] = float64(int64(binary.LittleEndian.Uint64(raw[8*i:])))
			case dataTypeDouble:
				r.values[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
			}
		}
	default:
		if r.dataType != dataTypeFloat && r.dataType != dataTypeInt64 && r.dataType != dataTypeDouble {
			return r, fmt.Errorf("tensorproto: data type %d not read", r.dataType)
		}
		if len(typed) != size {
			return r, fmt.Errorf("tensorproto: %d values, dims %v need %d", len(typed), r.dims, size)
		}
		r.values = typed
	}
	return r, nil
}

// repeated consumes one entry of a repeated scalar field of wire type
// want from *b: a packed run of them, or a single one, and calls add on
// each value.
func repeated(b *[]byte, typ, want protowire.Type, add func(uint64)) error {
	one := func(p []byte) (int, error) {
		var v uint64
		var n int
		switch want {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(p)
		case protowire.Fixed32Type:
			var u uint32
			u, n = protowire.ConsumeFixed32(p)
			v = uint64(u)
		case protowire.Fixed64Type:
			v, n = protowire.ConsumeFixed64(p)
		}
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		add(v)
		return n, nil
	}
	switch typ {
	case want:
		n, err := one(*b)
		if err != nil {
			return err
		}
		*b = (*b)[n:]
	case protowire.BytesType:
		packed, n := protowire.ConsumeBytes(*b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		*b = (*b)[n:]
		for len(packed) > 0 {
			m, err := one(packed)
			if err != nil {
				return err
			}
			packed = packed[m:]
		}
	default:
		return errors.New("wrong wire type")
	}
	return nil
}
