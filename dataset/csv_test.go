package dataset_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/dataset"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		opts   dataset.CSV
		x, t   [][]float64 // expected rows
		xNames []string    // also give the widths of X and T
		tNames []string
	}{
		{name: "defaults: last column is the target", input: "1,2,3\n4,5,6\n",
			x: [][]float64{{1, 2}, {4, 5}}, t: [][]float64{{3}, {6}},
			xNames: []string{"column 0", "column 1"}, tNames: []string{"column 2"}},
		{name: "no final newline", input: "1,2,3\n4,5,6",
			x: [][]float64{{1, 2}, {4, 5}}, t: [][]float64{{3}, {6}},
			xNames: []string{"column 0", "column 1"}, tNames: []string{"column 2"}},
		{name: "CRLF line endings", input: "1,2,3\r\n4,5,6\r\n",
			x: [][]float64{{1, 2}, {4, 5}}, t: [][]float64{{3}, {6}},
			xNames: []string{"column 0", "column 1"}, tNames: []string{"column 2"}},
		{name: "space around numbers and quotes", input: " 1 ,\t\"2\", \" 3 \"\n",
			x: [][]float64{{1, 2}}, t: [][]float64{{3}},
			xNames: []string{"column 0", "column 1"}, tNames: []string{"column 2"}},
		{name: "number syntax", input: "-0.5,1e-3,+7,2.,.25,1E2\n",
			x: [][]float64{{-0.5, 0.001, 7, 2, 0.25}}, t: [][]float64{{100}},
			xNames: []string{"column 0", "column 1", "column 2", "column 3", "column 4"}, tNames: []string{"column 5"}},
		{name: "comments and blank lines are skipped", input: "# a comment\n\n1,2\n# another, with a \" quote\n\n3,4\n",
			x: [][]float64{{1}, {3}}, t: [][]float64{{2}, {4}},
			xNames: []string{"column 0"}, tNames: []string{"column 1"}},
		{name: "header names the columns", input: " quiz , midterm,final \n1,2,3\n", opts: dataset.CSV{Header: true},
			x: [][]float64{{1, 2}}, t: [][]float64{{3}},
			xNames: []string{"quiz", "midterm"}, tNames: []string{"final"}},
		{name: "byte-order mark", input: "\ufeffa,b\n1,2\n", opts: dataset.CSV{Header: true},
			x: [][]float64{{1}}, t: [][]float64{{2}}, xNames: []string{"a"}, tNames: []string{"b"}},
		{name: "byte-order mark before a number", input: "\ufeff1,2\n",
			x: [][]float64{{1}}, t: [][]float64{{2}}, xNames: []string{"column 0"}, tNames: []string{"column 1"}},
		{name: "header after comments", input: "# about\na,b\n1,2\n", opts: dataset.CSV{Header: true},
			x: [][]float64{{1}}, t: [][]float64{{2}}, xNames: []string{"a"}, tNames: []string{"b"}},
		{name: "chosen columns in the chosen order", input: "1,2,3,4\n5,6,7,8\n",
			opts: dataset.CSV{Features: []int{3, 0}, Targets: []int{2, 1}},
			x:    [][]float64{{4, 1}, {8, 5}}, t: [][]float64{{3, 2}, {7, 6}},
			xNames: []string{"column 3", "column 0"}, tNames: []string{"column 2", "column 1"}},
		{name: "unused text column is not parsed", input: "name,x,y\ncat,1,2\n\"dog, old\",3,4\n",
			opts: dataset.CSV{Header: true, Features: []int{1}, Targets: []int{2}},
			x:    [][]float64{{1}, {3}}, t: [][]float64{{2}, {4}}, xNames: []string{"x"}, tNames: []string{"y"}},
		{name: "Targets nil with Features chosen", input: "1,2,3\n", opts: dataset.CSV{Features: []int{1}},
			x: [][]float64{{2}}, t: [][]float64{{3}}, xNames: []string{"column 1"}, tNames: []string{"column 2"}},
		{name: "Features nil with Targets chosen", input: "1,2,3\n", opts: dataset.CSV{Targets: []int{0}},
			x: [][]float64{{2, 3}}, t: [][]float64{{1}}, xNames: []string{"column 1", "column 2"}, tNames: []string{"column 0"}},
		{name: "no targets", input: "1,2\n3,4\n", opts: dataset.CSV{Targets: []int{}},
			x: [][]float64{{1, 2}, {3, 4}}, t: [][]float64{{}, {}},
			xNames: []string{"column 0", "column 1"}, tNames: []string{}},
		{name: "one column is the target alone", input: "1\n2\n",
			x: [][]float64{{}, {}}, t: [][]float64{{1}, {2}},
			xNames: []string{}, tNames: []string{"column 0"}},
		{name: "semicolons", input: "1;2.5;3\n", opts: dataset.CSV{Comma: ';'},
			x: [][]float64{{1, 2.5}}, t: [][]float64{{3}}, xNames: []string{"column 0", "column 1"}, tNames: []string{"column 2"}},
		{name: "tabs and another comment character", input: "% tab-separated\n1\t2\n", opts: dataset.CSV{Comma: '\t', Comment: '%'},
			x: [][]float64{{1}}, t: [][]float64{{2}}, xNames: []string{"column 0"}, tNames: []string{"column 1"}},
		{name: "no comments: # is data in a skipped column", input: "#1,2\n", opts: dataset.CSV{Comment: -1, Features: []int{}},
			x: [][]float64{{}}, t: [][]float64{{2}}, xNames: []string{}, tNames: []string{"column 1"}},
		{name: "quoted field over two lines", input: "\"1\n\",2\n3,4\n",
			x: [][]float64{{1}, {3}}, t: [][]float64{{2}, {4}}, xNames: []string{"column 0"}, tNames: []string{"column 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := dataset.ReadCSV(strings.NewReader(tt.input), tt.opts)
			require.NoError(t, err)
			require.Equal(t, len(tt.x), d.Len())
			assert.Equal(t, []int{len(tt.x), len(tt.xNames)}, d.X.Shape())
			assert.Equal(t, []int{len(tt.t), len(tt.tNames)}, d.T.Shape())
			assert.Equal(t, flat(tt.x), d.X.Data(), "X")
			assert.Equal(t, flat(tt.t), d.T.Data(), "T")
			assert.Equal(t, tt.xNames, d.FeatureNames)
			assert.Equal(t, tt.tNames, d.TargetNames)
			assert.Nil(t, d.Labels)
		})
	}
}

