//go:build !linux

// Package hugepage asks the operating system to back large slices with
// huge pages before they are first written.
package hugepage

// Advise does nothing outside Linux.
func Advise[E byte | int32 | int | float64]([]E) {}
