package regression

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/numlearn/numlearn/tensor"
)

// The products of linear regression have thin shapes: a tall x (rows,
// features) times a W (features, outputs) with few outputs, often one.
// gonum's general matrix product handles such shapes one short row at a
// time and, beyond 64 rows, splits the work over goroutines that allocate;
// the tensor package's broadcasting Add and SumAxis likewise walk an (n, 1)
// matrix element by element. For up to gemvOutputs outputs the helpers
// below therefore use one matrix-vector product (blas64.Gemv) per output
// column and plain loops for the bias, an order of magnitude faster for
// (1000, 10) data with one output (see BenchmarkFit) and still about twice
// as fast with 8 outputs; at 16 the two are level, so beyond gemvOutputs
// the helpers defer to the tensor package.
const gemvOutputs = 8

// affine stores x·W + B (B may be nil) in dst, sizing an empty dst as
// (rows, outputs).
func affine(dst, x, w, b *tensor.Tensor) {
	rows, features := x.Shape()[0], x.Shape()[1]
	outputs := w.Shape()[1]
	if dst.IsEmpty() {
		*dst = *tensor.New(rows, outputs)
	}
	if outputs > gemvOutputs {
		dst.MatMul(x, w)
		if b != nil {
			dst.Add(dst, b) // B broadcast over the rows
		}
		return
	}
	a := blas64.General{Rows: rows, Cols: features, Stride: features, Data: x.Data()}
	d := dst.Data()
	for j := range outputs {
		// Column j of dst = B[j] + x · (column j of W); both columns are
		// strided by the number of outputs.
		beta := 0.0
		if b != nil {
			bj := b.Data()[j]
			for i := j; i < len(d); i += outputs {
				d[i] = bj
			}
			beta = 1
		}
		blas64.Gemv(blas.NoTrans, 1, a,
			blas64.Vector{N: features, Inc: outputs, Data: w.Data()[j:]},
			beta, blas64.Vector{N: rows, Inc: outputs, Data: d[j:]})
	}
}

// mulXT stores alpha·xᵀ·r in dst, sizing an empty dst as (features,
// outputs) for r of shape (rows, outputs).
func mulXT(dst *tensor.Tensor, alpha float64, x, r *tensor.Tensor) {
	rows, features := x.Shape()[0], x.Shape()[1]
	outputs := r.Shape()[1]
	if outputs > gemvOutputs {
		dst.Gemm(true, false, alpha, x, r, 0)
		return
	}
	if dst.IsEmpty() {
		*dst = *tensor.New(features, outputs)
	}
	a := blas64.General{Rows: rows, Cols: features, Stride: features, Data: x.Data()}
	for j := range outputs {
		blas64.Gemv(blas.Trans, alpha, a,
			blas64.Vector{N: rows, Inc: outputs, Data: r.Data()[j:]},
			0, blas64.Vector{N: features, Inc: outputs, Data: dst.Data()[j:]})
	}
}

// columnSums stores alpha·Σ_rows r in dst, sizing an empty dst as
// (outputs) for r of shape (rows, outputs).
func columnSums(dst *tensor.Tensor, alpha float64, r *tensor.Tensor) {
	outputs := r.Shape()[1]
	if outputs > gemvOutputs {
		dst.SumAxis(r, 0)
		dst.Scale(alpha, dst)
		return
	}
	if dst.IsEmpty() {
		*dst = *tensor.New(outputs)
	}
	d, s := dst.Data(), r.Data()
	for j := range outputs {
		var sum float64
		for i := j; i < len(s); i += outputs {
			sum += s[i]
		}
		d[j] = alpha * sum
	}
}
