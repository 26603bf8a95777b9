// Package workers shares a piece of work among a fixed set of goroutines
// that live for the whole program, without allocating per call: the
// parallel matrix products of tensor and internal/sparse use it.
package workers
