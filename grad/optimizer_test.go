package grad_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
)

// resetter is what every stateful optimizer offers besides Update.
type resetter interface {
	grad.Optimizer
	Reset()
}

var (
	_ grad.Optimizer = (*grad.SGD)(nil)
	_ resetter       = (*grad.Momentum)(nil)
	_ resetter       = (*grad.Nesterov)(nil)
	_ resetter       = (*grad.AdaGrad)(nil)
	_ resetter       = (*grad.RMSProp)(nil)
	_ resetter       = (*grad.Adam)(nil)
)

// One step from w = 1 with g = 0.5, worked out by hand from each rule.
func TestOptimizerOneStep(t *testing.T) {
	const tol = 1e-12
	tests := []struct {
		name string
		opt  grad.Optimizer
		want float64
	}{
		// 1 − 0.01·0.5
		{"SGD default", &grad.SGD{}, 0.995},
		// 1 − 0.1·0.5
		{"SGD LR=0.1", &grad.SGD{LR: 0.1}, 0.95},
		// v = 0.9·0 − 0.01·0.5 = −0.005; w = 1 + v
		{"Momentum default", &grad.Momentum{}, 0.995},
		// v = −0.2·0.5 = −0.1 (the momentum does not act on v = 0)
		{"Momentum LR=0.2", &grad.Momentum{LR: 0.2, Momentum: 0.5}, 0.9},
		// v = −0.005; w = 1 + 0.81·(−0.005) − 1.9·0.01·0.5 = 1 − 0.00405 − 0.0095
		{"Nesterov default", &grad.Nesterov{}, 0.98645},
		// v = −0.05; w = 1 + 0.25·(−0.05) − 1.5·0.1·0.5 = 1 − 0.0125 − 0.075
		{"Nesterov LR=0.1 Momentum=0.5", &grad.Nesterov{LR: 0.1, Momentum: 0.5}, 0.9125},
		// h = 0.25, √h = 0.5; step = 0.01·0.5/(0.5 + 1e-7) = 0.01/(1 + 2e-7)
		// ≈ 0.01·(1 − 2e-7) = 0.009999998
		{"AdaGrad default", &grad.AdaGrad{}, 0.990000002},
		// the first AdaGrad step is LR·sign(g), less 1e-7 relative: 1 − 1.5·(1 − 2e-7)
		{"AdaGrad LR=1.5", &grad.AdaGrad{LR: 1.5}, -0.4999997},
		// h = (1 − 0.99)·0.25 = 0.0025, √h = 0.05;
		// step = 0.01·0.5/0.0500001 = 0.1/(1 + 2e-6) ≈ 0.0999998
		{"RMSProp default", &grad.RMSProp{}, 0.9000002},
		// h = 0.5·0.25 = 0.125, √h = 0.35355339059327373 (= 1/(2√2));
		// step = 0.1·0.5/0.353553490593 = 0.1·√2·(1 − 2.828e-7) = 0.141421316
		{"RMSProp LR=0.1 Decay=0.5", &grad.RMSProp{LR: 0.1, Decay: 0.5}, 1 - math.Sqrt2*0.1*(1-2*math.Sqrt2*1e-7)},
		// lrₜ = 0.001·√0.001/0.1 = 3.16227766e-4; m = 0.1·0.5 = 0.05;
		// v = 0.001·0.25 = 2.5e-4, √v = 0.0158113883; lrₜ·m/√v = 0.001
		// exactly, and the 1e-7 divides it by 1 + 1e-7/√v = 1 + 6.32455532e-6:
		// w = 1 − 0.001/(1 + 6.32455532e-6) = 0.999000006324516
		{"Adam default", &grad.Adam{}, 1 - 0.001/(1+1e-7/math.Sqrt(2.5e-4))},
		// the same with LR = 0.3: the first Adam step is LR·sign(g)
		{"Adam LR=0.3", &grad.Adam{LR: 0.3}, 1 - 0.3/(1+1e-7/math.Sqrt(2.5e-4))},
		// lrₜ = 0.1·√(1−0.99)/(1−0.5) = 0.02; m = 0.25; v = 0.0025, √v = 0.05;
		// step = 0.02·0.25/(0.05 + 1e-7) = 0.1/(1 + 2e-6)
		{"Adam Beta1=0.5 Beta2=0.99", &grad.Adam{LR: 0.1, Beta1: 0.5, Beta2: 0.99}, 1 - 0.1/(1+2e-6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, g := tensor.Scalar(1), tensor.Scalar(0.5)
			tt.opt.Update([]*tensor.Tensor{w}, []*tensor.Tensor{g})
			assert.InDelta(t, tt.want, w.At(), tol)
			assert.Equal(t, 0.5, g.At(), "gradient untouched")
		})
	}
}

