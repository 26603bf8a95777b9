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
// # Engines
//
// Matrix products (MatMul, MatMulTransA, MatMulTransB, Gemm) run on one of
// three engines, each an Engine value:
//
//   - Packed, numlearn's own kernels: the operands are packed into
//     cache-sized panels and multiplied by a register-blocked
//     micro-kernel written in Go assembly, AVX-512 where the CPU has it,
//     else AVX2 with FMA, chosen at run time from the CPU's features;
//     elsewhere by a portable Go kernel. Products of more than about
//     1.7·10⁷ floating-point operations (a 1000×784·784×50 product, not a
//     batch of 100) are shared among GOMAXPROCS cores by worker goroutines
//     that live for the whole program.
//   - Gonum: gonum's pure-Go BLAS kernels (blas64.Gemm), run tile by tile
//     and shared among long-lived worker goroutines in the same way.
//   - OpenBLAS: the whole product handed to OpenBLAS through cgo, by way
//     of gonum.org/v1/netlib, on OpenBLAS's own threads.
//
// Packed and Gonum are in every build, and a product on either allocates
// nothing once warm. OpenBLAS is in the openblas build only, which needs
// cgo and OpenBLAS's development files (Debian: libopenblas-dev):
// go build -tags openblas. The default build needs no cgo.
//
// Until SetEngine chooses one, products run on Packed where an assembly
// micro-kernel runs, and elsewhere on Gonum, whose kernels outrun the
// portable one: in the purego build (go build -tags purego, which leaves
// out all assembly, as is the Go convention), on other architectures, and
// on amd64 CPUs without AVX2 and FMA. The openblas build runs on OpenBLAS.
// CurrentEngine says which engine runs; SetEngine chooses another, for
// comparison or for a CPU on which the assembly misbehaves:
//
//	prev := tensor.CurrentEngine()
//	tensor.SetEngine(tensor.Gonum)
//	defer tensor.SetEngine(prev)
//
// SetEngine may be called while other goroutines multiply: a product that
// starts after it runs on the new engine, and one already running finishes
// on its own. A product with a single row or column (a matrix-vector
// product) goes to gonum's blas64.Gemv whatever the engine.
//
// The choice reaches convolutions too. The layers package asks
// CurrentEngine: on Packed its convolutions unfold each image straight
// into the packed layout that the kernels read, and on the other engines
// they unfold it into a plain matrix and multiply through Gemm.
//
// Packed and Gonum sum every term of the product's definition, so a NaN or
// an infinity in an operand reaches the result in the same places
// whichever of them runs (0·NaN is NaN).
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