// flat returns rows one after the other, never nil.
func flat(rows [][]float64) []float64 {
	out := []float64{}
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func TestReadCSVOneHot(t *testing.T) {
	// Four animals, a feature and a class of three; labels written as
	// integers, with or without ".0".
	const input = "legs,class\n4,1\n2,0\n0,2.0\n6, 1 \n"
	d, err := dataset.ReadCSV(strings.NewReader(input), dataset.CSV{Header: true, Classes: 3})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 0, 2, 1}, d.Labels)
	assert.Equal(t, []int{4, 3}, d.T.Shape())
	assert.Equal(t, []float64{
		0, 1, 0,
		1, 0, 0,
		0, 0, 1,
		0, 1, 0,
	}, d.T.Data())
	assert.Equal(t, []float64{4, 2, 0, 6}, d.X.Data())
	assert.Equal(t, []string{"legs"}, d.FeatureNames)
	assert.Equal(t, []string{"class"}, d.TargetNames, "the column of labels, not one name per class")

	t.Run("label column chosen", func(t *testing.T) {
		d, err := dataset.ReadCSV(strings.NewReader("1,7,8\n0,9,10\n"), dataset.CSV{Targets: []int{0}, Classes: 2})
		require.NoError(t, err)
		assert.Equal(t, []int{1, 0}, d.Labels)
		assert.Equal(t, []float64{0, 1, 1, 0}, d.T.Data())
		assert.Equal(t, []float64{7, 8, 9, 10}, d.X.Data())
	})
}

