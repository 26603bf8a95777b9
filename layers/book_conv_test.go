package layers

// A port of the book's common/util.py im2col and col2im and of its
// Convolution and Pooling layers (common/layers.py), step for step with
// their numpy index arithmetic and plain loops for the products: the
// reference that the layers are checked against.

// bookIm2col returns the book's col (N·OH·OW, C·FH·FW): row (n, oy, ox)
// and column (c, y, x) hold the padded image at (n, c, y + S·oy, x + S·ox).
func bookIm2col(x []float64, n, c, h, w, fh, fw, stride, pad int) (col []float64, oh, ow int) {
	oh, ow = (h+2*pad-fh)/stride+1, (w+2*pad-fw)/stride+1
	ph, pw := h+2*pad, w+2*pad
	img := make([]float64, n*c*ph*pw) // np.pad(…, 'constant')
	for i := range n * c {
		for y := range h {
			copy(img[(i*ph+y+pad)*pw+pad:], x[(i*h+y)*w:(i*h+y+1)*w])
		}
	}
	cols := c * fh * fw
	col = make([]float64, n*oh*ow*cols)
	for b := range n {
		for ch := range c {
			for y := range fh {
				for xx := range fw {
					for oy := range oh {
						for ox := range ow {
							row := (b*oh+oy)*ow + ox
							col[row*cols+(ch*fh+y)*fw+xx] = img[((b*c+ch)*ph+y+stride*oy)*pw+xx+stride*ox]
						}
					}
				}
			}
		}
	}
	return col, oh, ow
}

// bookCol2im adds col back into an image padded to H + 2P + S − 1 and
// returns its unpadded part, as the book's col2im.
func bookCol2im(col []float64, n, c, h, w, fh, fw, stride, pad int) []float64 {
	oh, ow := (h+2*pad-fh)/stride+1, (w+2*pad-fw)/stride+1
	ph, pw := h+2*pad+stride-1, w+2*pad+stride-1
	img := make([]float64, n*c*ph*pw)
	cols := c * fh * fw
	for b := range n {
		for ch := range c {
			for y := range fh {
				for xx := range fw {
					for oy := range oh {
						for ox := range ow {
							row := (b*oh+oy)*ow + ox
							img[((b*c+ch)*ph+y+stride*oy)*pw+xx+stride*ox] += col[row*cols+(ch*fh+y)*fw+xx]
						}
					}
				}
			}
		}
	}
	out := make([]float64, n*c*h*w)
	for i := range n * c {
		for y := range h {
			copy(out[(i*h+y)*w:(i*h+y+1)*w], img[(i*ph+y+pad)*pw+pad:])
		}
	}
	return out
}

// bookConv is the book's Convolution: forward by col·W_colᵀ + b and a
// transpose to (N, FN, OH, OW); backward through the same col.
type bookConv struct {
	w, b                       []float64
	fn, c, fh, fw, stride, pad int
	n, h, wd, oh, ow           int
	col                        []float64
}

func (l *bookConv) forward(x []float64, n, h, w int) []float64 {
	l.n, l.h, l.wd = n, h, w
	l.col, l.oh, l.ow = bookIm2col(x, n, l.c, h, w, l.fh, l.fw, l.stride, l.pad)
	rows, k := n*l.oh*l.ow, l.c*l.fh*l.fw
	out := make([]float64, n*l.fn*l.oh*l.ow)
	for r := range rows {
		b, pos := r/(l.oh*l.ow), r%(l.oh*l.ow)
		for f := range l.fn {
			s := l.b[f]
			for i := range k {
				s += l.col[r*k+i] * l.w[f*k+i] // col · col_W, col_W = W.reshape(FN, −1).T
			}
			out[(b*l.fn+f)*l.oh*l.ow+pos] = s // reshape(N, OH, OW, −1).transpose(0, 3, 1, 2)
		}
	}
	return out
}

func (l *bookConv) backward(dout []float64) (dx, dw, db []float64) {
	rows, k := l.n*l.oh*l.ow, l.c*l.fh*l.fw
	d := make([]float64, rows*l.fn) // dout.transpose(0, 2, 3, 1).reshape(−1, FN)
	for r := range rows {
		b, pos := r/(l.oh*l.ow), r%(l.oh*l.ow)
		for f := range l.fn {
			d[r*l.fn+f] = dout[(b*l.fn+f)*l.oh*l.ow+pos]
		}
	}
	db = make([]float64, l.fn)
	dw = make([]float64, l.fn*k) // (colᵀ·dout)ᵀ
	dcol := make([]float64, rows*k)
	for r := range rows {
		for f := range l.fn {
			g := d[r*l.fn+f]
			db[f] += g
			for i := range k {
				dw[f*k+i] += l.col[r*k+i] * g
				dcol[r*k+i] += g * l.w[f*k+i] // dout · col_Wᵀ
			}
		}
	}
	return bookCol2im(dcol, l.n, l.c, l.h, l.wd, l.fh, l.fw, l.stride, l.pad), dw, db
}

// bookPool is the book's Pooling: the max and np.argmax of each window's
// row of col, and a backward that scatters dout to the arg-max and folds
// back with col2im.
type bookPool struct {
	ph, pw, stride, pad int
	n, c, h, w, oh, ow  int
	argMax              []int
}

func (l *bookPool) forward(x []float64, n, c, h, w int) []float64 {
	l.n, l.c, l.h, l.w = n, c, h, w
	col, oh, ow := bookIm2col(x, n, c, h, w, l.ph, l.pw, l.stride, l.pad)
	l.oh, l.ow = oh, ow
	size := l.ph * l.pw
	rows := len(col) / size // col.reshape(−1, pool_h·pool_w): row (n, oy, ox, c)
	l.argMax = make([]int, rows)
	out := make([]float64, n*c*oh*ow)
	for r := range rows {
		win := col[r*size : (r+1)*size]
		at := 0
		for i, v := range win {
			if v > win[at] { // np.argmax: the first maximum
				at = i
			}
		}
		l.argMax[r] = at
		b, rest := r/(oh*ow*c), r%(oh*ow*c)
		pos, ch := rest/c, rest%c
		out[(b*c+ch)*oh*ow+pos] = win[at] // reshape(N, OH, OW, C).transpose(0, 3, 1, 2)
	}
	return out
}

func (l *bookPool) backward(dout []float64) []float64 {
	size := l.ph * l.pw
	rows := len(l.argMax)
	dmax := make([]float64, rows*size)
	for r := range rows {
		b, rest := r/(l.oh*l.ow*l.c), r%(l.oh*l.ow*l.c)
		pos, ch := rest/l.c, rest%l.c
		dmax[r*size+l.argMax[r]] = dout[(b*l.c+ch)*l.oh*l.ow+pos] // dout.transpose(0, 2, 3, 1)
	}
	return bookCol2im(dmax, l.n, l.c, l.h, l.w, l.ph, l.pw, l.stride, l.pad)
}
