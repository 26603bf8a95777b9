package dataset

import (
	"errors"
	"fmt"
	"strings"
)

// ErrFormat is matched (through errors.Is) by every error that ReadCSV and
// LoadCSV return for malformed input: each such error is a *ParseError
// that says what is wrong and where. Errors of the underlying reader, and
// a file that cannot be opened, do not match it.
var ErrFormat = errors.New("dataset: malformed CSV")

// ParseError reports malformed input and where it is, as encoding/csv's
// ParseError does. Every ParseError matches ErrFormat; Err says what is
// wrong, and is encoding/csv's ErrQuote or ErrBareQuote for a misplaced
// quote.
type ParseError struct {
	// File is the name given to LoadCSV, or "" for ReadCSV.
	File string

	// Line is the 1-based line of the offending field, or of the record
	// when the error is about a whole record; 0 when the input holds no
	// record at all. Comment and blank lines count, so Line is what an
	// editor shows.
	Line int

	// Column is the 1-based position in the line where the offending
	// field starts, after any leading space, counted in bytes as
	// encoding/csv counts (for ASCII text, the column an editor shows);
	// 0 when the error is about a whole record.
	Column int

	// Field is the offending field's text as read (quotes removed,
	// leading space trimmed), or "" when the error is not about one field.
	Field string

	// Err is what is wrong.
	Err error
}

// Error returns "dataset: FILE: line L, column C: ERR", leaving out the
// parts that are not known.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("dataset: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ", column %d", e.Column)
		}
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("malformed CSV")
	}
	return b.String()
}

// Unwrap returns Err.
func (e *ParseError) Unwrap() error { return e.Err }

// Is reports whether target is ErrFormat, so that errors.Is(err,
// ErrFormat) holds for every *ParseError.
func (e *ParseError) Is(target error) bool { return target == ErrFormat }
