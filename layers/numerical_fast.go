package layers

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/internal/workers"
	"github.com/numlearn/numlearn/tensor"
)

// The fast path of NumericalGradient takes the same central differences
// (L(θ + h·e_p) − L(θ − h·e_p)) / 2h as the generic one, each of the
// network's real loss, but works out each loss from one cached forward
// pass instead of running the whole batch twice per parameter. It applies
// when every layer is an Affine or elementWise (an activation) and the
// head is a rowLosser (one of this package's):
//
//   - Changing W[i][j] of an Affine layer by δ changes only column j of its
//     output, by δ·x[r][i] in row r, and only in the rows where x[r][i] ≠ 0;
//     changing b[j] changes column j in every row. Upstream nothing changes.
//   - An activation keeps the change in its column: the new value is
//     forwardScalar of the new input.
//   - The next Affine layer turns a change d in input column j of row r into
//     d·W[j] added to that output row; after that, whole rows are carried
//     through the remaining layers.
//   - The head's loss is the mean of per-row terms, so L(θ ± h·e_p) differs
//     from the base loss only in the affected rows' terms:
//     L⁺ − L⁻ = Σ over affected rows of (ℓ⁺_r − ℓ⁻_r), divided by n.
//
// A row whose value comes out bit for bit unchanged at some layer keeps
// its base loss term. For the parameters of the last Affine layer, and of an
// Affine layer separated from it by activations only (the book's
// first layer), every perturbation that reaches row r through column j
// moves the row's scores along one line, so they are grouped by row and
// column and handed to the head together (lineLosser). The work is
// spread over GOMAXPROCS goroutines, which only read the cached pass, and
// summed in a fixed order.

// fastStep is one layer of the cached forward pass.
type fastStep struct {
	elem    elementWise // nil for an Affine layer
	w, b    []float64   // an Affine layer's weights (in, out) and bias
	in, out int         // row widths of the input and output
	wp, bp  int         // indices of W and b among the learnable parameters, −1 when absent
	x, y    []float64   // the layer's input and output, (n, in) and (n, out)
	cols    columns     // the nonzeros of x by column (Affine layers)
	yt      tensor.Tensor
	ybuf    []float64 // the storage of y, a copy of the layer's output
}

// columns holds a matrix's nonzeros column by column: column i has rows
// row[start[i]:start[i+1]] with values val[…].
type columns struct {
	start []int
	row   []int
	val   []float64
	next  []int // scratch for fill
}

// grow returns s resliced to n elements, reallocated only when its
// capacity is short; its contents are whatever it held.
func grow[E any](s []E, n int) []E {
	if cap(s) < n {
		return make([]E, n)
	}
	return s[:n]
}

