package dataset_test

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/numlearn/numlearn/dataset"
)

// FuzzReadCSV reads arbitrary bytes three ways — the defaults, with a
// header and with class labels — and checks that ReadCSV never panics and
// that what it returns keeps its promises, Split included. The corpus starts from every
// file in testdata/, whole, halved and with a byte changed.
func FuzzReadCSV(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
		for _, at := range []int{0, len(b) / 3, len(b) - 1} {
			c := bytes.Clone(b)
			c[at] ^= 0x08
			f.Add(c)
		}
	}
	f.Add([]byte("a,b\n1,2\n\"3\n\",4\r\n5, 6 \n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []dataset.CSV{{}, {Header: true}, {Classes: 3}} {
			d, err := dataset.ReadCSV(bytes.NewReader(data), opts)
			if err != nil {
				checkParseError(t, err)
				continue
			}
			checkData(t, d, opts)
			train, val, tst := d.Split(nil, 0.2, 0.1)
			if train.Len()+val.Len()+tst.Len() != d.Len() || train.Len() < 1 {
				t.Fatalf("split of %d rows into %d, %d and %d", d.Len(), train.Len(), val.Len(), tst.Len())
			}
		}
	})
}

// checkParseError checks what every error of malformed input must look like.
func checkParseError(t *testing.T, err error) {
	t.Helper()
	var pe *dataset.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, dataset.ErrFormat) {
		t.Fatalf("error %q (%T) is not a *dataset.ParseError matching ErrFormat", err, err)
	}
	if !strings.HasPrefix(err.Error(), "dataset: ") {
		t.Fatalf("error %q lacks the package prefix", err)
	}
	if pe.Line < 0 || pe.Column < 0 || (pe.Column > 0 && pe.Line == 0) {
		t.Fatalf("error %q at line %d, column %d", err, pe.Line, pe.Column)
	}
}

// checkData checks the shapes and values of what ReadCSV returned.
func checkData(t *testing.T, d *dataset.Data, opts dataset.CSV) {
	t.Helper()
	n := d.Len()
	if n < 1 {
		t.Fatalf("%d rows without an error", n)
	}
	if len(d.X.Shape()) != 2 || len(d.T.Shape()) != 2 || d.T.Shape()[0] != n {
		t.Fatalf("shapes X %v, T %v", d.X.Shape(), d.T.Shape())
	}
	if len(d.FeatureNames) != d.X.Shape()[1] {
		t.Fatalf("%d feature names for X %v", len(d.FeatureNames), d.X.Shape())
	}
	for _, v := range d.X.Data() {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("X holds %v", v)
		}
	}
	if opts.Classes == 0 {
		if d.Labels != nil || len(d.TargetNames) != d.T.Shape()[1] || d.T.Shape()[1] != 1 {
			t.Fatalf("plain targets: labels %v, names %v, T %v", d.Labels, d.TargetNames, d.T.Shape())
		}
		for _, v := range d.T.Data() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("T holds %v", v)
			}
		}
		return
	}
	if len(d.Labels) != n || len(d.TargetNames) != 1 || d.T.Shape()[1] != opts.Classes {
		t.Fatalf("classes: %d labels for %d rows, names %v, T %v", len(d.Labels), n, d.TargetNames, d.T.Shape())
	}
	for i, l := range d.Labels {
		row := d.T.Row(i).Data()
		if l < 0 || l >= opts.Classes || row[l] != 1 || d.T.Row(i).Sum() != 1 {
			t.Fatalf("row %d: label %d, one-hot %v", i, l, row)
		}
	}
}
