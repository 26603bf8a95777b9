// Package tensor provides Tensor, a dense N-dimensional array of float64
// values stored contiguously in row-major order, with the arithmetic a
// neural network needs: numpy-style broadcasting, element-wise maths,
// reductions, and fast matrix products.
//
// # Overview
//
//	x := tensor.FromRows([][]float64{{1.0, 0.5}})                 // (1, 2)
//	w := tensor.FromRows([][]float64{{0.1, 0.3, 0.5}, {0.2, 0.4, 0.6}}) // (2, 3)
//	b := tensor.FromSlice([]float64{0.1, 0.2, 0.3})               // (3)
//
//	var a, z tensor.Tensor // empty: sized by the first call
//	a.MatMul(x, w)         // a = x·w, (1, 3)
//	a.Add(&a, b)           // a = a + b, b broadcast over the rows
//	z.Sigmoid(&a)          // z = 1/(1+e⁻ᵃ)
//	fmt.Println(&z)        // [[0.57444252 0.66818777 0.75026011]]
//
// # Shapes
//
// A tensor's shape is a list of dimensions; its Size is their product and
// its Data the row-major backing slice. A scalar has shape [] and one
// element. Reshape, Row and Slice return views that share the data; Clone,
// Transpose and FromRows copy. FromSlice wraps a caller's slice without
// copying it.
//
// # Receiver is the destination
//
// As in gonum's mat package, the receiver of an operation holds its result
// and the arguments are never changed: t.Add(a, b) stores a+b in t. An empty
// tensor (the zero value, or one after Reset) is sized by the call; a
// non-empty receiver must already have the result's shape, or the call
// panics. Keeping destinations from one step to the next is what makes a
// training step free of allocations. An empty tensor has no shape, so it
// is never a valid argument: every operation given one (or nil) as an
// input panics.
//
// # Broadcasting
//
// Add, Sub, Mul and Div follow numpy's broadcasting rules: shapes are
// aligned at their last dimension, missing leading dimensions count as 1,
// and a dimension of 1 stretches to match the other operand. So (100, 50) +
// (50) adds a bias to every row, (3, 1) · (1, 4) gives a (3, 4) outer
// product, and a scalar (shape [] or [1]) combines with anything.
//
// # Aliasing
//
// Element-wise operations (Add … Div, Scale, Apply, Exp, Sigmoid, Softmax and
// the rest) may use the receiver as an input: t.Add(t, b) updates t in
// place. Matrix products (MatMul, MatMulTransA, MatMulTransB, Gemm) and
// SumAxis must not write into a tensor that shares data with an input; the
// products check and panic. Partial overlap between views is not supported
// anywhere.
//
// # Performance
//
// Matrix products (MatMul, MatMulTransA, MatMulTransB, Gemm) pack their
// operands into cache-sized panels and multiply them with a register-blocked
// micro-kernel written in Go assembly: AVX-512 where the CPU has it, else
// AVX2 with FMA, chosen at run time from the CPU's features; on other CPUs
// and architectures they use gonum's BLAS kernels. Products of more than
// about 1.7·10⁷ floating-point operations (a 1000×784·784×50 product, not
// a batch of 100) are shared among GOMAXPROCS cores by worker goroutines
// that live for the whole program; a product allocates nothing once warm.
//
// Two switches bring back gonum's pure-Go BLAS kernels (blas64.Gemm, run
// tile by tile on the same workers), for comparison or for a CPU on which
// the assembly misbehaves:
//
//   - the build tag purego (go build -tags purego), which leaves out all
//     assembly, as is the Go convention;
//   - the environment variable NUMLEARN_GEMM=gonum, read once, on the
//     first product.
//
// Both built-in engines sum every term of the product's definition, so a
// NaN or an infinity in an operand reaches the result in the same places
// whichever of them runs (0·NaN is NaN).
//
// With cgo and OpenBLAS installed (Debian: libopenblas-dev), the build tag
// openblas routes every product through OpenBLAS instead, by way of
// gonum.org/v1/netlib. The default build needs no cgo.
//
// # Errors
//
// Every misuse in this package is a programmer error and panics with a
// message that names the operation and the shapes involved, for example
//
//	tensor: Add: shapes [2 3] and [4] cannot broadcast
//
// There are no data errors here: numbers that overflow become ±Inf or NaN
// as IEEE 754 says, and the packages that read outside data check it.
package tensor