// A second step with the same g = 0.5 shows the state at work.
func TestOptimizerSecondStep(t *testing.T) {
	const tol = 1e-12
	tests := []struct {
		name string
		opt  grad.Optimizer
		want float64
	}{
		{"SGD", &grad.SGD{}, 0.99}, // 1 − 2·0.005
		// v₂ = 0.9·(−0.005) − 0.005 = −0.0095; w = 0.995 − 0.0095
		{"Momentum", &grad.Momentum{}, 0.9855},
		// v₂ = −0.0095; w = 0.98645 + 0.81·(−0.0095) − 0.0095 = 0.98645 − 0.007695 − 0.0095
		{"Nesterov", &grad.Nesterov{}, 0.969255},
		// h₂ = 0.5, √h₂ = 0.70710678; step₂ = 0.005/0.70710688 = 0.0070710578
		{"AdaGrad", &grad.AdaGrad{}, 0.990000002 - 0.005/(math.Sqrt(0.5)+1e-7)},
		// h₂ = 0.99·0.0025 + 0.0025 = 0.004975, √h₂ = 0.0705336798
		{"RMSProp", &grad.RMSProp{}, 0.9000002 - 0.005/(math.Sqrt(0.004975)+1e-7)},
		// t = 2: lrₜ = 0.001·√(1−0.998001)/(1−0.81) = 0.001·0.0447101778/0.19;
		// m₂ = 0.05 + 0.1·(0.5 − 0.05) = 0.095; v₂ = 2.5e-4 + 0.001·(0.25 − 2.5e-4) = 4.9975e-4;
		// lrₜ·m₂/√v₂ = 0.001·(0.0447101778·0.095)/(0.19·0.0223550889) = 0.001 exactly
		// (again a step of LR for a constant gradient), divided by 1 + 1e-7/√v₂
		{"Adam", &grad.Adam{}, 1 - 0.001/(1+1e-7/math.Sqrt(2.5e-4)) - 0.001/(1+1e-7/math.Sqrt(4.9975e-4))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, g := tensor.Scalar(1), tensor.Scalar(0.5)
			params, grads := []*tensor.Tensor{w}, []*tensor.Tensor{g}
			tt.opt.Update(params, grads)
			tt.opt.Update(params, grads)
			assert.InDelta(t, tt.want, w.At(), tol)
		})
	}
}

// bowl is the book's f(x, y) = x²/20 + y² (§6.1.3), whose gradient
// (x/10, 2y) is exact here; the optimizers start from (−7, 2).
func bowlGrad(x, y float64) (gx, gy float64) { return x / 10, 2 * y }

// walk runs steps updates of opt on the bowl with x and y as two scalar
// parameters, as the book's optimizer_compare_naive does, and returns the
// points visited, start included.
func walk(opt grad.Optimizer, steps int) [][2]float64 {
	x, y := tensor.Scalar(-7), tensor.Scalar(2)
	gx, gy := tensor.Scalar(0), tensor.Scalar(0)
	params, grads := []*tensor.Tensor{x, y}, []*tensor.Tensor{gx, gy}
	path := [][2]float64{{-7, 2}}
	for range steps {
		a, b := bowlGrad(x.At(), y.At())
		gx.Set(a)
		gy.Set(b)
		opt.Update(params, grads)
		path = append(path, [2]float64{x.At(), y.At()})
	}
	return path
}

