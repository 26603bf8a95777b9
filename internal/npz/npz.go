package npz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ErrFormat is wrapped by every error about a file that is not a valid
// .npz of float64 or float32 arrays and text.
var ErrFormat = errors.New("not a valid .npz of float64 or float32 arrays and text")

// Limits that keep a hostile file from making Read allocate much more than
// the file holds.
const (
	maxHeaderLen = 1 << 16
	maxRank      = 32
	maxElements  = 1 << 31 / 8 // 2 GiB of float64 per array
	maxTextChars = 1 << 22     // 16 MiB of UTF-32 per text entry
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
	// IsText makes the entry a 0-d numpy unicode string ('<U…', shape ())
	// holding Text; Shape, Data and Float32 are then unused. Read sets it
	// for such entries.
	IsText bool
	Text   string
}

// Write writes the arrays to w as an uncompressed .npz archive, in order,
// each as "<Name>.npy" in npy format 1.0, as '<f8' or, for an Array with
// Float32 set, '<f4'; an Array with IsText set is written as
// np.save(np.array(Text)) writes it. Text must be valid UTF-8 of at most
// 4 Mi code points (16 MiB of UTF-32), none of them NUL, which numpy
// would drop from the end: Write returns an error otherwise.
func Write(w io.Writer, arrays []Array) error {
	zw := zip.NewWriter(w)
	for _, a := range arrays {
		var text []byte
		if a.IsText {
			var err error
			if text, err = textNPY(a.Text); err != nil {
				return fmt.Errorf("npz: %s.npy: %w", a.Name, err)
			}
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		if a.IsText {
			_, err = f.Write(text)
		} else {
			err = writeNPY(f, a.Shape, a.Data, a.Float32)
		}
		if err != nil {
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
	buf := slices.Grow(preamble(descr, tuple), width*len(data))
	for _, v := range data {
		if f32 {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(v)))
		} else {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	}
	_, err := w.Write(buf)
	return err
}

// preamble returns the start of a .npy file in format 1.0 whose header
// gives descr and the shape tuple: the magic, the version, the header's
// length and the header, padded with spaces and ended with '\n' so that
// the data starts at a multiple of 64 bytes, as numpy does.
func preamble(descr, tuple string) []byte {
	header := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }"
	pre := len(magic) + 2 + 2
	pad := 64 - (pre+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	header += strings.Repeat(" ", pad) + "\n"
	buf := append(bytes.Clone(magic), 1, 0)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(len(header)))
	return append(buf, header...)
}

// Entry is one array of an archive whose .npy header has been read but
// whose data has not: its name (without ".npy"), its shape, whether its
// values are float32 ('<f4') rather than float64 ('<f8'), and where to
// find them. An entry with IsText set is a 0-d numpy unicode string
// ('<U…', shape ()), read with ReadText; its Shape is nil.
type Entry struct {
	Name    string
	Shape   []int
	Float32 bool
	IsText  bool
	chars   int // the code points of a text entry's '<U<chars>'
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
// The error wraps ErrFormat when an entry is neither a '<f8' or '<f4'
// C-order .npy file nor a '<U' one of shape ().
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
		shape, dt, err := readHeader(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("npz: %s: %w", f.Name, err)
		}
		if dt.chars > 0 {
			shape = nil
		}
		entries = append(entries, Entry{Name: name, Shape: shape, Float32: dt.f32, IsText: dt.chars > 0, chars: dt.chars, file: f})
	}
	return entries, nil
}

// ReadInto reads e's values into dst, which must hold exactly e.Len()
// values, and checks that the data ends there; dst is the only memory the
// values take. Float32 values are widened exactly. The zip checksum is verified. The error wraps ErrFormat
// when the data is shorter or longer than the shape says or the archive
// is corrupted; dst may then hold part of the values. ReadInto panics if
// e is a text entry or len(dst) differs from e.Len().
func (e *Entry) ReadInto(dst []float64) error {
	if e.IsText {
		panic(fmt.Sprintf("npz: ReadInto: %s is text: read it with ReadText", e.file.Name))
	}
	if len(dst) != e.Len() {
		panic(fmt.Sprintf("npz: ReadInto: %s has %d values, dst has room for %d", e.file.Name, e.Len(), len(dst)))
	}
	_, err := e.read(dst[:0])
	return err
}

