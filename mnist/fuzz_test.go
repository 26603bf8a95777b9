package mnist_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/numlearn/numlearn/mnist"
)

// addSeeds adds every file of testdata/ to f's corpus, with a few variants
// of each: cut short, and with a byte changed in the header and the data.
func addSeeds(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.idx*"))
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
		for _, at := range []int{3, 7, len(b) - 1} {
			c := bytes.Clone(b)
			c[at] ^= 0x10
			f.Add(c)
		}
	}
}

// checkError checks what every failure must look like.
func checkError(t *testing.T, err error) {
	var re *mnist.ReadError
	if !errors.As(err, &re) {
		t.Fatalf("error %q is a %T, not a *mnist.ReadError", err, err)
	}
	if !strings.HasPrefix(err.Error(), "mnist: ") {
		t.Fatalf("error %q lacks the package prefix", err)
	}
}

func FuzzReadImages(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := mnist.ReadImages(bytes.NewReader(data))
		pix, rows, cols, rawErr := mnist.ReadImageBytes(bytes.NewReader(data))
		if (err == nil) != (rawErr == nil) {
			t.Fatalf("ReadImages says %v but ReadImageBytes says %v", err, rawErr)
		}
		if err != nil {
			checkError(t, err)
			return
		}
		sh := x.Shape()
		if len(sh) != 2 || sh[1] != rows*cols || sh[0]*sh[1] != len(pix) {
			t.Fatalf("shape %v for %d pixels of %d×%d images", sh, len(pix), rows, cols)
		}
		for i, v := range x.Data() {
			if v != float64(pix[i])/255 {
				t.Fatalf("value %d is %v, pixel %d", i, v, pix[i])
			}
		}
	})
}

func FuzzReadLabels(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, err := mnist.ReadLabels(bytes.NewReader(data))
		if err != nil {
			checkError(t, err)
			return
		}
		for i, l := range labels {
			if l < 0 || l > 9 {
				t.Fatalf("label %d is %d", i, l)
			}
		}
	})
}
