package dataset_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/numlearn/numlearn/dataset"
)

// BenchmarkReadCSV measures reading the lab files from memory.
func BenchmarkReadCSV(b *testing.B) {
	for _, bc := range []struct {
		name string
		file string
		opts dataset.CSV
	}{
		{"file=test-score", "data-01-test-score.csv", dataset.CSV{}},
		{"file=diabetes", "data-03-diabetes.csv", dataset.CSV{}},
		{"file=zoo/classes=7", "data-04-zoo.csv", dataset.CSV{Classes: 7}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data, err := os.ReadFile(filepath.Join("testdata", bc.file))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dataset.ReadCSV(bytes.NewReader(data), bc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
