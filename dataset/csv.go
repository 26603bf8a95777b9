package dataset

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/numlearn/numlearn/tensor"
)

// CSV says how ReadCSV reads a file. The zero value reads a headerless,
// comma-separated file whose last column is the target and whose other
// columns are the features, skipping lines that start with '#'.
//
// Column indexes are 0-based, as in Go and numpy. A CSV that contradicts
// itself (see ReadCSV) is a programmer error and makes ReadCSV panic;
// anything that depends on the file, such as an index beyond the width of
// its rows, is a data error.
type CSV struct {
	// Header says that the first record (after comments) names the
	// columns. Its fields are names, not numbers, and need not be unique.
	Header bool

	// Comma is the field separator; 0 means ','. Use '\t' for tab-separated
	// files.
	Comma rune

	// Comment starts a comment line, which is skipped; 0 means '#', and a
	// negative value means that no line is a comment. Only a Comment in
	// the first byte of a line counts.
	Comment rune

	// Features are the columns of the inputs, in the order they take in
	// X; nil means every column not in Targets, in file order. A
	// non-nil empty slice means no features. Columns in neither Features
	// nor Targets are skipped without being parsed, so they may hold text
	// such as names.
	Features []int

	// Targets are the columns of the targets, in the order they take in
	// T; nil means the last column. A non-nil empty slice means no
	// targets: T is then (n, 0), for data without labels.
	Targets []int

	// Classes, when positive, says that the one target column holds class
	// labels 0 to Classes−1, written as integers ("3" or "3.0"): T is then
	// their one-hot encoding (n, Classes), and Data.Labels holds them.
	// Zero means the targets are plain numbers.
	Classes int
}

// ReadCSV reads numeric CSV from r into a Data: one sample per record,
// the columns of opts.Features as X and those of opts.Targets as T (or the
// one-hot encoding of their class labels, when opts.Classes is positive).
//
// Fields are parsed with strconv.ParseFloat after trimming the space
// around them, so " 3.5 ", "1e-3" and "-0" are numbers. Quotes follow RFC
// 4180 as in encoding/csv: a quoted field may hold the separator, a
// newline or a doubled quote, and only the separator or the end of the
// line may follow its closing quote. Blank lines and comment lines are
// skipped, a CRLF line ending is read as LF, and a UTF-8 byte-order mark
// at the start is ignored. Only the columns in use are parsed.
//
// Malformed input is a data error: ReadCSV returns a *ParseError,
// matching ErrFormat, for a field that is not a number, a NaN or an
// infinity (training needs finite data), a number beyond the float64
// range, an empty field, a record with a different number of fields than
// the first, a class label that is not an integer in [0, Classes), a
// column index in Features or Targets beyond the width of the rows, a
// Features that holds the last column while Targets is nil (so that the
// last column would be both), a misplaced quote, or an input without data
// rows. An error of r itself is returned wrapped, with the "dataset: "
// prefix.
//
// ReadCSV panics if opts contradicts itself: Classes negative, Classes
// positive with a Targets of other than one column, a negative or repeated
// column index, a column in both Features and Targets, or a Comma or
// Comment that encoding/csv cannot use (a quote, '\r', '\n', an invalid
// rune, or Comma equal to Comment).
//
// Memory grows with the rows actually read: nothing is allocated from a
// count the input claims.
func ReadCSV(r io.Reader, opts CSV) (*Data, error) {
	return readCSV(r, opts, "")
}

// LoadCSV opens the named file and reads it with ReadCSV. Its errors name
// the file: a *ParseError has File set to name, and an error opening or
// reading the file carries the operating system's message. LoadCSV panics
// as ReadCSV does, before opening the file.
func LoadCSV(name string, opts CSV) (*Data, error) {
	opts.check()
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	return readCSV(f, opts, name)
}

// comma returns the field separator, with its default.
func (o *CSV) comma() rune {
	if o.Comma == 0 {
		return ','
	}
	return o.Comma
}

// comment returns the comment character in encoding/csv's convention,
// where 0 means none.
func (o *CSV) comment() rune {
	switch {
	case o.Comment == 0:
		return '#'
	case o.Comment < 0:
		return 0
	}
	return o.Comment
}