func bowl(p [2]float64) float64 { return p[0]*p[0]/20 + p[1]*p[1] }

// The first steps of every optimizer on the bowl, by hand. The gradient at
// the start is g₀ = (−7/10, 2·2) = (−0.7, 4).
func TestOptimizerBowlFirstSteps(t *testing.T) {
	const tol = 1e-9
	tests := []struct {
		name string
		opt  grad.Optimizer
		want [][2]float64 // points after step 1, 2, …
	}{
		// p₁ = (−7 + 0.95·0.7, 2 − 0.95·4) = (−6.335, −1.8);
		// p₂ = (−6.335·(1 − 0.095), −1.8·(1 − 1.9)) = (−5.733175, 1.62)
		{"SGD", &grad.SGD{LR: 0.95}, [][2]float64{{-6.335, -1.8}, {-5.733175, 1.62}}},
		// v₁ = −0.1·g₀ = (0.07, −0.4), p₁ = (−6.93, 1.6); g₁ = (−0.693, 3.2);
		// v₂ = 0.9·v₁ − 0.1·g₁ = (0.063 + 0.0693, −0.36 − 0.32) = (0.1323, −0.68);
		// p₂ = (−6.93 + 0.1323, 1.6 − 0.68) = (−6.7977, 0.92)
		{"Momentum", &grad.Momentum{LR: 0.1}, [][2]float64{{-6.93, 1.6}, {-6.7977, 0.92}}},
		// v₁ = (0.07, −0.4); p₁ = p₀ + 0.81·v₁ − 1.9·0.1·g₀
		//    = (−7 + 0.0567 + 0.133, 2 − 0.324 − 0.76) = (−6.8103, 0.916);
		// g₁ = (−0.68103, 1.832); v₂ = 0.9·v₁ − 0.1·g₁ = (0.131103, −0.5432);
		// p₂ = p₁ + 0.81·v₂ − 0.19·g₁
		//    = (−6.8103 + 0.10619343 + 0.1293957, 0.916 − 0.439992 − 0.34808)
		//    = (−6.57471087, 0.127928)
		{"Nesterov", &grad.Nesterov{LR: 0.1}, [][2]float64{{-6.8103, 0.916}, {-6.57471087, 0.127928}}},
		// h₁ = g₀² = (0.49, 16); p₁ = p₀ − 1.5·g₀/(√h₁ + 1e-7)
		//    = (−7 + 1.05/0.7000001, 2 − 6/4.0000001)
		//    = (−5.50000021428568, 0.500000037499999);
		// g₁ = (−0.550000021, 1.000000075); h₂ = (0.7925000236, 17.00000015);
		// p₂ = p₁ − 1.5·g₁/(√h₂ + 1e-7)
		//    = (−5.500000214 + 0.825000032/0.890224838, 0.500000037 − 1.500000112/4.123105680)
		//    = (−4.57326796816427, 0.136196583088788)
		{"AdaGrad", &grad.AdaGrad{LR: 1.5}, [][2]float64{
			{-5.50000021428568, 0.500000037499999}, {-4.57326796816427, 0.136196583088788}}},
		// h₁ = 0.01·g₀² = (0.0049, 0.16), √h₁ = (0.07, 0.4);
		// p₁ = p₀ − 0.1·g₀/(√h₁ + 1e-7) = (−7 + 0.07/0.0700001, 2 − 0.4/0.4000001)
		//    = (−6.00000142856939, 1.00000024999994);
		// g₁ = (−0.600000143, 2.0000005); h₂ = 0.99·h₁ + 0.01·g₁²
		//    = (0.004851 + 0.0036000017, 0.1584 + 0.04000002) = (0.0084510017, 0.19840002);
		// p₂ = p₁ − 0.1·g₁/(√h₂ + 1e-7)
		//    = (−6.000001429 + 0.0600000143/0.0919293245, 1.00000025 − 0.20000005/0.445421172)
		//    = (−5.34732671617782, 0.550987006117877)
		{"RMSProp", &grad.RMSProp{LR: 0.1}, [][2]float64{
			{-6.00000142856939, 1.00000024999994}, {-5.34732671617782, 0.550987006117877}}},
		// t = 1: lrₜ = 0.3·√0.001/0.1 = 0.0948683298; m₁ = 0.1·g₀ = (−0.07, 0.4);
		// v₁ = 0.001·g₀² = (0.00049, 0.016), √v₁ = (0.0221359436, 0.1264911064);
		// p₁ = p₀ − lrₜ·m₁/(√v₁ + 1e-7): each coordinate moves by
		// 0.3·(1 − 1e-7/√v₁) toward 0, so
		// p₁ = (−7 + 0.3·(1 − 4.5175395e-6), 2 − 0.3·(1 − 7.9056942e-7))
		//    = (−6.70000135525573, 1.70000023717064)
		{"Adam", &grad.Adam{LR: 0.3}, [][2]float64{{-6.70000135525573, 1.70000023717064}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := walk(tt.opt, len(tt.want))
			for i, w := range tt.want {
				assert.InDeltaSlice(t, w[:], path[i+1][:], tol, "after step %d", i+1)
			}
		})
	}
}

