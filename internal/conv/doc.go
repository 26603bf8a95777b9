// Package conv lays images out for convolution as matrix products: the
// im2col and col2im of the book's §7.4, one image at a time.
//
// # Layout
//
// A convolution of an image x (C, H, W) with FN filters (FN, C, FH, FW) at
// stride S with P rows and columns of zero padding has an output of
// (FN, OH, OW), where OH = (H + 2P − FH)/S + 1 and OW likewise. Im2col
// writes the matrix col of C·FH·FW rows and OH·OW columns whose row
// (c, i, j) and column (y, x) hold
//
//	col[(c·FH + i)·FW + j][y·OW + x] = x[c][y·S + i − P][x·S + j − P]
//
// (zero where the index falls in the padding), so that the output is the
// product of the filters, flattened to (FN, C·FH·FW), with col: already
// in (FN, OH, OW) order, with no transpose. This is the transpose of the
// book's col, which has one row per output position; the book's form
// suits a whole batch in one product, this one suits one image, whose col
// stays in the cache between its making and its use.
//
// Im2colPacked writes the same matrix in the panels of columns that
// internal/gemm's GemmPackedB reads, so that the product needs no packing
// copy of its own. Pooled.Im2col writes, in the same panels, only the
// columns a 2×2 max pooling at stride 2 reads, grouped by their place in
// the window, so that the pooling of the product is the elementwise
// maximum of four blocks, which ReLUPool takes together with the bias and
// the ReLU: a convolution, ReLU and pooling without arg-max, for
// inference.
//
// In training the pooling must also remember where each maximum was:
// Pooled.ReLUPoolArg writes, with the same output, the position of each
// window's first positive maximum. The gradient of the convolution's
// output is then nonzero only at those positions, at most one in four, so
// the weight gradient d·colᵀ is better formed as a sum of receptive
// fields weighted by the gradient, read straight from the image (Fields):
// a quarter of the arithmetic and no col matrix.
//
// Col2im is the adjoint of Im2col: it adds every entry of a col matrix
// back into the image position it was read from, which is how the
// gradient of a convolution's input is formed from the gradient of col.
//
//	g := conv.Geometry{C: 1, H: 3, W: 3, FH: 2, FW: 2, Stride: 1}
//	col := make([]float64, g.ColRows()*g.ColCols()) // 4×4
//	conv.Im2col(col, img, g)
//
// # Panics
//
// The functions panic with a conv: prefix when a slice is shorter than
// the geometry needs; Geometry.Check names an impossible geometry, and
// one beyond the limits MaxSide and MaxValues, within which no size the
// package computes can overflow. Every function takes a geometry that
// has passed Check.
package conv
