package conv

import (
	"fmt"
	"math"
)

// Geometry is the shape of a convolution or pooling window sliding over
// one image: C channels of H×W, a window of FH×FW, a stride and a zero
// padding on every side.
type Geometry struct {
	C, H, W int // the image
	FH, FW  int // the window
	Stride  int
	Pad     int
}

// OutH returns the output's height, (H + 2·Pad − FH)/Stride + 1.
func (g Geometry) OutH() int { return (g.H+2*g.Pad-g.FH)/g.Stride + 1 }

// OutW returns the output's width, (W + 2·Pad − FW)/Stride + 1.
func (g Geometry) OutW() int { return (g.W+2*g.Pad-g.FW)/g.Stride + 1 }

// ColRows returns the number of rows of col, C·FH·FW.
func (g Geometry) ColRows() int { return g.C * g.FH * g.FW }

// ColCols returns the number of columns of col, OutH·OutW.
func (g Geometry) ColCols() int { return g.OutH() * g.OutW() }

// The limits Check enforces. Within them no sum or product the package
// or its callers form for one image — a padded side, the padded image,
// the unfolding, a position in any of them — can overflow an int, and
// every position fits the int32 that the fused kernels (Pooled, Fields)
// keep. Real models stay far inside: the book's MNIST network has sides
// of 28 and unfolds 14,400 values per image, VGG's largest unfolding (64
// channels of 3×3 windows over 224×224) has 29 million, and a 1-D signal
// laid out as a 1×W image may be 17 minutes of audio at 16 kHz.
// CheckOutput adds, for a layer, a limit on its output.
const (
	// MaxSide is the largest side of the image (H, W), of the window
	// (FH, FW) and of the padded image (H + 2·Pad, W + 2·Pad), and the
	// largest stride and padding: 2²⁴.
	MaxSide = 1 << 24
	// MaxValues is the most values of one image's padded form,
	// C·(H+2·Pad)·(W+2·Pad), and of its unfolding, C·FH·FW·OutH·OutW —
	// 2³¹ − 1, 16 GiB of float64.
	MaxValues = 1<<31 - 1
)

// Check returns an error describing the first thing wrong with g: a
// dimension that is not positive, a negative padding, a side, stride or
// padding over MaxSide, a window larger than the padded image, or a
// padded image or unfolding of more than MaxValues values. It computes
// nothing that could overflow on the way, so that a geometry it accepts
// has sizes (OutH, OutW, ColRows, ColCols, PackedLen, …) that are exact.
// The error's text starts with what was checked, for the caller to prefix
// with its own name.
func (g Geometry) Check() error {
	switch {
	case g.C <= 0 || g.H <= 0 || g.W <= 0 || g.FH <= 0 || g.FW <= 0:
		return fmt.Errorf("image %d×%d×%d and window %d×%d must be positive", g.C, g.H, g.W, g.FH, g.FW)
	case g.Stride <= 0:
		return fmt.Errorf("stride %d must be positive", g.Stride)
	case g.Pad < 0:
		return fmt.Errorf("padding %d must not be negative", g.Pad)
	case max(g.H, g.W, g.FH, g.FW, g.Stride, g.Pad) > MaxSide:
		return fmt.Errorf("image %d×%d, window %d×%d, stride %d and padding %d must each be at most %d",
			g.H, g.W, g.FH, g.FW, g.Stride, g.Pad, MaxSide)
	}
	// Each term is at most MaxSide = 2²⁴: the sums fit any int.
	hp, wp := g.H+2*g.Pad, g.W+2*g.Pad
	switch {
	case hp > MaxSide || wp > MaxSide:
		return fmt.Errorf("the padded image %d×%d has a side over %d", hp, wp, MaxSide)
	case g.FH > hp || g.FW > wp:
		return fmt.Errorf("window %d×%d is larger than the padded image %d×%d", g.FH, g.FW, hp, wp)
	case !Within(MaxValues, g.C, hp, wp):
		return fmt.Errorf("the padded image %d×%d×%d has more than %d values", g.C, hp, wp, MaxValues)
	case !Within(MaxValues, g.C, g.FH, g.FW, g.OutH(), g.OutW()):
		return fmt.Errorf("windows of %d×%d×%d at %d×%d positions read more than %d values", g.C, g.FH, g.FW, g.OutH(), g.OutW(), MaxValues)
	}
	return nil
}

