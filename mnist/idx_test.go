package mnist_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/mnist"
)

// The hand-made files in testdata: three 2×2 images and three labels.
var (
	smallPixels = []byte{0, 255, 51, 102, 153, 204, 1, 254, 255, 0, 0, 255}
	// smallValues are smallPixels/255 worked out by hand.
	smallValues = []float64{0, 1, 0.2, 0.4, 0.6, 0.8, 1.0 / 255, 254.0 / 255, 1, 0, 0, 1}
	smallLabels = []int{7, 0, 9}
)

// imageFile returns an IDX3 file of n rows×cols images with the given
// pixels, whatever the header says.
func imageFile(magic uint32, n, rows, cols int, pix []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = binary.BigEndian.AppendUint32(b, uint32(rows))
	b = binary.BigEndian.AppendUint32(b, uint32(cols))
	return append(b, pix...)
}

// labelFile returns an IDX1 file declaring n labels followed by data.
func labelFile(magic uint32, n int, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	return append(b, data...)
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// openers feed a file's bytes to a reader either from memory or from a
// real file (which a reader could stat and read ahead in).
var openers = []struct {
	name string
	open func(t *testing.T, b []byte) io.Reader
}{
	{"from=memory", func(t *testing.T, b []byte) io.Reader { return bytes.NewReader(b) }},
	{"from=file", func(t *testing.T, b []byte) io.Reader {
		path := filepath.Join(t.TempDir(), "data")
		require.NoError(t, os.WriteFile(path, b, 0o644))
		f, err := os.Open(path)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return f
	}},
}

func TestReadImages(t *testing.T) {
	const tol = 1e-15
	for _, file := range []string{"images-3x2x2.idx", "images-3x2x2.idx.gz"} {
		for _, o := range openers {
			t.Run("file="+file+"/"+o.name, func(t *testing.T) {
				x, err := mnist.ReadImages(o.open(t, readTestdata(t, file)))
				require.NoError(t, err)
				assert.Equal(t, []int{3, 4}, x.Shape())
				assert.InDeltaSlice(t, smallValues, x.Data(), tol)

				pix, rows, cols, err := mnist.ReadImageBytes(o.open(t, readTestdata(t, file)))
				require.NoError(t, err)
				assert.Equal(t, smallPixels, pix)
				assert.Equal(t, [2]int{2, 2}, [2]int{rows, cols})
			})
		}
	}
}

func TestReadImagesExactQuotient(t *testing.T) {
	// numpy's x / 255.0 is the correctly rounded quotient; so must ours be.
	pix := make([]byte, 256)
	for i := range pix {
		pix[i] = byte(i)
	}
	x, err := mnist.ReadImages(bytes.NewReader(imageFile(0x803, 1, 16, 16, pix)))
	require.NoError(t, err)
	for i, v := range x.Data() {
		require.Equal(t, float64(i)/255, v, "pixel %d", i)
	}
}

func TestReadImagesEmpty(t *testing.T) {
	x, err := mnist.ReadImages(bytes.NewReader(imageFile(0x803, 0, 28, 28, nil)))
	require.NoError(t, err)
	assert.Equal(t, []int{0, 784}, x.Shape())
}

func TestReadLabels(t *testing.T) {
	for _, file := range []string{"labels-3.idx", "labels-3.idx.gz"} {
		for _, o := range openers {
			t.Run("file="+file+"/"+o.name, func(t *testing.T) {
				labels, err := mnist.ReadLabels(o.open(t, readTestdata(t, file)))
				require.NoError(t, err)
				assert.Equal(t, smallLabels, labels)
			})
		}
	}
}

// TestTruncated feeds every proper prefix of valid files, raw and gzip, to
// the readers: each must fail with io.ErrUnexpectedEOF, and a raw prefix
// that ends in the data must say how many whole items it held.
func TestTruncated(t *testing.T) {
	for _, tc := range []struct {
		name     string
		file     string
		header   int // bytes before the data
		itemSize int
		what     string
		read     func(io.Reader) error
	}{
		{"images", "images-3x2x2.idx", 16, 4, "images", func(r io.Reader) error { _, err := mnist.ReadImages(r); return err }},
		{"labels", "labels-3.idx", 8, 1, "labels", func(r io.Reader) error { _, err := mnist.ReadLabels(r); return err }},
	} {
		raw := readTestdata(t, tc.file)
		gz := readTestdata(t, tc.file+".gz")
		for _, o := range openers {
			t.Run(tc.name+"/format=raw/"+o.name, func(t *testing.T) {
				for n := range len(raw) {
					err := tc.read(o.open(t, raw[:n]))
					require.ErrorIs(t, err, io.ErrUnexpectedEOF, "prefix of %d bytes", n)
					var re *mnist.ReadError
					require.ErrorAs(t, err, &re)
					if n >= tc.header {
						want := fmt.Sprintf("data ends after %d of 3 %s", (n-tc.header)/tc.itemSize, tc.what)
						assert.Contains(t, err.Error(), want)
					} else {
						assert.Contains(t, err.Error(), fmt.Sprintf("header ends after %d of %d bytes", n, tc.header))
					}
				}
			})
			t.Run(tc.name+"/format=gzip/"+o.name, func(t *testing.T) {
				for n := range len(gz) {
					err := tc.read(o.open(t, gz[:n]))
					require.ErrorIs(t, err, io.ErrUnexpectedEOF, "prefix of %d bytes", n)
				}
			})
		}
	}
}

func TestReadBadInput(t *testing.T) {
	images := func(r io.Reader) error { _, err := mnist.ReadImages(r); return err }
	labels := func(r io.Reader) error { _, err := mnist.ReadLabels(r); return err }
	badCRC := gzipped(t, imageFile(0x803, 3, 2, 2, smallPixels))
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 sits before the 4-byte size
	for _, tc := range []struct {
		name    string
		read    func(io.Reader) error
		data    []byte
		want    error
		message string
	}{
		{"images/bad magic", images, imageFile(0x804, 3, 2, 2, smallPixels), mnist.ErrMagic,
			"magic number 0x00000804, want 0x00000803"},
		{"images/label file", images, readTestdata(t, "labels-3.idx"), mnist.ErrMagic,
			"magic number 0x00000801 marks a file of labels, want 0x00000803 (images)"},
		{"labels/image file", labels, readTestdata(t, "images-3x2x2.idx"), mnist.ErrMagic,
			"magic number 0x00000803 marks a file of images, want 0x00000801 (labels)"},
		{"labels/gzip image file", labels, readTestdata(t, "images-3x2x2.idx.gz"), mnist.ErrMagic,
			"marks a file of images"},
		{"labels/label 10", labels, labelFile(0x801, 3, []byte{7, 0, 10}), mnist.ErrLabel,
			"label 2 is 10, not a digit 0-9"},
		{"labels/label 255", labels, labelFile(0x801, 1, []byte{255}), mnist.ErrLabel,
			"label 0 is 255"},
		{"images/count 2^31", images, imageFile(0x803, 1<<31, 28, 28, nil), mnist.ErrSize,
			"header declares 2147483648 images"},
		{"images/count 2^32-1", images, imageFile(0x803, 1<<32-1, 28, 28, nil), mnist.ErrSize,
			"header declares 4294967295 images"},
		{"labels/count 2^31", labels, labelFile(0x801, 1<<31, nil), mnist.ErrSize,
			"header declares 2147483648 labels"},
		{"images/zero rows", images, imageFile(0x803, 1, 0, 28, nil), mnist.ErrSize,
			"header declares 0×28 images"},
		{"images/huge sides", images, imageFile(0x803, 1, 1<<31, 1<<31, nil), mnist.ErrSize,
			"header declares 2147483648×2147483648 images"},
		{"images/trailing byte", images, imageFile(0x803, 3, 2, 2, append(smallPixels[:12:12], 0)), mnist.ErrTrailingData,
			"data continues after the declared 3 images"},
		{"labels/trailing byte", labels, labelFile(0x801, 2, []byte{7, 0, 9}), mnist.ErrTrailingData,
			"data continues after the declared 2 labels"},
		{"images/gzip checksum", images, badCRC, gzip.ErrChecksum, "gzip: invalid checksum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.read(bytes.NewReader(tc.data))
			require.ErrorIs(t, err, tc.want)
			var re *mnist.ReadError
			require.ErrorAs(t, err, &re)
			assert.Empty(t, re.File, "readers have no file name")
			assert.Contains(t, err.Error(), tc.message)
			assert.Regexp(t, "^mnist: ", err.Error())
		})
	}
}

