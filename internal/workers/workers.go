package workers

import (
	"runtime"
	"sync"
)

// Job is work that several goroutines can do together: Run, called on
// each of them at once, takes pieces (typically by an atomic counter) and
// returns when none is left.
type Job interface{ Run() }

// offer hands a job to a worker, with the WaitGroup that counts it.
type offer struct {
	job Job
	wg  *sync.WaitGroup
}

var (
	once  sync.Once
	queue chan offer
)

// start starts GOMAXPROCS−1 workers, on the first job that asks for help.
func start() {
	n := runtime.GOMAXPROCS(0) - 1
	queue = make(chan offer, max(n, 1))
	for range n {
		go func() {
			for o := range queue {
				o.job.Run()
				o.wg.Done()
			}
		}()
	}
}

// Helpers returns how many workers can help with a job split into pieces
// pieces: GOMAXPROCS−1, and never more than there are pieces besides the
// caller's.
func Helpers(pieces int) int {
	return max(0, min(runtime.GOMAXPROCS(0)-1, pieces-1))
}

// Share runs job on the calling goroutine and on up to helpers idle
// workers, and returns when every one of them has returned from Run. wg
// must not be in use; callers keep it in their job value, which they pool,
// so that Share allocates nothing. A worker busy with another job is not
// waited for: the calling goroutine does that share itself.
func Share(job Job, helpers int, wg *sync.WaitGroup) {
	if helpers > 0 {
		once.Do(start)
	}
	wg.Add(helpers)
	for range helpers {
		select {
		case queue <- offer{job, wg}:
		default: // every worker is busy with another job
			wg.Done()
		}
	}
	job.Run()
	wg.Wait()
}
