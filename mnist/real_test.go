package mnist_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/mnist"
)

// realDir downloads MNIST into DefaultDir (a no-op once the files are
// cached there) and returns the folder. Under -short it skips the test:
// the download needs the network (a mirror, or a Go module proxy for the
// last source).
func realDir(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("downloads MNIST: needs the real MNIST files; run without -short")
	}
	dir, err := mnist.DefaultDir()
	require.NoError(tb, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	require.NoError(tb, mnist.Download(ctx, dir))
	return dir
}

// TestRealData checks the real files against facts published with MNIST
// and printed in the book: 60,000 training and 10,000 test images, the
// first labels of each set (the book's mnist_show.py shows a 5 first), and
// pixels normalised into [0, 1].
func TestRealData(t *testing.T) {
	train, test, err := mnist.Load(realDir(t))
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		set   *mnist.Set
		n     int
		first []int
	}{
		{"train", train, 60000, []int{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}},
		{"test", test, 10000, []int{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.n, tc.set.Len())
			assert.Equal(t, []int{tc.n, 784}, tc.set.Images.Shape())
			assert.Len(t, tc.set.Pixels, tc.n*784)
			assert.Equal(t, tc.first, tc.set.Labels[:10])

			lo, hi := tc.set.Images.Data()[0], tc.set.Images.Data()[0]
			for _, v := range tc.set.Images.Data() {
				lo, hi = min(lo, v), max(hi, v)
			}
			assert.Equal(t, 0.0, lo, "darkest pixel")
			assert.Equal(t, 1.0, hi, "brightest pixel (255/255)")
		})
	}
}

// TestFetch fetches MNIST into DefaultDir through the one-call entry point
// and checks the facts ExampleFetch prints: the sizes published with
// MNIST and the first test labels.
func TestFetch(t *testing.T) {
	realDir(t) // skips under -short
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	train, test, err := mnist.Fetch(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []int{60000, 784}, train.Images.Shape())
	assert.Equal(t, []int{60000, 10}, train.OneHot().Shape())
	assert.Equal(t, 10000, test.Len())
	assert.Equal(t, []int{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, test.Labels[:10])
}

// TestRealDownloaderProgress fetches into a fresh folder through a
// Downloader with a progress callback, which must report each of the four
// files up to its full size.
func TestRealDownloaderProgress(t *testing.T) {
	realDir(t) // skips under -short
	done := map[string]int64{}
	d := mnist.Downloader{
		Progress: func(file string, n, total int64) {
			assert.LessOrEqual(t, n, total, file)
			done[file] = n
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	require.NoError(t, d.Download(ctx, t.TempDir()))
	// The sizes of the canonical files.
	assert.Equal(t, map[string]int64{
		"train-images-idx3-ubyte.gz": 9912422,
		"train-labels-idx1-ubyte.gz": 28881,
		"t10k-images-idx3-ubyte.gz":  1648877,
		"t10k-labels-idx1-ubyte.gz":  4542,
	}, done)
}

func BenchmarkLoad(b *testing.B) {
	dir := realDir(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := mnist.Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}