// SGD, Momentum and Nesterov are linear maps on the bowl, since its gradient
// is: per coordinate with curvature c (c = 1/10 for x, 2 for y) the state
// s = (p, v) evolves as s ← A·s, so after k steps s = Aᵏ·s₀. That gives
// the 30-step result in closed form, independently of the update code.
//
//	SGD:      p ← (1 − lr·c)·p                               (so pₖ = (1 − lr·c)ᵏ·p₀)
//	Momentum: v ← μv − lr·c·p; p ← p + v  ⇒ A = [[1 − lr·c, μ], [−lr·c, μ]]
//	Nesterov: v ← μv − lr·c·p; p ← p + μ²v − (1+μ)·lr·c·p
//	          ⇒ A = [[1 − lr·c·(1 + μ + μ²), μ³], [−lr·c, μ]]
func TestOptimizerBowlLinear(t *testing.T) {
	const tol = 1e-9
	const steps = 30
	power := func(a []float64, p0 float64) float64 {
		var ak mat.Dense
		ak.Pow(mat.NewDense(2, 2, a), steps)
		return ak.At(0, 0) * p0 // v₀ = 0
	}
	momentum := func(lr, mu, c, p0 float64) float64 {
		return power([]float64{1 - lr*c, mu, -lr * c, mu}, p0)
	}
	nesterov := func(lr, mu, c, p0 float64) float64 {
		return power([]float64{1 - lr*c*(1+mu+mu*mu), mu * mu * mu, -lr * c, mu}, p0)
	}
	tests := []struct {
		name string
		opt  grad.Optimizer
		want [2]float64
	}{
		// The book's SGD run: xₖ = −7·0.905ᵏ, yₖ = 2·(−0.9)ᵏ.
		{"SGD LR=0.95", &grad.SGD{LR: 0.95}, [2]float64{-7 * math.Pow(0.905, steps), 2 * math.Pow(-0.9, steps)}},
		{"SGD default", &grad.SGD{}, [2]float64{-7 * math.Pow(0.999, steps), 2 * math.Pow(0.98, steps)}},
		{"Momentum LR=0.1", &grad.Momentum{LR: 0.1}, [2]float64{momentum(0.1, 0.9, 0.1, -7), momentum(0.1, 0.9, 2, 2)}},
		{"Momentum LR=0.05 Momentum=0.5", &grad.Momentum{LR: 0.05, Momentum: 0.5},
			[2]float64{momentum(0.05, 0.5, 0.1, -7), momentum(0.05, 0.5, 2, 2)}},
		{"Nesterov LR=0.1", &grad.Nesterov{LR: 0.1}, [2]float64{nesterov(0.1, 0.9, 0.1, -7), nesterov(0.1, 0.9, 2, 2)}},
		{"Nesterov LR=0.05 Momentum=0.5", &grad.Nesterov{LR: 0.05, Momentum: 0.5},
			[2]float64{nesterov(0.05, 0.5, 0.1, -7), nesterov(0.05, 0.5, 2, 2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := walk(tt.opt, steps)
			assert.InDeltaSlice(t, tt.want[:], path[steps][:], tol)
		})
	}
}

// What the book's figure 6-8 shows, as checkable facts about 30 steps with
// its learning rates.
func TestOptimizerBowlShape(t *testing.T) {
	const steps = 30
	start := bowl([2]float64{-7, 2}) // 49/20 + 4 = 6.45

	t.Run("SGD zigzags in y", func(t *testing.T) {
		// 1 − 2·0.95 = −0.9 < 0: y changes sign every step, x never does.
		path := walk(&grad.SGD{LR: 0.95}, steps)
		for k := 1; k <= steps; k++ {
			assert.Less(t, path[k][1]*path[k-1][1], 0.0, "y flips at step %d", k)
			assert.Less(t, path[k][0], 0.0, "x stays negative at step %d", k)
		}
	})
	t.Run("AdaGrad steps never exceed LR", func(t *testing.T) {
		// |Δp| = LR·|gₖ|/(√Σg² + 1e-7) < LR, since |gₖ| ≤ √Σg².
		path := walk(&grad.AdaGrad{LR: 1.5}, steps)
		for k := 1; k <= steps; k++ {
			for d := range 2 {
				assert.Less(t, math.Abs(path[k][d]-path[k-1][d]), 1.5, "step %d, coordinate %d", k, d)
			}
			// …and on this bowl it never overshoots: both coordinates
			// approach 0 from their starting side.
			assert.True(t, path[k-1][0] < path[k][0] && path[k][0] < 0, "x rises to 0 at step %d", k)
			assert.True(t, 0 < path[k][1] && path[k][1] < path[k-1][1], "y falls to 0 at step %d", k)
		}
	})
	t.Run("Adam moves each coordinate about LR at first", func(t *testing.T) {
		// With a steady gradient direction the bias-corrected m/√v is
		// ±1, so the early steps are ≈ LR = 0.3 in both coordinates even
		// though the gradients differ twentyfold in size.
		path := walk(&grad.Adam{LR: 0.3}, 2)
		for k := 1; k <= 2; k++ {
			assert.InDelta(t, 0.3, path[k][0]-path[k-1][0], 0.01, "x step %d", k)
			assert.InDelta(t, -0.3, path[k][1]-path[k-1][1], 0.01, "y step %d", k)
		}
	})
	for _, tt := range []struct {
		name string
		opt  grad.Optimizer
	}{
		{"SGD", &grad.SGD{LR: 0.95}}, {"Momentum", &grad.Momentum{LR: 0.1}},
		{"Nesterov", &grad.Nesterov{LR: 0.1}}, {"AdaGrad", &grad.AdaGrad{LR: 1.5}},
		{"RMSProp", &grad.RMSProp{LR: 0.1}}, {"Adam", &grad.Adam{LR: 0.3}},
	} {
		t.Run(tt.name+" ends near the minimum", func(t *testing.T) {
			end := walk(tt.opt, steps)[steps]
			assert.Less(t, bowl(end), start/50, "f at %v", end)
		})
	}
}

func TestOptimizerZeroMeansDefault(t *testing.T) {
	tests := []struct {
		name       string
		zero, full grad.Optimizer
	}{
		{"SGD", &grad.SGD{}, &grad.SGD{LR: 0.01}},
		{"Momentum", &grad.Momentum{}, &grad.Momentum{LR: 0.01, Momentum: 0.9}},
		{"Nesterov", &grad.Nesterov{}, &grad.Nesterov{LR: 0.01, Momentum: 0.9}},
		{"AdaGrad", &grad.AdaGrad{}, &grad.AdaGrad{LR: 0.01}},
		{"RMSProp", &grad.RMSProp{}, &grad.RMSProp{LR: 0.01, Decay: 0.99}},
		{"Adam", &grad.Adam{}, &grad.Adam{LR: 0.001, Beta1: 0.9, Beta2: 0.999}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, walk(tt.full, 5), walk(tt.zero, 5))
		})
	}
}

