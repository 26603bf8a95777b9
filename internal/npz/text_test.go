package npz

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/numlearn/numlearn/internal/tooltest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTextIsNumpys checks a text entry's bytes against the npy format
// spec, worked out by hand. The header dict
//
//	{'descr': '<U3', 'fortran_order': False, 'shape': (), }
//
// is 55 bytes, as it is with '<U1' or '<U2'; with the 10 bytes of magic,
// version and length before it and the '\n' after it that makes 66,
// padded with 62 spaces to 128, so the length field holds 118 (0x76).
// The data is one little-endian uint32 per code point.
func TestTextIsNumpys(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		descr string
		data  string
	}{
		{"non-ASCII", "λ=1", "<U3", "\xbb\x03\x00\x00" + "=\x00\x00\x00" + "1\x00\x00\x00"}, // λ is U+03BB
		{"beyond the BMP", "a😀", "<U2", "a\x00\x00\x00" + "\x00\xf6\x01\x00"},               // 😀 is U+1F600
		{"empty, as numpy writes it", "", "<U1", "\x00\x00\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := "\x93NUMPY\x01\x00\x76\x00" +
				"{'descr': '" + tt.descr + "', 'fortran_order': False, 'shape': (), }" +
				strings.Repeat(" ", 62) + "\n" + tt.data
			got, err := textNPY(tt.text)
			require.NoError(t, err)
			assert.Equal(t, want, string(got))

			out := roundTrip(t, []Array{{Name: "t", IsText: true, Text: tt.text}})
			assert.Equal(t, []Array{{Name: "t", IsText: true, Text: tt.text}}, out)
		})
	}
}

func roundTrip(t *testing.T, in []Array) []Array {
	t.Helper()
	b := encode(t, in)
	out, err := Read(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	return out
}

func TestWriteRefusesText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"invalid UTF-8", "a\xffb", "npz: arch.npy: text is not valid UTF-8"},
		{"NUL", "a\x00b", "npz: arch.npy: text has a NUL at byte 1"},
		{"too long", strings.Repeat("a", 1<<22+1), "npz: arch.npy: text of 4194305 code points is longer than 4194304"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(io.Discard, []Array{{Name: "arch", IsText: true, Text: tt.text}})
			require.EqualError(t, err, tt.want)
		})
	}
}

// storedNPY returns a .npz archive holding one entry, "a.npy", of the
// given bytes.
func storedNPY(t *testing.T, npy []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "a.npy", Method: zip.Store})
	require.NoError(t, err)
	_, err = w.Write(npy)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestReadTextChecksData(t *testing.T) {
	tests := []struct {
		name  string
		descr string
		data  string
		text  string // when the data is valid
		want  string // the error, otherwise
	}{
		{"trailing NULs dropped", "<U4", "a\x00\x00\x00b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", "ab", ""},
		{"inner NUL kept, as numpy does", "<U3", "a\x00\x00\x00\x00\x00\x00\x00b\x00\x00\x00", "a\x00b", ""},
		{"surrogate", "<U1", "\x00\xd8\x00\x00", "", "0xd800 is not a Unicode code point"},
		{"above U+10FFFF", "<U1", "\x00\x00\x11\x00", "", "0x110000 is not a Unicode code point"},
		{"negative as a rune", "<U1", "\xff\xff\xff\xff", "", "0xffffffff is not a Unicode code point"},
		{"short", "<U3", "a\x00\x00\x00b\x00\x00\x00", "", "data ends after 2 of 3 code points"},
		{"cut inside a code point", "<U2", "a\x00\x00\x00b\x00", "", "data ends after 1 of 2 code points"},
		{"long", "<U1", "a\x00\x00\x00b\x00\x00\x00", "", "data continues past the 1 code points"},
		{"huge length declared", "<U999999999", "a\x00\x00\x00", "", `text dtype "<U999999999"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := storedNPY(t, append(preamble(tt.descr, "()"), tt.data...))
			arrays, err := Read(bytes.NewReader(file), int64(len(file)))
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, []Array{{Name: "a", IsText: true, Text: tt.text}}, arrays)
				return
			}
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), "npz: a.npy: ")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestHugeDeclaredTextCostsLittle checks that text grows as its data
// arrives: a file whose header declares the longest text read, 16 MiB of
// UTF-32, but holds two code points, costs little to reject.
func TestHugeDeclaredTextCostsLittle(t *testing.T) {
	file := storedNPY(t, append(preamble("<U4194304", "()"), "a\x00\x00\x00b\x00\x00\x00"...))
	require.Less(t, len(file), 512)
	var err error
	got := allocated(func() { _, err = Read(bytes.NewReader(file), int64(len(file))) })
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "data ends after 2 of 4194304 code points")
	assert.Less(t, got, uint64(1<<20), "reading allocated %d bytes", got)
}

func TestTextEntryAPI(t *testing.T) {
	b := encode(t, sample())
	entries, err := Open(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	arch, w := entries[2], entries[0]
	require.Equal(t, "architecture", arch.Name)
	assert.True(t, arch.IsText)
	assert.Nil(t, arch.Shape)
	text, err := arch.ReadText()
	require.NoError(t, err)
	assert.Equal(t, `{"λ": 1e-4, "input": "28×28"}`, text)
	assert.PanicsWithValue(t, "npz: ReadInto: architecture.npy is text: read it with ReadText", func() { _ = arch.ReadInto(make([]float64, 1)) })
	assert.PanicsWithValue(t, "npz: ReadText: W1.npy is not text", func() { _, _ = w.ReadText() })
}

// testdata/text.npz was written by numpy 1.24:
//
//	np.savez("text.npz",
//		architecture=np.array('{"layers": ["Affine", "ReLU"], "λ": 1e-4, "input": "28×28"}'),
//		w=np.array([1.5, -2.0]), empty=np.array(""), padded=np.array("ab", dtype="<U5"))
func TestReadsNumpysTextFile(t *testing.T) {
	b, err := os.ReadFile("testdata/text.npz")
	require.NoError(t, err)
	arrays, err := Read(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	assert.Equal(t, []Array{
		{Name: "architecture", IsText: true, Text: `{"layers": ["Affine", "ReLU"], "λ": 1e-4, "input": "28×28"}`},
		{Name: "w", Shape: []int{2}, Data: []float64{1.5, -2}},
		{Name: "empty", IsText: true, Text: ""},
		{Name: "padded", IsText: true, Text: "ab"},
	}, arrays)
}

// TestNumpyReadsText has numpy load a file with text entries and print
// each string with ascii(), which spells λ (U+03BB) as \u03bb and × (U+00D7)
// as \xd7.
func TestNumpyReadsText(t *testing.T) {
	python := tooltest.Python(t, "numpy")
	name := filepath.Join(t.TempDir(), "model.npz")
	b := encode(t, []Array{
		{Name: "architecture", IsText: true, Text: "λ = 1e-4, 28×28"},
		{Name: "w", Shape: []int{2}, Data: []float64{1.5, -2}},
		{Name: "empty", IsText: true},
	})
	require.NoError(t, os.WriteFile(name, b, 0o644))
	out, err := exec.Command(python, "-c", `
import sys
import numpy as np
p = np.load(sys.argv[1])
for k in ("architecture", "empty"):
    print(ascii(str(p[k])), ascii(p[k].item()), p[k].dtype.str, p[k].shape)
print(p["w"].tolist())
`, name).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, `'\u03bb = 1e-4, 28\xd728' '\u03bb = 1e-4, 28\xd728' <U15 ()
'' '' <U1 ()
[1.5, -2.0]
`, string(out))
}
