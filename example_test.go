package numlearn_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// XOR needs a hidden layer: a network with one learns it exactly.
func ExampleNetwork_Train() {
	x := tensor.FromRows([][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}})
	t := tensor.FromRows([][]float64{{1, 0}, {0, 1}, {0, 1}, {1, 0}}) // one-hot XOR
	net := numlearn.NewMultiLayerNet([]int{2, 8, 2}, numlearn.MultiLayerConfig{Activation: &layers.Tanh{}, Init: numlearn.Xavier}, rand.New(rand.NewPCG(21, 1)))

	hist, err := net.Train(context.Background(), x, t, numlearn.TrainConfig{
		Iterations: 500,
		BatchSize:  4,
		Optimizer:  &grad.Adam{LR: 0.05},
		EvalEvery:  -1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d steps, final loss below 0.05: %v\n", len(hist.Loss), hist.Loss[len(hist.Loss)-1] < 0.05)
	fmt.Printf("accuracy %.4f\n", net.Accuracy(x, t))
	// Output:
	// 500 steps, final loss below 0.05: true
	// accuracy 1.0000
}

// A new TwoLayerNet's weights are tiny, so every class scores about alike
// and the loss is close to −log(1/10) ≈ 2.3026, the first loss the book
// prints: here the scores spread by about 0.005, which moves it by less
// than 0.05.
func ExampleNewTwoLayerNet() {
	net := numlearn.NewTwoLayerNet(784, 50, 10, rand.New(rand.NewPCG(1, 2)))
	for i, p := range net.Params() {
		fmt.Println(net.ParamNames()[i], p.Shape())
	}
	x := tensor.Full(0.5, 3, 784)
	t := tensor.FromRows([][]float64{{1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 1, 0, 0, 0, 0, 0, 0, 0}})
	fmt.Printf("loss %.1f\n", net.Loss(x, t))
	// Output:
	// W1 [784 50]
	// b1 [50]
	// W2 [50 10]
	// b2 [10]
	// loss 2.3
}

func ExampleNetwork_GradientCheck() {
	net := numlearn.NewTwoLayerNet(4, 5, 3, rand.New(rand.NewPCG(3, 4)))
	x := tensor.RandN(rand.New(rand.NewPCG(5, 6)), 1, 2, 4)
	t := tensor.FromRows([][]float64{{0, 1, 0}, {0, 0, 1}})
	for i, d := range net.GradientCheck(x, t) {
		fmt.Printf("%s: mean |backprop − numerical| < 1e-7: %v\n", net.ParamNames()[i], d.MeanAbs < 1e-7)
	}
	// Output:
	// W1: mean |backprop − numerical| < 1e-7: true
	// b1: mean |backprop − numerical| < 1e-7: true
	// W2: mean |backprop − numerical| < 1e-7: true
	// b2: mean |backprop − numerical| < 1e-7: true
}

// A model file carries the network's architecture: ReadModel (or
// LoadModel, from a file) gives back the network from the file alone.
func ExampleNetwork_Save() {
	net := numlearn.NewMultiLayerNet([]int{4, 3, 2}, numlearn.MultiLayerConfig{BatchNorm: true, Activation: &layers.Tanh{}}, rand.New(rand.NewPCG(7, 8)))
	var file bytes.Buffer
	if err := net.Save(&file, numlearn.SaveOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := numlearn.ReadModel(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	var kinds []string
	for _, l := range loaded.Layers() {
		kinds = append(kinds, fmt.Sprintf("%T", l))
	}
	fmt.Println(strings.Join(kinds, " "))
	fmt.Println(loaded.ParamNames(), loaded.StateNames())
	x := tensor.RandN(rand.New(rand.NewPCG(9, 10)), 1, 2, 4)
	fmt.Println(tensor.AllClose(net.Predict(x), loaded.Predict(x), 0, 0))
	// Output:
	// *layers.Affine *layers.BatchNorm *layers.Tanh *layers.Affine
	// [W1 b1 gamma1 beta1 W2 b2] [running_mean1 running_var1]
	// true
}

// Load reads the weights of a file into a network built in code, as the
// book's load_params does: the way to read a file without an architecture,
// such as one that numpy's np.savez wrote.
func ExampleNetwork_Load() {
	rng := rand.New(rand.NewPCG(7, 8))
	trained := numlearn.NewTwoLayerNet(4, 3, 2, rng)
	var file bytes.Buffer
	if err := trained.Save(&file, numlearn.SaveOptions{WeightsOnly: true}); err != nil {
		fmt.Println(err)
		return
	}
	fresh := numlearn.NewTwoLayerNet(4, 3, 2, rng)
	if err := fresh.Load(bytes.NewReader(file.Bytes())); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tensor.AllClose(trained.Params()[0], fresh.Params()[0], 0, 0))

	wrong := numlearn.NewTwoLayerNet(4, 7, 2, rng)
	fmt.Println(wrong.Load(bytes.NewReader(file.Bytes())))
	_, err := numlearn.ReadModel(bytes.NewReader(file.Bytes()))
	fmt.Println(errors.Is(err, numlearn.ErrFormat))
	// Output:
	// true
	// numlearn: load: parameters do not match the network: "W1" has shape [4 3] in the file, [4 7] in the network
	// true
}

// Float32 files are half the size; each value is rounded once, and loading
// widens it back exactly.
func ExampleSaveOptions() {
	net := numlearn.NewTwoLayerNet(784, 50, 10, rand.New(rand.NewPCG(1, 2)))
	var f64, f32 bytes.Buffer
	net.Save(&f64, numlearn.SaveOptions{})
	net.Save(&f32, numlearn.SaveOptions{Float32: true})
	fmt.Printf("float64 %d KB, float32 %d KB\n", f64.Len()/1024, f32.Len()/1024)

	w := net.Params()[0].At(0, 0)
	loaded, err := numlearn.ReadModel(&f32)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(loaded.Params()[0].At(0, 0) == float64(float32(w)))
	// Output:
	// float64 312 KB, float32 157 KB
	// true
}

// A regression network: the identity head with mean squared error. Here
// one Affine layer fits y = 2x + 1 exactly.
func ExampleNewNetworkWithHead() {
	x := tensor.FromSlice([]float64{-1, 0, 1, 2}, 4, 1)
	y := tensor.FromSlice([]float64{-1, 1, 3, 5}, 4, 1)
	net := numlearn.NewNetworkWithHead(&layers.IdentityWithLoss{},
		layers.NewAffine(tensor.New(1, 1), tensor.New(1)))
	_, err := net.Train(context.Background(), x, y, numlearn.TrainConfig{
		Iterations: 2000, BatchSize: 4, Optimizer: &grad.SGD{LR: 0.1}, EvalEvery: -1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("w %.4f, b %.4f, loss below 1e-12: %v\n", net.Params()[0].Data()[0], net.Params()[1].Data()[0], net.Loss(x, y) < 1e-12)
	var out tensor.Tensor
	net.Output(&out, tensor.FromSlice([]float64{10}, 1, 1))
	fmt.Printf("prediction for 10: %.4f\n", out.Data()[0])
	// Output:
	// w 2.0000, b 1.0000, loss below 1e-12: true
	// prediction for 10: 21.0000
}

// A Predictor answers from many goroutines at once; each call writes into
// the caller's own destination.
func ExampleNetwork_NewPredictor() {
	// W = I, b = 0: the predicted class is the position of the largest input.
	net := numlearn.NewNetwork(layers.NewAffine(tensor.FromRows([][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}), tensor.New(3)))
	p := net.NewPredictor()
	inputs := [][]float64{{3, 1, 2}, {0, 5, 1}, {1, 1, 9}}
	classes := make([]int, len(inputs))
	var wg sync.WaitGroup
	for i, in := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			classes[i] = p.Class(tensor.FromSlice(in))
		}()
	}
	wg.Wait()
	fmt.Println(classes)

	var probs tensor.Tensor
	p.Output(&probs, tensor.FromSlice([]float64{0, 0, 0}))
	fmt.Printf("%.4f\n", probs.Data())
	// Output:
	// [0 1 2]
	// [0.3333 0.3333 0.3333]
}

func ExampleNetwork_Classes() {
	net := numlearn.NewNetwork(layers.NewAffine(tensor.FromRows([][]float64{{1, 0}, {0, 1}}), tensor.New(2)))
	x := tensor.FromRows([][]float64{{1, 2}, {4, 3}, {0, 1}})
	fmt.Println(net.Classes(nil, x))
	fmt.Println(net.Class(tensor.FromSlice([]float64{7, 1})))
	// Output:
	// [1 0 1]
	// 0
}

// With weight decay λ the loss gains ½·λ·ΣW² over the weights (not the
// biases): here ½·0.1·(1 + 4 + 9 + 16) = 1.5. The gradient of W gains
// λ·W.
func ExampleNetwork_SetWeightDecay() {
	w := tensor.FromRows([][]float64{{1, 2}, {3, 4}})
	net := numlearn.NewNetwork(layers.NewAffine(w, tensor.FromSlice([]float64{5, 5})))
	x, t := tensor.FromRows([][]float64{{0, 0}}), tensor.FromRows([][]float64{{1, 0}})
	plain := net.Loss(x, t) // equal scores: −log ½
	net.SetWeightDecay(0.1)
	fmt.Printf("%.4f %.4f\n", plain, net.Loss(x, t)-plain)
	// Output:
	// 0.6931 1.5000
}

// The book's hyperparameter search tunes on 20 % of the training data,
// shuffled and split off, and keeps the test set for the end.
func ExampleSplitValidation() {
	x, t := tensor.New(500, 784), tensor.New(500, 10)
	trainX, trainT, valX, valT := numlearn.SplitValidation(x, t, 0.2, rand.New(rand.NewPCG(1, 2)))
	fmt.Println(trainX.Shape(), trainT.Shape(), valX.Shape(), valT.Shape())
	// Output:
	// [400 784] [400 10] [100 784] [100 10]
}

func ExampleNewSimpleConvNet() {
	// The book's SimpleConvNet for MNIST: 30 filters of 5×5, a hidden
	// layer of 100 on the 30×12×12 pooled maps, 10 classes.
	net := numlearn.NewSimpleConvNet(numlearn.ConvNetConfig{}, rand.New(rand.NewPCG(1, 2)))
	for i, p := range net.Params() {
		fmt.Println(net.ParamNames()[i], p.Shape())
	}
	// Two images (N, C, H, W) in, two rows of class scores out.
	fmt.Println(net.Predict(tensor.New(2, 1, 28, 28)).Shape())
	// Output:
	// W1 [30 1 5 5]
	// b1 [30]
	// W2 [4320 100]
	// b2 [100]
	// W3 [100 10]
	// b3 [10]
	// [2 10]
}
