package mnist

import (
	"github.com/numlearn/numlearn/internal/hugepage"

	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"

	"github.com/numlearn/numlearn/tensor"
)

// IDX magic numbers: two zero bytes, the element type (0x08, unsigned
// byte) and the number of dimensions.
const (
	imagesMagic = 0x00000803
	labelsMagic = 0x00000801
)

// Limits on what an IDX header may declare. They keep the arithmetic on
// sizes far from overflow; memory is never allocated from the header alone
// (buffers grow as data arrives), so a short file that claims a huge count
// costs nothing.
const (
	MaxCount = 1 << 24 // items in one file (MNIST has 60,000)
	MaxSide  = 1 << 12 // rows or columns of one image (MNIST has 28)
)

// firstChunk is the most a reader allocates before data has arrived.
const firstChunk = 1 << 20

// ReadImages reads one IDX3 image file (magic 0x00000803), gzip-compressed
// or raw, and returns an (n, rows·cols) tensor holding each pixel divided by
// 255, so in [0, 1]. The error is a *ReadError wrapping ErrMagic, ErrSize,
// ErrTrailingData, io.ErrUnexpectedEOF (the data ends early; the message
// says after how many images) or the reader's own error.
func ReadImages(r io.Reader) (*tensor.Tensor, error) {
	img, err := readImages(r, "", true)
	if err != nil {
		return nil, err
	}
	return img.tensor(), nil
}

// ReadImageBytes is ReadImages without the normalisation: it returns the
// raw pixels, 0–255, image after image in row-major order, with the image
// size; there are len(pix)/(rows·cols) images. It fails as ReadImages does.
func ReadImageBytes(r io.Reader) (pix []byte, rows, cols int, err error) {
	img, err := readImages(r, "", false)
	return img.pix, img.rows, img.cols, err
}

// ReadLabels reads one IDX1 label file (magic 0x00000801), gzip-compressed
// or raw, and returns its labels. The error is a *ReadError wrapping
// ErrMagic, ErrSize, ErrLabel (a label outside 0–9), ErrTrailingData,
// io.ErrUnexpectedEOF (the data ends early; the message says after how many
// labels) or the reader's own error.
func ReadLabels(r io.Reader) ([]int, error) {
	return readLabels(r, "")
}

// idxImages is the content of an IDX3 file.
type idxImages struct {
	pix        []byte    // raw pixels, image after image
	data       []float64 // pix/255, when asked for
	rows, cols int
}

// tensor returns the normalised images as an (n, rows·cols) tensor.
func (img idxImages) tensor() *tensor.Tensor {
	size := img.rows * img.cols
	return tensor.FromSlice(img.data, len(img.data)/size, size)
}

// readImages parses an image file, and normalises the pixels too when
// asked; file names it in errors. When the input is a file big enough to
// hold what the header declares, the pixels are converted while the rest
// is read and decompressed.
func readImages(r io.Reader, file string, normalise bool) (idxImages, error) {
	src, hint, err := decompress(r, file)
	if err != nil {
		return idxImages{}, err
	}
	dims, err := readHeader(src, file, imagesMagic, 3)
	if err != nil {
		return idxImages{}, err
	}
	n, rows, cols := dims[0], dims[1], dims[2]
	if n > MaxCount {
		return idxImages{}, &ReadError{File: file, Detail: fmt.Sprintf("header declares %d images, more than %d", n, MaxCount), Err: ErrSize}
	}
	if rows < 1 || cols < 1 || rows > MaxSide || cols > MaxSide {
		return idxImages{}, &ReadError{File: file, Detail: fmt.Sprintf("header declares %d×%d images, want sides in 1…%d", rows, cols, MaxSide), Err: ErrSize}
	}
	total, hint := n*rows*cols, hint-16
	var conv *converter
	if normalise && hint >= total {
		conv = newConverter(total)
	}
	pix, err := readData(src, file, n, rows*cols, hint, "images", conv.feed)
	data := conv.finish()
	if err != nil {
		return idxImages{}, err
	}
	if normalise && data == nil {
		conv = newConverter(len(pix))
		conv.feed(pix)
		data = conv.finish()
	}
	return idxImages{pix: pix, data: data, rows: rows, cols: cols}, nil
}

// readLabels parses a label file; file names it in errors.
func readLabels(r io.Reader, file string) ([]int, error) {
	src, hint, err := decompress(r, file)
	if err != nil {
		return nil, err
	}
	dims, err := readHeader(src, file, labelsMagic, 1)
	if err != nil {
		return nil, err
	}
	n := dims[0]
	if n > MaxCount {
		return nil, &ReadError{File: file, Detail: fmt.Sprintf("header declares %d labels, more than %d", n, MaxCount), Err: ErrSize}
	}
	raw, err := readData(src, file, n, 1, hint-8, "labels", nil)
	if err != nil {
		return nil, err
	}
	labels := make([]int, len(raw))
	for i, b := range raw {
		if b > 9 {
			return nil, &ReadError{File: file, Detail: fmt.Sprintf("label %d is %d, not a digit 0-9", i, b), Err: ErrLabel}
		}
		labels[i] = int(b)
	}
	return labels, nil
}

