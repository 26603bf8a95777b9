package numlearn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

// benchData returns n samples shaped like MNIST: 784 inputs in [0, 1],
// about a fifth of them nonzero, and one-hot targets over 10 classes.
func benchData(n int) (x, t *tensor.Tensor) {
	rng := rand.New(rand.NewPCG(50, 51))
	x = tensor.New(n, 784)
	for i := range x.Data() {
		if rng.IntN(5) == 0 {
			x.Data()[i] = rng.Float64()
		}
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	return x, oneHot(labels, 10)
}

// BenchmarkTrainStep is one step of the book's training loop on the
// 784-50-10 net with a batch of 100, as Train takes it: draw the batch,
// forward (the first layer straight from the data set's rows), backward,
// SGD update.
func BenchmarkTrainStep(b *testing.B) {
	x, t := benchData(60000)
	benchStep(b, "shape=784x50x10/batch=100", NewTwoLayerNet(784, 50, 10, newRand(52)), &grad.SGD{LR: 0.1}, x, t, 53)
}

// benchStep runs the sub-benchmark name of one training step of net on x
// and t as Train takes it — the batch drawn with a rand seeded from seed,
// forward, backward, opt's update — after one warm-up step.
func benchStep(b *testing.B, name string, net *Network, opt grad.Optimizer, x, t *tensor.Tensor, seed uint64) {
	benchStepBatch(b, name, net, opt, x, t, seed, 100)
}

// benchStepBatch is benchStep with a batch of the given size.
func benchStepBatch(b *testing.B, name string, net *Network, opt grad.Optimizer, x, t *tensor.Tensor, seed uint64, batch int) {
	cfg, _, err := net.checkConfig(x, t, TrainConfig{Rand: newRand(seed), BatchSize: batch})
	if err != nil {
		b.Fatal(err)
	}
	s := newStepper(net, net.seq.PrepareRows(x), t, cfg, x.Shape()[0]/batch)
	it := 0
	step := func() {
		opt.Update(net.Params(), s.gradient(it))
		it++
	}
	step()
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			step()
		}
	})
}

// BenchmarkForwardBackward splits a step into its forward pass (Loss) and
// the whole gradient (forward and backward).
func BenchmarkForwardBackward(b *testing.B) {
	x, t := benchData(100)
	net := NewTwoLayerNet(784, 50, 10, newRand(54))
	net.Gradient(x, t)
	b.Run("pass=forward/shape=784x50x10/batch=100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			net.Loss(x, t)
		}
	})
	b.Run("pass=gradient/shape=784x50x10/batch=100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			net.Gradient(x, t)
		}
	})
}

// BenchmarkAccuracy evaluates 10,000 images, as each epoch does for the
// test set (and six times over for the training set).
func BenchmarkAccuracy(b *testing.B) {
	x, t := benchData(10000)
	net := NewTwoLayerNet(784, 50, 10, newRand(55))
	net.Accuracy(x, t)
	b.Run("shape=784x50x10/n=10000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			net.Accuracy(x, t)
		}
	})
}

// BenchmarkPredictor measures predictions per second from one shared
// Predictor of the book's 784-50-10 net, for single images and batches of
// 100, with 1, 2 and 16 goroutines asking at once.
func BenchmarkPredictor(b *testing.B) {
	x, _ := benchData(100)
	p := NewTwoLayerNet(784, 50, 10, newRand(56)).NewPredictor()
	for _, size := range []int{1, 100} {
		input := x.Slice(0, size)
		for _, goroutines := range []int{1, 2, 16} {
			b.Run(fmt.Sprintf("batch=%d/goroutines=%d", size, goroutines), func(b *testing.B) {
				b.ReportAllocs()
				predict := func(dst *tensor.Tensor) { p.Predict(dst, input) }
				var dst tensor.Tensor
				predict(&dst)
				if goroutines == 1 {
					for b.Loop() {
						predict(&dst)
					}
				} else {
					b.SetParallelism(max(goroutines/runtime.GOMAXPROCS(0), 1))
					b.RunParallel(func(pb *testing.PB) {
						var dst tensor.Tensor
						for pb.Next() {
							predict(&dst)
						}
					})
				}
				b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "predictions/s")
			})
		}
	}
}

// BenchmarkTrainStepExtended is a training step of the book's
// MultiLayerNetExtend on MNIST-shaped data: 784-100-100-10 with BatchNorm,
// dropout 0.2 and weight decay, batch 100, SGD.
func BenchmarkTrainStepExtended(b *testing.B) {
	x, t := benchData(60000)
	net := NewMultiLayerNet([]int{784, 100, 100, 10},
		MultiLayerConfig{BatchNorm: true, Dropout: 0.2, WeightDecay: 1e-4}, newRand(56))
	benchStep(b, "shape=784x100x100x10/batch=100/batchnorm/dropout=0.2/decay=1e-4", net, &grad.SGD{LR: 0.01}, x, t, 57)
}

// BenchmarkTrainStepLarge is a training step of larger fully connected
// nets, whose products are big enough to share among cores: 784-1000-10
// with a batch of 1000 and SGD, and 784-100-100-100-10 with BatchNorm and
// Adam, with batches of 100 and 1000.
func BenchmarkTrainStepLarge(b *testing.B) {
	x, t := benchData(60000)
	wide := NewTwoLayerNet(784, 1000, 10, newRand(62))
	benchStepBatch(b, "shape=784x1000x10/batch=1000", wide, &grad.SGD{LR: 0.1}, x, t, 63, 1000)
	for _, batch := range []int{100, 1000} {
		deep := NewMultiLayerNet([]int{784, 100, 100, 100, 10}, MultiLayerConfig{BatchNorm: true}, newRand(64))
		benchStepBatch(b, fmt.Sprintf("shape=784x100x100x100x10/batch=%d/batchnorm", batch), deep, &grad.Adam{}, x, t, 65, batch)
	}
}

