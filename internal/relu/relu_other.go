//go:build !amd64 || purego

package relu

// kernel is the implementation in use; tests may swap it.
var kernel = goKernels

// available lists the implementations this build can run, for tests.
func available() []kernels { return []kernels{goKernels} }
