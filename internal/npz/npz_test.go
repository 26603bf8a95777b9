package npz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sample() []Array {
	return []Array{
		{Name: "W1", Shape: []int{2, 3}, Data: []float64{1, -2.5, math.Pi, 0, math.Inf(-1), 1e-300}},
		{Name: "b1", Shape: []int{3}, Data: []float64{0.1, 0.2, 0.3}},
		{Name: "architecture", IsText: true, Text: `{"λ": 1e-4, "input": "28×28"}`},
		{Name: "s", Shape: []int{}, Data: []float64{42}},
		{Name: "e", Shape: []int{0, 4}, Data: []float64{}},
	}
}

func encode(t *testing.T, arrays []Array) []byte {
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, arrays))
	return buf.Bytes()
}

func TestRoundTripIsBitExact(t *testing.T) {
	in := sample()
	in[1].Data[0] = math.Float64frombits(0x7ff8_dead_beef_0001) // a NaN with a payload
	b := encode(t, in)
	out, err := Read(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	require.Len(t, out, len(in))
	for i := range in {
		assert.Equal(t, in[i].Name, out[i].Name)
		assert.Equal(t, in[i].IsText, out[i].IsText)
		assert.Equal(t, in[i].Text, out[i].Text)
		assert.Equal(t, in[i].Shape, out[i].Shape)
		require.Len(t, out[i].Data, len(in[i].Data))
		for j := range in[i].Data {
			assert.Equal(t, math.Float64bits(in[i].Data[j]), math.Float64bits(out[i].Data[j]))
		}
	}
}

func TestHeaderIsNumpys(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, writeNPY(&buf, []int{784, 50}, nil, false))
	b := buf.Bytes()
	// Magic, version 1.0, a little-endian header length, and a header padded
	// so that the data starts at a multiple of 64 bytes.
	assert.Equal(t, "\x93NUMPY\x01\x00", string(b[:8]))
	hlen := int(b[8]) | int(b[9])<<8
	assert.Equal(t, 0, (10+hlen)%64)
	assert.Equal(t, "{'descr': '<f8', 'fortran_order': False, 'shape': (784, 50), }", string(bytes.TrimRight(b[10:10+hlen], " \n")))
	assert.Equal(t, byte('\n'), b[10+hlen-1])
}