// read appends e's values to dst, growing it as data arrives, and returns
// it.
func (e *Entry) read(dst []float64) ([]float64, error) {
	rc, err := e.open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dst, err = readValues(rc, e.Len(), e.Float32, dst)
	if err != nil {
		return nil, fmt.Errorf("npz: %s: %w", e.file.Name, err)
	}
	return dst, nil
}

// open opens e's .npy file and reads past its header.
func (e *Entry) open() (io.ReadCloser, error) {
	rc, err := e.file.Open()
	if err != nil {
		return nil, fmt.Errorf("npz: %s: %w: %w", e.file.Name, ErrFormat, err)
	}
	if _, _, err := readHeader(rc); err != nil {
		rc.Close()
		return nil, fmt.Errorf("npz: %s: %w", e.file.Name, err)
	}
	return rc, nil
}

// Read reads every array of the .npz archive r of the given size, in
// archive order. The zip checksums are verified, so a corrupted archive is
// an error, as is any entry that is neither a '<f8' or '<f4' C-order .npy
// file whose data is exactly as long as its shape says nor a text entry
// that ReadText accepts. Each array's memory grows as
// its data arrives, so a header that claims more than the entry holds
// costs little; to read only the arrays and shapes you expect, use Open.
func Read(r io.ReaderAt, size int64) ([]Array, error) {
	entries, err := Open(r, size)
	if err != nil {
		return nil, err
	}
	arrays := make([]Array, 0, len(entries))
	for _, e := range entries {
		if e.IsText {
			text, err := e.ReadText()
			if err != nil {
				return nil, err
			}
			arrays = append(arrays, Array{Name: e.Name, IsText: true, Text: text})
			continue
		}
		data, err := e.read(make([]float64, 0, min(e.Len(), 1<<16)))
		if err != nil {
			return nil, err
		}
		arrays = append(arrays, Array{Name: e.Name, Shape: e.Shape, Data: data, Float32: e.Float32})
	}
	return arrays, nil
}

// readNPY parses one .npy stream of floats and checks that it ends with
// the data.
func readNPY(r io.Reader) ([]int, []float64, error) {
	shape, dt, err := readHeader(r)
	if err != nil {
		return nil, nil, err
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	data, err := readValues(r, n, dt.f32, make([]float64, 0, min(n, 1<<16)))
	if err != nil {
		return nil, nil, err
	}
	return shape, data, nil
}

// readHeader reads the preamble and header of a .npy stream and returns
// the shape and the dtype, checking that the element count stays below
// maxElements.
func readHeader(r io.Reader) (shape []int, dt dtype, err error) {
	pre := make([]byte, len(magic)+2)
	if _, err := io.ReadFull(r, pre); err != nil {
		return nil, dtype{}, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
	}
	if !bytes.Equal(pre[:len(magic)], magic) {
		return nil, dtype{}, fmt.Errorf("%w: bad magic %q", ErrFormat, pre[:len(magic)])
	}
	var hlen int
	switch major := pre[len(magic)]; major {
	case 1:
		var n uint16
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, dtype{}, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
		}
		hlen = int(n)
	case 2, 3:
		var n uint32
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, dtype{}, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
		}
		if n > maxHeaderLen {
			return nil, dtype{}, fmt.Errorf("%w: header of %d bytes", ErrFormat, n)
		}
		hlen = int(n)
	default:
		return nil, dtype{}, fmt.Errorf("%w: npy version %d.%d", ErrFormat, major, pre[len(magic)+1])
	}
	header := make([]byte, hlen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, dtype{}, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
	}
	shape, dt, err = parseHeader(string(header))
	if err != nil {
		return nil, dtype{}, err
	}
	n := 1
	for _, d := range shape {
		if d > 0 && n > maxElements/d {
			return nil, dtype{}, fmt.Errorf("%w: shape %v is too large", ErrFormat, shape)
		}
		n *= d
	}
	return shape, dt, nil
}