func TestReadCSVBadInput(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		opts   dataset.CSV
		line   int
		column int
		field  string
		msg    string // the whole error message
		is     error  // another error the message must match, if any
	}{
		{name: "not a number", input: "1,2,3\n4,x,6\n", line: 2, column: 3, field: "x",
			msg: `dataset: line 2, column 3: "x" is not a number`},
		{name: "not a number, with space around", input: "1,  abc ,3\n", line: 1, column: 5, field: "abc ",
			msg: `dataset: line 1, column 5: "abc" is not a number`},
		{name: "decimal comma", input: "1;2,5;3\n", opts: dataset.CSV{Comma: ';'}, line: 1, column: 3, field: "2,5",
			msg: `dataset: line 1, column 3: "2,5" is not a number`},
		{name: "NaN", input: "1,NaN,3\n", line: 1, column: 3, field: "NaN",
			msg: `dataset: line 1, column 3: "NaN" is not finite: training needs finite numbers`},
		{name: "infinity", input: "1,2,-Inf\n", line: 1, column: 5, field: "-Inf",
			msg: `dataset: line 1, column 5: "-Inf" is not finite: training needs finite numbers`},
		{name: "beyond float64", input: "1e999,2\n", line: 1, column: 1, field: "1e999",
			msg: `dataset: line 1, column 1: "1e999" is beyond the float64 range`},
		{name: "empty field", input: "1,,3\n", line: 1, column: 3, field: "",
			msg: `dataset: line 1, column 3: empty field where a number is needed`},
		{name: "empty last field", input: "1,2\n3,\n", line: 2, column: 3, field: "",
			msg: `dataset: line 2, column 3: empty field where a number is needed`},
		// Leading space is trimmed, so the empty field starts at the comma.
		{name: "blank field", input: "1,   ,3\n", line: 1, column: 6, field: "",
			msg: `dataset: line 1, column 6: empty field where a number is needed`},
		{name: "too few fields", input: "1,2,3\n4,5\n", line: 2,
			msg: `dataset: line 2: 2 fields, want 3 as on line 1`},
		{name: "too many fields after a header", input: "a,b\n1,2\n3,4,5\n", opts: dataset.CSV{Header: true}, line: 3,
			msg: `dataset: line 3: 3 fields, want 2 as in the header on line 1`},
		{name: "line of spaces is one empty field", input: "1,2\n   \n", line: 2,
			msg: `dataset: line 2: 1 field, want 2 as on line 1`},
		{name: "ragged after comments", input: "# c\n\n1\n2,3\n", line: 4,
			msg: `dataset: line 4: 2 fields, want 1 as on line 3`},
		{name: "line numbers count comments", input: "# c\n# d\n1,2\n3,x\n", line: 4, column: 3, field: "x",
			msg: `dataset: line 4, column 3: "x" is not a number`},
		{name: "line numbers count quoted newlines", input: "1,2\n\"3\n\",x\n", line: 3, column: 3, field: "x",
			msg: `dataset: line 3, column 3: "x" is not a number`},
		{name: "no comments: # is data", input: "#1,2\n", opts: dataset.CSV{Comment: -1}, line: 1, column: 1, field: "#1",
			msg: `dataset: line 1, column 1: "#1" is not a number`},
		{name: "class label not an integer", input: "1,1.5\n", opts: dataset.CSV{Classes: 3}, line: 1, column: 3, field: "1.5",
			msg: `dataset: line 1, column 3: class label "1.5" is not an integer in [0, 3)`},
		{name: "class label too large", input: "1,0\n2,3\n", opts: dataset.CSV{Classes: 3}, line: 2, column: 3, field: "3",
			msg: `dataset: line 2, column 3: class label "3" is not an integer in [0, 3)`},
		{name: "class label negative", input: "1,-1\n", opts: dataset.CSV{Classes: 3}, line: 1, column: 3, field: "-1",
			msg: `dataset: line 1, column 3: class label "-1" is not an integer in [0, 3)`},
		{name: "class label a name", input: "1,cat\n", opts: dataset.CSV{Classes: 3}, line: 1, column: 3, field: "cat",
			msg: `dataset: line 1, column 3: class label "cat" is not an integer in [0, 3)`},
		{name: "class label NaN", input: "1,NaN\n", opts: dataset.CSV{Classes: 3}, line: 1, column: 3, field: "NaN",
			msg: `dataset: line 1, column 3: class label "NaN" is not an integer in [0, 3)`},
		{name: "class label empty", input: "1,\n", opts: dataset.CSV{Classes: 3}, line: 1, column: 3, field: "",
			msg: `dataset: line 1, column 3: empty field where a class label is needed`},
		{name: "target column beyond the rows", input: "1,2,3\n", opts: dataset.CSV{Targets: []int{5}}, line: 1,
			msg: `dataset: line 1: Targets holds column 5, but the first record has 3 fields (columns 0 to 2)`},
		{name: "feature column beyond the header", input: "# c\na,b,c\n1,2,3\n", opts: dataset.CSV{Header: true, Features: []int{0, 3}}, line: 2,
			msg: `dataset: line 2: Features holds column 3, but the first record has 3 fields (columns 0 to 2)`},
		{name: "features take the default target", input: "1,2,3\n", opts: dataset.CSV{Features: []int{0, 2}}, line: 1,
			msg: `dataset: line 1: Features holds column 2, the last of 3, which is the target when Targets is nil`},
		{name: "empty input", input: "",
			msg: `dataset: no data rows: the input holds no records`},
		{name: "only comments and blank lines", input: "# nothing\n\n# here\n",
			msg: `dataset: no data rows: the input holds no records`},
		{name: "header only", input: "# c\na,b\n", opts: dataset.CSV{Header: true}, line: 2,
			msg: `dataset: line 2: a header and no data rows`},
		{name: "bare quote", input: "1,2\"3\n", line: 1, column: 4, is: csv.ErrBareQuote,
			msg: `dataset: line 1, column 4: bare " in non-quoted-field`},
		// encoding/csv points at the quote that the separator does not follow.
		{name: "text after a closing quote", input: "\"1\"x,2\n", line: 1, column: 3, is: csv.ErrQuote,
			msg: `dataset: line 1, column 3: extraneous or missing " in quoted-field`},
		{name: "space after a closing quote", input: "1,\"2\" ,3\n", line: 1, column: 5, is: csv.ErrQuote,
			msg: `dataset: line 1, column 5: extraneous or missing " in quoted-field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := dataset.ReadCSV(strings.NewReader(tt.input), tt.opts)
			require.Error(t, err)
			assert.Nil(t, d)
			assert.Equal(t, tt.msg, err.Error())
			assert.ErrorIs(t, err, dataset.ErrFormat)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			var pe *dataset.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "", pe.File)
			assert.Equal(t, tt.line, pe.Line, "line")
			assert.Equal(t, tt.column, pe.Column, "column")
			assert.Equal(t, tt.field, pe.Field, "field")
		})
	}
}

func TestReadCSVUnterminatedQuote(t *testing.T) {
	// The quote opened on line 2 is still open where the input ends, after
	// the newline of line 3 ("5,6\n", four bytes): encoding/csv places the
	// error there, and the message says where the record began.
	_, err := dataset.ReadCSV(strings.NewReader("1,2\n3,\"4\n5,6\n"), dataset.CSV{})
	require.Error(t, err)
	assert.ErrorIs(t, err, dataset.ErrFormat)
	assert.ErrorIs(t, err, csv.ErrQuote)
	assert.Equal(t, `dataset: line 3, column 5: in the record from line 2: extraneous or missing " in quoted-field`, err.Error())
	var pe *dataset.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 3, pe.Line)
	assert.Equal(t, 5, pe.Column)
}

