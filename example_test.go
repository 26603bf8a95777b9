package numlearn_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// XOR needs a hidden layer: a network with one learns it exactly.
func ExampleNetwork_Train() {
	x := tensor.FromRows([][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}})
	t := tensor.FromRows([][]float64{{1, 0}, {0, 1}, {0, 1}, {1, 0}}) // one-hot XOR
	net := numlearn.NewMultiLayerNet([]int{2, 8, 2}, numlearn.MultiLayerConfig{Activation: numlearn.Tanh, Init: numlearn.Xavier}, rand.New(rand.NewPCG(21, 1)))

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

func ExampleNetwork_Save() {
	rng := rand.New(rand.NewPCG(7, 8))
	trained := numlearn.NewTwoLayerNet(4, 3, 2, rng)
	var file bytes.Buffer
	if err := trained.Save(&file); err != nil {
		fmt.Println(err)
		return
	}
	fresh := numlearn.NewTwoLayerNet(4, 3, 2, rng)
	if err := fresh.Load(&file); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tensor.AllClose(trained.Params()[0], fresh.Params()[0], 0, 0))

	wrong := numlearn.NewTwoLayerNet(4, 7, 2, rng)
	trained.Save(&file)
	fmt.Println(wrong.Load(&file))
	// Output:
	// true
	// numlearn: load: parameters do not match the network: "W1" has shape [4 3] in the file, [4 7] in the network
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