// testdata/numpy.npz was written by numpy 1.24:
//
//	np.savez("numpy.npz", w=np.arange(6.0).reshape(2, 3) / 4, v=np.array([1.5, -2.0]), s=np.float64(7))
func TestReadsNumpysFile(t *testing.T) {
	b, err := os.ReadFile("testdata/numpy.npz")
	require.NoError(t, err)
	arrays, err := Read(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	got := map[string]Array{}
	for _, a := range arrays {
		got[a.Name] = a
	}
	assert.Equal(t, []int{2, 3}, got["w"].Shape)
	assert.Equal(t, []float64{0, 0.25, 0.5, 0.75, 1, 1.25}, got["w"].Data)
	assert.Equal(t, []int{2}, got["v"].Shape)
	assert.Equal(t, []float64{1.5, -2}, got["v"].Data)
	assert.Equal(t, []int{}, got["s"].Shape)
	assert.Equal(t, []float64{7}, got["s"].Data)
}

// testdata/float32.npz was written by numpy:
//
//	np.savez("float32.npz", w=np.array([[0.1, -2.5], [3e-8, 1e30]], dtype=np.float32))
//
// Each value reads back as the float32 nearest to the decimal, widened
// exactly: float64(float32(0.1)), not 0.1.
func TestReadsNumpysFloat32File(t *testing.T) {
	b, err := os.ReadFile("testdata/float32.npz")
	require.NoError(t, err)
	arrays, err := Read(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	require.Len(t, arrays, 1)
	assert.Equal(t, "w", arrays[0].Name)
	assert.True(t, arrays[0].Float32)
	assert.Equal(t, []int{2, 2}, arrays[0].Shape)
	want := []float64{float64(float32(0.1)), -2.5, float64(float32(3e-8)), float64(float32(1e30))}
	assert.Equal(t, want, arrays[0].Data)
}

func TestFloat32WriteRoundsAndReadsBack(t *testing.T) {
	in := []Array{{Name: "w", Shape: []int{3}, Data: []float64{0.1, math.Inf(-1), 1 + 1e-12}, Float32: true}}
	b := encode(t, in)
	assert.Contains(t, string(b), "'descr': '<f4'")
	out, err := Read(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	require.Len(t, out, 1)
	assert.True(t, out[0].Float32)
	assert.Equal(t, []float64{float64(float32(0.1)), math.Inf(-1), 1}, out[0].Data)
	// Four bytes a value: a float32 array is half the size of a float64 one.
	in[0].Float32 = false
	assert.Less(t, len(b), len(encode(t, in)))
}

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name   string
		header string
		shape  []int
		dt     dtype
		msg    string
	}{
		{"numpy's", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", []int{2, 3}, dtype{}, ""},
		{"keys in another order", "{'shape': (5,), 'fortran_order': False, 'descr': '<f8'}", []int{5}, dtype{}, ""},
		{"scalar", "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", []int{}, dtype{}, ""},
		{"float32", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", []int{2}, dtype{f32: true}, ""},
		{"text", "{'descr': '<U12', 'fortran_order': False, 'shape': (), }", []int{}, dtype{chars: 12}, ""},
		{"longest text", "{'descr': '<U4194304', 'fortran_order': False, 'shape': (), }", []int{}, dtype{chars: 1 << 22}, ""},
		{"float16", "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", nil, dtype{}, `dtype "<f2" is not`},
		{"big-endian", "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", nil, dtype{}, `dtype ">f8"`},
		{"big-endian text", "{'descr': '>U3', 'fortran_order': False, 'shape': (), }", nil, dtype{}, `dtype ">U3"`},
		{"bytes", "{'descr': '|S3', 'fortran_order': False, 'shape': (), }", nil, dtype{}, `dtype "|S3"`},
		{"text too long", "{'descr': '<U4194305', 'fortran_order': False, 'shape': (), }", nil, dtype{}, `"<U4194305": length must be 1 to 4194304`},
		{"text far too long", "{'descr': '<U999999999999', 'fortran_order': False, 'shape': (), }", nil, dtype{}, "length must be"},
		{"text of no length", "{'descr': '<U0', 'fortran_order': False, 'shape': (), }", nil, dtype{}, "length must be"},
		{"text without a length", "{'descr': '<U', 'fortran_order': False, 'shape': (), }", nil, dtype{}, "length must be"},
		{"text with a sign", "{'descr': '<U+3', 'fortran_order': False, 'shape': (), }", nil, dtype{}, "length must be"},
		{"text array", "{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", nil, dtype{}, "text of shape [2]: only shape ()"},
		{"Fortran order", "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", nil, dtype{}, `fortran_order "True"`},
		{"negative dim", "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", nil, dtype{}, `bad dimension "-2"`},
		{"not a dict", "'descr'", nil, dtype{}, "is not a dict"},
		{"unterminated key", "{'descr}", nil, dtype{}, "bad key"},
		{"missing colon", "{'descr' '<f8'}", nil, dtype{}, "no ':'"},
		{"unterminated tuple", "{'shape': (2, 3}", nil, dtype{}, "bad value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shape, dt, err := parseHeader(tt.header)
			if tt.msg == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.shape, shape)
				assert.Equal(t, tt.dt, dt)
				return
			}
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestEveryTruncationFails(t *testing.T) {
	b := encode(t, sample())
	for n := range len(b) {
		_, err := Read(bytes.NewReader(b[:n]), int64(n))
		require.ErrorIs(t, err, ErrFormat, "a file cut to %d of %d bytes", n, len(b))
	}
}

func TestCorruptionIsCaught(t *testing.T) {
	b := encode(t, sample())
	// Flip one bit in every byte position in turn: the zip structure or
	// its CRC-32 must catch each, or the change must be harmless padding.
	caught := 0
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 0x10
		arrays, err := Read(bytes.NewReader(c), int64(len(c)))
		if err != nil {
			require.ErrorIs(t, err, ErrFormat)
			caught++
			continue
		}
		// Accepted: then the flip hit bytes that carry no values (zip
		// timestamps, an entry's name, the header's space padding), and the
		// arrays must still hold the same shapes and values.
		want := sample()
		require.Len(t, arrays, len(want))
		for j := range want {
			require.Equal(t, want[j].Text, arrays[j].Text, "flipped byte %d", i)
			require.Equal(t, want[j].Shape, arrays[j].Shape, "flipped byte %d", i)
			require.Equal(t, want[j].Data, arrays[j].Data, "flipped byte %d", i)
		}
	}
	assert.Greater(t, caught, len(b)/2)
}

func TestDataLengthMustMatchShape(t *testing.T) {
	var npy bytes.Buffer
	require.NoError(t, writeNPY(&npy, []int{3}, []float64{1, 2, 3}, false))
	full := npy.Bytes()
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"short", full[:len(full)-8], "data ends after 2 of 3 values"},
		{"long", append(bytes.Clone(full), make([]byte, 8)...), "data continues past the 3 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readNPY(bytes.NewReader(tt.body))
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), tt.want)
			if tt.name == "short" {
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			}
		})
	}
}

