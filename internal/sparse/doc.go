// Package sparse multiplies a matrix held in compressed-row form (CSR) by a
// dense one, for inputs that are mostly zeros such as MNIST images, of
// which about a fifth of the pixels are nonzero.
//
// # Overview
//
//	var x sparse.CSR
//	if x.FromDense(batch, n, in, 0.3) { // (n, in), at most 30 % nonzeros
//		sparse.Mul(y, &x, w, m, b)      // y (n, m) = x·w (in, m) + b (m)
//		xt.Transpose(&x)
//		sparse.Mul(dw, &xt, dout, m, nil) // dw (in, m) = xᵀ·dout (n, m)
//	}
//
// Each row of the result is accumulated in registers while the row's
// nonzeros stream past: for each nonzero x[i][k], row k of w is scaled and
// added. On amd64 the inner loop is Go assembly using AVX-512 or AVX2 with
// FMA, chosen from the CPU's features (golang.org/x/sys/cpu); elsewhere, or
// with the purego build tag, it is plain Go. The AVX-512 kernel multiplies
// by a copy of w whose rows start on cache lines when w's do not and each
// row is read often enough to repay the copy (see align.go). Large
// products are shared among GOMAXPROCS goroutines by rows of the result,
// so no two goroutines write the same element.
//
// # Shapes
//
// All matrices are row-major []float64 without padding. The sizes are
// checked and a mismatch panics.
//
// # Aliasing
//
// The destination must not overlap any operand.
package sparse
