package npz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ErrFormat is wrapped by every error about a file that is not a valid
// .npz of float64 or float32 arrays.
var ErrFormat = errors.New("not a valid .npz of float64 or float32 arrays")

// Limits that keep a hostile file from making Read allocate much more than
// the file holds.
const (
	maxHeaderLen = 1 << 16
	maxRank      = 32
	maxElements  = 1 << 31 / 8 // 2 GiB of float64 per array
)

var magic = []byte("\x93NUMPY")

// Array is one named array.
type Array struct {
	Name  string
	Shape []int
	Data  []float64 // row-major
	// Float32 stores the array as '<f4', each value rounded to the nearest
	// float32, when writing; when reading, it says the file held '<f4'
	// values, which Data holds widened exactly.
	Float32 bool
}

// Write writes the arrays to w as an uncompressed .npz archive, in order,
// each as "<Name>.npy" in npy format 1.0, as '<f8' or, for an Array with
// Float32 set, '<f4'.
func Write(w io.Writer, arrays []Array) error {
	zw := zip.NewWriter(w)
	for _, a := range arrays {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		if err := writeNPY(f, a.Shape, a.Data, a.Float32); err != nil {
			return err
		}
	}
	return zw.Close()
}

func writeNPY(w io.Writer, shape []int, data []float64, f32 bool) error {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := "(" + strings.Join(dims, ", ") + ")"
	if len(shape) == 1 {
		tuple = "(" + dims[0] + ",)"
	}
	descr, width := "<f8", 8
	if f32 {
		descr, width = "<f4", 4
	}
	header := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }"
	// The whole preamble (magic, version, length, header, '\n') is padded
	// with spaces to a multiple of 64 bytes, as numpy does.
	pre := len(magic) + 2 + 2
	pad := 64 - (pre+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	header += strings.Repeat(" ", pad) + "\n"
	var buf bytes.Buffer
	buf.Write(magic)
	buf.Write([]byte{1, 0})
	binary.Write(&buf, binary.LittleEndian, uint16(len(header)))
	buf.WriteString(header)
	body := make([]byte, width*len(data))
	for i, v := range data {
		if f32 {
			binary.LittleEndian.PutUint32(body[4*i:], math.Float32bits(float32(v)))
		} else {
			binary.LittleEndian.PutUint64(body[8*i:], math.Float64bits(v))
		}
	}
	buf.Write(body)
	_, err := w.Write(buf.Bytes())
	return err
}

// Entry is one array of an archive whose .npy header has been read but
// whose data has not: its name (without ".npy"), its shape, whether its
// values are float32 ('<f4') rather than float64 ('<f8'), and where to
// find them.
type Entry struct {
	Name    string
	Shape   []int
	Float32 bool
	file    *zip.File
}

// Len returns the number of values e's shape declares.
func (e *Entry) Len() int {
	n := 1
	for _, d := range e.Shape {
		n *= d
	}
	return n
}

// Open reads the directory of the .npz archive r of the given size and the
// .npy header of every entry, in archive order, without reading any
// array's data: a caller checks names, dtypes and shapes against what it
// expects, then reads the data it wants with ReadInto into buffers of the
// size it expects. Only the start of each entry is decompressed, so
// opening costs little however large the arrays claim or turn out to be.
// The error wraps ErrFormat when an entry is not a '<f8' or '<f4'
// C-order .npy file.
func Open(r io.ReaderAt, size int64) ([]Entry, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("npz: %w: %w", ErrFormat, err)
	}
	entries := make([]Entry, 0, len(zr.File))
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			return nil, fmt.Errorf("npz: %s: %w: entry is not a .npy file", f.Name, ErrFormat)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("npz: %s: %w: %w", f.Name, ErrFormat, err)
		}
		shape, f32, err := readHeader(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("npz: %s: %w", f.Name, err)
		}
		entries = append(entries, Entry{Name: name, Shape: shape, Float32: f32, file: f})
	}
	return entries, nil
}

// ReadInto reads e's values into dst, which must hold exactly e.Len()
// values, and checks that the data ends there; dst is the only memory the
// values take. Float32 values are widened exactly. The zip checksum is verified. The error wraps ErrFormat
// when the data is shorter or longer than the shape says or the archive
// is corrupted; dst may then hold part of the values. ReadInto panics if
// len(dst) differs from e.Len().
func (e *Entry) ReadInto(dst []float64) error {
	if len(dst) != e.Len() {
		panic(fmt.Sprintf("npz: ReadInto: %s has %d values, dst has room for %d", e.file.Name, e.Len(), len(dst)))
	}
	_, err := e.read(dst[:0])
	return err
}