func TestReadCSVReaderError(t *testing.T) {
	boom := errors.New("connection reset")
	tests := []struct {
		name string
		r    io.Reader
	}{
		{"at once", iotest.ErrReader(boom)},
		{"after a row", io.MultiReader(strings.NewReader("1,2\n3,"), iotest.ErrReader(boom))},
		{"after two bytes, once", &failOnce{data: "1,", err: boom}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dataset.ReadCSV(tt.r, dataset.CSV{})
			require.Error(t, err)
			assert.ErrorIs(t, err, boom)
			assert.NotErrorIs(t, err, dataset.ErrFormat, "the reader failed, not the data")
			assert.Equal(t, "dataset: connection reset", err.Error())
		})
	}
}

// failOnce returns data, then err once, then io.EOF: an error that a
// reader must not lose.
type failOnce struct {
	data   string
	err    error
	failed bool
}

func (f *failOnce) Read(p []byte) (int, error) {
	if f.data != "" {
		n := copy(p, f.data)
		f.data = f.data[n:]
		return n, nil
	}
	if !f.failed {
		f.failed = true
		return 0, f.err
	}
	return 0, io.EOF
}

func TestReadCSVPanics(t *testing.T) {
	tests := []struct {
		name string
		opts dataset.CSV
		msg  string
	}{
		{"negative Classes", dataset.CSV{Classes: -1},
			"dataset: CSV: Classes is -1, want 0 (plain targets) or more"},
		{"Classes with two targets", dataset.CSV{Classes: 3, Targets: []int{1, 2}},
			"dataset: CSV: Classes is 3 but Targets has 2 columns [1 2], want one column of labels"},
		{"Classes with no target", dataset.CSV{Classes: 3, Targets: []int{}},
			"dataset: CSV: Classes is 3 but Targets has 0 columns [], want one column of labels"},
		{"negative feature", dataset.CSV{Features: []int{0, -1}},
			"dataset: CSV: Features holds the negative column index -1"},
		{"negative target", dataset.CSV{Targets: []int{-2}},
			"dataset: CSV: Targets holds the negative column index -2"},
		{"repeated feature", dataset.CSV{Features: []int{0, 1, 0}},
			"dataset: CSV: Features holds column 0 twice"},
		{"repeated target", dataset.CSV{Targets: []int{3, 3}},
			"dataset: CSV: Targets holds column 3 twice"},
		{"feature and target", dataset.CSV{Features: []int{0, 1}, Targets: []int{1}},
			"dataset: CSV: column 1 is in both Features and Targets"},
		{"quote as Comma", dataset.CSV{Comma: '"'},
			`dataset: CSV: Comma '"' cannot separate fields`},
		{"newline as Comment", dataset.CSV{Comment: '\n'},
			`dataset: CSV: Comment '\n' cannot start a comment`},
		{"Comma equals the default Comment", dataset.CSV{Comma: '#'},
			"dataset: CSV: Comma and Comment are both '#' (set Comment to -1 for no comments)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, func() {
				_, _ = dataset.ReadCSV(strings.NewReader("1,2,3\n"), tt.opts)
			})
			assert.PanicsWithValue(t, tt.msg, func() {
				_, _ = dataset.LoadCSV(filepath.Join(t.TempDir(), "absent.csv"), tt.opts)
			}, "LoadCSV checks opts before opening the file")
		})
	}

	t.Run("Comma '#' with no comments is fine", func(t *testing.T) {
		d, err := dataset.ReadCSV(strings.NewReader("1#2\n"), dataset.CSV{Comma: '#', Comment: -1})
		require.NoError(t, err)
		assert.Equal(t, []float64{1}, d.X.Data())
	})
}

