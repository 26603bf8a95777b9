package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f.bin")
	require.NoError(t, Write(name, func(w io.Writer) error {
		_, err := w.Write([]byte("first"))
		return err
	}))
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, "first", string(b))
	info, err := os.Stat(name)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())

	refused := errors.New("checksum mismatch")
	err = Write(name, func(w io.Writer) error {
		w.Write([]byte("half"))
		return refused
	})
	assert.ErrorIs(t, err, refused)
	b, err = os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, "first", string(b), "a refused write leaves the old file")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "and no temporary file")

	assert.Error(t, Write(filepath.Join(dir, "missing", "f"), func(io.Writer) error { return nil }))
}