// read appends e's values to dst, growing it as data arrives, and returns
// it.
func (e *Entry) read(dst []float64) ([]float64, error) {
	rc, err := e.file.Open()
	if err != nil {
		return nil, fmt.Errorf("npz: %s: %w: %w", e.file.Name, ErrFormat, err)
	}
	defer rc.Close()
	if _, _, err := readHeader(rc); err != nil {
		return nil, fmt.Errorf("npz: %s: %w", e.file.Name, err)
	}
	dst, err = readValues(rc, e.Len(), e.Float32, dst)
	if err != nil {
		return nil, fmt.Errorf("npz: %s: %w", e.file.Name, err)
	}
	return dst, nil
}

// Read reads every array of the .npz archive r of the given size, in
// archive order. The zip checksums are verified, so a corrupted archive is
// an error, as is any entry that is not a '<f8' or '<f4' C-order .npy file whose
// data is exactly as long as its shape says. Each array's memory grows as
// its data arrives, so a header that claims more than the entry holds
// costs little; to read only the arrays and shapes you expect, use Open.
func Read(r io.ReaderAt, size int64) ([]Array, error) {
	entries, err := Open(r, size)
	if err != nil {
		return nil, err
	}
	arrays := make([]Array, 0, len(entries))
	for _, e := range entries {
		data, err := e.read(make([]float64, 0, min(e.Len(), 1<<16)))
		if err != nil {
			return nil, err
		}
		arrays = append(arrays, Array{Name: e.Name, Shape: e.Shape, Data: data, Float32: e.Float32})
	}
	return arrays, nil
}

// readNPY parses one .npy stream and checks that it ends with the data.
func readNPY(r io.Reader) ([]int, []float64, error) {
	shape, f32, err := readHeader(r)
	if err != nil {
		return nil, nil, err
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	data, err := readValues(r, n, f32, make([]float64, 0, min(n, 1<<16)))
	if err != nil {
		return nil, nil, err
	}
	return shape, data, nil
}

// readHeader reads the preamble and header of a .npy stream and returns
// the shape and whether the values are float32, checking that the element
// count stays below maxElements.
func readHeader(r io.Reader) (shape []int, f32 bool, err error) {
	pre := make([]byte, len(magic)+2)
	if _, err := io.ReadFull(r, pre); err != nil {
		return nil, false, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
	}
	if !bytes.Equal(pre[:len(magic)], magic) {
		return nil, false, fmt.Errorf("%w: bad magic %q", ErrFormat, pre[:len(magic)])
	}
	var hlen int
	switch major := pre[len(magic)]; major {
	case 1:
		var n uint16
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, false, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
		}
		hlen = int(n)
	case 2, 3:
		var n uint32
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, false, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
		}
		if n > maxHeaderLen {
			return nil, false, fmt.Errorf("%w: header of %d bytes", ErrFormat, n)
		}
		hlen = int(n)
	default:
		return nil, false, fmt.Errorf("%w: npy version %d.%d", ErrFormat, major, pre[len(magic)+1])
	}
	header := make([]byte, hlen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, false, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
	}
	shape, f32, err = parseHeader(string(header))
	if err != nil {
		return nil, false, err
	}
	n := 1
	for _, d := range shape {
		if d > 0 && n > maxElements/d {
			return nil, false, fmt.Errorf("%w: shape %v is too large", ErrFormat, shape)
		}
		n *= d
	}
	return shape, f32, nil
}

