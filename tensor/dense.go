package tensor

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Dense returns a *mat.Dense that shares t's data, so gonum's mat functions
// (solvers, decompositions, norms) work on a tensor without copying; writes
// through either are seen by both. It panics if t is not 2-D or has a zero
// dimension, which mat cannot represent.
func (t *Tensor) Dense() *mat.Dense {
	if len(t.shape) != 2 || t.shape[0] == 0 || t.shape[1] == 0 {
		panic(fmt.Sprintf("tensor: Dense: shape %v is not a non-empty 2-D shape", t.shape))
	}
	var d mat.Dense
	d.SetRawMatrix(general(t))
	return &d
}

// FromDense returns a 2-D tensor for m. When m's rows are contiguous (its
// stride equals its column count, as for any matrix mat allocates itself)
// the tensor shares m's data; for a strided view such as m.Slice(…) the
// tensor holds a copy, since a tensor is always contiguous.
func FromDense(m *mat.Dense) *Tensor {
	raw := m.RawMatrix()
	if raw.Rows == 0 || raw.Cols == 0 {
		return New(raw.Rows, raw.Cols)
	}
	if raw.Stride == raw.Cols {
		return &Tensor{shape: []int{raw.Rows, raw.Cols}, data: raw.Data[: raw.Rows*raw.Cols : raw.Rows*raw.Cols]}
	}
	t := New(raw.Rows, raw.Cols)
	for i := range raw.Rows {
		copy(t.data[i*raw.Cols:(i+1)*raw.Cols], raw.Data[i*raw.Stride:])
	}
	return t
}
