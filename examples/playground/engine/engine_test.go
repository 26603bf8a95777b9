package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

// fakeSet returns n random 28×28 "digits" whose class is the row of
// the image holding its brightest pixel band, so that there is
// something to learn.
func fakeSet(n int, seed uint64) *mnist.Set {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := tensor.New(n, mnist.ImageSize)
	labels := make([]int, n)
	d := x.Data()
	for i := range n {
		labels[i] = rng.IntN(10)
		for p := range mnist.ImageSize {
			d[i*mnist.ImageSize+p] = 0.1 * rng.Float64()
		}
		for c := range mnist.Cols {
			d[i*mnist.ImageSize+(2*labels[i]+4)*mnist.Cols+c] = 1
		}
	}
	return &mnist.Set{Images: x, Labels: labels}
}

// TestNewDrawsExamplesMNISTNetwork: the page's TwoLayerNet is the one
// examples/mnist draws from the same seed, so that the two runs match.
func TestNewDrawsExamplesMNISTNetwork(t *testing.T) {
	train, test := fakeSet(300, 1), fakeSet(50, 2)
	r, err := New(Settings{Seed: 3}, train, test)
	require.NoError(t, err)
	want := numlearn.NewMultiLayerNet([]int{784, 50, 10}, numlearn.MultiLayerConfig{Init: numlearn.Std(0.01), Activation: &layers.ReLU{}},
		rand.New(rand.NewPCG(3, 0x6e756d6c)))
	require.Len(t, r.Net.Params(), len(want.Params()))
	for i, p := range want.Params() {
		assert.Equal(t, p.Data(), r.Net.Params()[i].Data(), r.Net.ParamNames()[i])
	}
	assert.Equal(t, "go run ./examples/mnist -seed 3 -iters 10000 -batch 100 -optimizer sgd -lr 0.1", r.Settings.Command())
	assert.Equal(t, "go run ./examples/mnist -hidden 100,100 -init he -batchnorm -dropout 0.2 -seed 1 -iters 500 -batch 50 -optimizer adam -lr 0.001",
		Settings{Model: MultiLayerNet, Optimizer: "Adam", Iterations: 500, BatchSize: 50}.Command())
	assert.Empty(t, Settings{Model: SimpleConvNet}.Command())
}

// TestTrainRepeats: the same settings give the same losses, step for
// step; another seed gives others.
func TestTrainRepeats(t *testing.T) {
	train, test := fakeSet(300, 1), fakeSet(50, 2)
	losses := func(s Settings) []float64 {
		r, err := New(s, train, test)
		require.NoError(t, err)
		h, err := r.Train(context.Background(), 0, nil)
		require.NoError(t, err)
		return h.Loss
	}
	for _, model := range []string{TwoLayerNet, MultiLayerNet, SimpleConvNet} {
		t.Run(model, func(t *testing.T) {
			s := Settings{Model: model, Optimizer: "adam", Iterations: 6, BatchSize: 20}
			a := losses(s)
			require.Len(t, a, 6)
			assert.Equal(t, a, losses(s))
			s.Seed = 2
			assert.NotEqual(t, a, losses(s))
		})
	}
}

