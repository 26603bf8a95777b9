package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"

	"google.golang.org/protobuf/encoding/protowire"
)

// This file holds the part of onnx.proto (the ONNX specification's
// protobuf schema) that numlearn reads and writes, as plain Go structs,
// with their encoding through protowire. Field numbers are the schema's;
// fields this package does not use are skipped on reading and never
// written.

// Field numbers of onnx.proto.
const (
	// ModelProto
	modelIRVersion     = 1
	modelProducerName  = 2
	modelProducerVer   = 3
	modelGraph         = 7
	modelOpsetImport   = 8
	modelMetadataProps = 14
	// OperatorSetIdProto
	opsetDomain  = 1
	opsetVersion = 2
	// StringStringEntryProto
	entryKey   = 1
	entryValue = 2
	// GraphProto
	graphNode        = 1
	graphName        = 2
	graphInitializer = 5
	graphSparseInit  = 15
	graphInput       = 11
	graphOutput      = 12
	// NodeProto
	nodeInput     = 1
	nodeOutput    = 2
	nodeName      = 3
	nodeOpType    = 4
	nodeAttribute = 5
	nodeDomain    = 7
	// AttributeProto
	attrName   = 1
	attrF      = 2
	attrI      = 3
	attrS      = 4
	attrT      = 5
	attrFloats = 7
	attrInts   = 8
	attrType   = 20
	// TensorProto
	tensorDims         = 1
	tensorDataType     = 2
	tensorFloatData    = 4
	tensorInt32Data    = 5
	tensorInt64Data    = 7
	tensorName         = 8
	tensorRawData      = 9
	tensorDoubleData   = 10
	tensorExternalData = 13
	tensorDataLocation = 14
	// ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto
	valueName       = 1
	valueType       = 2
	typeTensor      = 1
	tensorElemType  = 1
	tensorShape     = 2
	shapeDim        = 1
	dimValue        = 1
	dimParam        = 2
	attrTypeFloat   = 1 // AttributeProto.AttributeType
	attrTypeInt     = 2
	attrTypeString  = 3
	attrTypeTensor  = 4
	attrTypeFloats  = 6
	attrTypeInts    = 7
	dataTypeFloat   = 1 // TensorProto.DataType
	dataTypeInt32   = 6
	dataTypeInt64   = 7
	dataTypeDouble  = 11
	dataLocExternal = 1
)

// model is a ModelProto.
type model struct {
	irVersion int64
	opsets    []opset
	producer  string
	version   string
	metadata  []entry
	graph     *graph
}

type opset struct {
	domain  string
	version int64
}

type entry struct{ key, value string }

// graph is a GraphProto.
type graph struct {
	name         string
	nodes        []node
	initializers []tensorProto
	inputs       []valueInfo
	outputs      []valueInfo
	sparse       int // how many sparse initializers, which are not supported
}

// node is a NodeProto.
type node struct {
	name    string
	opType  string
	domain  string
	inputs  []string
	outputs []string
	attrs   []attribute
}

// attribute is an AttributeProto of one of the types this package knows:
// typ says which of the value fields is set.
type attribute struct {
	name   string
	typ    int64
	f      float32
	i      int64
	s      []byte
	t      *tensorProto // the value of a Constant node
	floats []float32
	ints   []int64
	other  bool // a value of a type this package does not read (graph, sparse tensor, …)
}

// tensorProto is a TensorProto. Its values are kept as they are in the
// file — raw_data as a slice of the file, float_data and double_data
// gathered into one run of little-endian bytes each, int32_data and
// int64_data into one list of integers — until they are needed. Import
// reads weights of floats or doubles and, for the shapes and indices of
// the constants it folds, integers of 32 or 64 bits.
type tensorProto struct {
	name     string
	dims     []int64
	dataType int64
	raw      []byte  // raw_data
	floats   []byte  // float_data, as little-endian float32
	doubles  []byte  // double_data, as little-endian float64
	ints     []int64 // int32_data or int64_data
	external bool
}

// valueInfo is a ValueInfoProto of a tensor type: its element type and
// its shape, a dimension being −1 when it is symbolic or unknown.
type valueInfo struct {
	name     string
	elemType int64
	shape    []int64
	hasShape bool
}

// Encoding.

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendVarint(b []byte, num protowire.Number, v int64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

// appendMessage appends a length-delimited sub-message that enc writes.
func appendMessage(b []byte, num protowire.Number, enc func([]byte) []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, enc(nil))
}