func TestOptimizerReset(t *testing.T) {
	for _, opt := range []resetter{&grad.Momentum{}, &grad.Nesterov{}, &grad.AdaGrad{}, &grad.RMSProp{}, &grad.Adam{}} {
		t.Run(fmt.Sprintf("%T", opt), func(t *testing.T) {
			w, g := tensor.Scalar(1), tensor.Scalar(0.5)
			opt.Update([]*tensor.Tensor{w}, []*tensor.Tensor{g})
			first := 1 - w.At()
			opt.Update([]*tensor.Tensor{w}, []*tensor.Tensor{g})

			// After Reset the state is gone: the same first step again,
			// and parameters of another shape are accepted.
			opt.Reset()
			w.Set(1)
			opt.Update([]*tensor.Tensor{w}, []*tensor.Tensor{g})
			assert.Equal(t, first, 1-w.At())
			opt.Reset()
			require.NotPanics(t, func() {
				opt.Update([]*tensor.Tensor{tensor.New(2, 2)}, []*tensor.Tensor{tensor.New(2, 2)})
			})
		})
	}
}

// Every parameter has its own state: two parameters updated together move
// exactly as each does alone.
func TestOptimizerStatePerParameter(t *testing.T) {
	for _, mk := range optimizers() {
		a, b := mk(), mk()
		t.Run(fmt.Sprintf("%T", a), func(t *testing.T) {
			w1, w2 := tensor.FromSlice([]float64{1, -2}), tensor.FromRows([][]float64{{3}, {0.5}})
			g1, g2 := tensor.FromSlice([]float64{0.5, -0.1}), tensor.FromRows([][]float64{{2}, {-4}})
			v1, v2 := w1.Clone(), w2.Clone()
			c := mk()
			for range 3 {
				a.Update([]*tensor.Tensor{w1, w2}, []*tensor.Tensor{g1, g2})
				b.Update([]*tensor.Tensor{v1}, []*tensor.Tensor{g1})
				c.Update([]*tensor.Tensor{v2}, []*tensor.Tensor{g2})
			}
			assert.Equal(t, v1.Data(), w1.Data())
			assert.Equal(t, v2.Data(), w2.Data())
		})
	}
}

