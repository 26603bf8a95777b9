//go:build !amd64 || purego

package prefetch

import "unsafe"

// lines does nothing without a prefetch instruction to call.
func lines(unsafe.Pointer, int) {}