// CheckOutput returns an error, as Check does, if n images of channels
// output planes of OutH×OutW have more than MaxValues values per image or
// more than a tensor holds in all (an int's worth of bytes). g must have
// passed Check; n and channels may be 0.
func (g Geometry) CheckOutput(n, channels int) error {
	switch oh, ow := g.OutH(), g.OutW(); {
	case !Within(MaxValues, channels, oh, ow):
		return fmt.Errorf("an output of %d×%d×%d values per image is more than %d", channels, oh, ow, MaxValues)
	case !Within(math.MaxInt/8, n, channels*oh*ow):
		return fmt.Errorf("an output of %d images of %d×%d×%d values is more than a tensor holds", n, channels, oh, ow)
	}
	return nil
}

// Within reports whether the product of factors, which are not
// negative, is at most limit, computing it without overflow: the check
// behind every size limit of the geometry, which the ONNX importer uses
// too.
func Within(limit int, factors ...int) bool {
	p := 1
	for _, f := range factors {
		if f == 0 {
			return true
		}
		if f > limit/p {
			return false
		}
		p *= f
	}
	return true
}

// span returns the output columns x in [lo, hi) whose input column
// x·S + j − P falls inside [0, n): the others read padding.
func span(j, n, out, stride, pad int) (lo, hi int) {
	// x·S + j − P ≥ 0  ⇔  x ≥ ⌈(P − j)/S⌉
	lo = 0
	if d := pad - j; d > 0 {
		lo = (d + stride - 1) / stride
	}
	// x·S + j − P ≤ n − 1  ⇔  x ≤ ⌊(n − 1 + P − j)/S⌋
	hi = out
	if d := n - 1 + pad - j; d < 0 {
		hi = 0
	} else if h := d/stride + 1; h < hi {
		hi = h
	}
	return lo, max(lo, hi)
}

func check(op, name string, s []float64, n int) {
	if len(s) < n {
		panic(fmt.Sprintf("conv: %s: %s has %d values, the geometry needs %d", op, name, len(s), n))
	}
}

// Im2col writes into dst the col matrix of image img (C, H, W), as the
// package doc describes: C·FH·FW rows of OutH·OutW values, row-major.
// Every value of dst's first ColRows·ColCols is written. It panics if img
// or dst is too short.
func Im2col(dst, img []float64, g Geometry) {
	oh, ow := g.OutH(), g.OutW()
	check("Im2col", "image", img, g.C*g.H*g.W)
	check("Im2col", "dst", dst, g.ColRows()*oh*ow)
	s, p := g.Stride, g.Pad
	row := 0
	for c := range g.C {
		ch := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for i := range g.FH {
			ylo, yhi := span(i, g.H, oh, s, p)
			for j := range g.FW {
				xlo, xhi := span(j, g.W, ow, s, p)
				d := dst[row*oh*ow : (row+1)*oh*ow]
				row++
				clear(d[:ylo*ow])
				clear(d[yhi*ow:])
				for y := ylo; y < yhi; y++ {
					src := ch[(y*s+i-p)*g.W:]
					dr := d[y*ow : (y+1)*ow]
					clear(dr[:xlo])
					clear(dr[xhi:])
					if s == 1 {
						copy(dr[xlo:xhi], src[xlo+j-p:])
						continue
					}
					for x := xlo; x < xhi; x++ {
						dr[x] = src[x*s+j-p]
					}
				}
			}
		}
	}
}

// Col2im writes into dst (C, H, W) the adjoint of Im2col applied to col:
// each image position receives the sum of the col entries Im2col would
// have read from it, and entries that fall in the padding are dropped.
// dst is overwritten. It panics if col or dst is too short.
func Col2im(dst, col []float64, g Geometry) {
	oh, ow := g.OutH(), g.OutW()
	check("Col2im", "dst", dst, g.C*g.H*g.W)
	check("Col2im", "col", col, g.ColRows()*oh*ow)
	clear(dst[:g.C*g.H*g.W])
	s, p := g.Stride, g.Pad
	row := 0
	for c := range g.C {
		ch := dst[c*g.H*g.W : (c+1)*g.H*g.W]
		for i := range g.FH {
			ylo, yhi := span(i, g.H, oh, s, p)
			for j := range g.FW {
				xlo, xhi := span(j, g.W, ow, s, p)
				d := col[row*oh*ow : (row+1)*oh*ow]
				row++
				for y := ylo; y < yhi; y++ {
					out := ch[(y*s+i-p)*g.W:]
					src := d[y*ow : (y+1)*ow]
					if s == 1 {
						out = out[xlo+j-p : xhi+j-p]
						for k, v := range src[xlo:xhi] {
							out[k] += v
						}
						continue
					}
					for x := xlo; x < xhi; x++ {
						out[x*s+j-p] += src[x]
					}
				}
			}
		}
	}
}