// optimizers returns constructors for every optimizer with its default
// hyperparameters.
func optimizers() []func() grad.Optimizer {
	return []func() grad.Optimizer{
		func() grad.Optimizer { return &grad.SGD{} },
		func() grad.Optimizer { return &grad.Momentum{} },
		func() grad.Optimizer { return &grad.Nesterov{} },
		func() grad.Optimizer { return &grad.AdaGrad{} },
		func() grad.Optimizer { return &grad.RMSProp{} },
		func() grad.Optimizer { return &grad.Adam{} },
	}
}

func TestOptimizerPanics(t *testing.T) {
	for _, mk := range optimizers() {
		name := fmt.Sprintf("%T", mk())[len("*grad."):]
		t.Run(name, func(t *testing.T) {
			require.PanicsWithValue(t,
				fmt.Sprintf("grad: %s.Update: 2 params but 1 grads", name),
				func() { mk().Update([]*tensor.Tensor{tensor.New(2), tensor.New(3)}, []*tensor.Tensor{tensor.New(2)}) })
			require.PanicsWithValue(t,
				fmt.Sprintf("grad: %s.Update: param 1 has shape [2 3] but its gradient has shape [3 2]", name),
				func() {
					mk().Update([]*tensor.Tensor{tensor.New(2), tensor.New(2, 3)}, []*tensor.Tensor{tensor.New(2), tensor.New(3, 2)})
				})
			if name == "SGD" {
				return // no state to mismatch
			}
			opt := mk()
			opt.Update([]*tensor.Tensor{tensor.New(2), tensor.New(2, 3)}, []*tensor.Tensor{tensor.New(2), tensor.New(2, 3)})
			require.PanicsWithValue(t,
				fmt.Sprintf("grad: %s.Update: 1 params but the state was made for 2; call Reset to start over", name),
				func() { opt.Update([]*tensor.Tensor{tensor.New(2)}, []*tensor.Tensor{tensor.New(2)}) })
			require.PanicsWithValue(t,
				fmt.Sprintf("grad: %s.Update: param 1 has shape [3 2] but its state was made for shape [2 3]; call Reset to start over", name),
				func() {
					opt.Update([]*tensor.Tensor{tensor.New(2), tensor.New(3, 2)}, []*tensor.Tensor{tensor.New(2), tensor.New(3, 2)})
				})
		})
	}
}

