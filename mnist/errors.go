package mnist

import (
	"errors"
	"fmt"
)

// Sentinel errors. What ReadImages, ReadLabels, Load and Download return
// wraps one of them (or io.ErrUnexpectedEOF, or an error of the operating
// system) so that callers can tell the cases apart with errors.Is.
var (
	// ErrMagic means the file does not start with the expected IDX magic
	// number: it is not an IDX file, or it holds labels where images were
	// expected (or the other way round).
	ErrMagic = errors.New("mnist: wrong magic number")

	// ErrSize means a count or dimension in the header is out of range
	// (zero rows or columns, more than 2²⁴ items, sides above 4096),
	// or Load found images that are not 28×28.
	ErrSize = errors.New("mnist: declared size out of range")

	// ErrLabel means a label is not a digit 0–9.
	ErrLabel = errors.New("mnist: label out of range 0-9")

	// ErrTrailingData means the data goes on past the size the header
	// declares.
	ErrTrailingData = errors.New("mnist: data after the declared end")

	// ErrCountMismatch means an image file and its label file hold different
	// numbers of items.
	ErrCountMismatch = errors.New("mnist: image and label counts differ")

	// ErrChecksum means a file's SHA-256 digest is not the canonical one.
	// The error is a *ChecksumError, which gives the file and both digests.
	ErrChecksum = errors.New("mnist: SHA-256 mismatch")
)

// ReadError reports a malformed or unreadable IDX file. Err is the cause:
// one of ErrMagic, ErrSize, ErrLabel or ErrTrailingData, io.ErrUnexpectedEOF
// when the data ends early, or the error of the underlying reader (for
// example gzip.ErrChecksum).
type ReadError struct {
	File   string // base name of the file when Load read it; "" for ReadImages and ReadLabels
	Detail string // what was wrong and where, e.g. "data ends after 1000 of 60000 images"
	Err    error  // the cause, for errors.Is and errors.As
}

// Error returns "mnist: FILE: DETAIL", followed by the cause when it is
// not one of this package's sentinels.
func (e *ReadError) Error() string {
	s := "mnist: "
	if e.File != "" {
		s += e.File + ": "
	}
	s += e.Detail
	if e.Err != nil && !isSentinel(e.Err) {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *ReadError) Unwrap() error { return e.Err }

// isSentinel reports whether err is one of this package's sentinels, whose
// text would only repeat the Detail.
func isSentinel(err error) bool {
	switch err {
	case ErrMagic, ErrSize, ErrLabel, ErrTrailingData, ErrCountMismatch:
		return true
	}
	return false
}

// ChecksumError reports a file whose SHA-256 digest differs from the
// canonical one. It wraps ErrChecksum.
type ChecksumError struct {
	File   string // base name, e.g. "train-images-idx3-ubyte.gz"
	Source string // where the bytes came from: a URL or the Go module
	Got    string // hex SHA-256 of the bytes received
	Want   string // hex SHA-256 of the canonical file
}

// Error names the file, the source and both digests.
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("mnist: %s from %s: SHA-256 is %s, want %s", e.File, e.Source, e.Got, e.Want)
}

// Unwrap returns ErrChecksum.
func (e *ChecksumError) Unwrap() error { return ErrChecksum }
