package tensor

import (
	"fmt"
	"sync/atomic"

	"gonum.org/v1/gonum/blas/blas64"

	"github.com/numlearn/numlearn/internal/gemm"
)

// Engine is a matrix-product engine: what computes MatMul, MatMulTransA,
// MatMulTransB and Gemm (and, through the layers package, convolutions).
// See Engines in the package doc for what each one is and which one a
// build starts with.
type Engine int

const (
	Packed   Engine = iota // numlearn's packed kernels (AVX-512 or AVX2+FMA micro-kernels; a portable Go kernel elsewhere)
	Gonum                  // gonum's blas64, tile by tile
	OpenBLAS               // OpenBLAS through cgo: the openblas build only
)

// String returns the engine's name: "packed", "gonum" or "openblas".
func (e Engine) String() string {
	switch e {
	case Packed:
		return "packed"
	case Gonum:
		return "gonum"
	case OpenBLAS:
		return "openblas"
	}
	return fmt.Sprintf("Engine(%d)", int(e))
}

// chosen holds the engine SetEngine chose, plus one; zero means that none
// was chosen and the build's default applies.
var chosen atomic.Int32

// SetEngine makes e the engine of every matrix product that starts after
// it returns; a product already running finishes on the engine it started
// with. It is safe to call while other goroutines multiply. SetEngine
// panics if e is not an engine of this build: OpenBLAS without the build
// tag openblas, or a value that names no engine.
func SetEngine(e Engine) {
	if !inBuild(e) {
		if e == OpenBLAS {
			panic("tensor: SetEngine: openblas is not in this build (it needs the build tag openblas)")
		}
		panic(fmt.Sprintf("tensor: SetEngine: %v is not an engine", e))
	}
	chosen.Store(int32(e) + 1)
}

// CurrentEngine returns the engine that a product started now runs on:
// the last one SetEngine chose, or the build's default.
func CurrentEngine() Engine {
	if e := chosen.Load(); e != 0 {
		return Engine(e - 1)
	}
	return defaultEngine()
}

// inBuild reports whether e is an engine of this build.
func inBuild(e Engine) bool {
	return e == Packed || e == Gonum || e == OpenBLAS && withOpenBLAS
}

// product computes c = alpha·op(a)·op(b) + beta·c for non-empty operands
// whose shapes have been checked, on the current engine.
func product(transA, transB bool, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	switch CurrentEngine() {
	case Gonum:
		gemmTiled(transA, transB, alpha, a, b, beta, c)
	case OpenBLAS:
		gemmOpenBLAS(transA, transB, alpha, a, b, beta, c)
	default:
		k := a.Cols
		if transA {
			k = a.Rows
		}
		gemm.Gemm(transA, transB, c.Rows, c.Cols, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
	}
}
