package numlearn

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// numericalStep is grad.Numerical's step, the book's h: NumericalGradient's
// fast path takes the same central difference as its generic one.
const numericalStep = 1e-4

// The fast path of NumericalGradient takes the same central differences
// (L(θ + h·e_p) − L(θ − h·e_p)) / 2h as the generic one, each of the
// network's real loss, but works out each loss from one cached forward
// pass instead of running the whole batch twice per parameter. It applies
// when every layer is layers.Dense or layers.ElementWise and the head is a
// layers.RowLosser:
//
//   - Changing W[i][j] of a Dense layer by δ changes only column j of its
//     output, by δ·x[r][i] in row r, and only in the rows where x[r][i] ≠ 0;
//     changing b[j] changes column j in every row. Upstream nothing changes.
//   - An ElementWise layer keeps the change in its column: the new value is
//     ForwardScalar of the new input.
//   - The next Dense layer turns a change d in input column j of row r into
//     d·W[j] added to that output row; after that, whole rows are carried
//     through the remaining layers.
//   - The head's loss is the mean of per-row terms, so L(θ ± h·e_p) differs
//     from the base loss only in the affected rows' terms:
//     L⁺ − L⁻ = Σ over affected rows of (ℓ⁺_r − ℓ⁻_r), divided by n.
//
// A row whose value comes out bit for bit unchanged at some layer keeps
// its base loss term. For the parameters of the last Dense layer, and of a
// Dense layer separated from it by ElementWise layers only (the book's
// first layer), every perturbation that reaches row r through column j
// moves the row's scores along one line, so they are grouped by row and
// column and handed to the head together (layers.LineLosser). The work is
// spread over GOMAXPROCS goroutines, which only read the cached pass, and
// summed in a fixed order.

// fastStep is one layer of the cached forward pass.
type fastStep struct {
	elem    layers.ElementWise // nil for a Dense layer
	w, b    []float64          // a Dense layer's weights (in, out) and bias (nil if none)
	in, out int                // row widths of the input and output
	wp, bp  int                // indices in Params of W and b, −1 when absent
	x, y    []float64          // the layer's input and output, (n, in) and (n, out)
	cols    columns            // the nonzeros of x by column (Dense layers)
}

// columns holds a matrix's nonzeros column by column: column i has rows
// row[start[i]:start[i+1]] with values val[…].
type columns struct {
	start []int
	row   []int
	val   []float64
}

// fill stores the nonzeros of x (n, in) by column.
func (c *columns) fill(x []float64, n, in int) {
	c.start = append(c.start[:0], make([]int, in+1)...)
	for r := range n {
		for i, v := range x[r*in : (r+1)*in] {
			if v != 0 {
				c.start[i+1]++
			}
		}
	}
	for i := range in {
		c.start[i+1] += c.start[i]
	}
	nnz := c.start[in]
	c.row, c.val = make([]int, nnz), make([]float64, nnz)
	next := append([]int(nil), c.start[:in]...)
	for r := range n {
		for i, v := range x[r*in : (r+1)*in] {
			if v != 0 {
				c.row[next[i]], c.val[next[i]] = r, v
				next[i]++
			}
		}
	}
}

// fastPlan is a cached forward pass of a batch, from which the loss at any
// single perturbed parameter can be worked out row by row.
type fastPlan struct {
	steps []fastStep
	head  layers.RowLosser
	n     int       // rows in the batch
	t     []float64 // targets, (n, k)
	k     int       // width of the last layer's output
	base  []float64 // the head's loss term of every row
	width int       // the widest layer output
}

