package layers

import (
	"fmt"
	"math"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaxPoolByHand(t *testing.T) {
	// ResNet's stem pooling, 3×3 windows at stride 2 with pad 1, over
	// x[r][c] = −(4r + c + 1): each window's largest image value is its
	// top-left one inside the image, −1, −2, −5 and −6. The book's Pooling
	// takes the padding's zeros instead in the three windows that reach
	// it, and only the last window, which lies inside the image, agrees.
	x := tensor.FromSlice([]float64{
		-1, -2, -3, -4,
		-5, -6, -7, -8,
		-9, -10, -11, -12,
		-13, -14, -15, -16,
	}, 1, 1, 4, 4)
	dout := tensor.FromSlice([]float64{10, 20, 30, 40}, 1, 1, 2, 2)
	l := NewMaxPool(3, 3, 2, 1)
	y := l.Forward(x)
	require.Equal(t, []int{1, 1, 2, 2}, y.Shape())
	assert.Equal(t, []float64{-1, -2, -5, -6}, y.Data())
	assert.Equal(t, []float64{
		10, 20, 0, 0,
		30, 40, 0, 0,
		0, 0, 0, 0,
		0, 0, 0, 0,
	}, l.Backward(dout).Data())

	book := NewPooling(3, 3, 2, 1)
	assert.Equal(t, []float64{0, 0, 0, -6}, book.Forward(x).Data())
	assert.Equal(t, []float64{
		0, 0, 0, 0,
		0, 40, 0, 0,
		0, 0, 0, 0,
		0, 0, 0, 0,
	}, book.Backward(dout).Data(), "the book's padding takes the gradient of the windows it wins")

	// Overlapping windows add at a shared maximum: 3×3 windows at stride 1
	// with pad 1 over a 2×2 image each cover the whole image.
	o := NewMaxPool(3, 3, 1, 1)
	assert.Equal(t, []float64{4, 4, 4, 4}, o.Forward(tensor.FromSlice([]float64{1, 2, 3, 4}, 1, 1, 2, 2)).Data())
	assert.Equal(t, []float64{0, 0, 0, 10}, o.Backward(tensor.FromSlice([]float64{1, 2, 3, 4}, 1, 1, 2, 2)).Data())
	// Ties go to the first maximum in row-major order within the window:
	// here the top-left, for every window.
	o.Forward(tensor.Full(5, 1, 1, 2, 2))
	assert.Equal(t, []float64{10, 0, 0, 0}, o.Backward(tensor.FromSlice([]float64{1, 2, 3, 4}, 1, 1, 2, 2)).Data())
}

// TestMaxPoolWithoutPaddingIsTheBooks: with no padding for the two to
// differ on, MaxPool and the book's Pooling give the same maxima and
// route the gradient to the same positions, ties included, on Pooling's
// 2×2 loops and on its general ones.
func TestMaxPoolWithoutPaddingIsTheBooks(t *testing.T) {
	rng := newRand()
	cases := append([]poolCase{{n: 2, c: 2, h: 8, w: 6, ph: 2, pw: 2, stride: 2}}, poolCases...)
	for _, pc := range cases {
		if pc.pad != 0 {
			continue
		}
		for _, ties := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/ties=%t", pc, ties), func(t *testing.T) {
				x := tensor.RandN(rng, 1, pc.n, pc.c, pc.h, pc.w)
				if ties { // few values: windows with several equal maxima
					x.Apply(func(v float64) float64 { return float64(int(v * 1.5)) }, x)
				}
				l, book := NewMaxPool(pc.ph, pc.pw, pc.stride, 0), NewPooling(pc.ph, pc.pw, pc.stride, 0)
				assert.Equal(t, book.Forward(x).Data(), l.Forward(x).Data(), "out")
				dout := tensor.RandN(rng, 1, l.Forward(x).Shape()...)
				assert.Equal(t, book.Backward(dout).Data(), l.Backward(dout).Data(), "dx")
			})
		}
	}
}

