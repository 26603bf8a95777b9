//go:build !amd64 || purego

package gemm

// kernels lists the micro-kernels this build can run on this CPU, best
// first. Without amd64 assembly only the portable kernel is available.
func kernels() []kernel { return []kernel{goKernel} }
