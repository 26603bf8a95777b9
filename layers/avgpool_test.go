package layers

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAvgPoolByHand(t *testing.T) {
	const tol = 1e-15
	// x = 1…9 in 3×3; 2×2 windows at stride 2 over it padded by 1 cover
	// the padded 4×4 once each: x[0][0] alone; x[0][1..2]; x[1..2][0];
	// and the 2×2 block 5, 6, 8, 9.
	x := tensor.FromSlice([]float64{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
	}, 1, 1, 3, 3)
	tests := []struct {
		name          string
		includePad    bool
		wantY, wantDx []float64
	}{
		{"padding counts", true,
			[]float64{1.0 / 4, 5.0 / 4, 11.0 / 4, 28.0 / 4},
			[]float64{ // every position is in one window of 4
				0.25, 0.25, 0.25,
				0.25, 0.25, 0.25,
				0.25, 0.25, 0.25,
			}},
		{"padding does not count", false,
			[]float64{1, 5.0 / 2, 11.0 / 2, 28.0 / 4},
			[]float64{ // each window's 1 shared by its image positions
				1, 0.5, 0.5,
				0.5, 0.25, 0.25,
				0.5, 0.25, 0.25,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewAvgPool(2, 2, 2, 1, tt.includePad)
			y := l.Forward(x)
			require.Equal(t, []int{1, 1, 2, 2}, y.Shape())
			assert.InDeltaSlice(t, tt.wantY, y.Data(), tol)
			assert.InDeltaSlice(t, tt.wantDx, l.Backward(tensor.Full(1, 1, 1, 2, 2)).Data(), tol)
		})
	}

	// Overlapping 2×2 windows at stride 1 without padding: the centre is
	// in all four, each giving it a quarter of its dout.
	l := NewAvgPool(2, 2, 1, 0, false)
	assert.InDeltaSlice(t, []float64{3, 4, 6, 7}, l.Forward(x).Data(), tol) // (1+2+4+5)/4, …
	dx := l.Backward(tensor.FromSlice([]float64{4, 8, 12, 16}, 1, 1, 2, 2))
	assert.InDeltaSlice(t, []float64{
		1, 3, 2,
		4, 10, 6,
		3, 7, 4,
	}, dx.Data(), tol)
}

func TestGlobalAvgPoolByHand(t *testing.T) {
	const tol = 1e-15
	// Two images of two 2×3 channels: the means are 3.5, 1, 0 and −1.
	x := tensor.FromSlice([]float64{
		1, 2, 3, 4, 5, 6,
		1, 1, 1, 1, 1, 1,
		-3, 3, -2, 2, -1, 1,
		0, -1, -2, 0, -1, -2,
	}, 2, 2, 2, 3)
	var l GlobalAvgPool
	y := l.Forward(x)
	require.Equal(t, []int{2, 2, 1, 1}, y.Shape())
	assert.InDeltaSlice(t, []float64{3.5, 1, 0, -1}, y.Data(), tol)
	dx := l.Backward(tensor.FromSlice([]float64{6, 12, -6, 0}, 2, 2, 1, 1))
	require.Equal(t, x.Shape(), dx.Shape())
	assert.InDeltaSlice(t, []float64{
		1, 1, 1, 1, 1, 1,
		2, 2, 2, 2, 2, 2,
		-1, -1, -1, -1, -1, -1,
		0, 0, 0, 0, 0, 0,
	}, dx.Data(), tol)
}

// avgPoolCases are average poolings to check; with padding, both ways of
// counting it.
var avgPoolCases = []struct {
	poolCase
	includePad bool
}{
	{poolCase{n: 2, c: 3, h: 4, w: 4, ph: 2, pw: 2, stride: 2}, false},
	{poolCase{n: 1, c: 2, h: 5, w: 7, ph: 2, pw: 2, stride: 2}, true}, // odd edges are not covered
	{poolCase{n: 2, c: 1, h: 5, w: 5, ph: 3, pw: 2, stride: 1}, false},
	{poolCase{n: 1, c: 2, h: 4, w: 5, ph: 3, pw: 3, stride: 2, pad: 1}, false},
	{poolCase{n: 1, c: 2, h: 4, w: 5, ph: 3, pw: 3, stride: 2, pad: 1}, true},
	{poolCase{n: 2, c: 2, h: 6, w: 6, ph: 3, pw: 3, stride: 1, pad: 2}, false},
	{poolCase{n: 2, c: 2, h: 6, w: 6, ph: 3, pw: 3, stride: 1, pad: 2}, true},
	{poolCase{n: 3, c: 1, h: 6, w: 4, ph: 1, pw: 2, stride: 3}, true},
}

