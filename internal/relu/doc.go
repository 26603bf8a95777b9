// Package relu runs the rectifier's two loops over float64 slices:
//
//	Forward:  y = max(x, 0), with Go's max: NaN stays NaN, −0 gives +0
//	Backward: g = d where y ≠ 0 (bit for bit), else +0
//
// Forward's result y is +0, positive or NaN, so it serves as the book's
// mask: x > 0 exactly where y's bits are not all zero (NaN keeps its
// gradient, as the mask "not x ≤ 0" does).
//
// The Go compiler does not vectorise loops, and its max(x, 0) for floats,
// which must honour NaN and −0, takes several scalar instructions per
// element. On amd64 with AVX-512F the loops run in Go assembly, 16
// elements a round: VMAXPD, with a NaN put back, its sign bit cleared as
// Go's max leaves it, under a mask of the unordered lanes; and VPTESTMQ
// with a zero-masked move. The results are the Go loops' bit for bit
// (tested on NaNs of both signs with payloads, ±0, ±Inf and subnormal
// values). Elsewhere, or with the purego build tag, the Go loops run.
// BenchmarkKernels compares the two:
//
//	go test -run '^$' -bench Kernels ./internal/relu
package relu
