package layers_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

func ExampleAffine() {
	w := tensor.FromRows([][]float64{{1, 0, -1}, {2, 1, 0}}) // (in 2, out 3)
	a := layers.NewAffine(w, tensor.FromSlice([]float64{0.5, 0, -0.5}))
	y := a.Forward(tensor.FromRows([][]float64{{1, 2}}))
	fmt.Println(y)
	dx := a.Backward(tensor.FromRows([][]float64{{1, 1, 1}}))
	fmt.Println(dx)
	fmt.Println(a.DW)
	// Output:
	// [[ 5.5  2.  -1.5]]
	// [[0. 3.]]
	// [[1. 1. 1.]
	//  [2. 2. 2.]]
}

func ExampleReLU() {
	var r layers.ReLU
	fmt.Println(r.Forward(tensor.FromSlice([]float64{1, -0.5, 0, 3})))
	fmt.Println(r.Backward(tensor.FromSlice([]float64{10, 20, 30, 40})))
	// Output:
	// [1. 0. 0. 3.]
	// [10.  0.  0. 40.]
}

// With equal scores the softmax is uniform: the loss is −log ½ and the
// gradient (y − t)/batch.
func ExampleSoftmaxWithLoss() {
	var s layers.SoftmaxWithLoss
	cost := s.ForwardLabels(tensor.FromRows([][]float64{{0, 0}}), []int{0})
	fmt.Printf("%.4f\n", cost)
	fmt.Println(s.Backward())
	// Output:
	// 0.6931
	// [[-0.5  0.5]]
}

// A regression head: the loss is the mean squared error, the prediction
// the scores themselves.
func ExampleIdentityWithLoss() {
	var h layers.IdentityWithLoss
	x := tensor.FromSlice([]float64{2, 0}, 2, 1)
	t := tensor.FromSlice([]float64{1, 2}, 2, 1)
	fmt.Printf("%.4f\n", h.Forward(x, t)) // ((2−1)² + (0−2)²)/2
	fmt.Println(h.Backward())             // 2·(x − t)/2
	// Output:
	// 2.5000
	// [[ 1.]
	//  [-2.]]
}

// A binary head: σ(score) is the probability of label 1.
func ExampleSigmoidWithLoss() {
	var h layers.SigmoidWithLoss
	x := tensor.FromSlice([]float64{0, 3, -3})
	t := tensor.FromSlice([]float64{1, 1, 0})
	fmt.Printf("%.4f\n", h.Forward(x, t))
	var p tensor.Tensor
	h.Predict(&p, x)
	fmt.Printf("%.4f %.4f %.4f\n", p.Data()[0], p.Data()[1], p.Data()[2])
	fmt.Println(h.Classes(nil, x))
	// Output:
	// 0.2634
	// 0.5000 0.9526 0.0474
	// [0 1 0]
}

// In training mode each feature is normalized over the batch: the batch
// {1, 3} has mean 2 and variance 1, so with γ = 1 and β = 0 it becomes
// about {−1, 1}. The running statistics move a tenth of the way to the
// batch's, and inference mode normalizes by them.
func ExampleBatchNorm() {
	bn := layers.NewBatchNorm(tensor.Full(1, 1), tensor.New(1)) // one feature
	y := bn.Forward(tensor.FromRows([][]float64{{1}, {3}}))
	fmt.Printf("%.4f %.4f\n", y.At(0, 0), y.At(1, 0))
	fmt.Printf("running mean %.4f, variance %.4f\n", bn.RunningMean.At(0), bn.RunningVar.At(0))

	bn.SetMode(layers.Inference)
	y = bn.Forward(tensor.FromRows([][]float64{{0.2}}))
	fmt.Printf("%.4f\n", y.At(0, 0))
	// Output:
	// -1.0000 1.0000
	// running mean 0.2000, variance 0.1000
	// 0.0000
}