// decompress returns a reader of r's content, gunzipped when r starts with
// the gzip magic bytes 1f 8b, and a hint of the content's size (0 when
// unknown, see sizeHints).
func decompress(r io.Reader, file string) (content io.Reader, hint int, err error) {
	raw, gz := sizeHints(r)
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, &ReadError{File: file, Detail: "reading the header", Err: err}
	}
	if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		return br, raw, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, 0, &ReadError{File: file, Detail: "reading the gzip header", Err: err}
	}
	return zr, gz, nil
}

// readHeader reads the magic number, checks it, then reads ndim
// big-endian uint32 dimensions.
func readHeader(r io.Reader, file string, magic uint32, ndim int) ([]int, error) {
	var buf [16]byte
	size := 4 * (1 + ndim)
	if got, err := io.ReadFull(r, buf[:4]); err != nil {
		return nil, headerError(file, got, size, err)
	}
	if got := binary.BigEndian.Uint32(buf[:4]); got != magic {
		return nil, &ReadError{File: file, Detail: magicDetail(got, magic), Err: ErrMagic}
	}
	if got, err := io.ReadFull(r, buf[4:size]); err != nil {
		return nil, headerError(file, 4+got, size, err)
	}
	dims := make([]int, ndim)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(buf[4+4*i:]))
	}
	return dims, nil
}

// headerError reports a header that ends after got of size bytes, or the
// reader's error.
func headerError(file string, got, size int, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &ReadError{File: file, Detail: fmt.Sprintf("header ends after %d of %d bytes", got, size), Err: io.ErrUnexpectedEOF}
	}
	return &ReadError{File: file, Detail: "reading the header", Err: err}
}

// magicDetail explains a wrong magic number, recognising the common mix-up
// of an image file for a label file.
func magicDetail(got, want uint32) string {
	kind := map[uint32]string{imagesMagic: "images", labelsMagic: "labels"}
	if k, ok := kind[got]; ok {
		return fmt.Sprintf("magic number 0x%08x marks a file of %s, want 0x%08x (%s)", got, k, want, kind[want])
	}
	return fmt.Sprintf("magic number 0x%08x, want 0x%08x (IDX %s)", got, want, kind[want])
}

// readData reads exactly n items of size bytes each and checks that
// nothing follows. The buffer starts at min(n·size, max(firstChunk, hint))
// bytes and doubles as data arrives, so the header's n alone costs memory
// only when the data is really there; hint, the size of the content when
// the input is a file, spares the copies of growing.
//
// onRead, when not nil, is called with the data read so far after each
// read, to process it while more is coming.
func readData(r io.Reader, file string, n, size, hint int, what string, onRead func([]byte)) ([]byte, error) {
	total := n * size
	buf := make([]byte, 0, min(total, max(firstChunk, hint)))
	hugepage.Advise(buf)
	for len(buf) < total {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(total, 2*cap(buf)))
			hugepage.Advise(grown)
			copy(grown, buf)
			buf = grown
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if onRead != nil && m > 0 {
			onRead(buf)
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF) && len(buf) < total:
			return nil, &ReadError{File: file, Detail: fmt.Sprintf("data ends after %d of %d %s", len(buf)/size, n, what), Err: io.ErrUnexpectedEOF}
		case errors.Is(err, io.EOF):
		default:
			return nil, &ReadError{File: file, Detail: fmt.Sprintf("reading %s after %d of %d", what, len(buf)/size, n), Err: err}
		}
	}
	// Read past the end: this also makes gzip verify its checksum.
	var extra [1]byte
	for {
		m, err := r.Read(extra[:])
		if m > 0 {
			return nil, &ReadError{File: file, Detail: fmt.Sprintf("data continues after the declared %d %s", n, what), Err: ErrTrailingData}
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, &ReadError{File: file, Detail: fmt.Sprintf("reading past the %d %s", n, what), Err: err}
		}
	}
}

// maxHintRatio bounds how much larger than the gzip file the size recorded
// in its trailer is believed for sizing buffers. Deflate can expand 1032
// times, but the trailer is only a claim until the data arrives; MNIST's
// images expand about 5 times, and content that expands more is read by
// growing the buffers instead.
const maxHintRatio = 64

// sizeHints returns the number of bytes left in r when r is a regular
// file (as Load and most callers of ReadImages pass), and the uncompressed
// size recorded in the file's last four bytes in case it is gzip (ISIZE,
// the size modulo 2³²), capped at maxHintRatio times the file's size.
// Both are 0 when unknown. They are hints for sizing buffers, never trusted
// for correctness.
func sizeHints(r io.Reader) (raw, gz int) {
	f, ok := r.(interface {
		Stat() (fs.FileInfo, error)
		io.Seeker
		io.ReaderAt
	})
	if !ok {
		return 0, 0
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return 0, 0
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil || pos > info.Size() {
		return 0, 0
	}
	raw = int(min(info.Size()-pos, math.MaxInt32))
	var trailer [4]byte
	if raw < 18 {
		return raw, 0
	}
	if _, err := f.ReadAt(trailer[:], info.Size()-4); err != nil {
		return raw, 0
	}
	return raw, min(int(binary.LittleEndian.Uint32(trailer[:])), maxHintRatio*raw)
}