func (m *model) marshal() []byte {
	var b []byte
	b = appendVarint(b, modelIRVersion, m.irVersion)
	for _, o := range m.opsets {
		b = appendMessage(b, modelOpsetImport, func(b []byte) []byte {
			if o.domain != "" {
				b = appendString(b, opsetDomain, o.domain)
			}
			return appendVarint(b, opsetVersion, o.version)
		})
	}
	b = appendString(b, modelProducerName, m.producer)
	b = appendString(b, modelProducerVer, m.version)
	for _, e := range m.metadata {
		b = appendMessage(b, modelMetadataProps, func(b []byte) []byte {
			return appendString(appendString(b, entryKey, e.key), entryValue, e.value)
		})
	}
	// The graph goes last: a file cut short anywhere then lacks a whole
	// graph, so no prefix of a model is itself a model.
	return appendMessage(b, modelGraph, m.graph.marshal)
}

func (g *graph) marshal(b []byte) []byte {
	for i := range g.nodes {
		b = appendMessage(b, graphNode, g.nodes[i].marshal)
	}
	b = appendString(b, graphName, g.name)
	for i := range g.initializers {
		b = appendMessage(b, graphInitializer, g.initializers[i].marshal)
	}
	for i := range g.inputs {
		b = appendMessage(b, graphInput, g.inputs[i].marshal)
	}
	for i := range g.outputs {
		b = appendMessage(b, graphOutput, g.outputs[i].marshal)
	}
	return b
}

func (n *node) marshal(b []byte) []byte {
	for _, s := range n.inputs {
		b = appendString(b, nodeInput, s)
	}
	for _, s := range n.outputs {
		b = appendString(b, nodeOutput, s)
	}
	if n.name != "" {
		b = appendString(b, nodeName, n.name)
	}
	b = appendString(b, nodeOpType, n.opType)
	if n.domain != "" {
		b = appendString(b, nodeDomain, n.domain)
	}
	for i := range n.attrs {
		b = appendMessage(b, nodeAttribute, n.attrs[i].marshal)
	}
	return b
}

func (a *attribute) marshal(b []byte) []byte {
	b = appendString(b, attrName, a.name)
	switch a.typ {
	case attrTypeFloat:
		b = protowire.AppendTag(b, attrF, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.f))
	case attrTypeInt:
		b = appendVarint(b, attrI, a.i)
	case attrTypeString:
		b = protowire.AppendTag(b, attrS, protowire.BytesType)
		b = protowire.AppendBytes(b, a.s)
	case attrTypeInts:
		for _, v := range a.ints {
			b = appendVarint(b, attrInts, v)
		}
	case attrTypeFloats:
		for _, v := range a.floats {
			b = protowire.AppendTag(b, attrFloats, protowire.Fixed32Type)
			b = protowire.AppendFixed32(b, math.Float32bits(v))
		}
	case attrTypeTensor:
		b = appendMessage(b, attrT, a.t.marshal)
	}
	return appendVarint(b, attrType, a.typ)
}

func (t *tensorProto) marshal(b []byte) []byte {
	for _, d := range t.dims {
		b = appendVarint(b, tensorDims, d)
	}
	b = appendVarint(b, tensorDataType, t.dataType)
	b = appendString(b, tensorName, t.name)
	if t.external {
		b = appendVarint(b, tensorDataLocation, dataLocExternal)
	}
	switch {
	case t.raw != nil:
		b = protowire.AppendTag(b, tensorRawData, protowire.BytesType)
		b = protowire.AppendBytes(b, t.raw)
	case t.floats != nil:
		b = protowire.AppendTag(b, tensorFloatData, protowire.BytesType)
		b = protowire.AppendBytes(b, t.floats)
	case t.doubles != nil:
		b = protowire.AppendTag(b, tensorDoubleData, protowire.BytesType)
		b = protowire.AppendBytes(b, t.doubles)
	case t.ints != nil:
		num := protowire.Number(tensorInt64Data)
		if t.dataType == dataTypeInt32 {
			num = tensorInt32Data
		}
		var packed []byte
		for _, v := range t.ints {
			packed = protowire.AppendVarint(packed, uint64(v))
		}
		b = protowire.AppendTag(b, num, protowire.BytesType)
		b = protowire.AppendBytes(b, packed)
	}
	return b
}

