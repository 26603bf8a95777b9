package layers

import (
	"math"
	"runtime"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bookBatchNorm is the book's BatchNormalization written out in plain
// loops, step by step as common/layers.py computes it, with ε = 10e-7 and
// momentum 0.9: the reference the layer must agree with.
type bookBatchNorm struct {
	gamma, beta     []float64
	runMean, runVar []float64
	xc, xn          [][]float64
	std             []float64
	dgamma, dbeta   []float64
	n, d            int
	momentum, eps   float64
	trained         bool
}

func newBookBatchNorm(gamma, beta []float64) *bookBatchNorm {
	d := len(gamma)
	return &bookBatchNorm{gamma: gamma, beta: beta, runMean: make([]float64, d), runVar: make([]float64, d),
		d: d, momentum: 0.9, eps: 10e-7}
}

func (b *bookBatchNorm) forward(x [][]float64, train bool) [][]float64 {
	n, d := len(x), b.d
	out := make([][]float64, n)
	if train {
		mu := make([]float64, d)
		for j := range d {
			for i := range n {
				mu[j] += x[i][j]
			}
			mu[j] /= float64(n)
		}
		b.xc = make([][]float64, n)
		for i := range n {
			b.xc[i] = make([]float64, d)
			for j := range d {
				b.xc[i][j] = x[i][j] - mu[j]
			}
		}
		variance := make([]float64, d)
		b.std = make([]float64, d)
		for j := range d {
			for i := range n {
				variance[j] += b.xc[i][j] * b.xc[i][j]
			}
			variance[j] /= float64(n)
			b.std[j] = math.Sqrt(variance[j] + b.eps)
		}
		b.xn = make([][]float64, n)
		for i := range n {
			b.xn[i] = make([]float64, d)
			for j := range d {
				b.xn[i][j] = b.xc[i][j] / b.std[j]
			}
		}
		b.n = n
		for j := range d {
			b.runMean[j] = b.momentum*b.runMean[j] + (1-b.momentum)*mu[j]
			b.runVar[j] = b.momentum*b.runVar[j] + (1-b.momentum)*variance[j]
		}
		for i := range n {
			out[i] = make([]float64, d)
			for j := range d {
				out[i][j] = b.gamma[j]*b.xn[i][j] + b.beta[j]
			}
		}
		return out
	}
	for i := range n {
		out[i] = make([]float64, d)
		for j := range d {
			xn := (x[i][j] - b.runMean[j]) / math.Sqrt(b.runVar[j]+b.eps)
			out[i][j] = b.gamma[j]*xn + b.beta[j]
		}
	}
	return out
}

// backward is the book's __backward: through xn, xc, std, var and mu in
// turn.
func (b *bookBatchNorm) backward(dout [][]float64) [][]float64 {
	n, d := b.n, b.d
	b.dbeta, b.dgamma = make([]float64, d), make([]float64, d)
	dstd, dvar, dmu := make([]float64, d), make([]float64, d), make([]float64, d)
	dxc := make([][]float64, n)
	for i := range n {
		dxc[i] = make([]float64, d)
		for j := range d {
			b.dbeta[j] += dout[i][j]
			b.dgamma[j] += b.xn[i][j] * dout[i][j]
			dxn := b.gamma[j] * dout[i][j]
			dxc[i][j] = dxn / b.std[j]
			dstd[j] -= dxn * b.xc[i][j] / (b.std[j] * b.std[j])
		}
	}
	for j := range d {
		dvar[j] = 0.5 * dstd[j] / b.std[j]
	}
	for i := range n {
		for j := range d {
			dxc[i][j] += 2.0 / float64(n) * b.xc[i][j] * dvar[j]
			dmu[j] += dxc[i][j]
		}
	}
	dx := make([][]float64, n)
	for i := range n {
		dx[i] = make([]float64, d)
		for j := range d {
			dx[i][j] = dxc[i][j] - dmu[j]/float64(n)
		}
	}
	return dx
}

func rowsOf(t *tensor.Tensor) [][]float64 {
	n := t.Shape()[0]
	d := t.Size() / n
	out := make([][]float64, n)
	for i := range n {
		out[i] = t.Data()[i*d : (i+1)*d]
	}
	return out
}

func flat(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// bookTol (convolution_test.go) bounds the difference here too: the layer
// computes the backward pass in a collected form, and the book's chain
// gives the same numbers up to rounding of values of order 1.

func TestBatchNormMatchesBook(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name  string
		shape []int
		scale float64 // of the inputs, which BatchNorm takes to order 1
	}{
		{"batch 5 of 4 features", []int{5, 4}, 1},
		{"batch 2 of 3 features", []int{2, 3}, 1},
		{"large spread inputs", []int{8, 6}, 30},
		{"batch 3 of (2, 2, 2) read as 8 features", []int{3, 2, 2, 2}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := 1
			for _, s := range tt.shape[1:] {
				d *= s
			}
			gamma, beta := tensor.RandN(rng, 1, d), tensor.RandN(rng, 1, d)
			book := newBookBatchNorm(gamma.Clone().Data(), beta.Clone().Data())
			bn := NewBatchNorm(gamma, beta)

			for step := range 3 { // the running statistics build up
				x := tensor.RandN(rng, tt.scale, tt.shape...)
				x.AddScalar(float64(step), x)
				dout := tensor.RandN(rng, 1, tt.shape...)

				want := book.forward(rowsOf(x), true)
				y := bn.Forward(x)
				require.Equal(t, tt.shape, y.Shape())
				assert.InDeltaSlice(t, flat(want), y.Data(), bookTol, "step %d output", step)
				assert.InDeltaSlice(t, book.runMean, bn.RunningMean.Data(), bookTol, "step %d running mean", step)
				assert.InDeltaSlice(t, book.runVar, bn.RunningVar.Data(), bookTol*tt.scale*tt.scale, "step %d running var", step)

				wantDx := book.backward(rowsOf(dout))
				dx := bn.Backward(dout)
				require.Equal(t, tt.shape, dx.Shape())
				assert.InDeltaSlice(t, flat(wantDx), dx.Data(), bookTol/tt.scale, "step %d dx", step)
				assert.InDeltaSlice(t, book.dgamma, bn.DGamma.Data(), bookTol, "step %d dgamma", step)
				assert.InDeltaSlice(t, book.dbeta, bn.DBeta.Data(), bookTol, "step %d dbeta", step)
			}

			bn.SetMode(Inference)
			x := tensor.RandN(rng, tt.scale, tt.shape...)
			want := book.forward(rowsOf(x), false)
			assert.InDeltaSlice(t, flat(want), bn.Forward(x).Data(), bookTol, "inference output")
		})
	}
}

