package layers

import (
	"sync"

	"github.com/numlearn/numlearn/internal/workers"
)

// rangeJob shares a loop over [0, n) among the cores in pieces of a fixed
// size, for layers whose work on each piece depends on nothing another
// piece computes: element-wise activations, the copying of a batch's
// rows, and BatchNorm's rows — its sums over the batch each piece of rows
// into a partial sum of its own, added in order afterwards. So the
// results are the same bits however many cores take part.
type rangeJob struct {
	fn     func(lo, hi int)
	n, per int
	split  workers.Split
	wg     sync.WaitGroup
}

// shareWork is the number of values a layer's pass must touch before
// rangeJob shares it: some 100 µs on one core, a batch of 1000 through
// a layer of 100. A smaller pass is not worth it on a machine whose
// other cores are busy with other work at times: a helper descheduled in
// the middle of its piece holds up the whole pass, and a step of many
// small passes ran up to twice as slowly on two cores as on one.
const shareWork = 1 << 17

// run calls fn on [0, n) cut into ranges of per indices (the last may be
// shorter), on as many cores as are free when work, the values the
// whole loop touches, is at least shareWork; else once on all of [0, n),
// on the calling goroutine. Either way every range fn is given starts at
// a multiple of per. fn must be a value the caller keeps (a method value
// made once), so that run allocates nothing.
func (j *rangeJob) run(fn func(lo, hi int), n, per, work int) {
	pieces := (n + per - 1) / per
	j.share(fn, n, per, pieces, helpersFor(pieces, work))
}

// runBlocks is run for a loop whose pieces should be as large as the
// cores allow: [0, n) is cut into one contiguous block per core taking
// part, each a multiple of align indices. BatchNorm's element-wise
// passes share the batch's rows so, each core one block, the rows its
// sums read.
func (j *rangeJob) runBlocks(fn func(lo, hi int), n, align, work int) {
	pieces := (n + align - 1) / align
	helpers := helpersFor(pieces, work)
	if helpers == 0 {
		fn(0, n)
		return
	}
	per := (pieces + helpers) / (helpers + 1) * align
	blocks := (n + per - 1) / per
	j.share(fn, n, per, blocks, min(helpers, blocks-1))
}

// helpersFor returns how many helpers a loop of pieces pieces that
// touches work values gets: none below shareWork.
func helpersFor(pieces, work int) int {
	if work < shareWork {
		return 0
	}
	return workers.Helpers(pieces)
}

// share calls fn on the pieces of per indices of [0, n) on the calling
// goroutine and up to helpers workers, or once on all of [0, n) when
// there are none.
func (j *rangeJob) share(fn func(lo, hi int), n, per, pieces, helpers int) {
	if helpers == 0 {
		fn(0, n)
		return
	}
	j.fn, j.n, j.per = fn, n, per
	j.split.Reset(pieces, helpers+1)
	workers.Share(j, helpers, &j.wg)
	j.fn = nil
}

// Run does ranges until none is left (a workers.Job).
func (j *rangeJob) Run() { j.RunPart(0, 1) }

// RunPart does ranges until none is left, starting with participant p's
// share (a workers.PartJob).
func (j *rangeJob) RunPart(p, _ int) {
	cursor := 0
	for {
		k, ok := j.split.Take(p, &cursor)
		if !ok {
			return
		}
		j.fn(k*j.per, min((k+1)*j.per, j.n))
	}
}
