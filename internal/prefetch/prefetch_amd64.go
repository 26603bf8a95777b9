//go:build amd64 && !purego

package prefetch

import "unsafe"

// lines prefetches the cache lines of [p, p+n), n > 0.
//
//go:noescape
func lines(p unsafe.Pointer, n int)