// check panics if o contradicts itself.
func (o *CSV) check() {
	if o.Classes < 0 {
		panic(fmt.Sprintf("dataset: CSV: Classes is %d, want 0 (plain targets) or more", o.Classes))
	}
	if o.Classes > 0 && o.Targets != nil && len(o.Targets) != 1 {
		panic(fmt.Sprintf("dataset: CSV: Classes is %d but Targets has %d columns %v, want one column of labels",
			o.Classes, len(o.Targets), o.Targets))
	}
	for _, f := range []struct {
		name string
		cols []int
	}{{"Features", o.Features}, {"Targets", o.Targets}} {
		for i, c := range f.cols {
			if c < 0 {
				panic(fmt.Sprintf("dataset: CSV: %s holds the negative column index %d", f.name, c))
			}
			if slices.Contains(f.cols[:i], c) {
				panic(fmt.Sprintf("dataset: CSV: %s holds column %d twice", f.name, c))
			}
		}
	}
	for _, c := range o.Features {
		if slices.Contains(o.Targets, c) {
			panic(fmt.Sprintf("dataset: CSV: column %d is in both Features and Targets", c))
		}
	}
	comma, comment := o.comma(), o.comment()
	if !validDelim(comma) {
		panic(fmt.Sprintf("dataset: CSV: Comma %q cannot separate fields", comma))
	}
	if comment != 0 && !validDelim(comment) {
		panic(fmt.Sprintf("dataset: CSV: Comment %q cannot start a comment", comment))
	}
	if comma == comment {
		panic(fmt.Sprintf("dataset: CSV: Comma and Comment are both %q (set Comment to -1 for no comments)", comma))
	}
}

// validDelim reports whether encoding/csv accepts r as Comma or Comment.
func validDelim(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// readCSV is ReadCSV for a named file ("" for none).
func readCSV(r io.Reader, opts CSV, file string) (*Data, error) {
	opts.check()
	br := bufio.NewReader(r)
	// Spreadsheet programs start a UTF-8 file with a byte-order mark,
	// which is not part of the first field.
	if head, err := br.Peek(len(bom)); string(head) == bom {
		_, _ = br.Discard(len(bom))
	} else if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, readError(err, file) // Peek consumed the error: report it now
	}
	cr := csv.NewReader(br)
	cr.Comma = opts.comma()
	cr.Comment = opts.comment()
	cr.FieldsPerRecord = -1 // ragged rows are reported here, with both counts
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true

	p := parser{opts: &opts, file: file, cr: cr}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var ce *csv.ParseError
			if errors.As(err, &ce) {
				cause := ce.Err
				if ce.StartLine != ce.Line {
					// Inside a quoted field over several lines, or one
					// left open to the end of the input: say where its
					// record started.
					cause = fmt.Errorf("in the record from line %d: %w", ce.StartLine, ce.Err)
				}
				return nil, &ParseError{File: file, Line: ce.Line, Column: ce.Column, Err: cause}
			}
			return nil, readError(err, file)
		}
		if err := p.record(rec); err != nil {
			return nil, err
		}
	}
	return p.data()
}

// bom is the UTF-8 encoding of U+FEFF, the byte-order mark.
const bom = "\ufeff"

// readError wraps an error of the reader, naming the file if there is one.
func readError(err error, file string) error {
	if file != "" {
		return fmt.Errorf("dataset: %s: %w", file, err)
	}
	return fmt.Errorf("dataset: %w", err)
}

// parser turns records into rows, growing its slices as they arrive.
type parser struct {
	opts *CSV
	file string
	cr   *csv.Reader

	started    bool     // the first record has been seen
	first      int      // its line
	width      int      // its number of fields, which every record must have
	features   []int    // the resolved Features
	targets    []int    // the resolved Targets
	names      []string // one per column
	rows       int
	xs, ts     []float64 // features and plain targets, row by row
	labels     []int
	headerLine int // the header's line, or 0
}

// record reads one record: the header, or a row of data.
func (p *parser) record(rec []string) error {
	line, _ := p.cr.FieldPos(0)
	if !p.started {
		p.started, p.first, p.width = true, line, len(rec)
		if err := p.layout(); err != nil {
			return &ParseError{File: p.file, Line: line, Err: err}
		}
		p.names = make([]string, len(rec))
		if p.opts.Header {
			for i, s := range rec {
				p.names[i] = strings.TrimSpace(s)
			}
			p.headerLine = line
			return nil
		}
		for i := range p.names {
			p.names[i] = fmt.Sprintf("column %d", i)
		}
	}
	if len(rec) != p.width {
		return &ParseError{File: p.file, Line: line, Err: p.fieldCount(len(rec))}
	}
	for _, c := range p.features {
		v, err := number(rec[c])
		if err != nil {
			return p.fieldError(rec, c, err)
		}
		p.xs = append(p.xs, v)
	}
	if p.opts.Classes > 0 {
		c := p.targets[0]
		k, err := label(rec[c], p.opts.Classes)
		if err != nil {
			return p.fieldError(rec, c, err)
		}
		p.labels = append(p.labels, k)
	} else {
		for _, c := range p.targets {
			v, err := number(rec[c])
			if err != nil {
				return p.fieldError(rec, c, err)
			}
			p.ts = append(p.ts, v)
		}
	}
	p.rows++
	return nil
}