func TestLoadCSV(t *testing.T) {
	t.Run("reads the file", func(t *testing.T) {
		d, err := dataset.LoadCSV(filepath.Join("testdata", "students.csv"),
			dataset.CSV{Header: true, Features: []int{1, 2, 3}, Targets: []int{4}})
		require.NoError(t, err)
		assert.Equal(t, []string{"quiz 1", "quiz 2", "midterm"}, d.FeatureNames)
		assert.Equal(t, []string{"final"}, d.TargetNames)
		assert.Equal(t, []float64{
			73, 80, 75,
			93, 88, 93,
			89, 91, 90,
			96, 98, 100,
		}, d.X.Data())
		assert.Equal(t, []float64{152, 185, 180, 196}, d.T.Data())
	})

	t.Run("errors name the file", func(t *testing.T) {
		name := filepath.Join(t.TempDir(), "scores.csv")
		require.NoError(t, os.WriteFile(name, []byte("1,2\n3,n/a\n"), 0o644))
		_, err := dataset.LoadCSV(name, dataset.CSV{})
		require.Error(t, err)
		assert.Equal(t, "dataset: "+name+`: line 2, column 3: "n/a" is not a number`, err.Error())
		var pe *dataset.ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, name, pe.File)
	})

	t.Run("missing file", func(t *testing.T) {
		name := filepath.Join(t.TempDir(), "absent.csv")
		_, err := dataset.LoadCSV(name, dataset.CSV{})
		require.Error(t, err)
		assert.ErrorIs(t, err, fs.ErrNotExist)
		assert.NotErrorIs(t, err, dataset.ErrFormat)
		assert.Contains(t, err.Error(), "dataset: open "+name)
	})

	t.Run("a folder", func(t *testing.T) {
		dir := t.TempDir()
		_, err := dataset.LoadCSV(dir, dataset.CSV{})
		require.Error(t, err)
		assert.NotErrorIs(t, err, dataset.ErrFormat)
		assert.True(t, strings.HasPrefix(err.Error(), "dataset: "+dir+": "), "%q", err)
	})
}

