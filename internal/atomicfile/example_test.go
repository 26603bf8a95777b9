package atomicfile_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/numlearn/numlearn/internal/atomicfile"
)

// A write that refuses its own bytes leaves the earlier file as it was.
func ExampleWrite() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "data.txt")

	atomicfile.Write(name, func(w io.Writer) error {
		_, err := io.WriteString(w, "version 1")
		return err
	})
	err = atomicfile.Write(name, func(w io.Writer) error {
		io.WriteString(w, "version 2, corrupt")
		return errors.New("checksum mismatch")
	})
	b, _ := os.ReadFile(name)
	fmt.Println(err)
	fmt.Println(string(b))
	// Output:
	// checksum mismatch
	// version 1
}