func TestAvgPoolMatchesNumerical(t *testing.T) {
	rng := newRand()
	for _, pc := range avgPoolCases {
		t.Run(fmt.Sprintf("%s/include_pad=%t", pc.poolCase, pc.includePad), func(t *testing.T) {
			l := NewAvgPool(pc.ph, pc.pw, pc.stride, pc.pad, pc.includePad)
			x := tensor.RandN(rng, 1, pc.n, pc.c, pc.h, pc.w)
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

func TestGlobalAvgPoolMatchesNumerical(t *testing.T) {
	rng := newRand()
	for _, shape := range [][]int{{2, 3, 4, 5}, {1, 1, 1, 1}, {3, 2, 1, 7}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			var l GlobalAvgPool
			x := tensor.RandN(rng, 1, shape...)
			c := tensor.RandN(rng, 1, shape[0], shape[1], 1, 1)
			numeric := grad.Numerical(scalarLoss(&l, c), x)
			l.Forward(x)
			d := grad.Check([]*tensor.Tensor{l.Backward(c)}, []*tensor.Tensor{numeric})[0]
			assert.Less(t, d.MaxAbs, gradTol, "dx: %v", d)
		})
	}
}

// TestAvgPoolIsGlobalOverTheWholeImage: a window the size of the image
// averages as GlobalAvgPool does.
func TestAvgPoolIsGlobalOverTheWholeImage(t *testing.T) {
	const tol = 1e-14
	rng := newRand()
	x := tensor.RandN(rng, 1, 2, 3, 5, 4)
	var global GlobalAvgPool
	l := NewAvgPool(5, 4, 1, 0, false)
	assert.InDeltaSlice(t, global.Forward(x).Data(), l.Forward(x).Data(), tol)
	dout := tensor.RandN(rng, 1, 2, 3, 1, 1)
	assert.InDeltaSlice(t, global.Backward(dout).Data(), l.Backward(dout).Data(), tol)
}

func TestAvgPoolAllocatesNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	rng := newRand()
	pool, global := NewAvgPool(3, 3, 2, 1, false), &GlobalAvgPool{}
	x := tensor.RandN(rng, 1, 8, 4, 12, 12)
	step := func() {
		y := pool.Forward(x)
		g := global.Forward(y)
		pool.Backward(global.Backward(g))
	}
	step()
	assert.Zero(t, testing.AllocsPerRun(5, step))
}

func TestAvgPoolClone(t *testing.T) {
	rng := newRand()
	x := tensor.RandN(rng, 1, 2, 2, 5, 5)
	for _, l := range []Layer{NewAvgPool(3, 2, 1, 1, true), NewAvgPool(3, 2, 2, 1, false), &GlobalAvgPool{}} {
		want := l.Forward(x).Clone()
		c := l.(Cloner).Clone()
		assert.IsType(t, l, c)
		assert.Equal(t, want.Data(), c.Forward(x).Data())
	}
	p := NewAvgPool(3, 2, 2, 1, true).Clone().(*AvgPool)
	h, w := p.Window()
	assert.Equal(t, []int{3, 2, 2, 1}, []int{h, w, p.Stride(), p.Pad()})
	assert.True(t, p.CountIncludePad())
}

func TestAvgPoolPanics(t *testing.T) {
	tests := []struct {
		name, msg string
		f         func()
	}{
		{"window size", "layers: NewAvgPool: window 0×2 and stride 2 must be positive and pad 0 not negative",
			func() { NewAvgPool(0, 2, 2, 0, false) }},
		{"padding as large as the window", "layers: NewAvgPool: pad 2 must be less than the window 3×2",
			func() { NewAvgPool(3, 2, 1, 2, true) }},
		{"padding of 2³¹", "layers: NewAvgPool: window 2×2, stride 1 and pad 2147483648 must each be at most 16777216",
			func() { NewAvgPool(2, 2, 1, 1<<31, false) }},
		{"input not 4-D", "layers: AvgPool.Forward: input shape [4 4] is not (N, C, H, W)",
			func() { NewAvgPool(2, 2, 2, 0, false).Forward(tensor.New(4, 4)) }},
		{"window larger than the image", "layers: AvgPool.Forward: input shape [1 1 2 5]: window 3×3 is larger than the padded image 2×5",
			func() { NewAvgPool(3, 3, 1, 0, false).Forward(tensor.New(1, 1, 2, 5)) }},
		{"backward first", "layers: AvgPool.Backward: called before Forward",
			func() { NewAvgPool(2, 2, 2, 0, false).Backward(tensor.New(1, 1, 1, 1)) }},
		{"dout shape", "layers: AvgPool.Backward: dout shape [1 1 1 1] does not match output shape [1 1 2 2]",
			func() {
				p := NewAvgPool(2, 2, 2, 0, false)
				p.Forward(tensor.New(1, 1, 4, 4))
				p.Backward(tensor.New(1, 1, 1, 1))
			}},
		{"global input not 4-D", "layers: GlobalAvgPool.Forward: input shape [2 3 4] is not (N, C, H, W) with positive H and W",
			func() { new(GlobalAvgPool).Forward(tensor.New(2, 3, 4)) }},
		{"global input without positions", "layers: GlobalAvgPool.Forward: input shape [2 3 0 4] is not (N, C, H, W) with positive H and W",
			func() { new(GlobalAvgPool).Forward(tensor.New(2, 3, 0, 4)) }},
		{"global backward first", "layers: GlobalAvgPool.Backward: called before Forward",
			func() { new(GlobalAvgPool).Backward(tensor.New(1, 1, 1, 1)) }},
		{"global dout shape", "layers: GlobalAvgPool.Backward: dout shape [2 3] does not match output shape [2 3 1 1]",
			func() {
				var p GlobalAvgPool
				p.Forward(tensor.New(2, 3, 4, 4))
				p.Backward(tensor.New(2, 3))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.PanicsWithValue(t, tt.msg, tt.f) })
	}
}

// TestPoolsRefuseHostileGeometryBeforeAllocating: AvgPool and MaxPool
// refuse sizes beyond the limits as Pooling does, before allocating
// anything of their size.
func TestPoolsRefuseHostileGeometryBeforeAllocating(t *testing.T) {
	x4, x4096 := tensor.New(1, 1, 4, 4), tensor.New(1, 4096, 1, 1)
	tests := []struct {
		name, msg string
		f         func()
	}{
		{"avg window of 2⁴⁰", "layers: NewAvgPool: window 1099511627776×2, stride 2 and pad 0 must each be at most 16777216",
			func() { NewAvgPool(1<<40, 2, 2, 0, true) }},
		{"max stride of 2⁶²", "layers: NewMaxPool: window 2×2, stride 4611686018427387904 and pad 0 must each be at most 16777216",
			func() { NewMaxPool(2, 2, 1<<62, 0) }},
		{"avg Forward with a padding of 2²⁰", "layers: AvgPool.Forward: input shape [1 1 4 4]: the padded image 1×2097156×2097156 has more than 2147483647 values",
			func() { NewAvgPool(1<<20+1, 1<<20+1, 1, 1<<20, false).Forward(x4) }},
		{"max Forward with a padding of 2²⁰", "layers: MaxPool.Forward: input shape [1 1 4 4]: the padded image 1×2097156×2097156 has more than 2147483647 values",
			func() { NewMaxPool(1<<20+1, 1<<20+1, 1, 1<<20).Forward(x4) }},
		{"avg Forward with windows reading 2³⁶ values", "layers: AvgPool.Forward: input shape [1 4096 1 1]: windows of 1×513×513 at 513×513 positions read more than 2147483647 values",
			func() { NewAvgPool(513, 513, 1, 512, true).Forward(x4096) }},
		{"max Forward with windows reading 2⁴⁰ values", "layers: MaxPool.Forward: input shape [1 4096 1 1]: windows of 1×1024×1024 at 1024×1024 positions read more than 2147483647 values",
			func() { NewMaxPool(1024, 1024, 1, 1023).Forward(x4096) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			assert.PanicsWithValue(t, tt.msg, tt.f)
			runtime.ReadMemStats(&after)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated")
		})
	}
}

// TestPoolBuildersRefuseWhatTheConstructorsRefuse: a model file's window,
// stride or padding that the constructors refuse is an error.
func TestPoolBuildersRefuseWhatTheConstructorsRefuse(t *testing.T) {
	tests := []struct {
		name, kind, config string
		params             []*tensor.Tensor
		msg                string
	}{
		{"avg window", "AvgPool", `{"height": 0, "width": 2, "stride": 1}`, nil,
			"layers: AvgPool: window 0×2 and stride 1 must be positive and pad 0 not negative"},
		{"avg padding", "AvgPool", `{"height": 2, "width": 2, "stride": 1, "pad": 2, "count_include_pad": true}`, nil,
			"layers: AvgPool: pad 2 must be less than the window 2×2"},
		{"avg unknown field", "AvgPool", `{"height": 2, "width": 2, "stride": 1, "ceil_mode": 1}`, nil,
			`layers: AvgPool: config {"height": 2, "width": 2, "stride": 1, "ceil_mode": 1}: json: unknown field "ceil_mode"`},
		{"avg tensors", "AvgPool", `{"height": 2, "width": 2, "stride": 1}`, []*tensor.Tensor{tensor.New(1)},
			"layers: AvgPool has 0 tensors, the model gives 1"},
		{"global config", "GlobalAvgPool", `{"keepdims": 1}`, nil,
			`layers: GlobalAvgPool: config {"keepdims": 1}: json: unknown field "keepdims"`},
		{"global tensors", "GlobalAvgPool", ``, []*tensor.Tensor{tensor.New(1)},
			"layers: GlobalAvgPool has no tensors, the model gives 1"},
		{"max padding", "MaxPool", `{"height": 3, "width": 3, "stride": 2, "pad": 2147483648}`, nil,
			"layers: MaxPool: window 3×3, stride 2 and pad 2147483648 must each be at most 16777216"},
		{"max padding as large as the window", "MaxPool", `{"height": 3, "width": 1, "stride": 2, "pad": 1}`, nil,
			"layers: MaxPool: pad 1 must be less than the window 3×1"},
		{"max tensors", "MaxPool", `{"height": 2, "width": 2, "stride": 2}`, []*tensor.Tensor{tensor.New(1)},
			"layers: MaxPool has 0 tensors, the model gives 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Build(Description{Kind: tt.kind, Config: json.RawMessage(tt.config)}, tt.params, nil)
			assert.Nil(t, l)
			assert.EqualError(t, err, tt.msg)
		})
	}
}
