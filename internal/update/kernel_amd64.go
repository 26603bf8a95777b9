//go:build amd64 && !purego

package update

import "golang.org/x/sys/cpu"

// The assembly kernels take 8 elements at a time in zmm registers with
// AVX-512F, or 4 in ymm registers with AVX2, and the zmm kernels are
// preferred where both run. Their time goes to the square roots and
// divisions, which share one unit, so unrolling the loops gains nothing.
// BenchmarkKernels times each rule with each kernel the CPU can run.
var (
	avx512Kernels = kernels{name: "avx512",
		adaGrad: adaGradAsm(8, adaGradAVX512), rmsProp: rmsPropAsm(8, rmsPropAVX512), adam: adamAsm(8, adamAVX512), sgd: sgdAsm(16, sgdAVX512)}
	avx2Kernels = kernels{name: "avx2",
		adaGrad: adaGradAsm(4, adaGradAVX2), rmsProp: rmsPropAsm(4, rmsPropAVX2), adam: adamAsm(4, adamAVX2), sgd: sgdAsm(8, sgdAVX2)}

	hasAVX512, hasAVX2 = cpu.X86.HasAVX512F, cpu.X86.HasAVX2
)

// kernel is the implementation in use; tests may swap it.
var kernel = best()

func best() kernels {
	switch {
	case hasAVX512:
		return avx512Kernels
	case hasAVX2:
		return avx2Kernels
	}
	return goKernels
}

// available lists the implementations this CPU can run, for tests.
func available() []kernels {
	ks := []kernels{goKernels}
	if hasAVX2 {
		ks = append(ks, avx2Kernels)
	}
	if hasAVX512 {
		ks = append(ks, avx512Kernels)
	}
	return ks
}

// adaGradAsm, rmsPropAsm and adamAsm return, for a field of kernels, a
// function that runs loop, an assembly kernel taking width elements at a
// time, over the longest prefix of p that width divides.

func adaGradAsm(width int, loop func(p, gr, h *float64, n int, lr, eps float64)) func(p, g, h []float64, lr, eps float64) int {
	return func(p, g, h []float64, lr, eps float64) int {
		n := len(p) &^ (width - 1)
		if n == 0 {
			return 0
		}
		_, _ = g[n-1], h[n-1] // the assembly reads n of each
		loop(&p[0], &g[0], &h[0], n, lr, eps)
		return n
	}
}

func rmsPropAsm(width int, loop func(p, gr, h *float64, n int, rho, c, lr, eps float64)) func(p, g, h []float64, rho, c, lr, eps float64) int {
	return func(p, g, h []float64, rho, c, lr, eps float64) int {
		n := len(p) &^ (width - 1)
		if n == 0 {
			return 0
		}
		_, _ = g[n-1], h[n-1]
		loop(&p[0], &g[0], &h[0], n, rho, c, lr, eps)
		return n
	}
}

func adamAsm(width int, loop func(p, gr, m, v *float64, n int, c1, c2, lrt, eps float64)) func(p, g, m, v []float64, c1, c2, lrt, eps float64) int {
	return func(p, g, m, v []float64, c1, c2, lrt, eps float64) int {
		n := len(p) &^ (width - 1)
		if n == 0 {
			return 0
		}
		_, _, _ = g[n-1], m[n-1], v[n-1]
		loop(&p[0], &g[0], &m[0], &v[0], n, c1, c2, lrt, eps)
		return n
	}
}

func sgdAsm(width int, loop func(p, gr *float64, n int, step float64)) func(p, g []float64, step float64) int {
	return func(p, g []float64, step float64) int {
		n := len(p) &^ (width - 1)
		if n == 0 {
			return 0
		}
		_ = g[n-1]
		loop(&p[0], &g[0], n, step)
		return n
	}
}

// The assembly kernels apply adaGradGo's, rmsPropGo's and adamGo's rules
// to the n elements at p, gr (the gradient) and the state h, or m and v;
// n is a multiple of 8 for the AVX512 kernels, of 4 for the AVX2 ones.

//go:noescape
func adaGradAVX512(p, gr, h *float64, n int, lr, eps float64)

//go:noescape
func adaGradAVX2(p, gr, h *float64, n int, lr, eps float64)

//go:noescape
func rmsPropAVX512(p, gr, h *float64, n int, rho, c, lr, eps float64)

//go:noescape
func rmsPropAVX2(p, gr, h *float64, n int, rho, c, lr, eps float64)

//go:noescape
func adamAVX512(p, gr, m, v *float64, n int, c1, c2, lrt, eps float64)

// sgdAVX512 and sgdAVX2 set p ← p + step·gr, rounding the product and
// then the sum, as gonum's floats.AddScaled does, for n elements, a
// multiple of 16 (8 for AVX2): two registers a round.
//
//go:noescape
func sgdAVX512(p, gr *float64, n int, step float64)

//go:noescape
func sgdAVX2(p, gr *float64, n int, step float64)

//go:noescape
func adamAVX2(p, gr, m, v *float64, n int, c1, c2, lrt, eps float64)
