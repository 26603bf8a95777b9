package mnist

import (
	"github.com/numlearn/numlearn/internal/hugepage"

	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/numlearn/numlearn/tensor"
)

// IDX magic numbers: two zero bytes, the element type (0x08, unsigned
// byte) and the number of dimensions.
const (
	imagesMagic = 0x00000803
	labelsMagic = 0x00000801
)

// Limits on what an IDX header may declare. They keep the arithmetic on
// sizes far from overflow. Memory is never allocated from what a file
// claims — neither the header's counts nor, for gzip, the size in its
// trailer — but only as data arrives (see readData), so a short file that
// claims a huge count costs little.
const (
	maxCount = 1 << 24 // items in one file (MNIST has 60,000)
	maxSide  = 1 << 12 // rows or columns of one image (MNIST has 28)
)

// firstChunk is the most a reader allocates before data has arrived.
const firstChunk = 1 << 20

// growth is the factor by which a buffer grows when data fills it: its
// capacity never exceeds growth times the data read, and growing by more
// than doubling keeps the copies few (1, 4 and 16 MiB for MNIST's 47 MB
// of training images).
const growth = 4

// convertAfter sets when the conversion of pixels to float64 starts: once
// 1/convertAfter of the declared pixels have arrived, the float64 values
// for all of them (eight bytes a pixel) are allocated, at most
// 8·convertAfter times the data read. From then on the rest is converted
// while it is decompressed.
const convertAfter = 4

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
// asked; file names it in errors. Once enough pixels have arrived to
// justify the memory (see convertAfter), they are converted while the rest
// is read and decompressed.
func readImages(r io.Reader, file string, normalise bool) (idxImages, error) {
	src, err := decompress(r, file)
	if err != nil {
		return idxImages{}, err
	}
	dims, err := readHeader(src, file, imagesMagic, 3)
	if err != nil {
		return idxImages{}, err
	}
	n, rows, cols := dims[0], dims[1], dims[2]
	if n > maxCount {
		return idxImages{}, &ReadError{File: file, Detail: fmt.Sprintf("header declares %d images, more than %d", n, maxCount), Err: ErrSize}
	}
	if rows < 1 || cols < 1 || rows > maxSide || cols > maxSide {
		return idxImages{}, &ReadError{File: file, Detail: fmt.Sprintf("header declares %d×%d images, want sides in 1…%d", rows, cols, maxSide), Err: ErrSize}
	}
	total := n * rows * cols
	var conv *converter
	onRead := func(buf []byte) {
		if conv == nil && len(buf) >= total/convertAfter {
			conv = newConverter(total)
		}
		conv.feed(buf)
	}
	if !normalise {
		onRead = nil
	}
	pix, err := readData(src, file, n, rows*cols, "images", onRead)
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
	src, err := decompress(r, file)
	if err != nil {
		return nil, err
	}
	dims, err := readHeader(src, file, labelsMagic, 1)
	if err != nil {
		return nil, err
	}
	n := dims[0]
	if n > maxCount {
		return nil, &ReadError{File: file, Detail: fmt.Sprintf("header declares %d labels, more than %d", n, maxCount), Err: ErrSize}
	}
	raw, err := readData(src, file, n, 1, "labels", nil)
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
// the gzip magic bytes 1f 8b.
func decompress(r io.Reader, file string) (content io.Reader, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, &ReadError{File: file, Detail: "reading the header", Err: err}
	}
	if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, &ReadError{File: file, Detail: "reading the gzip header", Err: err}
	}
	return zr, nil
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
// nothing follows. The buffer starts at min(n·size, firstChunk) bytes and
// grows by the factor growth only when data fills it, so its capacity
// stays within growth times the data read, whatever the header declares.
//
// onRead, when not nil, is called with the data read so far after each
// read, to process it while more is coming.
func readData(r io.Reader, file string, n, size int, what string, onRead func([]byte)) ([]byte, error) {
	total := n * size
	buf := make([]byte, 0, min(total, firstChunk))
	hugepage.Advise(buf)
	for len(buf) < total {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(total, growth*cap(buf)))
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
