package layers

import "github.com/numlearn/numlearn/tensor"

// Dense is a fully connected layer: its Forward computes y = x·W + b for x
// flattened to rows (n, in), W (in, out) and b (out) added to every row,
// and each output row depends on its input row alone. Dense returns W and
// b themselves (b is nil for a layer without bias), which must be the
// layer's Params, in either order, and nothing else. Affine is Dense.
//
// The form tells where every parameter acts: W[i][j] reaches only column j
// of the output, scaled by column i of the input, and b[j] only column j;
// a change in one input element x[r][i] changes output row r by that change
// times row i of W. A network uses this to follow the effect of one
// parameter through the layers without running them on a whole batch:
// numlearn's NumericalGradient does so. Dense must not change the layer's
// state.
type Dense interface {
	Learnable
	Dense() (w, b *tensor.Tensor)
}

// Dense returns the layer's own W and B: Affine computes y = x·W + b.
func (a *Affine) Dense() (w, b *tensor.Tensor) { return a.W, a.B }