// planFast checks that the fast path applies to the network and batch,
// runs the forward pass in training mode and caches it. It returns the
// batch's loss, and ok false (having computed nothing that matters) when
// the fast path does not apply.
func (n *Network) planFast(x, t *tensor.Tensor) (p *fastPlan, cost float64, ok bool) {
	head, ok := n.head.(layers.RowLosser)
	if !ok || x.Dims() != 2 || x.Shape()[0] == 0 || len(n.layers) == 0 {
		return nil, 0, false
	}
	rows := x.Shape()[0]
	p = &fastPlan{head: head, n: rows, steps: make([]fastStep, len(n.layers))}
	param := 0 // index in Params of the layer's first parameter
	for i, l := range n.layers {
		s := &p.steps[i]
		s.wp, s.bp = -1, -1
		d, dense := l.(layers.Dense)
		if !dense {
			e, elem := l.(layers.ElementWise)
			if !elem {
				return nil, 0, false
			}
			if lr, ok := l.(layers.Learnable); ok && len(lr.Params()) > 0 {
				return nil, 0, false
			}
			s.elem = e
			continue
		}
		w, b := d.Dense()
		if w == nil || w.Dims() != 2 || (b != nil && (b.Dims() != 1 || b.Size() != w.Shape()[1])) {
			return nil, 0, false
		}
		s.in, s.out, s.w = w.Shape()[0], w.Shape()[1], w.Data()
		if b != nil {
			s.b = b.Data()
		}
		for j, q := range d.Params() {
			switch {
			case q == w && s.wp < 0:
				s.wp = param + j
			case q == b && s.bp < 0:
				s.bp = param + j
			default:
				return nil, 0, false
			}
		}
		if s.wp < 0 || (b != nil) != (s.bp >= 0) {
			return nil, 0, false
		}
		param += len(d.Params())
	}

	// The forward pass, with every layer's input and a copy of its output.
	for _, m := range n.moders {
		m.SetMode(layers.Training)
	}
	in := x
	for i, l := range n.layers {
		s := &p.steps[i]
		s.x = in.Data()
		if s.elem == nil && in.Size() != rows*s.in {
			return nil, 0, false
		}
		y := l.Forward(in)
		if y.Dims() != 2 || y.Shape()[0] != rows || (s.elem != nil && y.Size() != in.Size()) {
			return nil, 0, false
		}
		if s.elem != nil {
			s.in = y.Shape()[1]
			s.out = s.in
		}
		in = y.Clone() // the layer may reuse its output's storage
		s.y = in.Data()
		p.width = max(p.width, s.out)
	}
	last := in
	if t.Dims() != 2 || t.Shape()[0] != rows || t.Shape()[1] != last.Shape()[1] {
		return nil, 0, false
	}
	cost = head.Forward(last, t)
	p.t, p.k = t.Data(), last.Shape()[1]
	p.base = make([]float64, rows)
	for r := range rows {
		p.base[r] = head.RowLoss(p.steps[len(p.steps)-1].y[r*p.k:(r+1)*p.k], p.t[r*p.k:(r+1)*p.k])
	}
	for i := range p.steps {
		if s := &p.steps[i]; s.elem == nil {
			s.cols.fill(s.x, rows, s.in)
		}
	}
	return p, cost, true
}

// fastTask is a share of the perturbations: rows [lo, hi) of step's W,
// or its whole b when bias is set; or, when acc is set, every parameter
// of step as seen from rows [lo, hi) of the batch, whose differences go
// to acc (W's, then b's).
type fastTask struct {
	step   int
	lo, hi int
	bias   bool
	acc    []float64
}

// lineChunks is the number of shares of a batch's rows for a line step.
// Each share sums its rows' differences in its own accumulator and the
// shares are added in order, so the result does not depend on which
// goroutine took which share, nor on how many there are.
const lineChunks = 8

// lineStep reports whether the effect of step l's parameters on a row
// reaches the head as a move of the row's scores along one line: l is the
// last step and Dense, or only ElementWise steps lie between l and a last
// step that is Dense.
func (p *fastPlan) lineStep(l int) bool {
	last := len(p.steps) - 1
	if p.steps[last].elem != nil {
		return false
	}
	for k := l + 1; k < last; k++ {
		if p.steps[k].elem == nil {
			return false
		}
	}
	return true
}

// fastWorker is one goroutine's scratch space and, for the steps whose
// parameters it works on by rows, its share of their differences.
type fastWorker struct {
	a, b, unit []float64 // rows of the widest layer's width
	nz         []int     // the nonzero columns of an input row
	ds, dst    []float64 // the moves of a row along a line, and their losses
}