// readValues appends n little-endian float64 values (float32 ones, widened,
// if f32) read from r to dst and checks that r ends there. It reads in pieces, so that a stream
// shorter than n values fails having grown dst only as far as the data
// went; with cap(dst) ≥ len(dst)+n it allocates nothing.
func readValues(r io.Reader, n int, f32 bool, dst []float64) ([]float64, error) {
	var chunk [8 << 10]byte
	width := 8
	if f32 {
		width = 4
	}
	for got := 0; got < n; {
		want := min(len(chunk), width*(n-got))
		m, err := io.ReadFull(r, chunk[:want])
		for i := 0; i+width <= m; i += width {
			if f32 {
				dst = append(dst, float64(math.Float32frombits(binary.LittleEndian.Uint32(chunk[i:]))))
			} else {
				dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(chunk[i:])))
			}
		}
		got += m / width
		if err != nil {
			return nil, fmt.Errorf("%w: data ends after %d of %d values: %w", ErrFormat, got, n, unexpected(err))
		}
	}
	// Reading to the end also makes the zip reader verify the checksum.
	if extra, err := r.Read(chunk[:1]); extra != 0 || err != io.EOF {
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%w: %w", ErrFormat, err)
		}
		return nil, fmt.Errorf("%w: data continues past the %d values of the shape", ErrFormat, n)
	}
	return dst, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseHeader reads the Python dict literal of an npy header, such as
// {'descr': '<f8', 'fortran_order': False, 'shape': (784, 50), }, and
// returns the shape and whether the values are float32, checking that the
// array is '<f8' or '<f4' in C order.
func parseHeader(h string) (shape []int, f32 bool, err error) {
	h = strings.TrimSpace(h)
	body, ok := strings.CutPrefix(h, "{")
	if body, ok = strings.CutSuffix(body, "}"); !ok || !strings.HasPrefix(h, "{") {
		return nil, false, fmt.Errorf("%w: header %q is not a dict", ErrFormat, h)
	}
	var descr, order, tuple string
	for body = strings.TrimSpace(body); body != ""; body = strings.TrimSpace(body) {
		key, rest, ok := cutQuoted(body)
		if !ok {
			return nil, false, fmt.Errorf("%w: header %q: bad key", ErrFormat, h)
		}
		rest, ok = strings.CutPrefix(strings.TrimSpace(rest), ":")
		if !ok {
			return nil, false, fmt.Errorf("%w: header %q: no ':' after %q", ErrFormat, h, key)
		}
		rest = strings.TrimSpace(rest)
		var val string
		switch {
		case strings.HasPrefix(rest, "'"):
			val, rest, ok = cutQuoted(rest)
		case strings.HasPrefix(rest, "("):
			end := strings.IndexByte(rest, ')')
			ok = end >= 0
			if ok {
				val, rest = rest[:end+1], rest[end+1:]
			}
		default:
			end := strings.IndexAny(rest, ",}")
			if end < 0 {
				end = len(rest)
			}
			val, rest = strings.TrimSpace(rest[:end]), rest[end:]
		}
		if !ok {
			return nil, false, fmt.Errorf("%w: header %q: bad value for %q", ErrFormat, h, key)
		}
		switch key {
		case "descr":
			descr = val
		case "fortran_order":
			order = val
		case "shape":
			tuple = val
		}
		body = strings.TrimPrefix(strings.TrimSpace(rest), ",")
	}
	if descr != "<f8" && descr != "<f4" {
		return nil, false, fmt.Errorf("%w: dtype %q is neither little-endian float64 ('<f8') nor float32 ('<f4')", ErrFormat, descr)
	}
	if order != "False" {
		return nil, false, fmt.Errorf("%w: fortran_order %q: only C order is read", ErrFormat, order)
	}
	shape, err = parseShape(tuple)
	return shape, descr == "<f4", err
}

// cutQuoted splits a leading 'quoted' string from s.
func cutQuoted(s string) (val, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return "", s, false
	}
	end := strings.IndexByte(s[1:], '\'')
	if end < 0 {
		return "", s, false
	}
	return s[1 : 1+end], s[2+end:], true
}

// parseShape reads a Python tuple of non-negative ints: (), (3,), (2, 3).
func parseShape(s string) ([]int, error) {
	inner, ok := strings.CutPrefix(s, "(")
	if inner, ok = strings.CutSuffix(inner, ")"); !ok || !strings.HasPrefix(s, "(") {
		return nil, fmt.Errorf("%w: shape %q is not a tuple", ErrFormat, s)
	}
	shape := []int{}
	for _, part := range strings.Split(inner, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		d, err := strconv.Atoi(part)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%w: shape %q has a bad dimension %q", ErrFormat, s, part)
		}
		shape = append(shape, d)
		if len(shape) > maxRank {
			return nil, fmt.Errorf("%w: shape %q has more than %d dimensions", ErrFormat, s, maxRank)
		}
	}
	return shape, nil
}