// TestPrefixes feeds every prefix of valid files to ReadCSV: none may
// panic, and each gives either an error of malformed input or the rows
// read so far, all but the last of which (which may have been cut in the
// middle of a number) are the whole file's.
func TestPrefixes(t *testing.T) {
	tests := []struct {
		file string
		opts dataset.CSV
	}{
		{"data-01-test-score.csv", dataset.CSV{}},
		{"data-04-zoo.csv", dataset.CSV{Classes: 7}},
		{"students.csv", dataset.CSV{Header: true, Features: []int{1, 2, 3}, Targets: []int{4}}},
		// The rows in the first 3000 bytes of the diabetes file: every
		// prefix of the whole 53 kB would take quadratic time for nothing
		// new.
		{"data-03-diabetes.csv", dataset.CSV{Classes: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			if len(b) > 3000 {
				b = b[:bytes.LastIndexByte(b[:3000], '\n')+1]
			}
			full, err := dataset.ReadCSV(bytes.NewReader(b), tt.opts)
			require.NoError(t, err)
			xCols, tCols := full.X.Shape()[1], full.T.Shape()[1]
			valid := 0
			for n := range len(b) + 1 {
				d, err := dataset.ReadCSV(bytes.NewReader(b[:n]), tt.opts)
				if err != nil {
					require.ErrorIs(t, err, dataset.ErrFormat, "prefix of %d bytes", n)
					require.Nil(t, d)
					continue
				}
				valid++
				rows := d.Len()
				require.LessOrEqual(t, rows, full.Len(), "prefix of %d bytes", n)
				require.Equal(t, rows, d.T.Shape()[0], "prefix of %d bytes", n)
				if d.X.Shape()[1] != xCols || d.T.Shape()[1] != tCols {
					// The first row was cut short, and set the layout.
					require.Equal(t, 1, rows, "prefix of %d bytes", n)
					continue
				}
				require.Equal(t, full.X.Data()[:(rows-1)*xCols], d.X.Data()[:(rows-1)*xCols], "prefix of %d bytes", n)
				require.Equal(t, full.T.Data()[:(rows-1)*tCols], d.T.Data()[:(rows-1)*tCols], "prefix of %d bytes", n)
			}
			assert.Greater(t, valid, full.Len(), "most prefixes that end within the last field of a row are valid")
		})
	}
}