// layout resolves Features and Targets for rows of p.width fields.
func (p *parser) layout() error {
	o := p.opts
	p.targets = o.Targets
	if p.targets == nil {
		last := p.width - 1
		if slices.Contains(o.Features, last) {
			return fmt.Errorf("Features holds column %d, the last of %d, which is the target when Targets is nil", last, p.width)
		}
		p.targets = []int{last}
	}
	for _, f := range []struct {
		name string
		cols []int
	}{{"Features", o.Features}, {"Targets", p.targets}} {
		for _, c := range f.cols {
			if c >= p.width {
				return fmt.Errorf("%s holds column %d, but the first record has %s (columns 0 to %d)",
					f.name, c, plural(p.width, "field"), p.width-1)
			}
		}
	}
	p.features = o.Features
	if p.features == nil {
		p.features = make([]int, 0, p.width-len(p.targets))
		for c := range p.width {
			if !slices.Contains(p.targets, c) {
				p.features = append(p.features, c)
			}
		}
	}
	return nil
}

// fieldCount describes a record of n fields where p.width were expected.
func (p *parser) fieldCount(n int) error {
	if p.headerLine > 0 {
		return fmt.Errorf("%s, want %d as in the header on line %d", plural(n, "field"), p.width, p.headerLine)
	}
	return fmt.Errorf("%s, want %d as on line %d", plural(n, "field"), p.width, p.first)
}

// fieldError locates err, found in field c of rec.
func (p *parser) fieldError(rec []string, c int, err error) error {
	line, col := p.cr.FieldPos(c)
	return &ParseError{File: p.file, Line: line, Column: col, Field: rec[c], Err: err}
}

// data returns what was read, or an error for an input without data rows.
func (p *parser) data() (*Data, error) {
	switch {
	case !p.started:
		return nil, &ParseError{File: p.file, Err: errors.New("no data rows: the input holds no records")}
	case p.rows == 0:
		return nil, &ParseError{File: p.file, Line: p.headerLine, Err: errors.New("a header and no data rows")}
	}
	d := &Data{
		X:            tensor.FromSlice(nonNil(p.xs), p.rows, len(p.features)),
		FeatureNames: pick(p.names, p.features),
		TargetNames:  pick(p.names, p.targets),
	}
	if k := p.opts.Classes; k > 0 {
		d.T = tensor.New(p.rows, k)
		t := d.T.Data()
		for i, l := range p.labels {
			t[i*k+l] = 1
		}
		d.Labels = p.labels
	} else {
		d.T = tensor.FromSlice(nonNil(p.ts), p.rows, len(p.targets))
	}
	return d, nil
}

// number parses a feature or a plain target.
func number(field string) (float64, error) {
	s := strings.TrimSpace(field)
	if s == "" {
		return 0, errors.New("empty field where a number is needed")
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && math.IsInf(v, 0):
		return 0, fmt.Errorf("%q is beyond the float64 range", s)
	case err != nil:
		return 0, fmt.Errorf("%q is not a number", s)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("%q is not finite: training needs finite numbers", s)
	}
	return v, nil
}

// label parses a class label, an integer in [0, classes).
func label(field string, classes int) (int, error) {
	s := strings.TrimSpace(field)
	if s == "" {
		return 0, errors.New("empty field where a class label is needed")
	}
	v, err := strconv.ParseFloat(s, 64)
	// The comparisons are false for NaN, so NaN is refused too.
	if err != nil || !(v >= 0 && v < float64(classes) && v == math.Trunc(v)) {
		return 0, fmt.Errorf("class label %q is not an integer in [0, %d)", s, classes)
	}
	return int(v), nil
}

// pick returns names[c] for each c in cols.
func pick(names []string, cols []int) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = names[c]
	}
	return out
}

// nonNil returns s, or an empty slice for nil, so that a tensor with a
// zero dimension still holds a non-nil slice.
func nonNil(s []float64) []float64 {
	if s == nil {
		return []float64{}
	}
	return s
}

// plural returns "1 field" or "n fields".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
