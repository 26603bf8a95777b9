package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Job is work that several goroutines can do together: Run, called on
// each of them at once, takes pieces (typically by an atomic counter) and
// returns when none is left.
type Job interface{ Run() }

// PartJob is a Job that wants to know which participant runs it:
// Share calls RunPart(p, parts) instead of Run, with p = 0 on the calling
// goroutine and 1 … parts−1 on the helpers, each p on one goroutine, so
// that the job can give each participant its own share of the pieces
// first (see Split) and scratch space of its own. A PartJob's Run is
// RunPart(0, 1), for one goroutine alone.
type PartJob interface {
	Job
	RunPart(p, parts int)
}

// runAs runs job as participant p of parts: RunPart for a PartJob, Run
// for any other.
func runAs(job Job, p, parts int) {
	if pj, ok := job.(PartJob); ok {
		pj.RunPart(p, parts)
		return
	}
	job.Run()
}

// The states of a worker. An idle worker is on the idle list, spinning
// or parked; Share moves it to offered, and then either the worker moves
// it to running or Share takes the offer back (to spinning) when it has
// finished the job before the worker got to it. The state word holds the
// number of the last offer above the state's two bits, so that a Share
// can only take back its own offer, never a later one that another Share
// made once the worker was done with the first.
const (
	spinning  uint64 = iota // idle, watching state
	parked                  // idle, blocked on wake
	offered                 // a job is waiting for it in job and wg
	running                 // doing the job
	stateBits = 3
)

// worker is one goroutine of the pool.
type worker struct {
	state atomic.Uint64   // offer number << 2 | state
	job   Job             // the job offered; written before state becomes offered
	part  int             // the participant it is in the job offered
	parts int             // of how many
	wg    *sync.WaitGroup // counts it while the offer stands or it runs
	wake  chan struct{}   // one token per park, sent by whoever offers a job to a parked worker
}

var (
	mu      sync.Mutex
	idle    []*worker // workers free to take a job
	started atomic.Int32
)

// spinFor is how long an idle worker keeps watching for a job before it
// parks. A parked worker costs the caller a wake-up through the
// scheduler, several microseconds and often tens on a busy machine; a
// training step hands out a job every few hundred microseconds at most,
// so a worker that spins this long takes the next one at once.
const spinFor = 100 * time.Microsecond

// grow starts workers until there are n, and is cheap when there are.
func grow(n int) {
	if int(started.Load()) >= n {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	for int(started.Load()) < n {
		w := &worker{wake: make(chan struct{}, 1)}
		idle = append(idle, w)
		started.Add(1)
		go w.loop()
	}
}

// loop runs the jobs offered to w, for the rest of the program.
func (w *worker) loop() {
	for {
		if !w.await() {
			continue
		}
		runAs(w.job, w.part, w.parts)
		wg := w.wg
		w.job, w.wg = nil, nil
		wg.Done() // before the state changes, which the caller may be watching
		// The caller stops watching when the state changes; holding mu
		// meanwhile makes its next Share find w idle.
		mu.Lock()
		w.state.Store(w.state.Load()&^stateBits | spinning)
		idle = append(idle, w)
		mu.Unlock()
	}
}

// await waits for an offer, spinning for spinFor and then parking, and
// reports whether w took it (false: the offer was taken back first).
func (w *worker) await() bool {
	deadline := time.Now().Add(spinFor)
	for i := 0; ; i++ {
		v := w.state.Load()
		if v&stateBits == offered {
			return w.state.CompareAndSwap(v, v&^stateBits|running)
		}
		if i%64 == 63 {
			if time.Now().After(deadline) {
				if w.state.CompareAndSwap(v, v&^stateBits|parked) {
					<-w.wake
				}
				deadline = time.Now().Add(spinFor)
			}
			runtime.Gosched()
		}
	}
}

// offer offers w the job and returns the state word of the offer.
func (w *worker) offer(job Job, wg *sync.WaitGroup, part, parts int) uint64 {
	w.job, w.wg, w.part, w.parts = job, wg, part, parts
	for {
		v := w.state.Load() // spinning or parked: w is the caller's
		o := (v>>2+1)<<2 | offered
		if w.state.CompareAndSwap(v, o) {
			if v&stateBits == parked {
				w.wake <- struct{}{}
			}
			return o
		}
	}
}

// Helpers returns how many workers can help with a job split into pieces
// pieces: GOMAXPROCS−1, and never more than there are pieces besides the
// caller's. It reads GOMAXPROCS on every call, so a program that changes
// it (runtime.GOMAXPROCS, go test's -cpu) gets as many helpers as it
// now allows.
func Helpers(pieces int) int {
	return max(0, min(runtime.GOMAXPROCS(0)-1, pieces-1))
}

// maxHelpers bounds the helpers of one Share, so that the workers it
// takes fit in an array on the stack.
const maxHelpers = 255

// Share runs job on the calling goroutine and on up to helpers idle
// workers, and returns when every one of them has returned from Run. wg
// must not be in use; callers keep it in their job value, which they pool,
// so that Share allocates nothing. A worker busy with another job is not
// waited for: the calling goroutine does that share itself. Nor is one
// that had not started when the caller's Run returned: its offer is taken
// back, since Run returning means no piece was left to take.
func Share(job Job, helpers int, wg *sync.WaitGroup) {
	helpers = min(helpers, maxHelpers)
	if helpers <= 0 {
		runAs(job, 0, 1)
		return
	}
	grow(runtime.GOMAXPROCS(0) - 1)
	var taken [maxHelpers]*worker
	var offers [maxHelpers]uint64
	mu.Lock()
	n := min(helpers, len(idle))
	copy(taken[:n], idle[len(idle)-n:])
	clear(idle[len(idle)-n:])
	idle = idle[:len(idle)-n]
	mu.Unlock()
	wg.Add(n)
	for i, w := range taken[:n] {
		offers[i] = w.offer(job, wg, i+1, n+1)
	}
	runAs(job, 0, n+1)
	var back [maxHelpers]*worker
	nb := 0
	for i, w := range taken[:n] {
		if o := offers[i]; w.state.CompareAndSwap(o, o&^stateBits|spinning) {
			w.job, w.wg = nil, nil
			back[nb] = w
			nb++
			wg.Done()
		}
	}
	if nb > 0 {
		mu.Lock()
		idle = append(idle, back[:nb]...)
		mu.Unlock()
	}
	// The workers still running finish about when the caller did: watch
	// them for a while before blocking, which would cost the caller a
	// wake-up through the scheduler.
	deadline := time.Time{}
	for i, w := range taken[:n] {
		for k := 0; w.state.Load() == offers[i]&^stateBits|running; k++ {
			if k%64 == 63 {
				if deadline.IsZero() {
					deadline = time.Now().Add(spinFor)
				} else if time.Now().After(deadline) {
					break
				}
				runtime.Gosched()
			}
		}
	}
	wg.Wait()
}
