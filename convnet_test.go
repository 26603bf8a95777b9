package numlearn

import (
	"bytes"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSimpleConvNetIsTheBooks(t *testing.T) {
	net := NewSimpleConvNet(ConvNetConfig{}, newRand(1))
	assert.Equal(t, []string{"W1", "b1", "W2", "b2", "W3", "b3"}, net.ParamNames())
	// 30 filters of 1×5×5; 28−5+1 = 24, pooled to 12: 30·12·12 = 4320
	// inputs to the hidden layer of 100; 10 classes.
	shapes := [][]int{{30, 1, 5, 5}, {30}, {4320, 100}, {100}, {100, 10}, {10}}
	for i, p := range net.Params() {
		assert.Equal(t, shapes[i], p.Shape(), net.ParamNames()[i])
	}
	// W = 0.01·randn(…) in the order W1, W2, W3 from one stream; b = 0.
	rng := newRand(1)
	for i := 0; i < 6; i += 2 {
		assert.Equal(t, tensor.RandN(rng, 0.01, shapes[i]...).Data(), net.Params()[i].Data(), net.ParamNames()[i])
		assert.Zero(t, net.Params()[i+1].Sum(), net.ParamNames()[i+1])
	}
	x := tensor.RandN(newRand(2), 1, 3, 1, 28, 28)
	assert.Equal(t, []int{3, 10}, net.Predict(x).Shape())
	assert.Equal(t, []string{"*layers.Convolution", "*layers.ReLU", "*layers.Pooling", "*layers.Affine", "*layers.ReLU", "*layers.Affine"}, layerKinds(net))
}

// smallConvNet is a SimpleConvNet on 2-channel 7×6 images with 3×3
// filters at stride 1 and padding 1 (7×6 outputs, pooled to 3×3): small
// enough for a numerical gradient.
func smallConvNet(seed uint64) *Network {
	return NewSimpleConvNet(ConvNetConfig{Channels: 2, Height: 7, Width: 6, Filters: 3, FilterSize: 3, Pad: 1, Hidden: 5, Classes: 4, Init: Std(0.1)}, newRand(seed))
}

func TestSimpleConvNetGradientMatchesNumerical(t *testing.T) {
	// The loss is the book's −log(y + 1e-7), whose gradient differs from
	// backprop's y − t by about 1e-7 relative to y: agreement to 1e-6. (A
	// ReLU kink or an arg-max switch inside ±h would show as a far larger
	// difference; with these seeds none falls there.)
	const tol = 1e-6
	net := smallConvNet(3)
	rng := newRand(4)
	x := tensor.RandN(rng, 1, 3, 2, 7, 6)
	tt := oneHot([]int{0, 3, 1}, 4)
	for i, d := range net.GradientCheck(x, tt) {
		assert.Less(t, d.MaxAbs, tol, "%s: %v", net.ParamNames()[i], d)
	}
}

func TestConvNetSavesLoadsAndPredictsConcurrently(t *testing.T) {
	net := smallConvNet(5)
	x := tensor.RandN(newRand(6), 1, 8, 2, 7, 6)
	want := net.Predict(x).Clone()

	var buf bytes.Buffer
	require.NoError(t, net.Save(&buf, SaveOptions{}))
	other := smallConvNet(7)
	require.NoError(t, other.Load(&buf))
	assert.Equal(t, want.Data(), other.Predict(x).Data(), "loaded parameters predict alike")

	p := net.NewPredictor()
	var wg sync.WaitGroup
	results := make([]*tensor.Tensor, 8)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst tensor.Tensor
			for range 20 {
				p.Predict(&dst, x)
			}
			results[g] = &dst
		}()
	}
	wg.Wait()
	for _, r := range results {
		assert.Equal(t, want.Data(), r.Data())
	}
}