// One feature, batch {1, 3}: μ = 2, σ² = 1, x̂ = ∓1/√(1 + 1e-6); after one
// batch the running mean is 0.1·2 and the running variance 0.1·1.
func TestBatchNormByHand(t *testing.T) {
	const tol = 1e-12
	bn := NewBatchNorm(tensor.FromSlice([]float64{2}), tensor.FromSlice([]float64{0.5}))
	s := 1 / math.Sqrt(1+1e-6)
	y := bn.Forward(tensor.FromSlice([]float64{1, 3}, 2, 1))
	assert.InDeltaSlice(t, []float64{0.5 - 2*s, 0.5 + 2*s}, y.Data(), tol)
	assert.InDeltaSlice(t, []float64{0.2}, bn.RunningMean.Data(), tol)
	assert.InDeltaSlice(t, []float64{0.1}, bn.RunningVar.Data(), tol)

	// dout = (−1, 1) along x̂: ∂L/∂β = 0, ∂L/∂γ = Σ dout·x̂ = 2s, and
	// dx = γ·s·(dout − x̂·mean(dout·x̂)) = ±2s·(1 − s²), which only ε keeps
	// from 0: without it, scaling the batch would not change x̂ at all.
	dx := bn.Backward(tensor.FromSlice([]float64{-1, 1}, 2, 1))
	assert.InDeltaSlice(t, []float64{-2 * s * (1 - s*s), 2 * s * (1 - s*s)}, dx.Data(), tol)
	assert.InDeltaSlice(t, []float64{2 * s}, bn.DGamma.Data(), tol)
	assert.InDeltaSlice(t, []float64{0}, bn.DBeta.Data(), tol)

	// Inference: x̂ = (x − 0.2)/√(0.1 + 1e-6), so x = 0.2 gives β.
	bn.SetMode(Inference)
	y = bn.Forward(tensor.FromSlice([]float64{0.2, 1.2}, 2, 1))
	assert.InDeltaSlice(t, []float64{0.5, 0.5 + 2/math.Sqrt(0.1+1e-6)}, y.Data(), tol)
	// An inference pass is affine in x: dx = γ·dout/√(σ² + ε).
	dx = bn.Backward(tensor.FromSlice([]float64{1, 1}, 2, 1))
	assert.InDeltaSlice(t, []float64{2 / math.Sqrt(0.1+1e-6), 2 / math.Sqrt(0.1+1e-6)}, dx.Data(), tol)
}

