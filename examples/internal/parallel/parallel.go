// Package parallel runs the examples' independent trainings on every
// core.
package parallel

import (
	"context"
	"runtime"
	"sync"
)

// Do calls job(0), …, job(n−1) on as many goroutines as there are cores
// (runtime.GOMAXPROCS) and waits for them. Once a job has returned an
// error or ctx is done, it hands out no more jobs (those already running
// finish); it returns the first job error, else ctx's error, else nil. Jobs run concurrently: each must write only
// what is its own, such as element i of a slice.
func Do(ctx context.Context, n int, job func(i int) error) error {
	next := make(chan int)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		stop  = make(chan struct{})
	)
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := job(i); err != nil {
					once.Do(func() { first = err; close(stop) })
				}
			}
		}()
	}
feed:
	for i := range n {
		select { // an error or a cancellation comes before the next job
		case <-stop:
			break feed
		case <-ctx.Done():
			break feed
		default:
		}
		select {
		case next <- i:
		case <-stop:
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
