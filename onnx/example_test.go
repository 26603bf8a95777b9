package onnx_test

import (
	"bytes"
	"errors"
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

// Import tells a damaged file (ErrFormat) from a valid model it cannot
// translate (ErrUnsupported), whose first unsupported operator, attribute
// or data type its message names.
func ExampleImport() {
	_, err := onnx.Import(bytes.NewReader([]byte("not a model")))
	fmt.Println(errors.Is(err, onnx.ErrFormat), errors.Is(err, onnx.ErrUnsupported))
	// Output: true false
}

// A layer type of a program's own exports once it has an exporter.
type leaky struct{ layers.ReLU } // stands for a layer with a LeakyRelu forward pass

func ExampleRegisterLayer() {
	onnx.RegisterLayer(func(g *onnx.Graph, l *leaky, x onnx.Value) (onnx.Value, error) {
		y := g.Node("LeakyRelu", []string{x.Name}, onnx.FloatAttr("alpha", 0.01))
		return onnx.Value{Name: y, Shape: x.Shape}, nil
	})
	net := numlearn.NewNetwork(layers.NewAffine(tensor.New(4, 2), tensor.New(2)), &leaky{})
	fmt.Println(onnx.Export(&bytes.Buffer{}, net, onnx.ExportOptions{}))
	// Output: <nil>
}