// fill stores the nonzeros of x (n, in) by column.
func (c *columns) fill(x []float64, n, in int) {
	c.start = grow(c.start, in+1)
	clear(c.start)
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
	c.row, c.val = grow(c.row, nnz), grow(c.val, nnz)
	next := append(c.next[:0], c.start[:in]...)
	c.next = next
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
// single perturbed parameter can be worked out row by row. A Sequence
// keeps one and reuses its storage from call to call, so that a numerical
// training step allocates nothing once warm.
type fastPlan struct {
	steps []fastStep
	head  rowLosser
	n     int       // rows in the batch
	t     []float64 // targets, (n, k)
	k     int       // width of the last layer's output
	base  []float64 // the head's loss term of every row
	width int       // the widest layer output

	// The work of run: its tasks, the indices in tasks of each step's line
	// shares, the storage of their accumulators, and each participant's
	// scratch space.
	tasks   []fastTask
	lines   [][]int
	accs    [][]float64
	workers []fastWorker
	out     []*tensor.Tensor
	next    atomic.Int64
	ids     atomic.Int64
	wg      sync.WaitGroup
}

// asRowLosser returns h as a rowLosser when it is one of this package's
// heads. The recognition is by concrete type, as image/draw recognises its
// fast cases: a head of the user's that embeds one of these but computes
// another loss must not be taken for it.
func asRowLosser(h Head) (rowLosser, bool) {
	switch h := h.(type) {
	case *SoftmaxWithLoss:
		return h, true
	case *IdentityWithLoss:
		return h, true
	case *SigmoidWithLoss:
		return h, true
	}
	return nil, false
}

// asElementWise returns l as an elementWise layer when it is one of this
// package's activations, recognised by concrete type as asRowLosser does.
func asElementWise(l Layer) (elementWise, bool) {
	switch l := l.(type) {
	case *ReLU:
		return l, true
	case *Sigmoid:
		return l, true
	case *Tanh:
		return l, true
	}
	return nil, false
}

// planFast checks that the fast path applies to the sequence, head and
// batch, runs the forward pass in training mode and caches it. It returns
// the batch's loss, and ok false (having computed nothing that matters)
// when the fast path does not apply.
func (q *Sequence) planFast(h Head, x, t *tensor.Tensor) (p *fastPlan, cost float64, ok bool) {
	head, ok := asRowLosser(h)
	if !ok || x.Dims() != 2 || x.Shape()[0] == 0 || len(q.layers) == 0 {
		return nil, 0, false
	}
	rows := x.Shape()[0]
	if q.plan == nil {
		q.plan = &fastPlan{}
	}
	p = q.plan
	p.head, p.n, p.width = head, rows, 0
	p.steps = grow(p.steps, len(q.layers))
	param := 0 // index among the learnable parameters of the layer's first
	for i, l := range q.layers {
		s := &p.steps[i]
		s.wp, s.bp, s.elem, s.w, s.b = -1, -1, nil, nil, nil
		a, dense := l.(*Affine)
		if !dense {
			e, elem := asElementWise(l)
			if !elem {
				return nil, 0, false
			}
			s.elem = e
			continue
		}
		s.in, s.out, s.w, s.b = a.W.Shape()[0], a.W.Shape()[1], a.W.Data(), a.B.Data()
		s.wp, s.bp = param, param+1
		param += 2
	}

	// The forward pass, with every layer's input and a copy of its output.
	q.SetMode(Training)
	in := x
	for i, l := range q.layers {
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
		// A copy: the layer may reuse its output's storage.
		s.ybuf = grow(s.ybuf, y.Size())
		copy(s.ybuf, y.Data())
		s.yt.Wrap(s.ybuf, y.Shape()...)
		in, s.y = &s.yt, s.ybuf
		p.width = max(p.width, s.out)
	}
	last := in
	if t.Dims() != 2 || t.Shape()[0] != rows || t.Shape()[1] != last.Shape()[1] {
		return nil, 0, false
	}
	cost = head.Forward(last, t)
	p.t, p.k = t.Data(), last.Shape()[1]
	p.base = grow(p.base, rows)
	for r := range rows {
		p.base[r] = head.rowLoss(p.steps[len(p.steps)-1].y[r*p.k:(r+1)*p.k], p.t[r*p.k:(r+1)*p.k])
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
// last step and an Affine, or only activations lie between l and a last
// step that is an Affine.
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
// (aligned with the learnable parameters, sized), spread over GOMAXPROCS
// goroutines.
func (p *fastPlan) run(out []*tensor.Tensor) {
	procs := runtime.GOMAXPROCS(0)
	p.tasks = p.tasks[:0]
	p.lines = grow(p.lines, len(p.steps))
	shares := 0 // line shares so far, each with an accumulator in p.accs
	for i := range p.steps {
		s := &p.steps[i]
		p.lines[i] = p.lines[i][:0]
		if s.elem != nil {
			continue
		}
		if p.lineStep(i) {
			chunks := min(p.n, lineChunks)
			for c := range chunks {
				if shares == len(p.accs) {
					p.accs = append(p.accs, nil)
				}
				acc := grow(p.accs[shares], len(s.w)+len(s.b))
				clear(acc)
				p.accs[shares] = acc
				shares++
				p.lines[i] = append(p.lines[i], len(p.tasks))
				p.tasks = append(p.tasks, fastTask{step: i, lo: p.n * c / chunks, hi: p.n * (c + 1) / chunks, acc: acc})
			}
			continue
		}
		chunk := max(1, s.in/(8*procs))
		for lo := 0; lo < s.in; lo += chunk {
			p.tasks = append(p.tasks, fastTask{step: i, lo: lo, hi: min(lo+chunk, s.in)})
		}
		if s.bp >= 0 {
			p.tasks = append(p.tasks, fastTask{step: i, bias: true})
		}
	}
	if len(p.workers) < procs {
		p.workers = append(p.workers, make([]fastWorker, procs-len(p.workers))...)
	}
	for i := range p.workers {
		w := &p.workers[i]
		if len(w.a) < p.width {
			sc := make([]float64, 3*p.width)
			w.a, w.b, w.unit = sc[:p.width], sc[p.width:2*p.width], sc[2*p.width:]
		}
	}
	p.out = out
	p.next.Store(0)
	p.ids.Store(0)
	workers.Share(p, workers.Helpers(len(p.tasks)), &p.wg)
	p.out = nil

	scale := 1 / (2 * grad.H * float64(p.n))
	for l, shares := range p.lines {
		if len(shares) == 0 {
			continue
		}
		s := &p.steps[l]
		g := out[s.wp].Data()
		var gb []float64
		if s.bp >= 0 {
			gb = out[s.bp].Data()
		}
		for e := range len(g) + len(gb) {
			var sum float64
			for _, k := range shares {
				sum += p.tasks[k].acc[e]
			}
			if e < len(g) {
				g[e] = sum * scale
			} else {
				gb[e-len(g)] = sum * scale
			}
		}
	}
}

// Run does tasks until none is left (a workers.Job), in the scratch space
// of the participant it is.
func (p *fastPlan) Run() {
	fw := &p.workers[p.ids.Add(1)-1]
	for {
		k := int(p.next.Add(1)) - 1
		if k >= len(p.tasks) {
			return
		}
		if p.tasks[k].acc != nil {
			p.lineTask(p.tasks[k], fw)
		} else {
			p.task(p.tasks[k], p.out, fw.a, fw.b)
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
	line, _ := p.head.(*SoftmaxWithLoss) // the one lineLosser
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
				up, down := (w+grad.H)-w, (w-grad.H)-w
				fw.ds = append(fw.ds, p.move(l, r, j, y+up*x[i]), p.move(l, r, j, y+down*x[i]))
			}
			if s.bp >= 0 {
				b := s.b[j]
				up, down := (b+grad.H)-b, (b-grad.H)-b
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
				line.rowLossAlong(fw.dst, z, v, t, fw.ds)
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
// of the last layer's input, after the activations between, or to
// column j of the scores when l is the last step.
func (p *fastPlan) move(l, r, j int, v float64) float64 {
	last := len(p.steps) - 1
	if l == last {
		return v - p.steps[l].y[r*p.k+j]
	}
	for k := l + 1; k < last; k++ {
		v = p.steps[k].elem.forwardScalar(v)
	}
	s := &p.steps[last]
	return v - s.x[r*s.in+j]
}

// along is lineLosser's rowLossAlong for a head that has only
// rowLoss: dst[k] = rowLoss(x + ds[k]·v, t) − base, with row as scratch.
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
		dst[k] = p.head.rowLoss(row, t) - base
	}
}

// task computes the central differences of one share of the parameters.
// a and b are scratch rows of the widest layer's width.
func (p *fastPlan) task(tk fastTask, out []*tensor.Tensor, a, b []float64) {
	s := &p.steps[tk.step]
	scale := 1 / (2 * grad.H * float64(p.n))
	if tk.bias {
		g := out[s.bp].Data()
		for j, v := range s.b {
			up, down := (v+grad.H)-v, (v-grad.H)-v
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
			up, down := (v+grad.H)-v, (v-grad.H)-v
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
			return p.head.rowLoss(row, p.t[r*p.k:(r+1)*p.k])
		}
		s := &p.steps[k]
		if s.elem != nil {
			v = s.elem.forwardScalar(v)
			continue
		}
		// Affine: row r of the output gains (v − old)·W[j].
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
				row[c] = s.elem.forwardScalar(u)
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
	return p.head.rowLoss(row, p.t[r*p.k:(r+1)*p.k])
}
