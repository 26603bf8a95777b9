package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write creates or replaces the file name with what write writes. The bytes
// go to a temporary file in the same folder, which is synced, made
// readable by all (0644) and renamed to name only when write returns nil; otherwise it is removed and write's error
// returned. write may itself return an error to refuse what it wrote, as a
// download with the wrong checksum does.
func Write(name string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.partial")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp makes it private
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // records the rename; not supported everywhere (Windows)
		d.Close()
	}
	return nil
}
