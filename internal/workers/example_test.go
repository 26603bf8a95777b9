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
