// Package update applies the per-element rules of grad's adaptive
// optimizers, AdaGrad, RMSProp and Adam, to the float64 slices that hold
// a parameter, its gradient and the optimizer's state for it:
//
//	AdaGrad  h ← h + g²;  p ← p − lr·g/(√h + eps)
//	RMSProp  h ← ρ·h + (1−ρ)·g²;  p ← p − lr·g/(√h + eps)
//	Adam     m ← m + (1−β₁)(g − m);  v ← v + (1−β₂)(g² − v);
//	         p ← p − lrₜ·m/(√v + eps)
//
// The caller works out the hyperparameters of the step (the defaults,
// 1−ρ, Adam's bias-corrected step size lrₜ) and keeps the state; this
// package only runs the loops, in place and without allocating.
//
//	update.Adam(p, g, m, v, 1-beta1, 1-beta2, lrt, eps)
//
// # Cores
//
// A parameter of 131,072 values or more (the 4320×100 weights of the
// book's SimpleConvNet) is updated in pieces of 8,192 values shared among
// GOMAXPROCS cores (internal/workers). Each element's new value depends
// only on its own values, so the result is the same bits on any number of
// cores.
//
// # Assembly
//
// Each rule has a pure-Go loop (adaGradGo, rmsPropGo, adamGo), which is
// its definition. On amd64 an assembly kernel takes 8 elements at a time
// in zmm registers with AVX-512F, or 4 in ymm registers with AVX2,
// chosen once from the CPU's features (golang.org/x/sys/cpu), and the Go
// loop does the tail. The work is a square root and a division per
// element, which the Go compiler, which does not vectorise loops, emits
// as scalar SQRTSD and DIVSD; VSQRTPD and VDIVPD take 4 or 8 elements per
// instruction. SGD, p ← p − lr·g, is gonum's floats.AddScaled in its Go
// form; its kernels take 16 (or 8) elements a round, a product and a sum
// each, where gonum's amd64 loop takes 2: the book's 784-50-10 net's
// 39,760 parameters update in 3.1 µs with AVX-512 against gonum's 6.9 µs
// (one core, BenchmarkKernels/opt=SGD). The build tag purego leaves the
// assembly out.
// BenchmarkKernels compares the paths on a given CPU:
//
//	go test -run '^$' -bench Kernels ./internal/update
//
// The result is the same bits on every path: in the Go loops each
// product that feeds a sum is wrapped in an explicit float64 conversion,
// which keeps the compiler from fusing the two into a multiply-add (as it
// does for GOAMD64=v3 and above), and the kernels do one instruction per
// rounding of the formula, in the same order, with VSQRTPD and VDIVPD
// rounding as SQRTSD and DIVSD do. Only a NaN's payload may differ where
// two NaNs meet in a sum. The tests compare every kernel the CPU can run
// with the Go loops bit for bit.
//
// # Shapes
//
// g and the state slices must be at least as long as p; each function
// panics otherwise. Only the first len(p) elements take part.
//
// # Aliasing
//
// p and the state slices are written, g is read; no two of them may
// overlap.
package update
