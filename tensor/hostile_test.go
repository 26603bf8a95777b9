package tensor

import (
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
