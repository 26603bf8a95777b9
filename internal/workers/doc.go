// Package workers shares a piece of work among a pool of goroutines that
// live for the whole program, without allocating per call: the parallel
// matrix products of internal/gemm, tensor and internal/sparse, the
// convolution's images, the layers' element-wise passes and the
// optimizers' updates use it.
//
//	j := &myJob{…}                    // a Job whose Run takes pieces by an atomic counter
//	workers.Share(j, workers.Helpers(pieces), &j.wg)
//
// # The pool follows GOMAXPROCS
//
// Helpers reads GOMAXPROCS on every call, and Share starts workers until
// there are GOMAXPROCS−1 of them, so a program that raises GOMAXPROCS
// (runtime.GOMAXPROCS, go test -cpu 1,2,4) gets the help it now allows.
// Workers are never stopped: after GOMAXPROCS is lowered the extra ones
// stay parked, and Helpers asks for no more than GOMAXPROCS−1.
//
// # Hand-offs
//
// Each worker has a word of state of its own, which Share sets to offer it
// a job; an idle worker watches that word for spinFor (100 µs) after its
// last job, and only then parks on a channel. A training step hands out
// a job every few to few hundred microseconds (a product, a convolution's
// images, an update), so the workers of a step stay awake and take each
// job at once, where waking a parked goroutine costs microseconds through
// the scheduler, and often tens on a busy machine. BenchmarkShare measures
// a hand-off:
//
//	go test -c -o /tmp/w.test ./internal/workers
//	GOMAXPROCS=2 /tmp/w.test -test.run '^$' -test.bench Share
//
// When the caller's Run returns, every piece has been taken: Share takes
// back the offers that no worker has started, and waits only for the
// workers that are running, watching their state for up to spinFor before
// it blocks, since they finish about when the caller does. Two pieces of
// 22 µs each then take 23 µs on two cores, where parking both sides took
// 47 µs, no faster than one core (BenchmarkShare, pieces=2/loop=20000).
//
// # Affinity
//
// A job that implements PartJob learns which participant runs it: 0 on
// the calling goroutine, 1 … on the helpers. With a Split, each
// participant starts on a contiguous share of the pieces of its own and
// then takes what is left of the others', so that passes over the same
// data cut the same way — a convolution's images, then the Affine
// layer's rows of the same batch; a weight's gradient by rows, then its
// update — tend to leave each share with the core that last worked on it
// rather than moving it between the cores' caches. The caller is always
// participant 0; with one helper (two cores) the helper is always 1.
// SimpleConvNet's training step on images of scattered pixels took 4.54
// ms on two cores against 4.82 ms with every piece taken from one counter
// (five alternating runs of BenchmarkConvTrainStep when it trained on
// such images; on MNIST's digits it takes the dense path).
//
// # Determinism
//
// Which goroutine does which piece varies from run to run. A job whose
// result must not depend on that — every job in numlearn — cuts its work
// into pieces fixed by the data alone (never by the number of cores), each
// of which computes its part in a fixed order, and combines the pieces in
// a fixed order. The results are then the same bits on any number of
// cores.
package workers
