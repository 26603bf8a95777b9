package mnist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// The base names of the four MNIST files, without the ".gz" that the
// downloaded copies carry.
const (
	TrainImagesFile = "train-images-idx3-ubyte"
	TrainLabelsFile = "train-labels-idx1-ubyte"
	TestImagesFile  = "t10k-images-idx3-ubyte"
	TestLabelsFile  = "t10k-labels-idx1-ubyte"
)

// Load reads MNIST from dir: the training set (60,000 samples) and the test
// set (10,000). For each of the four files it takes name+".gz" when present
// (what Download writes), otherwise the uncompressed name; the content is
// recognised as gzip by its first bytes either way. The four files are
// decoded concurrently. Fetch downloads whichever files are missing and
// then calls Load.
//
// The error names the file: a missing one wraps fs.ErrNotExist (call
// Download first), a malformed one is a *ReadError, images that are not
// 28×28 wrap ErrSize, and image and label counts that differ wrap
// ErrCountMismatch.
func Load(dir string) (train, test *Set, err error) {
	var (
		wg        sync.WaitGroup
		trainImgs imageResult
		testImgs  imageResult
		trainLbls labelResult
		testLbls  labelResult
	)
	wg.Add(4)
	go func() { defer wg.Done(); trainImgs = loadImages(dir, TrainImagesFile) }()
	go func() { defer wg.Done(); testImgs = loadImages(dir, TestImagesFile) }()
	go func() { defer wg.Done(); trainLbls = loadLabels(dir, TrainLabelsFile) }()
	go func() { defer wg.Done(); testLbls = loadLabels(dir, TestLabelsFile) }()
	wg.Wait()
	if err := errors.Join(trainImgs.err, trainLbls.err, testImgs.err, testLbls.err); err != nil {
		return nil, nil, err
	}
	if train, err = makeSet(trainImgs, trainLbls); err != nil {
		return nil, nil, err
	}
	if test, err = makeSet(testImgs, testLbls); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

type imageResult struct {
	file string
	set  *Set
	err  error
}

type labelResult struct {
	file   string
	labels []int
	err    error
}

// loadImages reads and normalises one image file of dir.
func loadImages(dir, name string) imageResult {
	f, file, err := openData(dir, name)
	if err != nil {
		return imageResult{err: err}
	}
	defer f.Close()
	img, err := readImages(f, file, true)
	if err != nil {
		return imageResult{err: err}
	}
	if img.rows != Rows || img.cols != Cols {
		return imageResult{err: &ReadError{File: file, Detail: fmt.Sprintf("images are %d×%d, want %d×%d", img.rows, img.cols, Rows, Cols), Err: ErrSize}}
	}
	return imageResult{file: file, set: &Set{Images: img.tensor(), Pixels: img.pix}}
}

// loadLabels reads one label file of dir.
func loadLabels(dir, name string) labelResult {
	f, file, err := openData(dir, name)
	if err != nil {
		return labelResult{err: err}
	}
	defer f.Close()
	labels, err := readLabels(f, file)
	return labelResult{file: file, labels: labels, err: err}
}

// openData opens name+".gz" in dir, or name when that does not exist, and
// returns the file with its base name.
func openData(dir, name string) (*os.File, string, error) {
	for _, file := range []string{name + ".gz", name} {
		f, err := os.Open(filepath.Join(dir, file))
		if err == nil {
			return f, file, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("mnist: %w", err)
		}
	}
	return nil, "", fmt.Errorf("mnist: %s: neither %s.gz nor %s exists (Download fetches them): %w", dir, name, name, fs.ErrNotExist)
}

// makeSet pairs images with their labels.
func makeSet(imgs imageResult, lbls labelResult) (*Set, error) {
	n := imgs.set.Images.Shape()[0]
	if n != len(lbls.labels) {
		return nil, fmt.Errorf("mnist: %s has %d images but %s has %d labels: %w", imgs.file, n, lbls.file, len(lbls.labels), ErrCountMismatch)
	}
	imgs.set.Labels = lbls.labels
	return imgs.set, nil
}
