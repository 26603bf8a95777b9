//go:build !linux

package mnist

// adviseHugePages does nothing outside Linux.
func adviseHugePages([]float64) {}
