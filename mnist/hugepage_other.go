//go:build !linux

package mnist

// adviseHugePages does nothing outside Linux.
func adviseHugePages[E byte | float64]([]E) {}