func TestMaxPoolMatchesNumerical(t *testing.T) {
	rng := newRand()
	cases := append(poolCases,
		poolCase{n: 2, c: 2, h: 7, w: 7, ph: 3, pw: 3, stride: 2, pad: 1}, // ResNet's stem
		poolCase{n: 1, c: 3, h: 5, w: 6, ph: 3, pw: 2, stride: 1, pad: 1}, // overlaps and padding
		poolCase{n: 2, c: 1, h: 4, w: 4, ph: 4, pw: 4, stride: 1, pad: 3}, // windows mostly of padding
	)
	for _, pc := range cases {
		t.Run(pc.String(), func(t *testing.T) {
			l := NewMaxPool(pc.ph, pc.pw, pc.stride, pc.pad)
			// Shuffled values spaced 0.01 apart, half of them below zero:
			// the ±1e-4 steps never move a maximum.
			x := distinct(rng, pc.n, pc.c, pc.h, pc.w)
			y := l.Forward(x)
			require.Equal(t, []int{pc.n, pc.c, (pc.h+2*pc.pad-pc.ph)/pc.stride + 1, (pc.w+2*pc.pad-pc.pw)/pc.stride + 1}, y.Shape())
			c := tensor.RandN(rng, 1, y.Shape()...)
			numeric := grad.Numerical(scalarLoss(l, c), x)
			l.Forward(x)
			dx := l.Backward(c)
			require.Equal(t, x.Shape(), dx.Shape())
			d := grad.Check([]*tensor.Tensor{dx}, []*tensor.Tensor{numeric})[0]
			assert.Less(t, d.MaxAbs, gradTol, "dx: %v", d)
		})
	}
}

func TestMaxPoolNaNIsTheMaximum(t *testing.T) {
	// As in PyTorch and np.max: a window with a NaN gives NaN, and the
	// first NaN takes the gradient.
	nan := math.NaN()
	l := NewMaxPool(2, 3, 1, 1)
	x := tensor.FromSlice([]float64{1, nan, 3, nan}, 1, 1, 1, 4)
	y := l.Forward(x)
	require.Equal(t, []int{1, 1, 2, 4}, y.Shape())
	// Windows cover columns −1…1, 0…2, 1…3 and 2…4 of the one row: each
	// holds a NaN, the first at column 1 but in the last window.
	for i, v := range y.Data() {
		assert.True(t, math.IsNaN(v), "output %d: %v", i, v)
	}
	dx := l.Backward(tensor.Full(1, y.Shape()...))
	assert.Equal(t, []float64{0, 6, 0, 2}, dx.Data())
}

func TestMaxPoolAllocatesNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	pool := NewMaxPool(3, 3, 2, 1)
	x := tensor.RandN(rng, 1, 8, 4, 12, 12)
	dout := tensor.RandN(rng, 1, 8, 4, 6, 6)
	step := func() {
		pool.Forward(x)
		pool.Backward(dout)
	}
	step()
	assert.Zero(t, testing.AllocsPerRun(5, step))
}

func TestMaxPoolClone(t *testing.T) {
	rng := newRand()
	x := tensor.RandN(rng, 1, 2, 2, 5, 5)
	l := NewMaxPool(3, 2, 2, 1)
	want := l.Forward(x).Clone()
	c := l.Clone().(*MaxPool)
	assert.Equal(t, want.Data(), c.Forward(x).Data())
	h, w := c.Window()
	assert.Equal(t, []int{3, 2, 2, 1}, []int{h, w, c.Stride(), c.Pad()})
}

func TestMaxPoolPanics(t *testing.T) {
	tests := []struct {
		name, msg string
		f         func()
	}{
		{"window size", "layers: NewMaxPool: window 2×0 and stride 2 must be positive and pad 0 not negative",
			func() { NewMaxPool(2, 0, 2, 0) }},
		{"padding as large as the window", "layers: NewMaxPool: pad 2 must be less than the window 2×3",
			func() { NewMaxPool(2, 3, 1, 2) }},
		{"input not 4-D", "layers: MaxPool.Forward: input shape [4 4] is not (N, C, H, W)",
			func() { NewMaxPool(2, 2, 2, 0).Forward(tensor.New(4, 4)) }},
		{"backward first", "layers: MaxPool.Backward: called before Forward",
			func() { NewMaxPool(2, 2, 2, 0).Backward(tensor.New(1, 1, 1, 1)) }},
		{"dout shape", "layers: MaxPool.Backward: dout shape [1 1 1 1] does not match output shape [1 1 2 2]",
			func() {
				p := NewMaxPool(3, 3, 2, 1)
				p.Forward(tensor.New(1, 1, 4, 4))
				p.Backward(tensor.New(1, 1, 1, 1))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.PanicsWithValue(t, tt.msg, tt.f) })
	}
}

// BenchmarkMaxPool measures a training step of ResNet's stem pooling,
// 3×3 at stride 2 with pad 1, over a batch of 8 of 64 channels of
// 112×112, beside the book's Pooling with the same settings.
func BenchmarkMaxPool(b *testing.B) {
	rng := newRand()
	x := tensor.RandN(rng, 1, 8, 64, 112, 112)
	dout := tensor.RandN(rng, 1, 8, 64, 56, 56)
	for name, l := range map[string]Layer{"layer=MaxPool": NewMaxPool(3, 3, 2, 1), "layer=Pooling": NewPooling(3, 3, 2, 1)} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l.Forward(x)
				l.Backward(dout)
			}
		})
	}
}
