package workers

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// meetJob has each of its participants wait, up to a second, until want
// of them are in Run at once.
type meetJob struct {
	want, in atomic.Int64
	met      atomic.Bool
	wg       sync.WaitGroup
}

func (j *meetJob) Run() {
	j.in.Add(1)
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if j.in.Load() >= j.want.Load() {
			j.met.Store(true)
			return
		}
		runtime.Gosched()
	}
}

func TestPoolFollowsGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4, 8, 3} {
		runtime.GOMAXPROCS(procs)
		j := new(meetJob)
		j.want.Store(int64(procs))
		Share(j, Helpers(100), &j.wg)
		assert.True(t, j.met.Load(), "GOMAXPROCS=%d: %d goroutines ran the job at once", procs, j.in.Load())
	}
}

// sleepJob does nothing but, for its caller, waits until its helpers
// have parked and then some; its helpers find nothing left.
type sleepJob struct {
	calls atomic.Int64
	wg    sync.WaitGroup
}

func (j *sleepJob) Run() {
	if j.calls.Add(1) == 1 {
		time.Sleep(2 * spinFor)
	}
}

func TestShareTakesBackOffersNotStarted(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(4)
	for range 20 {
		j := &countJob{pieces: 1}
		Share(j, 3, &j.wg)
		assert.Equal(t, int64(1), j.sum.Load())
		s := new(sleepJob)
		Share(s, 3, &s.wg)
		assert.LessOrEqual(t, s.calls.Load(), int64(4))
	}
	// Every worker is idle again: a job that needs all of them meets.
	j := new(meetJob)
	j.want.Store(4)
	Share(j, 3, &j.wg)
	assert.True(t, j.met.Load())
}

// spinJob shares pieces of about work nanoseconds of arithmetic each.
type spinJob struct {
	pieces int
	work   int
	next   atomic.Int64
	sink   atomic.Int64
	wg     sync.WaitGroup
}

func (j *spinJob) Run() {
	for {
		k := j.next.Add(1)
		if k > int64(j.pieces) {
			return
		}
		x := k
		for range j.work {
			x = x*6364136223846793005 + 1442695040888963407
		}
		j.sink.Add(x)
	}
}

// BenchmarkShare measures a hand-off: a job of two pieces, each a loop
// of the given length, shared with one helper, one job after another as
// a training step hands them out. With GOMAXPROCS=1 it runs on the
// caller alone; with 2 the difference from half of that is the cost of
// waking a helper and waiting for it.
func BenchmarkShare(b *testing.B) {
	for _, work := range []int{0, 2000, 20000} {
		b.Run(fmt.Sprintf("pieces=2/loop=%d", work), func(b *testing.B) {
			b.ReportAllocs()
			j := &spinJob{pieces: 2, work: work}
			for b.Loop() {
				j.next.Store(0)
				Share(j, Helpers(2), &j.wg)
			}
		})
	}
}
