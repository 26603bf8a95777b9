//go:build amd64 && !purego

package relu

import "golang.org/x/sys/cpu"

var avx512Kernels = kernels{name: "avx512", forward: forward512, backward: backward512}

// kernel is the implementation in use; tests may swap it.
var kernel = best()

func best() kernels {
	if cpu.X86.HasAVX512F {
		return avx512Kernels
	}
	return goKernels
}

// available lists the implementations this CPU can run, for tests.
func available() []kernels {
	if cpu.X86.HasAVX512F {
		return []kernels{goKernels, avx512Kernels}
	}
	return []kernels{goKernels}
}

const width = 16 // elements a round of the assembly loops

func forward512(y, x []float64) int {
	n := len(x) &^ (width - 1)
	if n > 0 {
		_ = y[n-1]
		forwardAVX512(&y[0], &x[0], n)
	}
	return n
}

func backward512(g, d, y []float64) int {
	n := len(y) &^ (width - 1)
	if n > 0 {
		_, _ = g[n-1], d[n-1]
		backwardAVX512(&g[0], &d[0], &y[0], n)
	}
	return n
}

// forwardAVX512 and backwardAVX512 run forwardGo and backwardGo over n
// elements, a multiple of 16.
//
//go:noescape
func forwardAVX512(y, x *float64, n int)

//go:noescape
func backwardAVX512(dx, d, y *float64, n int)