func (v *valueInfo) marshal(b []byte) []byte {
	b = appendString(b, valueName, v.name)
	return appendMessage(b, valueType, func(b []byte) []byte {
		return appendMessage(b, typeTensor, func(b []byte) []byte {
			b = appendVarint(b, tensorElemType, v.elemType)
			return appendMessage(b, tensorShape, func(b []byte) []byte {
				for _, d := range v.shape {
					b = appendMessage(b, shapeDim, func(b []byte) []byte {
						if d < 0 {
							return appendString(b, dimParam, "N")
						}
						return appendVarint(b, dimValue, d)
					})
				}
				return b
			})
		})
	})
}

// Decoding. Every error wraps ErrFormat: these are files that do not
// follow the protobuf encoding or the ONNX schema's types, or that hold
// far more entries than a model of their size has.
//
// What the decoder allocates is proportional to the file. It counts the
// entries of a repeated field before it builds them, allocates them at
// once, and takes their size from the import's budget: a file of a
// million empty nodes (two bytes each, where a node takes 120) is refused
// before any is built. Strings are copied from the file, so they cost
// about what they take there; raw_data stays a slice of the file.

// The budget of an import: budgetPerByte bytes for each byte of the
// model, and budgetSlack more for small models. Real models need less
// than that: their weights, four bytes each in the file, take 16 in the
// layers (the float64 value and its gradient), and their graph structure
// takes four to six times the bytes that describe it.
const (
	budgetPerByte = 6
	budgetSlack   = 3 << 20
)

// budget is what one import may still allocate besides the file and the
// strings it copies from it: the decoder takes from it for the structures
// it builds, and the importer for its table of values, its layers and
// their parameters.
type budget struct {
	left int // bytes left
	size int // the size of the model, for messages
}

func newBudget(size int) *budget {
	return &budget{left: budgetPerByte*size + budgetSlack, size: size}
}

// reserve takes n decoded entries of size bytes each from bud, or returns
// an ErrFormat error that names them (what, of message where) if it does
// not hold them.
func (bud *budget) reserve(where, what string, n int, size uintptr) error {
	if n > bud.left/max(int(size), 1) {
		return fmt.Errorf("%w: %s: %d %s, more than a model of %d bytes can meaningfully hold", ErrFormat, where, n, what, bud.size)
	}
	bud.left -= n * int(size)
	return nil
}

// take takes n bytes from bud for what the import builds, or returns an
// ErrUnsupported error saying that what would take more.
func (bud *budget) take(n int, what string) error {
	if n > bud.left {
		return fmt.Errorf("%w: %s would take more memory than a model of %d bytes can meaningfully need", ErrUnsupported, what, bud.size)
	}
	bud.left -= n
	return nil
}

// How count counts the fields of a repeated field.
const (
	perField = -1 // one value for each field: a message or a string
	varints  = 0  // varints, packed or not; widths above 0 are fixed
)

// count returns how many values the fields num of message b hold: one
// for each field with perField, and otherwise the values of a repeated
// number of the given width, varints or fixed-size, packed or not. It
// stops at a fault in b, which the decoding then reports, and allocates
// nothing.
func count(b []byte, num protowire.Number, width int) int {
	n := 0
	for len(b) > 0 {
		fnum, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			break
		}
		b = b[l:]
		l = protowire.ConsumeFieldValue(fnum, typ, b)
		if l < 0 {
			break
		}
		if fnum == num {
			packed, _ := protowire.ConsumeBytes(b)
			switch {
			case width == perField || typ != protowire.BytesType:
				n++
			case width == varints:
				for _, c := range packed {
					if c < 0x80 { // the last byte of each varint
						n++
					}
				}
			default:
				n += len(packed) / width
			}
		}
		b = b[l:]
	}
	return n
}

// alloc returns an empty slice with room for the values of the fields num
// of message b, as count counts them, having taken their size from bud;
// nil if there are none.
func alloc[T any](bud *budget, b []byte, num protowire.Number, width int, where, what string) ([]T, error) {
	n := count(b, num, width)
	if err := bud.reserve(where, what, n, reflect.TypeFor[T]().Size()); err != nil || n == 0 {
		return nil, err
	}
	return make([]T, 0, n), nil
}

// allocRun is alloc for the little-endian bytes of a repeated field of
// width-byte values.
func allocRun(bud *budget, b []byte, num protowire.Number, width int, where, what string) ([]byte, error) {
	n := count(b, num, width)
	if err := bud.reserve(where, what, n, uintptr(width)); err != nil || n == 0 {
		return nil, err
	}
	return make([]byte, 0, n*width), nil
}