// run computes the numerical gradient of every parameter into out
// (aligned with Params, sized), spread over GOMAXPROCS goroutines.
func (p *fastPlan) run(out []*tensor.Tensor) {
	workers := runtime.GOMAXPROCS(0)
	var tasks []fastTask
	lines := map[int][]fastTask{} // the shares of each line step
	for i := range p.steps {
		s := &p.steps[i]
		if s.elem != nil {
			continue
		}
		if p.lineStep(i) {
			chunks := min(p.n, lineChunks)
			for c := range chunks {
				tk := fastTask{step: i, lo: p.n * c / chunks, hi: p.n * (c + 1) / chunks, acc: make([]float64, len(s.w)+len(s.b))}
				tasks = append(tasks, tk)
				lines[i] = append(lines[i], tk)
			}
			continue
		}
		chunk := max(1, s.in/(8*workers))
		for lo := 0; lo < s.in; lo += chunk {
			tasks = append(tasks, fastTask{step: i, lo: lo, hi: min(lo+chunk, s.in)})
		}
		if s.bp >= 0 {
			tasks = append(tasks, fastTask{step: i, bias: true})
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(tasks)) {
		sc := make([]float64, 3*p.width)
		fw := &fastWorker{a: sc[:p.width], b: sc[p.width : 2*p.width], unit: sc[2*p.width:]}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= len(tasks) {
					return
				}
				if tasks[k].acc != nil {
					p.lineTask(tasks[k], fw)
				} else {
					p.task(tasks[k], out, fw.a, fw.b)
				}
			}
		}()
	}
	wg.Wait()
	scale := 1 / (2 * numericalStep * float64(p.n))
	for l, shares := range lines {
		s := &p.steps[l]
		g := out[s.wp].Data()
		var gb []float64
		if s.bp >= 0 {
			gb = out[s.bp].Data()
		}
		for e := range len(g) + len(gb) {
			var sum float64
			for _, tk := range shares {
				sum += tk.acc[e]
			}
			if e < len(g) {
				g[e] = sum * scale
			} else {
				gb[e-len(g)] = sum * scale
			}
		}
	}
}

// lineTask adds to the task's accumulator the differences ℓ⁺_r − ℓ⁻_r of every
// parameter of a line step, for the rows of the task: for each row and
// output column j of the step, every parameter that reaches column j
// moves the row's scores along one line (row j of the last layer's W, or
// the unit vector of column j when the step is the last), so the head
// works them all out at once.
func (p *fastPlan) lineTask(tk fastTask, fw *fastWorker) {
	l, s := tk.step, &p.steps[tk.step]
	lastStep := &p.steps[len(p.steps)-1]
	acc := tk.acc
	line, _ := p.head.(layers.LineLosser)
	for r := tk.lo; r < tk.hi; r++ {
		x := s.x[r*s.in : (r+1)*s.in]
		fw.nz = fw.nz[:0]
		for i, u := range x {
			if u != 0 {
				fw.nz = append(fw.nz, i)
			}
		}
		z, t := lastStep.y[r*p.k:(r+1)*p.k], p.t[r*p.k:(r+1)*p.k]
		for j := range s.out {
			y := s.y[r*s.out+j]
			fw.ds = fw.ds[:0]
			for _, i := range fw.nz {
				w := s.w[i*s.out+j]
				up, down := (w+numericalStep)-w, (w-numericalStep)-w
				fw.ds = append(fw.ds, p.move(l, r, j, y+up*x[i]), p.move(l, r, j, y+down*x[i]))
			}
			if s.bp >= 0 {
				b := s.b[j]
				up, down := (b+numericalStep)-b, (b-numericalStep)-b
				fw.ds = append(fw.ds, p.move(l, r, j, y+up), p.move(l, r, j, y+down))
			}
			var v []float64
			if l == len(p.steps)-1 {
				clear(fw.unit[:p.k])
				fw.unit[j] = 1
				v = fw.unit[:p.k]
			} else {
				v = lastStep.w[j*p.k : (j+1)*p.k]
			}
			fw.dst = append(fw.dst[:0], fw.ds...)
			if line != nil {
				line.RowLossAlong(fw.dst, z, v, t, fw.ds)
			} else {
				p.along(fw.dst, z, v, t, fw.ds, p.base[r], fw.a)
			}
			for q, i := range fw.nz {
				acc[i*s.out+j] += fw.dst[2*q] - fw.dst[2*q+1]
			}
			if s.bp >= 0 {
				q := len(fw.nz)
				acc[len(s.w)+j] += fw.dst[2*q] - fw.dst[2*q+1]
			}
		}
	}
}