// PackedLen returns the length of col packed in panels of nr columns, as
// Im2colPacked writes it: ⌈ColCols/nr⌉ panels of ColRows·nr values.
func (g Geometry) PackedLen(nr int) int {
	return (g.ColCols() + nr - 1) / nr * g.ColRows() * nr
}

// Im2colPacked writes the col matrix of image img as Im2col does, but in
// panels of nr columns, the layout internal/gemm's GemmPackedB takes:
// col[r][pos] goes to dst[(pos/nr)·ColRows·nr + r·nr + pos%nr], and the
// last panel is padded with zeros. Every value of dst's first
// PackedLen(nr) is written. It panics if img or dst is too short or nr is
// not positive.
func Im2colPacked(dst, img []float64, g Geometry, nr int) {
	if nr <= 0 {
		panic(fmt.Sprintf("conv: Im2colPacked: panel width %d", nr))
	}
	oh, ow := g.OutH(), g.OutW()
	check("Im2colPacked", "image", img, g.C*g.H*g.W)
	check("Im2colPacked", "dst", dst, g.PackedLen(nr))
	panel := g.ColRows() * nr
	s, p := g.Stride, g.Pad
	r := 0
	for c := range g.C {
		ch := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for i := range g.FH {
			ylo, yhi := span(i, g.H, oh, s, p)
			for j := range g.FW {
				xlo, xhi := span(j, g.W, ow, s, p)
				d := dst[r*nr:]
				r++
				q, jj := 0, 0 // the panel and column within it of position pos
				for y := range oh {
					var src []float64
					if y >= ylo && y < yhi {
						src = ch[(y*s+i-p)*g.W:]
					}
					for x := 0; x < ow; {
						// A run of positions within one panel: copied
						// when the whole run reads the image at stride 1.
						n := min(nr-jj, ow-x)
						out := d[q*panel+jj : q*panel+jj+n]
						switch {
						case src == nil || x+n <= xlo || x >= xhi:
							clear(out)
						case s == 1 && x >= xlo && x+n <= xhi:
							copy(out, src[x+j-p:x+j-p+n])
						default:
							for t := range out {
								out[t] = 0
								if xx := x + t; xx >= xlo && xx < xhi {
									out[t] = src[xx*s+j-p]
								}
							}
						}
						x += n
						if jj += n; jj == nr {
							q, jj = q+1, 0
						}
					}
				}
				for ; jj != 0 && jj < nr; jj++ { // the last panel's padding
					d[q*panel+jj] = 0
				}
			}
		}
	}
}

// PooledCols returns the number of columns Pooled.Im2col writes: the
// positions of the output's whole 2×2 windows, 4·⌊OH/2⌋·⌊OW/2⌋.
func (g Geometry) PooledCols() int { return 4 * (g.OutH() / 2) * (g.OutW() / 2) }

// PooledLen returns the length of the packed matrix Pooled.Im2col writes:
// ⌈PooledCols/nr⌉ panels of ColRows·nr values.
func (g Geometry) PooledLen(nr int) int {
	return (g.PooledCols() + nr - 1) / nr * g.ColRows() * nr
}

// Pooled lays out, for one geometry and panel width, the columns of col
// that a 2×2 max pooling at stride 2 reads, grouped by their place in the
// window: with PH = ⌊OH/2⌋ and PW = ⌊OW/2⌋, column
//
//	(2·dy + dx)·PH·PW + y·PW + x    (dy, dx ∈ {0, 1})
//
// holds col's column (2y + dy)·OW + 2x + dx, so that the product with the
// filters has the four members of each window in four blocks of PH·PW
// values, each in the pooled output's order: the pooling is then the
// elementwise maximum of the four blocks (ReLUPool). An odd last row or
// column of the convolution, which the pooling drops, is left out.
//
// In the zero-padded image of width W + 2·Pad, col's entry (row, column)
// is at the sum of an offset of the row's filter position and one of the
// column's output position; Pooled holds both tables, so that its Im2col
// is a gather.
type Pooled struct {
	g        Geometry
	nr       int
	row, pos []int // the offsets of col's rows and of its columns
	// corner holds, for each pooled output y·PW + x, the position
	// 2y·OutW + 2x of its window's first place in the convolution's output.
	corner []int32
}

