package onnx_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/onnx"
	"github.com/numlearn/numlearn/tensor"
)

// A network goes out as ONNX and comes back as the same network.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	net := numlearn.NewMultiLayerNet([]int{4, 8, 3}, numlearn.MultiLayerConfig{}, rng)

	var model bytes.Buffer // or a file: mlp.onnx
	if err := onnx.Export(&model, net, onnx.ExportOptions{Float64: true}); err != nil {
		fmt.Println(err)
		return
	}
	back, err := onnx.Import(&model)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.FromSlice([]float64{1, 0.5, -1, 2}, 1, 4)
	fmt.Println(len(back.Layers()), "layers, classes", net.Classes(nil, x), back.Classes(nil, x))
	fmt.Printf("%.4f\n%.4f\n", net.Predict(x).Data(), back.Predict(x).Data())
	// Output:
	// 3 layers, classes [1] [1]
	// [-1.8182 1.6240 -0.7414]
	// [-1.8182 1.6240 -0.7414]
}

// Export writes float32 by default: the precision inference engines run
// fastest.
func ExampleExport() {
	w := tensor.FromSlice([]float64{1, -1, 0.5, 2}, 2, 2)
	net := numlearn.NewNetworkWithHead(&layers.SigmoidWithLoss{}, layers.NewAffine(w, tensor.New(2)))
	var model bytes.Buffer
	err := onnx.Export(&model, net, onnx.ExportOptions{})
	fmt.Println(err, model.Len() > 0)
	// Output: <nil> true
}

// Import names the first thing it cannot translate.
func ExampleImport() {
	_, err := onnx.Import(bytes.NewReader([]byte("not a model")))
	fmt.Println(err)
	// Output: onnx: not a valid ONNX model: model: field 13: proto: cannot parse reserved wire type
}
