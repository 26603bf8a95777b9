package conv

import "fmt"

// Fields locates the receptive field of every output position of a
// geometry — the C·FH·FW values a filter meets there — in the image
// padded by the geometry's zeros, so that a sum of fields weighted by
// gradients can be formed straight from the image, with no col matrix.
//
// That sum is a convolution's weight gradient when the gradient of its
// output is sparse: after a ReLU and a 2×2 max pooling, at most one
// position in four of each filter's output receives a gradient, and
//
//	∂L/∂W[f] = Σ_t d_t · field(pos_t)
//
// over those positions t costs a quarter of the product d·colᵀ, which
// multiplies the zeros too.
type Fields struct {
	g Geometry
	// rows holds the offset of each of a field's C·FH rows (of FW
	// values) from its first value.
	rows []int
	// corners holds the offset of the first value of the field of output
	// position y·OutW + x, y·S·wp + x·S, at index 1 + y·OutW + x; index 0
	// is 0, for a position of −1.
	corners []int32
}

// NewFields returns the fields of g. It panics if g fails Check, whose
// limit on the padded image, MaxValues, lets every offset in it fit the
// int32 of a corner.
func NewFields(g Geometry) *Fields {
	if err := g.Check(); err != nil {
		panic("conv: NewFields: " + err.Error())
	}
	f := &Fields{g: g}
	hp, wp := g.H+2*g.Pad, g.W+2*g.Pad
	f.rows = make([]int, 0, g.C*g.FH)
	for c := range g.C {
		for i := range g.FH {
			f.rows = append(f.rows, (c*hp+i)*wp)
		}
	}
	oh, ow := g.OutH(), g.OutW()
	f.corners = make([]int32, 1+oh*ow)
	for y := range oh {
		for x := range ow {
			f.corners[1+y*ow+x] = int32(y*g.Stride*wp + x*g.Stride)
		}
	}
	return f
}

// Geometry returns the geometry the fields belong to.
func (f *Fields) Geometry() Geometry { return f.g }

// PaddedLen returns the length of the padded image, C·(H+2P)·(W+2P).
func (f *Fields) PaddedLen() int { return f.g.paddedLen() }

// Corner returns the offset in the padded image of the first value of
// the field of output position pos = y·OutW + x; a pos of −1 gives 0. It
// panics if pos is out of range.
func (f *Fields) Corner(pos int32) int32 { return f.corners[pos+1] }

// Padded returns image img (C, H, W) padded with the geometry's zeros:
// img itself when the padding is 0, otherwise the padded copy written
// into dst. It panics if img or dst is too short.
func (f *Fields) Padded(dst, img []float64) []float64 {
	g := f.g
	check("Fields.Padded", "image", img, g.C*g.H*g.W)
	if g.Pad > 0 {
		check("Fields.Padded", "dst", dst, f.PaddedLen())
	}
	return padded(dst, img, g)
}

// AddWeighted adds to dw, a filter's C·FH·FW weights laid out as W's rows
// are, the fields of padded image img at the given corners (from Corner),
// each times its weight:
//
//	dw[(c·FH + i)·FW + j] += Σ_t weights[t] · img[corners[t] + rows(c, i) + j]
//
// It panics if dw or img is too short for the geometry, if corners and
// weights differ in length, or if a corner puts a field outside img.
func (f *Fields) AddWeighted(dw, img []float64, corners []int32, weights []float64) {
	g := f.g
	check("Fields.AddWeighted", "dw", dw, g.ColRows())
	check("Fields.AddWeighted", "image", img, f.PaddedLen())
	if len(corners) != len(weights) {
		panic(fmt.Sprintf("conv: Fields.AddWeighted: %d corners and %d weights", len(corners), len(weights)))
	}
	// The assembly reads without bounds checks: every field must lie in
	// the image.
	last := int32(f.PaddedLen() - f.rows[len(f.rows)-1] - g.FW)
	for _, c := range corners {
		if c < 0 || c > last {
			panic(fmt.Sprintf("conv: Fields.AddWeighted: corner %d puts a field outside the %d values of the padded image", c, f.PaddedLen()))
		}
	}
	if addWeightedAsm(dw[:g.ColRows()], img, f.rows, g.FW, corners, weights) {
		return
	}
	addWeightedGo(dw[:g.ColRows()], img, f.rows, g.FW, corners, weights)
}

// addWeightedGo is AddWeighted's sum in Go, field by field.
func addWeightedGo(dw, img []float64, rows []int, fw int, corners []int32, weights []float64) {
	for t, c := range corners {
		w := weights[t]
		for r, off := range rows {
			src := img[int(c)+off : int(c)+off+fw]
			dst := dw[r*fw : (r+1)*fw]
			for j, v := range src {
				dst[j] += w * v
			}
		}
	}
}