// field is one decoded protobuf field: its number and wire type, and its
// value as a varint, a fixed-size number or bytes.
type field struct {
	num   protowire.Number
	typ   protowire.Type
	v     uint64 // varint, fixed32 or fixed64 value
	bytes []byte // length-delimited value, a slice of the input
}

// walk calls f for each field of the message b, in order.
func walk(what string, b []byte, f func(field) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: %s: %w", ErrFormat, what, protowire.ParseError(n))
		}
		b = b[n:]
		fd := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			fd.v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			fd.v = uint64(v)
		case protowire.Fixed64Type:
			fd.v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			fd.bytes, n = protowire.ConsumeBytes(b)
		default: // groups, long deprecated, appear nowhere in onnx.proto
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("%w: %s: field %d: %w", ErrFormat, what, num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := f(fd); err != nil {
			return err
		}
	}
	return nil
}

// wrongType is the error for a known field with another wire type than
// the schema's.
func wrongType(what string, f field) error {
	return fmt.Errorf("%w: %s: field %d has wire type %d", ErrFormat, what, f.num, f.typ)
}

// str returns a string field's value.
func (f field) str(what string) (string, error) {
	if f.typ != protowire.BytesType {
		return "", wrongType(what, f)
	}
	return string(f.bytes), nil
}

// int returns an int64 or int32 field's value.
func (f field) int(what string) (int64, error) {
	if f.typ != protowire.VarintType {
		return 0, wrongType(what, f)
	}
	return int64(f.v), nil
}

// appendInts appends the values of a repeated int64 field, packed or not.
func (f field) appendInts(what string, dst []int64) ([]int64, error) {
	switch f.typ {
	case protowire.VarintType:
		return append(dst, int64(f.v)), nil
	case protowire.BytesType:
		for b := f.bytes; len(b) > 0; {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return nil, fmt.Errorf("%w: %s: %w", ErrFormat, what, protowire.ParseError(n))
			}
			dst = append(dst, int64(v))
			b = b[n:]
		}
		return dst, nil
	}
	return nil, wrongType(what, f)
}

// appendFixed appends the little-endian bytes of a repeated fixed-size
// field (float or double), whether it came packed or as one value.
func (f field) appendFixed(what string, width int, dst []byte) ([]byte, error) {
	switch {
	case f.typ == protowire.BytesType:
		if len(f.bytes)%width != 0 {
			return nil, fmt.Errorf("%w: %s: packed field of %d bytes is not a whole number of %d-byte values", ErrFormat, what, len(f.bytes), width)
		}
		return append(dst, f.bytes...), nil
	case width == 4 && f.typ == protowire.Fixed32Type:
		return binary.LittleEndian.AppendUint32(dst, uint32(f.v)), nil
	case width == 8 && f.typ == protowire.Fixed64Type:
		return binary.LittleEndian.AppendUint64(dst, f.v), nil
	}
	return nil, wrongType(what, f)
}

// unmarshal decodes the model b.
func (m *model) unmarshal(b []byte) error { return m.decode(newBudget(len(b)), b) }

func (m *model) decode(bud *budget, b []byte) error {
	var err error
	if m.opsets, err = alloc[opset](bud, b, modelOpsetImport, perField, "model", "operator sets"); err != nil {
		return err
	}
	if m.metadata, err = alloc[entry](bud, b, modelMetadataProps, perField, "model", "metadata entries"); err != nil {
		return err
	}
	return walk("model", b, func(f field) error {
		var err error
		switch f.num {
		case modelIRVersion:
			m.irVersion, err = f.int("model.ir_version")
		case modelProducerName:
			m.producer, err = f.str("model.producer_name")
		case modelOpsetImport:
			if f.typ != protowire.BytesType {
				return wrongType("model.opset_import", f)
			}
			var o opset
			err = walk("opset_import", f.bytes, func(f field) error {
				var err error
				switch f.num {
				case opsetDomain:
					o.domain, err = f.str("opset_import.domain")
				case opsetVersion:
					o.version, err = f.int("opset_import.version")
				}
				return err
			})
			m.opsets = append(m.opsets, o)
		case modelMetadataProps:
			if f.typ != protowire.BytesType {
				return wrongType("model.metadata_props", f)
			}
			var e entry
			err = walk("metadata_props", f.bytes, func(f field) error {
				var err error
				switch f.num {
				case entryKey:
					e.key, err = f.str("metadata_props.key")
				case entryValue:
					e.value, err = f.str("metadata_props.value")
				}
				return err
			})
			m.metadata = append(m.metadata, e)
		case modelGraph:
			if f.typ != protowire.BytesType {
				return wrongType("model.graph", f)
			}
			m.graph = &graph{}
			err = m.graph.decode(bud, f.bytes)
		}
		return err
	})
}