// BenchmarkTrainStepHalves bounds what cutting a small step's batch
// among the cores could gain: with GOMAXPROCS = P it runs P copies of the
// net at once, one goroutine each, every copy on its own 100/P rows
// with its own weights, data and optimizer, and the copies wait for each
// other after every step (spinning, so that no wake-up is counted). No
// core reads anything another wrote, and no gradient is summed across
// copies, so a step of the whole batch cut among P cores, which would have
// to do both, cannot take less time than this. With GOMAXPROCS=1 it is the
// ordinary step; with more Ps than CPUs the spinning copies wait on each
// other's time slices, so keep GOMAXPROCS at most the number of CPUs.
func BenchmarkTrainStepHalves(b *testing.B) {
	x, t := benchData(60000)
	nets := []struct {
		name string
		net  func() (*Network, grad.Optimizer)
	}{
		{"shape=784x50x10/batch=100", func() (*Network, grad.Optimizer) {
			return NewTwoLayerNet(784, 50, 10, newRand(52)), &grad.SGD{LR: 0.1}
		}},
		{"shape=784x100x100x100x10/batch=100/batchnorm", func() (*Network, grad.Optimizer) {
			return NewMultiLayerNet([]int{784, 100, 100, 100, 10}, MultiLayerConfig{BatchNorm: true}, newRand(64)), &grad.Adam{}
		}},
	}
	for _, n := range nets {
		copies := min(runtime.GOMAXPROCS(0), 100) // of at least one row each
		steps := make([]func(), copies)
		for p := range steps {
			net, opt := n.net()
			batch := 100 / copies
			cfg, _, err := net.checkConfig(x, t, TrainConfig{Rand: newRand(uint64(70 + p)), BatchSize: batch})
			if err != nil {
				b.Fatal(err)
			}
			s := newStepper(net, net.seq.PrepareRows(x), t, cfg, x.Shape()[0]/batch)
			it := 0
			steps[p] = func() {
				opt.Update(net.Params(), s.gradient(it))
				it++
			}
			steps[p]()
		}
		b.Run(n.name, func(b *testing.B) {
			b.ReportAllocs()
			var started, finished atomic.Int64 // steps begun, copies' steps done
			stop := int64(-1)
			defer started.Store(stop) // the helpers return however this ends
			for p := 1; p < copies; p++ {
				go func() {
					for done := int64(0); ; {
						s := started.Load()
						if s == stop {
							return
						}
						if s > done {
							steps[p]()
							done++
							finished.Add(1)
						}
					}
				}()
			}
			it := int64(0)
			for b.Loop() {
				it++
				started.Store(it)
				steps[0]()
				for finished.Load() < it*int64(copies-1) {
				}
			}
		})
	}
}

// benchMNIST returns MNIST's training and test sets, fetching the files
// when they are missing, or skips the benchmark when it cannot. The
// convolutional benchmarks take real digits: what a convolution and ReLU
// leave nonzero depends on the strokes (65 to 78 % of SimpleConvNet's
// pooled outputs on MNIST, some 4 % on benchData's scattered pixels once
// trained a little), and with it whether the fully connected layer after
// them reads its input in compressed form.
func benchMNIST(b *testing.B) (train, test *mnist.Set) {
	b.Helper()
	dir, err := mnist.DefaultDir()
	if err == nil {
		err = mnist.Download(context.Background(), dir)
	}
	if err == nil {
		train, test, err = mnist.Load(dir)
	}
	if err != nil {
		b.Skipf("needs the MNIST files: %v", err)
	}
	return train, test
}

// BenchmarkConvTrainStep is one step of the book's train_convnet.py on
// SimpleConvNet with a batch of 100, as Train takes it on MNIST: draw the
// batch, forward, backward, Adam update.
func BenchmarkConvTrainStep(b *testing.B) {
	train, _ := benchMNIST(b)
	images, t := train.Images4D(), train.OneHot()
	benchStep(b, "net=simpleconv/batch=100", NewSimpleConvNet(ConvNetConfig{}, newRand(57)), &grad.Adam{}, images, t, 58)
	deep := NewDeepConvNet(DeepConvNetConfig{Dropout: 0.5}, newRand(60))
	benchStep(b, "net=deepconv/batch=100", deep, &grad.Adam{}, images, t, 61)
}

// BenchmarkConvAccuracy evaluates SimpleConvNet on MNIST's 10,000 test
// images.
func BenchmarkConvAccuracy(b *testing.B) {
	_, test := benchMNIST(b)
	images, t := test.Images4D(), test.OneHot()
	net := NewSimpleConvNet(ConvNetConfig{}, newRand(59))
	net.Accuracy(images, t)
	b.Run("net=simpleconv/n=10000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			net.Accuracy(images, t)
		}
	})
	// In chunks of 100, the book's accuracy batch_size and
	// bench/compare's: the activations stay in the cache.
	b.Run("net=simpleconv/n=10000/chunk=100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for from := 0; from < 10000; from += 100 {
				net.Accuracy(images.Slice(from, from+100), t.Slice(from, from+100))
			}
		}
	})
}
