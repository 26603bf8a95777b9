package prefetch

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestHeadChangesNothing prefetches every length and offset of a small
// slice, of elements of several sizes, and empty and nil slices: Head must
// return (its loop ends) and leave every value as it was.
func TestHeadChangesNothing(t *testing.T) {
	data := make([]float64, 300)
	for i := range data {
		data[i] = float64(i) + 0.5
	}
	want := slices.Clone(data)
	for from := range 20 {
		for to := from; to <= len(data); to += 7 {
			for _, n := range []int{-1, 0, 1, 63, 64, 65, 200, 1 << 20} {
				Head(data[from:to], n)
			}
		}
	}
	if !slices.Equal(data, want) {
		t.Fatal("Head changed the data")
	}
	bytes := []byte("abcdefgh")
	Head(bytes[3:], 2)
	Head([]int32(nil), 64)
	Head([][3]byte{{1, 2, 3}}, 2)
	Head([]struct{}{{}, {}}, 64) // elements of no size: nothing to load
	if string(bytes) != "abcdefgh" {
		t.Fatal("Head changed the bytes")
	}
}

// BenchmarkGather copies 100 rows of 784 values, drawn at random from a
// set of 60,000 (376 MB, far beyond the caches), as a training step draws
// a batch of MNIST images, with and without asking for the first lines of
// every row before copying any.
func BenchmarkGather(b *testing.B) {
	const rows, cols, batch = 60000, 784, 100
	src := make([]float64, rows*cols)
	for i := range src {
		src[i] = float64(i)
	}
	dst := make([]float64, batch*cols)
	rng := rand.New(rand.NewPCG(1, 2))
	idx := make([]int, batch)
	for _, head := range []int{0, Row} {
		b.Run(fmt.Sprintf("head=%d", head), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i := range idx {
					idx[i] = rng.IntN(rows)
				}
				if head > 0 {
					for _, r := range idx {
						Head(src[r*cols:(r+1)*cols], head)
					}
				}
				for i, r := range idx {
					copy(dst[i*cols:(i+1)*cols], src[r*cols:(r+1)*cols])
				}
			}
		})
	}
}