// NewPooled returns the layout of g's pooled columns in panels of nr. It
// panics if g fails Check (whose limits let every position fit the int32
// of a corner), nr is not positive or g's output has no 2×2 window.
func NewPooled(g Geometry, nr int) *Pooled {
	if err := g.Check(); err != nil {
		panic("conv: NewPooled: " + err.Error())
	}
	if nr <= 0 {
		panic(fmt.Sprintf("conv: NewPooled: panel width %d", nr))
	}
	ph, pw := g.OutH()/2, g.OutW()/2
	if ph == 0 || pw == 0 {
		panic(fmt.Sprintf("conv: NewPooled: the %d×%d output has no 2×2 window", g.OutH(), g.OutW()))
	}
	hp, wp := g.H+2*g.Pad, g.W+2*g.Pad
	p := &Pooled{g: g, nr: nr, row: make([]int, 0, g.ColRows()), pos: make([]int, 0, g.PooledCols())}
	for c := range g.C {
		for i := range g.FH {
			for j := range g.FW {
				p.row = append(p.row, (c*hp+i)*wp+j)
			}
		}
	}
	p.corner = make([]int32, 0, ph*pw)
	for y := range ph {
		for x := range pw {
			p.corner = append(p.corner, int32(2*y*g.OutW()+2*x))
		}
	}
	s := g.Stride
	for w := range 4 {
		dy, dx := w/2, w%2
		for y := range ph {
			for x := range pw {
				p.pos = append(p.pos, (2*y+dy)*s*wp+(2*x+dx)*s)
			}
		}
	}
	return p
}

// Geometry returns the geometry p lays out.
func (p *Pooled) Geometry() Geometry { return p.g }

// ScratchLen returns the length of the scratch Im2col takes: the padded
// image, or none without padding.
func (p *Pooled) ScratchLen() int {
	if p.g.Pad == 0 {
		return 0
	}
	return p.g.paddedLen()
}

// paddedLen returns the length of the image padded with the geometry's
// zeros, C·(H+2P)·(W+2P).
func (g Geometry) paddedLen() int { return g.C * (g.H + 2*g.Pad) * (g.W + 2*g.Pad) }

// padded returns img itself when g has no padding, and otherwise img
// padded with g's zeros, written into dst, which must hold paddedLen
// values.
func padded(dst, img []float64, g Geometry) []float64 {
	if g.Pad == 0 {
		return img[:g.C*g.H*g.W]
	}
	hp, wp := g.H+2*g.Pad, g.W+2*g.Pad
	dst = dst[:g.C*hp*wp]
	clear(dst)
	for c := range g.C {
		for y := range g.H {
			copy(dst[(c*hp+y+g.Pad)*wp+g.Pad:], img[(c*g.H+y)*g.W:(c*g.H+y+1)*g.W])
		}
	}
	return dst
}

// Im2col writes the pooled columns of image img (C, H, W) into dst, packed
// in panels of nr as Im2colPacked does; the last panel is padded with
// zeros. tmp is scratch of at least ScratchLen values, overwritten. Every
// value of dst's first PooledLen(nr) is written. It panics if img, tmp or
// dst is too short.
func (p *Pooled) Im2col(dst, tmp, img []float64) {
	g, nr := p.g, p.nr
	check("Pooled.Im2col", "image", img, g.C*g.H*g.W)
	check("Pooled.Im2col", "tmp", tmp, p.ScratchLen())
	check("Pooled.Im2col", "dst", dst, g.PooledLen(nr))
	src := padded(tmp, img, g)
	// dst is written panel by panel, in order: it is larger than a core's
	// first-level cache, and the image is not.
	panel := len(p.row) * nr
	full := len(p.pos) / nr
	if nr == 8 {
		for q := range full {
			po := (*[8]int)(p.pos[q*8:])
			p0, p1, p2, p3, p4, p5, p6, p7 := po[0], po[1], po[2], po[3], po[4], po[5], po[6], po[7]
			out := dst[q*panel : (q+1)*panel]
			for r, ro := range p.row {
				o, v := (*[8]float64)(out[r*8:]), src[ro:]
				o[0], o[1], o[2], o[3] = v[p0], v[p1], v[p2], v[p3]
				o[4], o[5], o[6], o[7] = v[p4], v[p5], v[p6], v[p7]
			}
		}
	} else {
		for q := range full {
			po := p.pos[q*nr : (q+1)*nr]
			out := dst[q*panel : (q+1)*panel]
			for r, ro := range p.row {
				o, v := out[r*nr:(r+1)*nr], src[ro:]
				for k, pk := range po {
					o[k] = v[pk]
				}
			}
		}
	}
	if rest := len(p.pos) - full*nr; rest > 0 {
		po := p.pos[full*nr:]
		out := dst[full*panel : (full+1)*panel]
		for r, ro := range p.row {
			o, v := out[r*nr:(r+1)*nr], src[ro:]
			for k, pk := range po {
				o[k] = v[pk]
			}
			clear(o[rest:])
		}
	}
}
