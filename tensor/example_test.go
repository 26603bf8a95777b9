package tensor_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/numlearn/numlearn/tensor"
)

// The book's §3.4.2: the first layer of a small network, x·W1 + b1 and its
// sigmoid.
func Example() {
	x := tensor.FromRows([][]float64{{1.0, 0.5}})
	w := tensor.FromRows([][]float64{{0.1, 0.3, 0.5}, {0.2, 0.4, 0.6}})
	b := tensor.FromSlice([]float64{0.1, 0.2, 0.3})

	var a, z tensor.Tensor
	a.MatMul(x, w)
	a.Add(&a, b)
	z.Sigmoid(&a)
	fmt.Println(&a)
	fmt.Println(&z)
	// Output:
	// [[0.3 0.7 1.1]]
	// [[0.57444252 0.66818777 0.75026011]]
}

func ExampleTensor_Add() {
	x := tensor.FromRows([][]float64{{1, 2, 3}, {4, 5, 6}})
	var y tensor.Tensor
	y.Add(x, tensor.FromSlice([]float64{10, 20, 30})) // broadcast over rows
	fmt.Println(&y)
	y.Mul(&y, tensor.FromSlice([]float64{1, -1}, 2, 1)) // negate row 1, in place
	fmt.Println(&y)
	// Output:
	// [[11. 22. 33.]
	//  [14. 25. 36.]]
	// [[ 11.  22.  33.]
	//  [-14. -25. -36.]]
}

func ExampleTensor_MatMul() {
	a := tensor.FromRows([][]float64{{1, 2}, {3, 4}})
	b := tensor.FromRows([][]float64{{5, 6}, {7, 8}})
	var c tensor.Tensor
	c.MatMul(a, b)
	fmt.Println(&c)
	// Output:
	// [[19. 22.]
	//  [43. 50.]]
}

// A program chooses the engine behind every product with SetEngine; here
// gonum's kernels multiply, and the engine in use before comes back at the
// end.
func ExampleSetEngine() {
	prev := tensor.CurrentEngine()
	defer tensor.SetEngine(prev)

	tensor.SetEngine(tensor.Gonum)
	a := tensor.FromRows([][]float64{{1, 2}, {3, 4}})
	b := tensor.FromRows([][]float64{{5, 6}, {7, 8}})
	var c tensor.Tensor
	c.MatMul(a, b)
	fmt.Println(tensor.CurrentEngine())
	fmt.Println(&c)
	// Output:
	// gonum
	// [[19. 22.]
	//  [43. 50.]]
}

// Backprop through y = x·W needs xᵀ·dy and dy·Wᵀ; neither needs a transposed
// copy.
func ExampleTensor_MatMulTransA() {
	x := tensor.FromRows([][]float64{{1, 2}, {3, 4}, {5, 6}}) // (3, 2)
	dy := tensor.FromRows([][]float64{{1}, {0}, {-1}})        // (3, 1)
	var dw tensor.Tensor
	dw.MatMulTransA(x, dy) // (2, 1)
	fmt.Println(&dw)
	// Output:
	// [[-4.]
	//  [-4.]]
}

func ExampleTensor_Softmax() {
	var y tensor.Tensor
	y.Softmax(tensor.FromSlice([]float64{1010, 1000, 990}))
	fmt.Printf("%.6f %.4f\n", y.Data(), y.Sum())
	// Output:
	// [0.999955 0.000045 0.000000] 1.0000
}

func ExampleTensor_ArgMax() {
	y := tensor.FromRows([][]float64{{0.1, 0.8, 0.1}, {0.3, 0.1, 0.6}})
	fmt.Println(y.ArgMax())
	// Output:
	// [1 2]
}

func ExampleTensor_SumAxis() {
	dout := tensor.FromRows([][]float64{{1, 2, 3}, {4, 5, 6}})
	var db tensor.Tensor
	db.SumAxis(dout, 0)
	fmt.Println(&db)
	// Output:
	// [5. 7. 9.]
}

func ExampleTensor_Reshape() {
	x := tensor.New(2, 784)
	img := x.Reshape(-1, 1, 28, 28)
	fmt.Println(img.Shape())
	// Output:
	// [2 1 28 28]
}

func ExampleRandN() {
	w := tensor.RandN(rand.New(rand.NewPCG(1, 2)), 0.01, 784, 50)
	fmt.Println(w.Shape(), w.Size())
	// Output:
	// [784 50] 39200
}

// A mini-batch is rows of the data set picked by index.
func ExampleTensor_TakeRows() {
	data := tensor.FromRows([][]float64{{0, 0}, {1, 1}, {2, 2}, {3, 3}})
	var batch tensor.Tensor
	batch.TakeRows(data, []int{3, 0, 3})
	fmt.Println(&batch)
	// Output:
	// [[3. 3.]
	//  [0. 0.]
	//  [3. 3.]]
}