func TestBatchNormBackwardMatchesNumerical(t *testing.T) {
	rng := newRand()
	tests := []struct {
		name  string
		mode  Mode
		shape []int
	}{
		{"training 2-D", Training, []int{6, 4}},
		{"training 4-D", Training, []int{4, 2, 1, 3}},
		{"inference 2-D", Inference, []int{3, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := 1
			for _, s := range tt.shape[1:] {
				d *= s
			}
			bn := NewBatchNorm(tensor.RandN(rng, 1, d), tensor.RandN(rng, 1, d))
			bn.Forward(tensor.RandN(rng, 1, tt.shape...)) // running statistics away from 0
			bn.SetMode(tt.mode)
			x := tensor.RandN(rng, 1, tt.shape...)
			c := tensor.RandN(rng, 1, tt.shape...)
			loss := scalarLoss(bn, c)

			numeric := grad.Numerical(loss, x)
			lossOfInput := func(*tensor.Tensor) float64 { return loss(x) }
			dGamma := grad.Numerical(lossOfInput, bn.Gamma)
			dBeta := grad.Numerical(lossOfInput, bn.Beta)

			bn.Forward(x)
			dx := bn.Backward(c)
			require.Equal(t, tt.shape, dx.Shape())
			for i, d := range grad.Check([]*tensor.Tensor{dx, bn.DGamma, bn.DBeta}, []*tensor.Tensor{numeric, dGamma, dBeta}) {
				assert.Less(t, d.MaxAbs, gradTol, "gradient %d: %v", i, d)
			}
		})
	}
}

func TestBatchNormClone(t *testing.T) {
	rng := newRand()
	bn := NewBatchNorm(tensor.RandN(rng, 1, 3), tensor.RandN(rng, 1, 3))
	x := tensor.RandN(rng, 1, 4, 3)
	bn.Forward(x)
	bn.SetMode(Inference)
	c := bn.Clone().(*BatchNorm)
	assert.Equal(t, bn.RunningMean.Data(), c.RunningMean.Data())
	assert.Equal(t, bn.RunningVar.Data(), c.RunningVar.Data())
	assert.Equal(t, bn.Forward(x).Data(), c.Forward(x).Data(), "the clone keeps the mode and the statistics")
	c.Gamma.Data()[0] = 10
	c.RunningMean.Data()[0] = 10
	assert.NotEqual(t, 10.0, bn.Gamma.Data()[0])
	assert.NotEqual(t, 10.0, bn.RunningMean.Data()[0])
}

