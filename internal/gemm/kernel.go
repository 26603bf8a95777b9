package gemm

// A kernel computes one MR×NR tile of C from packed operands:
//
//	C[i][j] = Σₚ a[p·MR+i]·b[p·NR+j] + beta·C[i][j],   0 ≤ p < k,
//
// where a is an MR×k micro-panel of A packed column by column (the MR
// values of one column of A are adjacent) and b a k×NR micro-panel of B
// packed row by row. C's rows are ldc elements apart. When beta is zero C
// is overwritten without being read, so NaN or Inf garbage in C does not
// leak into the result, as BLAS specifies. Alpha has already been applied
// while packing A.
type kernel struct {
	name   string
	mr, nr int
	fn     kernelFunc
	// short lists kernels, by increasing rows, that compute only the
	// first rows of the tile from the same packed panels: a last
	// micro-panel of A with few rows wastes less work on padding.
	short []shortKernel
	// pack, if set, packs the first columns of a full micro-panel of a
	// non-transposed A (alpha·src[i·lda+p] into dst[p·mr+i]) faster than
	// the generic loop, and returns how many columns it packed.
	pack func(dst, src []float64, lda, cols int, alpha float64) int
}

type kernelFunc func(k int, a, b, c []float64, ldc int, beta float64)

// shortKernel computes the first rows rows of its kernel's tile.
type shortKernel struct {
	rows int
	fn   kernelFunc
}

// forRows returns the cheapest function that computes at least the first
// h rows of a tile.
func (k *kernel) forRows(h int) kernelFunc {
	for _, s := range k.short {
		if h <= s.rows {
			return s.fn
		}
	}
	return k.fn
}

// goKernel is the portable micro-kernel: a 4×4 tile held in 16 scalar
// accumulators, small enough for the registers of most architectures.
var goKernel = kernel{name: "go4x4", mr: 4, nr: 4, fn: kernel4x4Go}

func kernel4x4Go(k int, a, b, c []float64, ldc int, beta float64) {
	var (
		c00, c01, c02, c03 float64
		c10, c11, c12, c13 float64
		c20, c21, c22, c23 float64
		c30, c31, c32, c33 float64
	)
	a, b = a[:4*k], b[:4*k]
	for p := 0; p < len(a); p += 4 {
		ap := a[p : p+4 : p+4]
		bp := b[p : p+4 : p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	storeRow4(c[0*ldc:], beta, c00, c01, c02, c03)
	storeRow4(c[1*ldc:], beta, c10, c11, c12, c13)
	storeRow4(c[2*ldc:], beta, c20, c21, c22, c23)
	storeRow4(c[3*ldc:], beta, c30, c31, c32, c33)
}

// storeRow4 writes row = (x0, x1, x2, x3) + beta·row, without reading row
// when beta is zero.
func storeRow4(row []float64, beta, x0, x1, x2, x3 float64) {
	row = row[:4:4]
	if beta == 0 {
		row[0], row[1], row[2], row[3] = x0, x1, x2, x3
		return
	}
	row[0] = x0 + beta*row[0]
	row[1] = x1 + beta*row[1]
	row[2] = x2 + beta*row[2]
	row[3] = x3 + beta*row[3]
}