func (g *graph) decode(bud *budget, b []byte) error {
	var err error
	if g.nodes, err = alloc[node](bud, b, graphNode, perField, "graph", "nodes"); err != nil {
		return err
	}
	if g.initializers, err = alloc[tensorProto](bud, b, graphInitializer, perField, "graph", "initializers"); err != nil {
		return err
	}
	if g.inputs, err = alloc[valueInfo](bud, b, graphInput, perField, "graph", "inputs"); err != nil {
		return err
	}
	if g.outputs, err = alloc[valueInfo](bud, b, graphOutput, perField, "graph", "outputs"); err != nil {
		return err
	}
	return walk("graph", b, func(f field) error {
		if f.typ != protowire.BytesType && (f.num == graphNode || f.num == graphName || f.num == graphInitializer || f.num == graphInput || f.num == graphOutput) {
			return wrongType("graph", f)
		}
		switch f.num {
		case graphNode:
			g.nodes = append(g.nodes, node{})
			return g.nodes[len(g.nodes)-1].decode(bud, f.bytes)
		case graphName:
			g.name = string(f.bytes)
		case graphInitializer:
			g.initializers = append(g.initializers, tensorProto{})
			return g.initializers[len(g.initializers)-1].decode(bud, f.bytes)
		case graphSparseInit:
			g.sparse++
		case graphInput:
			g.inputs = append(g.inputs, valueInfo{})
			return g.inputs[len(g.inputs)-1].decode(bud, f.bytes)
		case graphOutput:
			g.outputs = append(g.outputs, valueInfo{})
			return g.outputs[len(g.outputs)-1].decode(bud, f.bytes)
		}
		return nil
	})
}

func (n *node) decode(bud *budget, b []byte) error {
	var err error
	if n.inputs, err = alloc[string](bud, b, nodeInput, perField, "node", "inputs"); err != nil {
		return err
	}
	if n.outputs, err = alloc[string](bud, b, nodeOutput, perField, "node", "outputs"); err != nil {
		return err
	}
	if n.attrs, err = alloc[attribute](bud, b, nodeAttribute, perField, "node", "attributes"); err != nil {
		return err
	}
	return walk("node", b, func(f field) error {
		var err error
		var s string
		switch f.num {
		case nodeInput:
			s, err = f.str("node.input")
			n.inputs = append(n.inputs, s)
		case nodeOutput:
			s, err = f.str("node.output")
			n.outputs = append(n.outputs, s)
		case nodeName:
			n.name, err = f.str("node.name")
		case nodeOpType:
			n.opType, err = f.str("node.op_type")
		case nodeDomain:
			n.domain, err = f.str("node.domain")
		case nodeAttribute:
			if f.typ != protowire.BytesType {
				return wrongType("node.attribute", f)
			}
			n.attrs = append(n.attrs, attribute{})
			err = n.attrs[len(n.attrs)-1].decode(bud, f.bytes)
		}
		return err
	})
}

func (a *attribute) decode(bud *budget, b []byte) error {
	var err error
	if a.ints, err = alloc[int64](bud, b, attrInts, varints, "attribute", "ints"); err != nil {
		return err
	}
	if a.floats, err = alloc[float32](bud, b, attrFloats, 4, "attribute", "floats"); err != nil {
		return err
	}
	return walk("attribute", b, func(f field) error {
		var err error
		switch f.num {
		case attrName:
			a.name, err = f.str("attribute.name")
		case attrType:
			a.typ, err = f.int("attribute.type")
		case attrF:
			if f.typ != protowire.Fixed32Type {
				return wrongType("attribute.f", f)
			}
			a.f = math.Float32frombits(uint32(f.v))
		case attrI:
			a.i, err = f.int("attribute.i")
		case attrS:
			if f.typ != protowire.BytesType {
				return wrongType("attribute.s", f)
			}
			a.s = f.bytes
		case attrInts:
			a.ints, err = f.appendInts("attribute.ints", a.ints)
		case attrFloats:
			switch f.typ {
			case protowire.Fixed32Type:
				a.floats = append(a.floats, math.Float32frombits(uint32(f.v)))
			case protowire.BytesType:
				if len(f.bytes)%4 != 0 {
					return fmt.Errorf("%w: attribute.floats: packed field of %d bytes is not a whole number of 4-byte values", ErrFormat, len(f.bytes))
				}
				for i := 0; i < len(f.bytes); i += 4 {
					a.floats = append(a.floats, math.Float32frombits(binary.LittleEndian.Uint32(f.bytes[i:])))
				}
			default:
				return wrongType("attribute.floats", f)
			}
		case attrT:
			if f.typ != protowire.BytesType {
				return wrongType("attribute.t", f)
			}
			if err := bud.reserve("attribute", "tensors", 1, reflect.TypeFor[tensorProto]().Size()); err != nil {
				return err
			}
			a.t = &tensorProto{}
			err = a.t.decode(bud, f.bytes)
		case 6, 9, 10, 11, 12, 13, 14, 22, 23: // graph(s), tensors, sparse tensor(s), type proto(s)
			a.other = true
		}
		return err
	})
}

