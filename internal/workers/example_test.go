package workers_test

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/numlearn/numlearn/internal/workers"
)

// sumJob adds up 1…n, taking numbers one at a time, on however many
// goroutines Share gives it.
type sumJob struct {
	n, next, sum atomic.Int64
	wg           sync.WaitGroup
}

func (j *sumJob) Run() {
	for {
		k := j.next.Add(1)
		if k > j.n.Load() {
			return
		}
		j.sum.Add(k)
	}
}

func ExampleShare() {
	j := new(sumJob)
	j.n.Store(1000)
	workers.Share(j, workers.Helpers(1000), &j.wg)
	fmt.Println(j.sum.Load()) // 1000·1001/2
	// Output:
	// 500500
}

// partSumJob adds up 1…n like sumJob, but each participant starts on
// its own share of the numbers.
type partSumJob struct {
	n     int
	split workers.Split
	sum   atomic.Int64
	wg    sync.WaitGroup
}

func (j *partSumJob) Run() { j.RunPart(0, 1) }

func (j *partSumJob) RunPart(p, _ int) {
	cursor := 0
	for {
		k, ok := j.split.Take(p, &cursor)
		if !ok {
			return
		}
		j.sum.Add(int64(k + 1))
	}
}

func ExampleSplit() {
	j := &partSumJob{n: 1000}
	helpers := workers.Helpers(j.n)
	j.split.Reset(j.n, helpers+1)
	workers.Share(j, helpers, &j.wg)
	fmt.Println(j.sum.Load())
	// Output:
	// 500500
}