// twoLayerParams returns the parameters and gradients of the book's
// two-layer MNIST net (784 → 50 → 10), filled from a fixed seed.
func twoLayerParams() (params, grads []*tensor.Tensor) {
	return randParams(rand.New(rand.NewPCG(3, 4)), [][]int{{784, 50}, {50}, {50, 10}, {10}})
}

// simpleConvNetParams returns parameters and gradients shaped as the
// book's SimpleConvNet's (30 filters of 1×5×5, 4320 → 100 → 10): 433,890
// values, the size of an Update in a convolutional training step.
func simpleConvNetParams() (params, grads []*tensor.Tensor) {
	return randParams(rand.New(rand.NewPCG(5, 6)),
		[][]int{{30, 1, 5, 5}, {30}, {4320, 100}, {100}, {100, 10}, {10}})
}

// randParams returns parameters of the given shapes drawn from 0.01·N(0,1)
// and gradients from 0.1·N(0,1).
func randParams(rng *rand.Rand, shapes [][]int) (params, grads []*tensor.Tensor) {
	for _, shape := range shapes {
		params = append(params, tensor.RandN(rng, 0.01, shape...))
		grads = append(grads, tensor.RandN(rng, 0.1, shape...))
	}
	return params, grads
}

func TestOptimizerNoAllocs(t *testing.T) {
	for _, mk := range optimizers() {
		opt := mk()
		t.Run(fmt.Sprintf("%T", opt), func(t *testing.T) {
			params, grads := twoLayerParams()
			opt.Update(params, grads) // creates the state
			allocs := testing.AllocsPerRun(20, func() { opt.Update(params, grads) })
			assert.Zero(t, allocs)
		})
	}
}

func BenchmarkUpdate(b *testing.B) {
	for _, set := range []func() (params, grads []*tensor.Tensor){twoLayerParams, simpleConvNetParams} {
		for _, mk := range optimizers() {
			opt := mk()
			params, grads := set()
			size := 0
			for _, p := range params {
				size += p.Size()
			}
			b.Run(fmt.Sprintf("opt=%s/params=%d", fmt.Sprintf("%T", opt)[len("*grad."):], size), func(b *testing.B) {
				b.ReportAllocs()
				opt.Update(params, grads)
				for b.Loop() {
					opt.Update(params, grads)
				}
			})
		}
	}
}