// move returns how far the scores of row r move along their line when
// column j of step l's output becomes v: the change this makes to column j
// of the last layer's input, after the ElementWise steps between, or to
// column j of the scores when l is the last step.
func (p *fastPlan) move(l, r, j int, v float64) float64 {
	last := len(p.steps) - 1
	if l == last {
		return v - p.steps[l].y[r*p.k+j]
	}
	for k := l + 1; k < last; k++ {
		v = p.steps[k].elem.ForwardScalar(v)
	}
	s := &p.steps[last]
	return v - s.x[r*s.in+j]
}

// along is layers.LineLosser's RowLossAlong for a head that has only
// RowLoss: dst[k] = RowLoss(x + ds[k]·v, t) − base, with row as scratch.
func (p *fastPlan) along(dst, x, v, t, ds []float64, base float64, row []float64) {
	row = row[:len(x)]
	for k, d := range ds {
		if d == 0 {
			dst[k] = 0
			continue
		}
		for i, u := range x {
			row[i] = u + d*v[i]
		}
		dst[k] = p.head.RowLoss(row, t) - base
	}
}

// task computes the central differences of one share of the parameters.
// a and b are scratch rows of the widest layer's width.
func (p *fastPlan) task(tk fastTask, out []*tensor.Tensor, a, b []float64) {
	s := &p.steps[tk.step]
	scale := 1 / (2 * numericalStep * float64(p.n))
	if tk.bias {
		g := out[s.bp].Data()
		for j, v := range s.b {
			up, down := (v+numericalStep)-v, (v-numericalStep)-v
			var diff float64
			for r := range p.n {
				y := s.y[r*s.out+j]
				diff += p.rowLoss(tk.step, r, j, y+up, a, b) - p.rowLoss(tk.step, r, j, y+down, a, b)
			}
			g[j] = diff * scale
		}
		return
	}
	g := out[s.wp].Data()
	for i := tk.lo; i < tk.hi; i++ {
		from, to := s.cols.start[i], s.cols.start[i+1]
		rows, vals := s.cols.row[from:to], s.cols.val[from:to]
		for j, v := range s.w[i*s.out : (i+1)*s.out] {
			up, down := (v+numericalStep)-v, (v-numericalStep)-v
			var diff float64
			for q, r := range rows {
				y, xv := s.y[r*s.out+j], vals[q]
				diff += p.rowLoss(tk.step, r, j, y+up*xv, a, b) - p.rowLoss(tk.step, r, j, y+down*xv, a, b)
			}
			g[i*s.out+j] = diff * scale // 0 when column i of the input is all zeros
		}
	}
}

// rowLoss returns the head's loss term of row r when column j of the
// output of step l becomes v and nothing else upstream changes. a and b
// are scratch rows.
func (p *fastPlan) rowLoss(l, r, j int, v float64, a, b []float64) float64 {
	// While one column is changed, carry its value alone.
	k := l + 1
	for ; ; k++ {
		prev := &p.steps[k-1]
		old := prev.y[r*prev.out+j]
		if v == old {
			return p.base[r] // the row is as in the base pass from here on
		}
		if k == len(p.steps) {
			row := a[:p.k]
			copy(row, prev.y[r*p.k:(r+1)*p.k])
			row[j] = v
			return p.head.RowLoss(row, p.t[r*p.k:(r+1)*p.k])
		}
		s := &p.steps[k]
		if s.elem != nil {
			v = s.elem.ForwardScalar(v)
			continue
		}
		// Dense: row r of the output gains (v − old)·W[j].
		d := v - old
		row, y, w := a[:s.out], s.y[r*s.out:(r+1)*s.out], s.w[j*s.out:(j+1)*s.out]
		for c := range row {
			row[c] = y[c] + d*w[c]
		}
		k++
		break
	}
	// The whole row is changed: carry it through the remaining layers.
	row := a[:p.steps[k-1].out]
	for ; k < len(p.steps); k++ {
		s := &p.steps[k]
		if s.elem != nil {
			for c, u := range row {
				row[c] = s.elem.ForwardScalar(u)
			}
			continue
		}
		next, x := b[:s.out], s.x[r*s.in:(r+1)*s.in]
		copy(next, s.y[r*s.out:(r+1)*s.out])
		for i, u := range row {
			if d := u - x[i]; d != 0 {
				w := s.w[i*s.out : (i+1)*s.out]
				for c := range next {
					next[c] += d * w[c]
				}
			}
		}
		row, a, b = next, b, a
	}
	return p.head.RowLoss(row, p.t[r*p.k:(r+1)*p.k])
}
