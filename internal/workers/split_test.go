package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSplitTakesEveryPieceOnce takes the pieces of splits of several
// sizes from several participants at once, some of which never turn up,
// and checks that every piece is taken exactly once.
func TestSplitTakesEveryPieceOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100, 1000} {
		for _, parts := range []int{1, 2, 3, 8} {
			for _, present := range []int{1, parts} {
				var s Split
				s.Reset(n, parts)
				counts := make([]atomic.Int32, n)
				var wg sync.WaitGroup
				for p := range present {
					wg.Add(1)
					go func() {
						defer wg.Done()
						cursor := 0
						for {
							k, ok := s.Take(p, &cursor)
							if !ok {
								return
							}
							counts[k].Add(1)
							runtime.Gosched()
						}
					}()
				}
				wg.Wait()
				for k := range counts {
					require.EqualValues(t, 1, counts[k].Load(), "n=%d parts=%d present=%d: piece %d", n, parts, present, k)
				}
			}
		}
	}
}

// TestSplitStartsWithOwnShare has one participant take every piece of a
// split of 10 into 3 shares (0–2, 3–5, 6–9): its own share first, then
// the next ones, in order.
func TestSplitStartsWithOwnShare(t *testing.T) {
	want := map[int][]int{
		0: {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		1: {3, 4, 5, 6, 7, 8, 9, 0, 1, 2},
		2: {6, 7, 8, 9, 0, 1, 2, 3, 4, 5},
	}
	for p, w := range want {
		var s Split
		s.Reset(10, 3)
		var got []int
		cursor := 0
		for {
			k, ok := s.Take(p, &cursor)
			if !ok {
				break
			}
			got = append(got, k)
		}
		require.Equal(t, w, got, "participant %d", p)
	}
}

// TestShareTellsEachParticipantItsPart checks that the parts a PartJob is
// run as are 0 on the caller and distinct, below the count they are given.
func TestShareTellsEachParticipantItsPart(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for range 100 {
		j := &partsJob{}
		Share(j, 3, &j.wg)
		j.mu.Lock()
		require.NotEmpty(t, j.seen)
		require.True(t, j.seen[0], "the caller is participant 0")
		for p := range j.seen {
			require.Less(t, p, j.parts)
		}
		j.mu.Unlock()
	}
}

type partsJob struct {
	mu    sync.Mutex
	seen  map[int]bool
	parts int
	wg    sync.WaitGroup
}

func (j *partsJob) Run() { panic("Run called on a PartJob") }

func (j *partsJob) RunPart(p, parts int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.seen == nil {
		j.seen = map[int]bool{}
	}
	if j.seen[p] {
		panic("participant given twice")
	}
	j.seen[p], j.parts = true, parts
}