func TestHugeDeclaredShapeCostsNothing(t *testing.T) {
	var npy bytes.Buffer
	require.NoError(t, writeNPY(&npy, []int{1 << 20, 1 << 7}, nil, false)) // claims 1 GiB, holds nothing
	allocs := testing.AllocsPerRun(1, func() {
		_, _, err := readNPY(bytes.NewReader(npy.Bytes()))
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
	assert.Less(t, allocs, 100.0)
	var big bytes.Buffer
	require.NoError(t, writeNPY(&big, []int{1 << 40, 1 << 40}, nil, false))
	_, _, err := readNPY(bytes.NewReader(big.Bytes()))
	assert.True(t, errors.Is(err, ErrFormat))
	assert.Contains(t, err.Error(), "too large")
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	for _, name := range []string{"testdata/numpy.npz", "testdata/text.npz"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		arrays, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		// Open and ReadInto agree with Read on a valid file.
		entries, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil || len(entries) != len(arrays) {
			t.Fatalf("Open: %d entries, error %v; Read: %d arrays", len(entries), err, len(arrays))
		}
		for i, e := range entries {
			if e.IsText {
				text, err := e.ReadText()
				if err != nil || e.Name != arrays[i].Name || !arrays[i].IsText || text != arrays[i].Text {
					t.Fatalf("%s: ReadText gives %q, error %v; Read gives %q", e.Name, text, err, arrays[i].Text)
				}
				continue
			}
			dst := make([]float64, e.Len())
			if err := e.ReadInto(dst); err != nil {
				t.Fatalf("%s: ReadInto: %v", e.Name, err)
			}
			if e.Name != arrays[i].Name || !slices.Equal(e.Shape, arrays[i].Shape) || !bytes.Equal(float64Bytes(dst), float64Bytes(arrays[i].Data)) {
				t.Fatalf("%s: Open and ReadInto disagree with Read", e.Name)
			}
		}
		for _, a := range arrays {
			if a.IsText {
				if !utf8.ValidString(a.Text) || strings.HasSuffix(a.Text, "\x00") {
					t.Fatalf("%s: text %q", a.Name, a.Text)
				}
				continue
			}
			n := 1
			for _, d := range a.Shape {
				n *= d
			}
			if n != len(a.Data) {
				t.Fatalf("%s: shape %v with %d values", a.Name, a.Shape, len(a.Data))
			}
		}
	})
}

// deflated returns a .npz archive with deflate-compressed entries: for
// each, a .npy header declaring shape followed by values zeros, written
// without holding them in memory.
func deflated(t *testing.T, entries ...entrySpec) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zeros := make([]byte, 64<<10)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name + ".npy", Method: zip.Deflate})
		require.NoError(t, err)
		require.NoError(t, writeNPY(w, e.shape, nil, false))
		for left := 8 * e.values; left > 0; left -= len(zeros) {
			_, err := w.Write(zeros[:min(left, len(zeros))])
			require.NoError(t, err)
		}
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// entrySpec describes one entry for deflated.
type entrySpec struct {
	name   string
	shape  []int
	values int
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestOpenReadsHeadersOnly checks that Open learns every entry's name and
// shape without inflating the data: an archive of a few hundred KiB whose
// deflated entry holds 32 MiB of values costs little to open, and reading
// that entry costs its destination and little more.
func TestOpenReadsHeadersOnly(t *testing.T) {
	const big = 1 << 22 // values: 32 MiB, which deflate packs into about 32 KiB
	file := deflated(t, entrySpec{"W", []int{2, 3}, 6}, entrySpec{"huge", []int{big}, big})
	require.Less(t, len(file), 256<<10)
	var entries []Entry
	var err error
	got := allocated(func() { entries, err = Open(bytes.NewReader(file), int64(len(file))) })
	require.NoError(t, err)
	assert.Less(t, got, uint64(1<<20), "opening allocated %d bytes", got)
	require.Len(t, entries, 2)
	assert.Equal(t, "W", entries[0].Name)
	assert.Equal(t, []int{2, 3}, entries[0].Shape)
	assert.Equal(t, 6, entries[0].Len())
	assert.Equal(t, "huge", entries[1].Name)
	assert.Equal(t, []int{big}, entries[1].Shape)

	dst := make([]float64, big)
	dst[7] = 1
	got = allocated(func() { err = entries[1].ReadInto(dst) })
	require.NoError(t, err)
	assert.Equal(t, 0.0, dst[7], "the values were read into dst")
	assert.Less(t, got, uint64(1<<20), "reading into dst allocated %d bytes", got)

	assert.PanicsWithValue(t, "npz: ReadInto: W.npy has 6 values, dst has room for 5", func() { _ = entries[0].ReadInto(make([]float64, 5)) })
}

// TestReadIntoChecksDataLength checks that a data stream shorter or longer
// than its header says is an error, and that a longer one is not read
// beyond the destination.
func TestReadIntoChecksDataLength(t *testing.T) {
	tests := []struct {
		name   string
		values int
		want   string
	}{
		{"exact", 4, ""},
		{"short", 3, "data ends after 3 of 4 values"},
		{"long", 1 << 20, "data continues past the 4 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := deflated(t, entrySpec{"a", []int{2, 2}, tt.values})
			entries, err := Open(bytes.NewReader(file), int64(len(file)))
			require.NoError(t, err)
			err = entries[0].ReadInto(make([]float64, 4))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "npz: a.npy: ")
		})
	}
}

// float64Bytes returns the bit patterns of s, so that NaN equals NaN.
func float64Bytes(s []float64) []byte {
	b := make([]byte, 0, 8*len(s))
	for _, v := range s {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}
