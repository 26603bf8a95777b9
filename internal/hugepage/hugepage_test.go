package hugepage

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Advise is only a hint: the slice must hold the same values afterwards,
// whatever its size and alignment.
func TestAdviseKeepsContents(t *testing.T) {
	for _, n := range []int{0, 1, 1 << 18, 1<<20 + 3} {
		d := make([]float64, n, n+5)
		for i := range d {
			d[i] = float64(i)
		}
		Advise(d)
		Advise(d[min(1, n):]) // a misaligned start
		for i, v := range d {
			if v != float64(i) {
				t.Fatalf("n=%d: d[%d] = %v", n, i, v)
			}
		}
		assert.Len(t, d, n)
	}
	Advise([]byte{1})
	Advise(make([]int32, 1<<21))
}

// BenchmarkFirstWrite writes 64 MiB of freshly allocated memory, with and
// without the advice, as a loader filling a new data set does: where the
// kernel has transparent huge pages, the advised one takes far fewer page
// faults.
func BenchmarkFirstWrite(b *testing.B) {
	const n = 64 << 20 / 8
	for _, advise := range []bool{false, true} {
		b.Run(fmt.Sprintf("advise=%v", advise), func(b *testing.B) {
			b.SetBytes(n * 8)
			for b.Loop() {
				d := make([]float64, n)
				if advise {
					Advise(d)
				}
				for i := range d {
					d[i] = 1
				}
			}
		})
	}
}
