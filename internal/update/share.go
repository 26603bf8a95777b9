package update

import (
	"sync"

	"github.com/numlearn/numlearn/internal/workers"
)

const (
	// shareLen is the length of parameter below which an update runs on
	// the calling goroutine alone. An update is a pass over memory, and
	// in a training step the half another core updates has to travel
	// back to the core that runs the next forward pass. A step of a
	// 784-100-100-100-10 net with BatchNorm, batch 100, on two cores
	// took 770 µs with Adam's update of its 784×100 weights (78,400
	// values) shared, 735 µs with it on one core. The 4320×100 weights
	// of SimpleConvNet are shared.
	shareLen = 1 << 17
	// pieceLen is the length of one piece of a shared update, a multiple
	// of every kernel's width. Each element's result depends only on its
	// own values, so how the pieces fall among the cores changes nothing.
	pieceLen = 1 << 13
)

// The rules a shared update can apply.
const (
	ruleSGD = iota
	ruleAdaGrad
	ruleRMSProp
	ruleAdam
)

// shareJob is one update shared among cores; participants take pieces of
// pieceLen elements by index.
type shareJob struct {
	rule       int
	p, g, a, b []float64 // the parameter, its gradient and up to two state slices
	args       [4]float64
	split      workers.Split
	wg         sync.WaitGroup
}

var jobPool = sync.Pool{New: func() any { return new(shareJob) }}

// shared reports whether an update of p is large enough to share, and if
// so shares it.
func shared(rule int, p, g, a, b []float64, args [4]float64) bool {
	if len(p) < shareLen {
		return false
	}
	pieces := (len(p) + pieceLen - 1) / pieceLen
	helpers := workers.Helpers(pieces)
	if helpers == 0 {
		return false
	}
	j := jobPool.Get().(*shareJob)
	j.rule, j.p, j.g, j.a, j.b, j.args = rule, p, g, a, b, args
	j.split.Reset(pieces, helpers+1)
	workers.Share(j, helpers, &j.wg)
	j.p, j.g, j.a, j.b = nil, nil, nil, nil
	jobPool.Put(j)
	return true
}

// Run updates pieces until none is left (a workers.Job).
func (j *shareJob) Run() { j.RunPart(0, 1) }

// RunPart updates pieces until none is left, starting with participant
// p's share (a workers.PartJob): the parameter's first part on the
// calling goroutine, as the products that computed its gradient share it.
func (j *shareJob) RunPart(p, _ int) {
	cursor := 0
	for {
		k, ok := j.split.Take(p, &cursor)
		if !ok {
			return
		}
		lo, hi := k*pieceLen, min((k+1)*pieceLen, len(j.p))
		j.apply(lo, hi)
	}
}

// apply runs the rule on elements [lo, hi).
func (j *shareJob) apply(lo, hi int) {
	p, g, x := j.p[lo:hi], j.g[lo:hi], j.args
	switch j.rule {
	case ruleSGD:
		sgd(p, g, x[0])
	case ruleAdaGrad:
		adaGrad(p, g, j.a[lo:hi], x[0], x[1])
	case ruleRMSProp:
		rmsProp(p, g, j.a[lo:hi], x[0], x[1], x[2], x[3])
	case ruleAdam:
		adam(p, g, j.a[lo:hi], j.b[lo:hi], x[0], x[1], x[2], j.args[3])
	}
}
