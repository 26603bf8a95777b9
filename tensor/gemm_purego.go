//go:build purego && !openblas

package tensor

import "gonum.org/v1/gonum/blas/blas64"

// product computes c = alpha·op(a)·op(b) + beta·c for non-empty operands
// whose shapes have been checked. The purego build uses gonum's kernels,
// tile by tile.
func product(transA, transB bool, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	gemmTiled(transA, transB, alpha, a, b, beta, c)
}