func (t *tensorProto) decode(bud *budget, b []byte) error {
	var err error
	if t.dims, err = alloc[int64](bud, b, tensorDims, varints, "tensor", "dims"); err != nil {
		return err
	}
	// float_data and double_data, packed or not, are gathered into one run
	// of bytes each; there is usually one packed field.
	if t.floats, err = allocRun(bud, b, tensorFloatData, 4, "tensor", "float_data values"); err != nil {
		return err
	}
	if t.doubles, err = allocRun(bud, b, tensorDoubleData, 8, "tensor", "double_data values"); err != nil {
		return err
	}
	n := count(b, tensorInt32Data, varints) + count(b, tensorInt64Data, varints)
	if err := bud.reserve("tensor", "int32_data and int64_data values", n, 8); err != nil {
		return err
	}
	if n > 0 {
		t.ints = make([]int64, 0, n)
	}
	return walk("tensor", b, func(f field) error {
		var err error
		switch f.num {
		case tensorDims:
			t.dims, err = f.appendInts("tensor.dims", t.dims)
		case tensorDataType:
			t.dataType, err = f.int("tensor.data_type")
		case tensorName:
			t.name, err = f.str("tensor.name")
		case tensorRawData:
			if f.typ != protowire.BytesType {
				return wrongType("tensor.raw_data", f)
			}
			t.raw = f.bytes
		case tensorFloatData:
			t.floats, err = f.appendFixed("tensor.float_data", 4, t.floats)
		case tensorDoubleData:
			t.doubles, err = f.appendFixed("tensor.double_data", 8, t.doubles)
		case tensorInt32Data, tensorInt64Data:
			t.ints, err = f.appendInts("tensor.int64_data", t.ints)
		case tensorExternalData:
			t.external = true
		case tensorDataLocation:
			var loc int64
			loc, err = f.int("tensor.data_location")
			t.external = t.external || loc == dataLocExternal
		}
		return err
	})
}

func (v *valueInfo) decode(bud *budget, b []byte) error {
	return walk("value_info", b, func(f field) error {
		switch f.num {
		case valueName:
			s, err := f.str("value_info.name")
			v.name = s
			return err
		case valueType:
			if f.typ != protowire.BytesType {
				return wrongType("value_info.type", f)
			}
			return walk("type", f.bytes, func(f field) error {
				if f.num != typeTensor {
					return nil // a sequence, map or optional type: elemType stays 0
				}
				if f.typ != protowire.BytesType {
					return wrongType("type.tensor_type", f)
				}
				return v.decodeTensorType(bud, f.bytes)
			})
		}
		return nil
	})
}

func (v *valueInfo) decodeTensorType(bud *budget, b []byte) error {
	return walk("tensor_type", b, func(f field) error {
		var err error
		switch f.num {
		case tensorElemType:
			v.elemType, err = f.int("tensor_type.elem_type")
		case tensorShape:
			if f.typ != protowire.BytesType {
				return wrongType("tensor_type.shape", f)
			}
			v.hasShape = true
			if v.shape, err = alloc[int64](bud, f.bytes, shapeDim, perField, "shape", "dims"); err != nil {
				return err
			}
			err = walk("shape", f.bytes, func(f field) error {
				if f.num != shapeDim {
					return nil
				}
				if f.typ != protowire.BytesType {
					return wrongType("shape.dim", f)
				}
				d := int64(-1)
				err := walk("dim", f.bytes, func(f field) error {
					if f.num != dimValue {
						return nil
					}
					var err error
					d, err = f.int("dim.dim_value")
					return err
				})
				v.shape = append(v.shape, d)
				return err
			})
		}
		return err
	})
}
