package update

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// AdaGrad applies AdaGrad's rule to each element of p, with h its sum of
// squared gradients: h ← h + g²;  p ← p − lr·g/(√h + eps). It panics if g
// or h is shorter than p.
func AdaGrad(p, g, h []float64, lr, eps float64) {
	_, _ = g[:len(p)], h[:len(p)]
	if !shared(ruleAdaGrad, p, g, h, nil, [4]float64{lr, eps}) {
		adaGrad(p, g, h, lr, eps)
	}
}

func adaGrad(p, g, h []float64, lr, eps float64) {
	n := kernel.adaGrad(p, g, h, lr, eps)
	adaGradGo(p[n:], g[n:], h[n:], lr, eps)
}

// RMSProp applies RMSProp's rule to each element of p, with h its leaky
// average of squared gradients and c = 1−rho:
// h ← rho·h + c·g·g;  p ← p − lr·g/(√h + eps). It panics if g or h is
// shorter than p.
func RMSProp(p, g, h []float64, rho, c, lr, eps float64) {
	_, _ = g[:len(p)], h[:len(p)]
	if !shared(ruleRMSProp, p, g, h, nil, [4]float64{rho, c, lr, eps}) {
		rmsProp(p, g, h, rho, c, lr, eps)
	}
}

func rmsProp(p, g, h []float64, rho, c, lr, eps float64) {
	n := kernel.rmsProp(p, g, h, rho, c, lr, eps)
	rmsPropGo(p[n:], g[n:], h[n:], rho, c, lr, eps)
}

// Adam applies Adam's rule to each element of p, with m and v its
// moments, c1 = 1−β₁, c2 = 1−β₂ and lrt the step size of this update:
// m ← m + c1·(g − m);  v ← v + c2·(g·g − v);  p ← p − lrt·m/(√v + eps).
// It panics if g, m or v is shorter than p.
func Adam(p, g, m, v []float64, c1, c2, lrt, eps float64) {
	_, _, _ = g[:len(p)], m[:len(p)], v[:len(p)]
	if !shared(ruleAdam, p, g, m, v, [4]float64{c1, c2, lrt, eps}) {
		adam(p, g, m, v, c1, c2, lrt, eps)
	}
}

// SGD applies plain gradient descent, p ← p + step·g with step = −lr,
// as gonum's floats.AddScaled does. It panics if g is not as long as p.
func SGD(p, g []float64, step float64) {
	if len(g) != len(p) {
		panic("update: SGD: slice lengths differ")
	}
	if !shared(ruleSGD, p, g, nil, nil, [4]float64{step}) {
		sgd(p, g, step)
	}
}

// sgd is SGD on the calling goroutine: the assembly kernel, where there is
// one, on the longest prefix it takes, and gonum on the rest. Both round
// the product step·g and then the sum, so every element gets the same
// bits either way.
func sgd(p, g []float64, step float64) {
	n := kernel.sgd(p, g, step)
	floats.AddScaled(p[n:], step, g[n:])
}

func adam(p, g, m, v []float64, c1, c2, lrt, eps float64) {
	n := kernel.adam(p, g, m, v, c1, c2, lrt, eps)
	adamGo(p[n:], g[n:], m[n:], v[n:], c1, c2, lrt, eps)
}

// The Go loops below define the rules. Each operation in them rounds
// once: a product that feeds a sum is wrapped in an explicit float64
// conversion, which the Go spec says rounds and so keeps the compiler
// from fusing the two into an FMA (as it does for GOAMD64=v3 and above).
// The result is then the same bits at every GOAMD64 level.

func adaGradGo(p, g, h []float64, lr, eps float64) {
	g, h = g[:len(p)], h[:len(p)]
	for j := range p {
		h[j] += float64(g[j] * g[j])
		p[j] -= lr * g[j] / (math.Sqrt(h[j]) + eps)
	}
}

func rmsPropGo(p, g, h []float64, rho, c, lr, eps float64) {
	g, h = g[:len(p)], h[:len(p)]
	for j := range p {
		h[j] = float64(rho*h[j]) + float64(c*g[j]*g[j])
		p[j] -= lr * g[j] / (math.Sqrt(h[j]) + eps)
	}
}

func adamGo(p, g, m, v []float64, c1, c2, lrt, eps float64) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for j := range p {
		m[j] += float64(c1 * (g[j] - m[j]))
		v[j] += float64(c2 * (float64(g[j]*g[j]) - v[j]))
		p[j] -= lrt * m[j] / (math.Sqrt(v[j]) + eps)
	}
}

// kernels is one implementation of the rules. Each function updates the
// longest prefix of p that its vector width divides (the other slices as
// long as p) and returns that prefix's length; the Go loop does the rest.
type kernels struct {
	name    string
	adaGrad func(p, g, h []float64, lr, eps float64) int
	rmsProp func(p, g, h []float64, rho, c, lr, eps float64) int
	adam    func(p, g, m, v []float64, c1, c2, lrt, eps float64) int
	sgd     func(p, g []float64, step float64) int
}

// goKernels leaves every element to the Go loops.
var goKernels = kernels{
	name:    "go",
	adaGrad: func(p, g, h []float64, lr, eps float64) int { return 0 },
	rmsProp: func(p, g, h []float64, rho, c, lr, eps float64) int { return 0 },
	adam:    func(p, g, m, v []float64, c1, c2, lrt, eps float64) int { return 0 },
	sgd:     func(p, g []float64, step float64) int { return 0 },
}
