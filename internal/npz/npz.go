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
// .npz of float64 arrays.
var ErrFormat = errors.New("not a valid .npz of float64 arrays")

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
}

// Write writes the arrays to w as an uncompressed .npz archive, in order,
// each as "<Name>.npy" in npy format 1.0.
func Write(w io.Writer, arrays []Array) error {
	zw := zip.NewWriter(w)
	for _, a := range arrays {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		if err := writeNPY(f, a.Shape, a.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

func writeNPY(w io.Writer, shape []int, data []float64) error {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := "(" + strings.Join(dims, ", ") + ")"
	if len(shape) == 1 {
		tuple = "(" + dims[0] + ",)"
	}
	header := "{'descr': '<f8', 'fortran_order': False, 'shape': " + tuple + ", }"
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
	body := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(body[8*i:], math.Float64bits(v))
	}
	buf.Write(body)
	_, err := w.Write(buf.Bytes())
	return err
}

// Read reads every array of the .npz archive r of the given size, in
// archive order. The zip checksums are verified, so a corrupted archive is
// an error, as is any entry that is not a '<f8' C-order .npy file whose
// data is exactly as long as its shape says.
func Read(r io.ReaderAt, size int64) ([]Array, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("npz: %w: %w", ErrFormat, err)
	}
	arrays := make([]Array, 0, len(zr.File))
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			return nil, fmt.Errorf("npz: %s: %w: entry is not a .npy file", f.Name, ErrFormat)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("npz: %s: %w: %w", f.Name, ErrFormat, err)
		}
		shape, data, err := readNPY(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("npz: %s: %w", f.Name, err)
		}
		arrays = append(arrays, Array{Name: name, Shape: shape, Data: data})
	}
	return arrays, nil
}

// readNPY parses one .npy stream and checks that it ends with the data.
func readNPY(r io.Reader) ([]int, []float64, error) {
	pre := make([]byte, len(magic)+2)
	if _, err := io.ReadFull(r, pre); err != nil {
		return nil, nil, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
	}
	if !bytes.Equal(pre[:len(magic)], magic) {
		return nil, nil, fmt.Errorf("%w: bad magic %q", ErrFormat, pre[:len(magic)])
	}
	var hlen int
	switch major := pre[len(magic)]; major {
	case 1:
		var n uint16
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, nil, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
		}
		hlen = int(n)
	case 2, 3:
		var n uint32
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, nil, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
		}
		if n > maxHeaderLen {
			return nil, nil, fmt.Errorf("%w: header of %d bytes", ErrFormat, n)
		}
		hlen = int(n)
	default:
		return nil, nil, fmt.Errorf("%w: npy version %d.%d", ErrFormat, major, pre[len(magic)+1])
	}
	header := make([]byte, hlen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, nil, fmt.Errorf("%w: header: %w", ErrFormat, unexpected(err))
	}
	shape, err := parseHeader(string(header))
	if err != nil {
		return nil, nil, err
	}
	n := 1
	for _, d := range shape {
		if d > 0 && n > maxElements/d {
			return nil, nil, fmt.Errorf("%w: shape %v is too large", ErrFormat, shape)
		}
		n *= d
	}
	// Read in pieces, so that a header claiming much more data than the
	// entry holds fails before allocating it all.
	data := make([]float64, 0, min(n, 1<<16))
	var chunk [8 << 10]byte
	for len(data) < n {
		want := min(len(chunk), 8*(n-len(data)))
		got, err := io.ReadFull(r, chunk[:want])
		for i := 0; i+8 <= got; i += 8 {
			data = append(data, math.Float64frombits(binary.LittleEndian.Uint64(chunk[i:])))
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: data ends after %d of %d values: %w", ErrFormat, len(data), n, unexpected(err))
		}
	}
	// Reading to the end also makes the zip reader verify the checksum.
	if extra, err := r.Read(chunk[:1]); extra != 0 || err != io.EOF {
		if err != nil && err != io.EOF {
			return nil, nil, fmt.Errorf("%w: %w", ErrFormat, err)
		}
		return nil, nil, fmt.Errorf("%w: data continues past the %d values of shape %v", ErrFormat, n, shape)
	}
	return shape, data, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseHeader reads the Python dict literal of an npy header, such as
// {'descr': '<f8', 'fortran_order': False, 'shape': (784, 50), }, and
// returns the shape, checking that the array is '<f8' in C order.
func parseHeader(h string) ([]int, error) {
	h = strings.TrimSpace(h)
	body, ok := strings.CutPrefix(h, "{")
	if body, ok = strings.CutSuffix(body, "}"); !ok || !strings.HasPrefix(h, "{") {
		return nil, fmt.Errorf("%w: header %q is not a dict", ErrFormat, h)
	}
	var descr, order, shape string
	for body = strings.TrimSpace(body); body != ""; body = strings.TrimSpace(body) {
		key, rest, ok := cutQuoted(body)
		if !ok {
			return nil, fmt.Errorf("%w: header %q: bad key", ErrFormat, h)
		}
		rest, ok = strings.CutPrefix(strings.TrimSpace(rest), ":")
		if !ok {
			return nil, fmt.Errorf("%w: header %q: no ':' after %q", ErrFormat, h, key)
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
			return nil, fmt.Errorf("%w: header %q: bad value for %q", ErrFormat, h, key)
		}
		switch key {
		case "descr":
			descr = val
		case "fortran_order":
			order = val
		case "shape":
			shape = val
		}
		body = strings.TrimPrefix(strings.TrimSpace(rest), ",")
	}
	if descr != "<f8" {
		return nil, fmt.Errorf("%w: dtype %q is not little-endian float64 ('<f8')", ErrFormat, descr)
	}
	if order != "False" {
		return nil, fmt.Errorf("%w: fortran_order %q: only C order is read", ErrFormat, order)
	}
	return parseShape(shape)
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