// maxCount is the largest count an IDX header may declare (2²⁴).
const maxCount = 1 << 24

// TestHugeDeclaredCountCostsNothing checks that headers are not trusted
// for allocation: a 16-byte file claiming the largest allowed count must
// fail having allocated little, in memory or through a file.
func TestHugeDeclaredCountCostsNothing(t *testing.T) {
	const budget = 4 << 20 // bytes; the data would need 13 GB
	for _, tc := range []struct {
		name string
		data []byte
		read func(io.Reader) error
		got  int // whole items in data
	}{
		{"images", imageFile(0x803, maxCount, 28, 28, []byte{1, 2, 3}),
			func(r io.Reader) error { _, err := mnist.ReadImages(r); return err }, 0},
		{"labels", labelFile(0x801, maxCount, []byte{1, 2, 3}),
			func(r io.Reader) error { _, err := mnist.ReadLabels(r); return err }, 3},
	} {
		for _, o := range openers {
			t.Run(tc.name+"/"+o.name, func(t *testing.T) {
				r := o.open(t, tc.data)
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				err := tc.read(r)
				runtime.ReadMemStats(&after)
				require.ErrorIs(t, err, io.ErrUnexpectedEOF)
				assert.Contains(t, err.Error(), fmt.Sprintf("after %d of %d", tc.got, maxCount))
				assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(budget))
			})
		}
	}
}

