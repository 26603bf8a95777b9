//go:build !linux

package hugepage

// Advise does nothing outside Linux.
func Advise[E byte | int32 | int | float64]([]E) {}
