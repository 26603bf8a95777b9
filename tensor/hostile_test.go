package tensor

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHugeShapesPanic checks that a shape whose element count does not fit
// (in an int, or in a slice of float64) is refused when the tensor is
// made, even when the product of its dimensions wraps around to a small
// number such as 0.
func TestHugeShapesPanic(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
		msg  string
	}{
		// 2⁶²·4 = 2⁶⁴ wraps around to 0.
		{"New wraps to 0", func() { New(1<<62, 4) }, "tensor: New: shape [4611686018427387904 4] has more elements than a tensor can hold"},
		{"New 2^32 by 2^32", func() { New(1<<32, 1<<32) }, "tensor: New: shape [4294967296 4294967296] has more elements than a tensor can hold"},
		// 2⁶¹ fits an int, but 2⁶¹ float64 values take 2⁶⁴ bytes.
		{"New beyond memory", func() { New(1 << 61) }, "tensor: New: shape [2305843009213693952] has more elements than a tensor can hold"},
		{"New huge with a zero", func() { New(0, 1<<62, 1<<62) }, "tensor: New: shape [0 4611686018427387904 4611686018427387904] has more elements than a tensor can hold"},
		{"Full", func() { Full(1, 1<<32, 1<<32) }, "tensor: Full: shape [4294967296 4294967296] has more elements than a tensor can hold"},
		{"FromSlice", func() { FromSlice(nil, 1<<32, 1<<32) }, "tensor: FromSlice: shape [4294967296 4294967296] has more elements than a tensor can hold"},
		{"Reshape", func() { New(0).Reshape(1<<32, 1<<32) }, "tensor: Reshape: shape [4294967296 4294967296] has more elements than a tensor can hold"},
		{"Reshape with -1", func() { New(0).Reshape(1<<32, -1, 1<<32) }, "tensor: Reshape: shape [4294967296 -1 4294967296] has more elements than a tensor can hold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.PanicsWithValue(t, tt.msg, tt.fn)
		})
	}
}

// TestEmptyOperandPanics gives every operation the zero-value tensor as an
// input: each must panic with the package's own message naming the
// operation, not a runtime error from an index into its missing data.
func TestEmptyOperandPanics(t *testing.T) {
	x := FromRows([][]float64{{1, 2}, {3, 4}})
	unary := map[string]func(t, a *Tensor){
		"Exp":       (*Tensor).Exp,
		"Log":       (*Tensor).Log,
		"Sqrt":      (*Tensor).Sqrt,
		"Neg":       (*Tensor).Neg,
		"Tanh":      (*Tensor).Tanh,
		"Sigmoid":   (*Tensor).Sigmoid,
		"ReLU":      (*Tensor).ReLU,
		"Step":      (*Tensor).Step,
		"Softmax":   (*Tensor).Softmax,
		"CopyFrom":  (*Tensor).CopyFrom,
		"Scale":     func(t, a *Tensor) { t.Scale(2, a) },
		"AddScalar": func(t, a *Tensor) { t.AddScalar(2, a) },
		"Apply":     func(t, a *Tensor) { t.Apply(math.Abs, a) },
		"SumAxis":   func(t, a *Tensor) { t.SumAxis(a, 0) },
		"MeanAxis":  func(t, a *Tensor) { t.MeanAxis(a, 0) },
		"TakeRows":  func(t, a *Tensor) { t.TakeRows(a, []int{0}) },
	}
	binary := map[string]func(t, a, b *Tensor){
		"Add":          (*Tensor).Add,
		"Sub":          (*Tensor).Sub,
		"Mul":          (*Tensor).Mul,
		"Div":          (*Tensor).Div,
		"MatMul":       (*Tensor).MatMul,
		"MatMulTransA": (*Tensor).MatMulTransA,
		"MatMulTransB": (*Tensor).MatMulTransB,
		"Gemm":         func(t, a, b *Tensor) { t.Gemm(false, false, 1, a, b, 0) },
		"AddScaled":    func(t, a, b *Tensor) { t.AddScaled(a, 2, b) },
	}
	type row struct {
		name, op string
		fn       func()
	}
	var rows []row
	for op, f := range unary {
		rows = append(rows,
			row{op + "/zero value", op, func() { var z, dst Tensor; f(&dst, &z) }},
			row{op + "/literal", op, func() { f(&Tensor{}, &Tensor{}) }},
			row{op + "/nil", op, func() { f(&Tensor{}, nil) }},
			row{op + "/sized receiver", op, func() { f(New(2, 2), &Tensor{}) }})
	}
	for op, f := range binary {
		rows = append(rows,
			row{op + "/both empty", op, func() { f(&Tensor{}, &Tensor{}, &Tensor{}) }},
			row{op + "/first empty", op, func() { f(&Tensor{}, &Tensor{}, x) }},
			row{op + "/second empty", op, func() { f(&Tensor{}, x, &Tensor{}) }},
			row{op + "/second nil", op, func() { f(&Tensor{}, x, nil) }})
	}
	queries := map[string]func(z *Tensor){
		"At":        func(z *Tensor) { z.At() },
		"Set":       func(z *Tensor) { z.Set(1) },
		"ArgMax":    func(z *Tensor) { z.ArgMax() },
		"Max":       func(z *Tensor) { z.Max() },
		"Row":       func(z *Tensor) { z.Row(0) },
		"Slice":     func(z *Tensor) { z.Slice(0, 0) },
		"Reshape":   func(z *Tensor) { z.Reshape(1) },
		"Transpose": func(z *Tensor) { z.Transpose() },
		"Dense":     func(z *Tensor) { z.Dense() },
	}
	for op, f := range queries {
		rows = append(rows, row{op + "/empty tensor", op, func() { f(&Tensor{}) }})
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			requirePanicPrefix(t, "tensor: "+r.op+": ", r.fn)
		})
	}
}

// TestEmptyReceiverStillSized checks that the zero value stays a valid
// destination: it takes the result's shape.
func TestEmptyReceiverStillSized(t *testing.T) {
	var z Tensor
	z.Add(FromSlice([]float64{1, 2}), FromSlice([]float64{3, 4}))
	require.Equal(t, []int{2}, z.Shape())
	require.Equal(t, []float64{4, 6}, z.Data())
}

// requirePanicPrefix checks that fn panics with a string that starts with
// prefix.
func requirePanicPrefix(t *testing.T, prefix string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		require.NotNil(t, r, "no panic")
		msg, ok := r.(string)
		require.True(t, ok, "panic value %v (%T) is not the package's message", r, r)
		require.True(t, strings.HasPrefix(msg, prefix), "panic %q does not start with %q", msg, prefix)
	}()
	fn()
}