// errReader fails after handing out its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadPassesReaderErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := mnist.ReadImages(&errReader{data: imageFile(0x803, 3, 2, 2, smallPixels[:5]), err: boom})
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "reading images after 1 of 3: disk on fire")
}

// TestReadImagesLarge reads a file of several megabytes, so that buffers
// grow as data arrives and pixels are converted in chunks while reading.
func TestReadImagesLarge(t *testing.T) {
	const n = 3000 // 2.35 MB of pixels, more than two chunks
	rng := rand.New(rand.NewPCG(1, 2))
	pix := make([]byte, n*784)
	for i := range pix {
		pix[i] = byte(rng.UintN(256))
	}
	raw := imageFile(0x803, n, 28, 28, pix)
	for _, format := range []struct {
		name string
		data []byte
	}{{"raw", raw}, {"gzip", gzipped(t, raw)}} {
		for _, o := range openers {
			t.Run("format="+format.name+"/"+o.name, func(t *testing.T) {
				x, err := mnist.ReadImages(o.open(t, format.data))
				require.NoError(t, err)
				require.Equal(t, []int{n, 784}, x.Shape())
				for i, v := range x.Data() {
					if v != float64(pix[i])/255 {
						t.Fatalf("pixel %d is %v, want %d/255", i, v, pix[i])
					}
				}
			})
		}
	}
}

// craftedTrailer returns a gzip file whose member holds an IDX3 header
// declaring n 28×28 images followed by size random bytes, and whose last
// four bytes (ISIZE, the uncompressed size the trailer claims) are
// overwritten with 0xFFFFFFFF.
func craftedTrailer(t testing.TB, n, size int) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	pix := make([]byte, size)
	for i := range pix {
		pix[i] = byte(rng.UintN(256))
	}
	b := gzipped(t, imageFile(0x803, n, 28, 28, pix))
	copy(b[len(b)-4:], []byte{0xff, 0xff, 0xff, 0xff})
	return b
}

// TestCraftedTrailerCostsLittle checks that no size a file claims — the
// IDX header's count or the gzip trailer's ISIZE — is trusted for
// allocation: a file whose data ends early must fail having allocated an
// amount proportional to the data it really holds, not to the claims.
func TestCraftedTrailerCostsLittle(t *testing.T) {
	const size = 256 << 10 // random bytes in the member
	// A count whose pixels would fit in 64 times the file's size, the most
	// the trailer was once believed, and the count of a real crafted file.
	fits := (64*(size+300) - 16) / 784 / 2
	for _, n := range []int{fits, 5478274} {
		file := craftedTrailer(t, n, size)
		// Buffers may grow to a few times the data read, plus a fixed
		// allowance for the first buffer and the decompressor.
		budget := uint64(16*len(file) + 2<<20)
		measure := func(t *testing.T, read func() error) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := read()
			runtime.ReadMemStats(&after)
			// The member ends early; the trailer then fails gzip's check.
			require.Error(t, err)
			assert.Contains(t, err.Error(), fmt.Sprintf("after %d of %d", size/784, n))
			got := after.TotalAlloc - before.TotalAlloc
			assert.LessOrEqual(t, got, budget, "allocated %d MiB for a file of %d KiB", got>>20, len(file)>>10)
		}
		for _, o := range openers {
			t.Run(fmt.Sprintf("n=%d/ReadImages/%s", n, o.name), func(t *testing.T) {
				r := o.open(t, file)
				measure(t, func() error { _, err := mnist.ReadImages(r); return err })
			})
		}
		t.Run(fmt.Sprintf("n=%d/Load", n), func(t *testing.T) {
			dir := miniDir(t, func(files map[string][]byte) { files[mnist.TrainImagesFile+".gz"] = file })
			measure(t, func() error { _, _, err := mnist.Load(dir); return err })
		})
	}
}
