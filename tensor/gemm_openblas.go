//go:build openblas

package tensor

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// withOpenBLAS reports whether this build has the OpenBLAS engine.
const withOpenBLAS = true

// defaultEngine is the engine of every product until SetEngine chooses
// one: in the openblas build, OpenBLAS.
func defaultEngine() Engine { return OpenBLAS }

// gemmOpenBLAS computes c = alpha·op(a)·op(b) + beta·c for non-empty
// operands whose shapes have been checked, handing the whole product to
// the C BLAS that gonum.org/v1/netlib links (OpenBLAS, which uses its own
// threads). The build needs cgo and OpenBLAS's development files (Debian:
// libopenblas-dev); it links with -lopenblas.
func gemmOpenBLAS(transA, transB bool, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	k := a.Cols
	if transA {
		k = a.Rows
	}
	netlib.Implementation{}.Dgemm(trans(transA), trans(transB), c.Rows, c.Cols, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
}