func TestBatchNormPanics(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		fn   func()
	}{
		{"gamma not 1-D", "layers: NewBatchNorm: gamma shape [2 2] and beta shape [4] are not both (d)",
			func() { NewBatchNorm(tensor.New(2, 2), tensor.New(4)) }},
		{"beta size", "layers: NewBatchNorm: gamma shape [3] and beta shape [2] are not both (d)",
			func() { NewBatchNorm(tensor.New(3), tensor.New(2)) }},
		{"features", "layers: BatchNorm.Forward: input shape [2 4] does not have 3 features per row",
			func() { NewBatchNorm(tensor.New(3), tensor.New(3)).Forward(tensor.New(2, 4)) }},
		{"1-D input", "layers: BatchNorm.Forward: input shape [3] does not have 3 features per row",
			func() { NewBatchNorm(tensor.New(3), tensor.New(3)).Forward(tensor.New(3)) }},
		{"empty training batch", "layers: BatchNorm.Forward: a training batch needs at least one row",
			func() { NewBatchNorm(tensor.New(3), tensor.New(3)).Forward(tensor.New(0, 3)) }},
		{"backward first", "layers: BatchNorm.Backward: called before Forward",
			func() { NewBatchNorm(tensor.New(3), tensor.New(3)).Backward(tensor.New(2, 3)) }},
		{"dout shape", "layers: BatchNorm.Backward: dout shape [2 4] does not match output shape [2 3]",
			func() {
				bn := NewBatchNorm(tensor.New(3), tensor.New(3))
				bn.Forward(tensor.New(2, 3))
				bn.Backward(tensor.New(2, 4))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

func TestBatchNormStepDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	for _, shape := range [][]int{{100, 50}, {10, 2, 3, 4}, {1000, 200}} { // the last is shared among the cores
		d := 1
		for _, s := range shape[1:] {
			d *= s
		}
		bn := NewBatchNorm(tensor.Full(1, d), tensor.New(d))
		x, dout := tensor.RandN(rng, 1, shape...), tensor.RandN(rng, 1, shape...)
		allocs := testing.AllocsPerRun(10, func() {
			bn.SetMode(Training)
			bn.Forward(x)
			bn.Backward(dout)
			bn.SetMode(Inference)
			bn.Forward(x)
		})
		assert.Zero(t, allocs, "shape %v", shape)
	}
}

// TestBatchNormSharedIsTheSameOnAnyNumberOfCores runs passes large enough
// to be shared (both phases: the sums by pieces of rows and the rest by rows),
// in training and inference, with GOMAXPROCS 1, 2, 3 and 8, and requires
// the same bits every time and agreement with the book's layer.
func TestBatchNormSharedIsTheSameOnAnyNumberOfCores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := newRand()
	for _, shape := range [][]int{{1000, 200}, {533, 137}, {64, 16, 12, 12}} {
		d := 1
		for _, s := range shape[1:] {
			d *= s
		}
		require.GreaterOrEqual(t, 2*shape[0]*d, shareWork, "shape %v is not shared", shape)
		gamma, beta := tensor.RandN(rng, 1, d), tensor.RandN(rng, 1, d)
		x, dout := tensor.RandN(rng, 3, shape...), tensor.RandN(rng, 1, shape...)
		var want [][]float64
		for _, procs := range []int{1, 2, 3, 8} {
			runtime.GOMAXPROCS(procs)
			bn := NewBatchNorm(gamma.Clone(), beta.Clone())
			got := [][]float64{
				bn.Forward(x).Clone().Data(), bn.Backward(dout).Clone().Data(),
				bn.DGamma.Clone().Data(), bn.DBeta.Clone().Data(),
				bn.RunningMean.Clone().Data(), bn.RunningVar.Clone().Data(),
			}
			bn.SetMode(Inference)
			got = append(got, bn.Forward(x).Clone().Data(), bn.Backward(dout).Clone().Data())
			if want == nil {
				want = got
				book := newBookBatchNorm(gamma.Clone().Data(), beta.Clone().Data())
				assert.InDeltaSlice(t, flat(book.forward(rowsOf(x), true)), got[0], bookTol, "shape %v output", shape)
				assert.InDeltaSlice(t, flat(book.backward(rowsOf(dout))), got[1], bookTol, "shape %v dx", shape)
				continue
			}
			for k := range got {
				for i := range got[k] {
					if math.Float64bits(got[k][i]) != math.Float64bits(want[k][i]) {
						t.Fatalf("shape %v, GOMAXPROCS=%d: result %d, element %d: %v, on one core %v", shape, procs, k, i, got[k][i], want[k][i])
					}
				}
			}
		}
	}
}

// TestBatchNormSumsByPieces reuses one layer for batches of 1000, 49 and
// 97 rows of 100 features — 21 pieces of 48 rows with a last of 40, two
// with a last of 1, three with a last of 1 — on 1, 2, 3 and 8 cores, and
// requires ∂L/∂β to be, bit for bit, dout summed over each piece's rows
// in order and the pieces added in order, worked out here.
func TestBatchNormSumsByPieces(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := newRand()
	const d, per = 100, 48
	require.Equal(t, per, statRows(d))
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		bn := NewBatchNorm(tensor.Full(1, d), tensor.New(d))
		for _, n := range []int{1000, 49, 97} {
			x, dout := tensor.RandN(rng, 1, n, d), tensor.RandN(rng, 1, n, d)
			bn.Forward(x)
			bn.Backward(dout)
			want := make([]float64, d)
			for lo := 0; lo < n; lo += per {
				piece := make([]float64, d)
				for i := lo; i < min(lo+per, n); i++ {
					for j := range piece {
						piece[j] += dout.Data()[i*d+j]
					}
				}
				for j := range want {
					if lo == 0 {
						want[j] = piece[j]
					} else {
						want[j] += piece[j]
					}
				}
			}
			for j, w := range want {
				if got := bn.DBeta.Data()[j]; math.Float64bits(got) != math.Float64bits(w) {
					t.Fatalf("GOMAXPROCS=%d, %d rows: ∂L/∂β[%d] = %v, want %v", procs, n, j, got, w)
				}
			}
		}
	}
}

// TestBatchNormEmptyBatch runs an inference pass over no rows after a
// training step: the output and ∂L/∂x are empty, and ∂L/∂γ and ∂L/∂β,
// sums over no rows, are zero rather than the last step's.
func TestBatchNormEmptyBatch(t *testing.T) {
	rng := newRand()
	bn := NewBatchNorm(tensor.Full(1, 4), tensor.New(4))
	bn.Forward(tensor.RandN(rng, 1, 10, 4))
	bn.Backward(tensor.RandN(rng, 1, 10, 4))
	require.NotEqual(t, []float64{0, 0, 0, 0}, bn.DBeta.Data())
	bn.SetMode(Inference)
	assert.Equal(t, []int{0, 4}, bn.Forward(tensor.New(0, 4)).Shape())
	assert.Equal(t, []int{0, 4}, bn.Backward(tensor.New(0, 4)).Shape())
	assert.Equal(t, []float64{0, 0, 0, 0}, bn.DGamma.Data())
	assert.Equal(t, []float64{0, 0, 0, 0}, bn.DBeta.Data())
}