func TestDeepConvNetIsTheBooks(t *testing.T) {
	net := NewDeepConvNet(DeepConvNetConfig{}, newRand(8))
	assert.Equal(t, []string{"W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4", "W5", "b5", "W6", "b6", "W7", "b7", "W8", "b8"}, net.ParamNames())
	shapes := [][]int{{16, 1, 3, 3}, {16, 16, 3, 3}, {32, 16, 3, 3}, {32, 32, 3, 3}, {64, 32, 3, 3}, {64, 64, 3, 3}, {1024, 50}, {50, 10}}
	for i, s := range shapes {
		assert.Equal(t, s, net.Params()[2*i].Shape(), net.ParamNames()[2*i])
	}
	// He's scale, √(2/fan-in), from one stream in layer order.
	rng := newRand(8)
	fanIns := []int{9, 144, 144, 288, 288, 576, 1024, 50}
	for i, s := range shapes {
		assert.Equal(t, tensor.RandN(rng, He(fanIns[i]), s...).Data(), net.Params()[2*i].Data(), net.ParamNames()[2*i])
	}
	x := tensor.RandN(newRand(9), 1, 2, 1, 28, 28)
	assert.Equal(t, []int{2, 10}, net.Predict(x).Shape())

	withDropout := NewDeepConvNet(DeepConvNetConfig{Dropout: 0.5}, newRand(8))
	ls := withDropout.Layers()
	require.Len(t, ls, len(net.Layers())+2)
	assert.IsType(t, &layers.Dropout{}, ls[len(ls)-3], "after the first Affine and its ReLU")
	assert.IsType(t, &layers.Dropout{}, ls[len(ls)-1], "after the last Affine")
	for i, p := range withDropout.Params() {
		assert.Equal(t, net.Params()[i].Data(), p.Data(), "the same weights with dropout: %s", withDropout.ParamNames()[i])
	}
	// In inference mode dropout scales by 1 − 0.5 twice; only the last
	// scaling reaches the scores directly, and the first goes through an
	// Affine layer, so the two nets' scores differ.
	assert.NotEqual(t, net.Predict(x).Data(), withDropout.Predict(x).Data())
}

func TestConvNetConstructorsPanic(t *testing.T) {
	assert.PanicsWithValue(t, "numlearn: NewSimpleConvNet: rng is nil; pass rand.New(rand.NewPCG(seed1, seed2))",
		func() { NewSimpleConvNet(ConvNetConfig{}, nil) })
	assert.PanicsWithValue(t, "numlearn: NewSimpleConvNet: 5×5 filters on 4×4 images padded by 0 leave no 2×2 window to pool",
		func() { NewSimpleConvNet(ConvNetConfig{Height: 4, Width: 4}, rand.New(rand.NewPCG(1, 1))) })
	assert.Panics(t, func() { NewSimpleConvNet(ConvNetConfig{Filters: -1}, rand.New(rand.NewPCG(1, 1))) })
	assert.PanicsWithValue(t, "numlearn: NewDeepConvNet: rng is nil; pass rand.New(rand.NewPCG(seed1, seed2))",
		func() { NewDeepConvNet(DeepConvNetConfig{}, nil) })
	assert.PanicsWithValue(t, "numlearn: NewDeepConvNet: dropout ratio 1 is not in [0, 1)",
		func() { NewDeepConvNet(DeepConvNetConfig{Dropout: 1}, rand.New(rand.NewPCG(1, 1))) })
}

// TestConvNetTrainingAllocatesNothingOnceWarm: a whole step of Train on
// SimpleConvNet — batch drawn, forward, backward, Adam — allocates nothing
// once its buffers are sized.
func TestConvNetTrainingAllocatesNothingOnceWarm(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	net := NewSimpleConvNet(ConvNetConfig{}, newRand(10))
	rng := newRand(11)
	x := tensor.RandN(rng, 1, 200, 1, 28, 28)
	labels := make([]int, 200)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	tt := oneHot(labels, 10)
	cfg, _, err := net.checkConfig(x, tt, TrainConfig{BatchSize: 50, Rand: newRand(12)})
	require.NoError(t, err)
	s := newStepper(net, net.seq.PrepareRows(x), tt, cfg, 4)
	opt := &grad.Adam{}
	it := 0
	step := func() {
		opt.Update(net.Params(), s.gradient(it))
		it++
	}
	step()
	assert.Zero(t, testing.AllocsPerRun(5, step))
}

// plainReLU is a ReLU of the user's own, which a Sequence does not
// recognise: it takes the general path.
type plainReLU struct{ layers.ReLU }

// TestSimpleConvNetIsTheBooksLayersInARow: the fused block that runs the
// first three layers changes nothing: the same network whose ReLU is not
// the layers package's, so that each layer runs on its own, gives the
// same scores and gradients.
func TestSimpleConvNetIsTheBooksLayersInARow(t *testing.T) {
	const tol = 1e-12
	net := NewSimpleConvNet(ConvNetConfig{Init: Std(0.1)}, newRand(13))
	p := net.Params()
	book := NewNetwork(
		layers.NewConvolution(p[0].Clone(), p[1].Clone(), 1, 0), &plainReLU{}, layers.NewPooling(2, 2, 2, 0),
		layers.NewAffine(p[2].Clone(), p[3].Clone()), &layers.ReLU{}, layers.NewAffine(p[4].Clone(), p[5].Clone()),
	)
	rng := newRand(14)
	x := tensor.RandN(rng, 1, 5, 1, 28, 28)
	tt := oneHot([]int{1, 4, 9, 0, 7}, 10)
	assert.InDeltaSlice(t, book.Predict(x).Data(), net.Predict(x).Data(), tol)
	want := book.Gradient(x, tt)
	for i, g := range net.Gradient(x, tt) {
		assert.InDeltaSlice(t, want[i].Data(), g.Data(), tol, net.ParamNames()[i])
	}
}
