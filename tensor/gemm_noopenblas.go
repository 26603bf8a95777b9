//go:build !openblas

package tensor

import (
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/numlearn/numlearn/internal/gemm"
)

// withOpenBLAS reports whether this build has the OpenBLAS engine.
const withOpenBLAS = false

// defaultEngine is the engine of every product until SetEngine chooses
// one: Packed where an assembly micro-kernel runs on this CPU, else Gonum
// (the purego build, other architectures, amd64 CPUs without AVX2 and
// FMA), whose kernels outrun the portable packed one: compare
// engine=packed with engine=gonum in
// go test -tags purego -run '^$' -bench MatMul ./tensor/
func defaultEngine() Engine {
	if gemm.Accelerated() {
		return Packed
	}
	return Gonum
}

// gemmOpenBLAS is never called in this build: SetEngine refuses OpenBLAS.
func gemmOpenBLAS(transA, transB bool, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	panic("tensor: openblas is not in this build")
}