// readValues appends n little-endian float64 values (float32 ones, widened,
// if f32) read from r to dst and checks that r ends there. A stream
// shorter than n values fails having grown dst only as far as the data
// went; with cap(dst) ≥ len(dst)+n, dst does not grow.
func readValues(r io.Reader, n int, f32 bool, dst []float64) ([]float64, error) {
	width := 8
	if f32 {
		width = 4
	}
	err := readElems(r, n, width, "values", func(b []byte) error {
		for i := 0; i < len(b); i += width {
			if f32 {
				dst = append(dst, float64(math.Float32frombits(binary.LittleEndian.Uint32(b[i:]))))
			} else {
				dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(b[i:])))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return dst, nil
}

// readElems reads n elements of width bytes each from r in pieces, hands
// each piece of whole elements to use as it arrives, and checks that r
// ends there; unit names the elements in errors ("values").
func readElems(r io.Reader, n, width int, unit string, use func([]byte) error) error {
	var chunk [8 << 10]byte
	for got := 0; got < n; {
		want := min(len(chunk), width*(n-got))
		m, err := io.ReadFull(r, chunk[:want])
		if err := use(chunk[:m-m%width]); err != nil {
			return err
		}
		got += m / width
		if err != nil {
			return fmt.Errorf("%w: data ends after %d of %d %s: %w", ErrFormat, got, n, unit, unexpected(err))
		}
	}
	// Reading to the end also makes the zip reader verify the checksum.
	if extra, err := r.Read(chunk[:1]); extra != 0 || err != io.EOF {
		if err != nil && err != io.EOF {
			return fmt.Errorf("%w: %w", ErrFormat, err)
		}
		return fmt.Errorf("%w: data continues past the %d %s the header declares", ErrFormat, n, unit)
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// dtype is an entry's element type, as its header's 'descr' gives it.
type dtype struct {
	f32   bool // '<f4' rather than '<f8'
	chars int  // for text, the n of '<U<n>' (at least 1); 0 for floats
}

// parseHeader reads the Python dict literal of an npy header, such as
// {'descr': '<f8', 'fortran_order': False, 'shape': (784, 50), }, and
// returns the shape and the dtype, checking that the array is '<f8' or
// '<f4' in C order, or '<U<n>' of shape () with n at most maxTextChars.
func parseHeader(h string) (shape []int, dt dtype, err error) {
	h = strings.TrimSpace(h)
	body, ok := strings.CutPrefix(h, "{")
	if body, ok = strings.CutSuffix(body, "}"); !ok || !strings.HasPrefix(h, "{") {
		return nil, dtype{}, fmt.Errorf("%w: header %q is not a dict", ErrFormat, h)
	}
	var descr, order, tuple string
	for body = strings.TrimSpace(body); body != ""; body = strings.TrimSpace(body) {
		key, rest, ok := cutQuoted(body)
		if !ok {
			return nil, dtype{}, fmt.Errorf("%w: header %q: bad key", ErrFormat, h)
		}
		rest, ok = strings.CutPrefix(strings.TrimSpace(rest), ":")
		if !ok {
			return nil, dtype{}, fmt.Errorf("%w: header %q: no ':' after %q", ErrFormat, h, key)
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
			return nil, dtype{}, fmt.Errorf("%w: header %q: bad value for %q", ErrFormat, h, key)
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
	if order != "False" {
		return nil, dtype{}, fmt.Errorf("%w: fortran_order %q: only C order is read", ErrFormat, order)
	}
	if shape, err = parseShape(tuple); err != nil {
		return nil, dtype{}, err
	}
	if digits, ok := strings.CutPrefix(descr, "<U"); ok {
		// ParseUint takes no sign, and a value above maxTextChars is
		// refused before anything is allocated for it.
		n, err := strconv.ParseUint(digits, 10, 32)
		if err != nil || n < 1 || n > maxTextChars {
			return nil, dtype{}, fmt.Errorf("%w: text dtype %q: length must be 1 to %d code points", ErrFormat, descr, maxTextChars)
		}
		if len(shape) != 0 {
			return nil, dtype{}, fmt.Errorf("%w: text of shape %v: only shape () is read", ErrFormat, shape)
		}
		return shape, dtype{chars: int(n)}, nil
	}
	if descr != "<f8" && descr != "<f4" {
		return nil, dtype{}, fmt.Errorf("%w: dtype %q is not little-endian float64 ('<f8'), float32 ('<f4') or text ('<U…')", ErrFormat, descr)
	}
	return shape, dtype{f32: descr == "<f4"}, nil
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