// In training Dropout keeps an element where a uniform draw exceeds the
// ratio; in inference it keeps all of them, scaled by 1 − ratio.
func ExampleDropout() {
	d := layers.NewDropout(0.5, rand.New(rand.NewPCG(3, 4)))
	x := tensor.Full(1, 8)
	fmt.Println(d.Forward(x))
	d.SetMode(layers.Inference)
	fmt.Println(d.Forward(x))
	// Output:
	// [0. 1. 1. 1. 0. 1. 0. 0.]
	// [0.5 0.5 0.5 0.5 0.5 0.5 0.5 0.5]
}

func ExampleConvolution() {
	// One 3×3 image, one 2×2 filter that sums its window, bias 0.5,
	// stride 1 and no padding: a 2×2 output of window sums plus 0.5.
	x := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3)
	conv := layers.NewConvolution(tensor.Full(1, 1, 1, 2, 2), tensor.FromSlice([]float64{0.5}), 1, 0)
	y := conv.Forward(x)
	fmt.Println(y.Shape(), y.Data())

	// Max pooling of the result over its single 2×2 window.
	pool := layers.NewPooling(2, 2, 2, 0)
	fmt.Println(pool.Forward(y).Data())
	// Output:
	// [1 1 2 2] [12.5 16.5 24.5 28.5]
	// [28.5]
}

// scale is a layer of a user's own: y = s·x with one learnable factor s.
type scale struct {
	s, ds *tensor.Tensor
	x     *tensor.Tensor
	y, dx tensor.Tensor
}

func (l *scale) Forward(x *tensor.Tensor) *tensor.Tensor {
	l.x = x
	l.y.Reset()
	l.y.Scale(l.s.Data()[0], x)
	return &l.y
}

func (l *scale) Backward(dout *tensor.Tensor) *tensor.Tensor {
	var prod tensor.Tensor
	prod.Mul(dout, l.x)
	l.ds.Data()[0] = prod.Sum()
	l.dx.Reset()
	l.dx.Scale(l.s.Data()[0], dout)
	return &l.dx
}

func (l *scale) Params() []layers.Param {
	return []layers.Param{{Name: "s", Value: l.s, Grad: l.ds}}
}

func (l *scale) Describe() layers.Description { return layers.Description{Kind: "example.Scale"} }

// A layer of your own joins model files by describing itself and
// registering its kind once; Build (which numlearn.LoadModel calls) then
// makes it from its description and tensors.
func ExampleRegister() {
	layers.Register("example.Scale", func(d layers.Description, params []*tensor.Tensor, _ *rand.Rand) (layers.Layer, error) {
		if len(params) != 1 || params[0].Size() != 1 {
			return nil, fmt.Errorf("example.Scale: want one tensor of one value, have %d", len(params))
		}
		return &scale{s: params[0], ds: tensor.New(1)}, nil
	})
	saved := &scale{s: tensor.FromSlice([]float64{2.5}), ds: tensor.New(1)}
	l, err := layers.Build(saved.Describe(), []*tensor.Tensor{saved.s.Clone()}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Forward(tensor.FromSlice([]float64{1, 2})))

	_, err = layers.Build(layers.Description{Kind: "example.Shift"}, nil, nil)
	fmt.Println(err)
	// Output:
	// [2.5 5. ]
	// layers: unknown kind "example.Shift" (no layers.Register for it)
}

// A Sequence runs its layers forward and back; a batch can be given as
// rows of a data set prepared once.
func ExampleSequence() {
	w := tensor.FromRows([][]float64{{1, -1}, {0, 2}})
	s := layers.NewSequence(layers.NewAffine(w, tensor.New(2)), &layers.ReLU{})
	data := tensor.FromRows([][]float64{{1, 0}, {0, 1}, {2, 2}})
	rows := s.PrepareRows(data)
	fmt.Println(s.ForwardRows(rows, []int{2, 0})) // rows 2 and 0: x·W, then ReLU
	s.Backward(tensor.FromRows([][]float64{{1, 1}, {1, 1}}))
	fmt.Println(s.Params()[0].Name, s.Params()[0].Grad) // ∂L/∂W = xᵀ·(dout where y > 0)
	// Output:
	// [[2. 2.]
	//  [1. 0.]]
	// W [[3. 2.]
	//  [2. 2.]]
}
