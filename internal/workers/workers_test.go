package workers

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// countJob adds 1..pieces into sum, one piece at a time.
type countJob struct {
	pieces int
	next   atomic.Int64
	sum    atomic.Int64
	wg     sync.WaitGroup
}

func (j *countJob) Run() {
	for {
		k := j.next.Add(1)
		if k > int64(j.pieces) {
			return
		}
		j.sum.Add(k)
	}
}

func TestShareDoesEveryPieceOnce(t *testing.T) {
	for _, pieces := range []int{0, 1, 2, 7, 1000} {
		j := &countJob{pieces: pieces}
		Share(j, Helpers(pieces), &j.wg)
		assert.Equal(t, int64(pieces*(pieces+1)/2), j.sum.Load(), "pieces=%d", pieces)
	}
}

func TestShareFromManyGoroutines(t *testing.T) {
	var all sync.WaitGroup
	for range 16 {
		all.Add(1)
		go func() {
			defer all.Done()
			for range 50 {
				j := &countJob{pieces: 100}
				Share(j, Helpers(100), &j.wg)
				assert.Equal(t, int64(5050), j.sum.Load())
			}
		}()
	}
	all.Wait()
}

func TestShareAllocatesNothing(t *testing.T) {
	j := &countJob{pieces: 64}
	Share(j, Helpers(64), &j.wg) // starts the workers
	allocs := testing.AllocsPerRun(100, func() {
		j.next.Store(0)
		Share(j, Helpers(64), &j.wg)
	})
	assert.Equal(t, 0.0, allocs)
}

func TestHelpers(t *testing.T) {
	assert.Equal(t, 0, Helpers(0))
	assert.Equal(t, 0, Helpers(1))
	assert.LessOrEqual(t, Helpers(100), 99)
}