func TestNewRejectsBadSettings(t *testing.T) {
	train, test := fakeSet(30, 1), fakeSet(5, 2)
	tests := []struct {
		name string
		s    Settings
		msg  string
	}{
		{"model", Settings{Model: "resnet", BatchSize: 10}, `unknown model "resnet"`},
		{"optimizer", Settings{Optimizer: "lbfgs", BatchSize: 10}, `unknown optimizer "lbfgs"`},
		{"batch", Settings{BatchSize: 31}, "batch size 31: must be positive and at most the 30 training samples"},
		{"rate", Settings{LR: -1, BatchSize: 10}, "learning rate -1: must be positive and finite"},
		{"steps", Settings{Iterations: -1, BatchSize: 10}, "-1 steps: must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.s, train, test)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

// TestSaveLoadPredict: a model saved by the page loads with
// numlearn.ReadModel and answers what the trained network answers.
func TestSaveLoadPredict(t *testing.T) {
	train, test := fakeSet(200, 1), fakeSet(50, 2)
	digit := train.Images.Slice(0, 1).Clone().Data()
	for _, model := range []string{TwoLayerNet, MultiLayerNet, SimpleConvNet} {
		t.Run(model, func(t *testing.T) {
			r, err := New(Settings{Model: model, Iterations: 5, BatchSize: 20}, train, test)
			require.NoError(t, err)
			_, err = r.Train(context.Background(), -1, nil)
			require.NoError(t, err)
			p, err := Predict(r.Net, digit)
			require.NoError(t, err)
			require.Len(t, p, 10)
			assert.InDelta(t, 1, p[0]+p[1]+p[2]+p[3]+p[4]+p[5]+p[6]+p[7]+p[8]+p[9], 1e-12)

			b, err := Save(r.Net)
			require.NoError(t, err)
			loaded, err := numlearn.ReadModel(bytes.NewReader(b))
			require.NoError(t, err)
			q, err := Predict(loaded, digit)
			require.NoError(t, err)
			assert.Equal(t, p, q)
			_, err = Load(b)
			assert.NoError(t, err)
			assert.Equal(t, Accuracy(r.Net, test, 0), Accuracy(loaded, test, 0))
		})
	}
	_, err := Predict(numlearn.NewTwoLayerNet(784, 5, 10, rand.New(rand.NewPCG(1, 2))), make([]float64, 783))
	assert.ErrorContains(t, err, "783 pixels, want 784")
}

func TestLoadRejectsOtherModels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range []struct {
		name string
		net  *numlearn.Network
		msg  string
	}{
		{"five inputs", numlearn.NewTwoLayerNet(5, 3, 10, rng), "does not take a 28×28 digit"},
		{"three classes", numlearn.NewTwoLayerNet(784, 3, 3, rng), "answers 3 values for a digit, want 10"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Save(tt.net)
			require.NoError(t, err)
			_, err = Load(b)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
	_, err := Load([]byte("not a model"))
	assert.Error(t, err)
}

// TestTiles: a tile is one hidden unit's 784 weights, or one filter,
// scaled by its largest magnitude.
func TestTiles(t *testing.T) {
	const tol = 1e-6
	rng := rand.New(rand.NewPCG(1, 2))
	net := numlearn.NewTwoLayerNet(784, 50, 10, rng)
	tiles, count, side := Tiles(net, 40)
	require.Equal(t, 40, count)
	require.Equal(t, 28, side)
	require.Len(t, tiles, 40*784)
	w := net.Params()[0]
	var m float64
	for i := range 784 {
		m = max(m, math.Abs(w.At(i, 3)))
	}
	for _, i := range []int{0, 100, 783} {
		assert.InDelta(t, w.At(i, 3)/m, tiles[3*784+i], tol)
	}

	conv := numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{}, rng)
	tiles, count, side = Tiles(conv, 100)
	assert.Equal(t, 30, count)
	assert.Equal(t, 5, side)
	assert.Len(t, tiles, 30*25)
	for _, v := range tiles {
		assert.LessOrEqual(t, math.Abs(float64(v)), 1.0)
	}
}

// idx returns an IDX file of n 28×28 images with the given pixels, or
// of n labels.
func idx(images bool, n int, fill byte) []byte {
	var b bytes.Buffer
	if images {
		binary.Write(&b, binary.BigEndian, []uint32{0x803, uint32(n), 28, 28})
		b.Write(bytes.Repeat([]byte{fill}, n*784))
	} else {
		binary.Write(&b, binary.BigEndian, []uint32{0x801, uint32(n)})
		b.Write(bytes.Repeat([]byte{fill}, n))
	}
	return b.Bytes()
}

func TestReadSets(t *testing.T) {
	train, test, err := ReadSets(bytes.NewReader(idx(true, 3, 255)), bytes.NewReader(idx(false, 3, 7)),
		bytes.NewReader(idx(true, 2, 0)), bytes.NewReader(idx(false, 2, 1)))
	require.NoError(t, err)
	assert.Equal(t, []int{3, 784}, train.Images.Shape())
	assert.Equal(t, []int{7, 7, 7}, train.Labels)
	assert.Equal(t, 1.0, train.Images.At(2, 783))
	assert.Equal(t, []int{1, 1}, test.Labels)

	_, _, err = ReadSets(bytes.NewReader(idx(true, 3, 0)), bytes.NewReader(idx(false, 2, 0)),
		bytes.NewReader(idx(true, 2, 0)), bytes.NewReader(idx(false, 2, 0)))
	assert.ErrorContains(t, err, "training images [3 784] for 2 labels")
	_, _, err = ReadSets(bytes.NewReader(idx(true, 3, 0)), bytes.NewReader(idx(false, 3, 0)),
		bytes.NewReader([]byte("junk")), bytes.NewReader(idx(false, 2, 0)))
	assert.ErrorContains(t, err, "engine: test images")
}
