package gemm

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/numlearn/numlearn/internal/workers"
)

// Block sizes. A k-block of depth at most kcMax keeps one packed k×NR
// micro-panel of B in the L1 cache while the kernel sweeps the packed rows
// of A past it; a row block of about mcTarget rows of A (mcTarget×kcMax
// values, 256 KiB) stays in the L2 cache for all of a chunk's columns; a
// chunk of op(B) columns is packed at once, at most packBMax values, which
// bounds the packing buffer however wide B is.
const (
	kcMax    = 256
	mcTarget = 128
	packBMax = 1 << 19
	// packPanels is how many micro-panels of B one packing item covers.
	packPanels = 4
	// itemsPerThread is how many row blocks each participant gets, at
	// least, when the rows allow.
	itemsPerThread = 4
	// addShareLen is the number of additions of partial products from
	// which a kSplit job shares them, and addPiece about how many values
	// of C one piece of that sharing covers.
	addShareLen = 1 << 16
	addPiece    = 1 << 11
	// parallelFlops is the size of product (2·m·n·k) below which sharing
	// the work among cores costs more than it saves in a training step.
	// Alone, a product of a batch of 100 gains from a second core
	// (100×784×50, 7.8·10⁶ operations: 130 µs on one core, 90 µs on two,
	// with this threshold at 2²², one process per GOMAXPROCS); in a step,
	// the next pass reads what the other core wrote, and sharing the
	// products of the BatchNorm net's step at batch 100 (2·10⁶ operations
	// each) made it slower on two cores than on one (827 µs against 700).
	// Products from about 1.7·10⁷ operations up share.
	parallelFlops = 1 << 24
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(X) is Xᵀ when the matching trans flag is set: op(A) is m×k,
// op(B) is k×n and C is m×n. Element (i, j) of a row-major matrix X with
// leading dimension ldx is x[i·ldx+j]; lda, ldb and ldc may exceed the
// row length, so sub-matrices of larger matrices can be used in place.
// When beta is zero C is only written, never read. Every term of each sum
// is computed, zeros included, so a NaN or an infinity in A or B reaches C
// as the definition says (0·NaN and 0·Inf are NaN); only when alpha is
// zero are A and B not read, as in BLAS. C must not share memory with A
// or B.
//
// Gemm panics if a dimension is negative, a leading dimension is smaller
// than its matrix's row length, or a slice is too short for its matrix.
// It allocates nothing once its buffers are warm, and shares large
// products among GOMAXPROCS cores.
func Gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmWith(&kernelChoice()[0], transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmWith is Gemm on a given micro-kernel; tests use it to check every
// kernel the CPU can run.
func gemmWith(kern *kernel, transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	checkMatrix("a", a, ar, ac, lda)
	checkMatrix("b", b, br, bc, ldb)
	checkMatrix("c", c, m, n, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scale(beta, c, m, n, ldc)
		return
	}
	gemm(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkMatrix panics unless x holds a rows×cols matrix with leading
// dimension ld, that is, unless (rows−1)·ld + cols ≤ len(x). The extent is
// compared by division, as rows−1 ≤ (len(x)−cols)/ld, so that a huge ld
// cannot wrap the product around to a small number: every index the
// kernels form is then at most len(x) and cannot overflow.
func checkMatrix(name string, x []float64, rows, cols, ld int) {
	if ld < max(cols, 1) {
		panic(fmt.Sprintf("gemm: ld%s = %d is less than the %d columns of %s", name, ld, cols, name))
	}
	if rows > 0 && cols > 0 && (len(x) < cols || rows-1 > (len(x)-cols)/ld) {
		panic(fmt.Sprintf("gemm: %s has %d elements, too few for %d×%d with stride %d", name, len(x), rows, cols, ld))
	}
}

// scale sets C = beta·C, writing zeros when beta is zero.
func scale(beta float64, c []float64, m, n, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

var (
	kernelsOnce sync.Once
	kernelList  []kernel
)

// kernelChoice returns the kernels this CPU runs, best first; the first
// is the one Gemm uses.
func kernelChoice() []kernel {
	kernelsOnce.Do(func() { kernelList = kernels() })
	return kernelList
}

// Kernel returns the name of the micro-kernel Gemm uses on this CPU, such
// as "avx512-16x8", "avx2-6x8" or "go4x4".
func Kernel() string { return kernelChoice()[0].name }

// Accelerated reports whether Gemm runs an assembly micro-kernel on this
// CPU. Without one (other architectures, old amd64 CPUs, the purego
// build) Gemm uses the portable Go kernel, which is correct but several
// times slower than an assembly one.
func Accelerated() bool { return Kernel() != goKernel.name }

// job is one product in progress. Its work is a list of items, numbered
// so that every item depends only on items with smaller numbers: for each
// chunk of B's columns, first the items that pack the chunk, then the
// items that multiply a block of A's rows with it. Whoever takes part —
// the caller and any idle workers — claims the next number, waits until
// the items it depends on are done (in practice only briefly, as they are
// already being worked on), and does the item. A product of one chunk
// hands out its multiplying items by shares of C's rows instead (see
// byShares), and one whose items pack their own op(B) by shares of its
// items (ownB, kSplit).
//
// The participants are the caller and workers of internal/workers, which
// returns once each of them has left run; a worker that starts after the
// caller has done the last item is not waited for. A job is reused for
// product after product; each product is a new generation, kept with the
// next item's number in one atomic word, so that a claim can never reach
// into another product's items.
type job struct {
	kern           *kernel
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	a, b, c        []float64
	lda, ldb, ldc  int

	kc        int // depth of one k-block
	nc        int // columns per chunk, a multiple of nr
	rowsPer   int // rows per compute item, a multiple of mr
	colsPer   int // columns per compute item, a multiple of nr
	rowItems  int
	colItems  int
	packItems int // per chunk
	perChunk  int
	// ownB is set when each compute item packs the panels of op(B) it
	// reads itself, one at a time just before its products: when a row
	// block is the whole of C's rows, no two items read the same columns,
	// and a panel packed on one core and read on another costs a
	// transfer between their caches.
	ownB bool
	// kSplit is set when the items are C's k-blocks instead, each cut
	// into as many column blocks as it takes to give every participant
	// an item: the whole of C is one row block (a weight's gradient
	// xᵀ·dout, whose k is the batch), and a column cut alone would make
	// every item pack all of op(A) for a few columns. An item computes
	// its columns of k-block b alone; k-block 0 goes straight to C (with
	// beta), the others to kbuf, and gemm adds them to C in order (by
	// shares of C's rows when there are many additions), each
	// element as the k-blocks would have been added one after another:
	// the same bits as on one core (NaN payloads aside: which of two NaNs
	// a sum keeps may differ). kbuf stays small: one chunk of op(B) means
	// n ≤ packBMax/k, so it holds at most about 2·mcTarget·packBMax/kcMax
	// values (2 MiB).
	kSplit  bool
	kbuf    []float64
	kBlocks int // of a kSplit job
	// adding is set while the participants of a kSplit job add its
	// partial products to C, addPer rows of C per piece of split.
	adding bool
	addPer int
	// byShares is set for a job of one chunk whose op(B) is packed once
	// for all: the participants claim the packing items, then take the
	// compute items from split, participant p starting on the p-th
	// contiguous share of C's rows. C's rows are then written by about
	// the same core as the rows of the passes before and after it (an
	// activation, BatchNorm, cut the same way), rather than by whichever
	// core claimed each row block first, and stay in its cache.
	byShares bool
	split    workers.Split // the items of an ownB, kSplit or byShares job
	total    int

	gen  uint32
	next atomic.Uint64 // gen<<32 | number of the next unclaimed item
	done atomic.Int64  // items finished
	wg   sync.WaitGroup

	bp    []float64 // packed chunk of op(B), shared by all participants
	local buffers   // the buffers of GemmPackedB, which runs alone
	parts []buffers // one participant's each, kept from product to product
}

// buffers are one participant's scratch space: the packed block of A and
// a tile for the edges of C.
type buffers struct {
	ap   []float64
	tile []float64
	bp   []float64 // a panel of op(B) packed by the item itself, when the job's ownB is set
}

// ensure sizes the buffers for a block of rows rows of op(A) and depth kc,
// and, with ownB, for a panel of op(B) packed by the item itself.
func (bu *buffers) ensure(kern *kernel, rows, kc int, ownB bool) {
	if need := roundUp(rows, kern.mr) * kc; len(bu.ap) < need {
		bu.ap = make([]float64, max(need, mcTarget*kcMax))
	}
	if need := kern.mr * kern.nr; len(bu.tile) < need {
		bu.tile = make([]float64, need)
	}
	if ownB && len(bu.bp) < kern.nr*kc {
		bu.bp = make([]float64, kern.nr*kcMax)
	}
}

var (
	jobsMu   sync.Mutex
	freeJobs []*job
	// kSplits counts the products whose k-blocks were shared, and
	// addShares those whose partial products were added by several
	// participants, for the tests to see that their shapes take these
	// paths.
	kSplits, addShares atomic.Int64
)

func getJob() *job {
	jobsMu.Lock()
	defer jobsMu.Unlock()
	if n := len(freeJobs); n > 0 {
		j := freeJobs[n-1]
		freeJobs = freeJobs[:n-1]
		return j
	}
	return new(job)
}

func putJob(j *job) {
	j.a, j.b, j.c, j.kern = nil, nil, nil, nil
	jobsMu.Lock()
	freeJobs = append(freeJobs, j)
	jobsMu.Unlock()
}

func gemm(kern *kernel, transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	threads := 1
	if 2*float64(m)*float64(n)*float64(k) >= parallelFlops {
		threads = runtime.GOMAXPROCS(0)
	}

	j := getJob()
	j.kern, j.transA, j.transB = kern, transA, transB
	j.m, j.n, j.k, j.alpha, j.beta = m, n, k, alpha, beta
	j.a, j.b, j.c, j.lda, j.ldb, j.ldc = a, b, c, lda, ldb, ldc
	mr, nr := kern.mr, kern.nr

	j.kc = ceilDiv(k, ceilDiv(k, kcMax))
	j.nc = min(roundUp(n, nr), max(nr, packBMax/k/nr*nr))
	chunks := ceilDiv(n, j.nc)
	rowPanels := ceilDiv(m, mr)
	// A row block is as tall as mcTarget allows: every row block reads
	// all of the chunk of op(B), so a short one reads it again (a product
	// of 100 rows by 4,320 columns in blocks of 16 rows read a 3.5 MB
	// op(B) seven times and ran no faster on two cores than on one). When
	// the rows allow, each participant gets several row blocks, so that
	// one descheduled in the middle of an item (the machine may be
	// shared) holds up little work; when they do not, the columns are cut
	// below.
	maxPanels := max(mcTarget/mr, 1)
	j.rowsPer = mr * min(maxPanels, rowPanels)
	if threads > 1 && rowPanels >= itemsPerThread*threads {
		j.rowsPer = mr * min(maxPanels, rowPanels/(itemsPerThread*threads))
	}
	j.rowItems = ceilDiv(m, j.rowsPer)
	ncPanels := j.nc / nr
	j.cutColumns(1)
	if threads > 1 && j.rowItems < itemsPerThread*threads {
		// Too few row blocks to go round evenly: cut the columns too.
		j.cutColumns(ceilDiv(itemsPerThread*threads, j.rowItems))
	}
	j.packItems = ceilDiv(ncPanels, packPanels)
	j.ownB = j.rowItems == 1 && j.colItems > 1
	kBlocks := ceilDiv(k, j.kc)
	j.kSplit = j.ownB && chunks == 1 && kBlocks > 1
	if j.kSplit {
		j.cutColumns(ceilDiv(threads, kBlocks))
		if need := (kBlocks - 1) * m * n; len(j.kbuf) < need {
			j.kbuf = make([]float64, need)
		}
		kSplits.Add(1)
	}
	if j.ownB {
		j.packItems = 0
	} else if need := j.nc * k; len(j.bp) < need {
		j.bp = make([]float64, need)
	}
	j.perChunk = j.packItems + j.rowItems*j.colItems
	if j.kSplit {
		j.perChunk = kBlocks * j.colItems
	}
	j.total = chunks * j.perChunk
	j.gen++
	j.done.Store(0)
	if len(j.parts) < threads {
		j.parts = append(j.parts, make([]buffers, threads-len(j.parts))...)
	}
	helpers := min(threads-1, j.perChunk-1)
	j.byShares = !j.ownB && chunks == 1
	switch {
	case j.ownB:
		j.split.Reset(j.total, helpers+1)
	case j.byShares:
		j.split.Reset(j.rowItems*j.colItems, helpers+1)
	}
	j.next.Store(uint64(j.gen) << 32) // publishes the fields above

	workers.Share(j, helpers, &j.wg)
	if j.kSplit {
		j.kBlocks = kBlocks
		j.addShared(helpers)
	}
	putJob(j)
}

// addShared adds the partial products of a kSplit job to C, shared by
// rows among the participants when there are many (SimpleConvNet's
// 100×100 from k = 4,320: sixteen partials, 160,000 additions), else on
// the calling goroutine.
func (j *job) addShared(helpers int) {
	rows := max(1, addPiece/max(j.n, 1))
	pieces := ceilDiv(j.m, rows)
	if helpers == 0 || (j.kBlocks-1)*j.m*j.n < addShareLen || pieces < 2 {
		j.addRows(0, j.m)
		return
	}
	j.adding, j.addPer = true, rows
	helpers = min(helpers, pieces-1)
	j.split.Reset(pieces, helpers+1)
	workers.Share(j, helpers, &j.wg)
	j.adding = false
	addShares.Add(1)
}

// cutColumns cuts a chunk of op(B)'s columns into about cols blocks, as
// many as its micro-panels allow, each a whole number of micro-panels.
func (j *job) cutColumns(cols int) {
	nr := j.kern.nr
	ncPanels := j.nc / nr
	j.colsPer = nr * ceilDiv(ncPanels, min(ncPanels, cols))
	j.colItems = ceilDiv(j.nc, j.colsPer)
}

// addRows adds the partial products of k-blocks 1 … kBlocks−1 in kbuf to
// rows [lo, hi) of C, which holds k-block 0's, block after block for each
// element.
func (j *job) addRows(lo, hi int) {
	size := j.m * j.n
	for i := lo; i < hi; i++ {
		row := j.c[i*j.ldc : i*j.ldc+j.n]
		for b := 1; b < j.kBlocks; b++ {
			part := j.kbuf[(b-1)*size+i*j.n : (b-1)*size+(i+1)*j.n]
			for jj, v := range part {
				row[jj] += v
			}
		}
	}
}

// Run takes part in the product in progress alone: it is RunPart(0, 1),
// and like it uses participant 0's buffers (Share calls RunPart).
func (j *job) Run() { j.RunPart(0, 1) }

// RunPart is Run for participant p (a workers.PartJob). When each item
// packs its own op(B), participant p starts on its own share of the
// columns, the same from product to product: the columns of C that are
// a weight's rows (∂L/∂x = dout·Wᵀ) then tend to be worked on by the
// core that computed their gradient and updated them.
func (j *job) RunPart(p, _ int) {
	cursor := 0
	if j.adding {
		for {
			piece, ok := j.split.Take(p, &cursor)
			if !ok {
				return
			}
			j.addRows(piece*j.addPer, min((piece+1)*j.addPer, j.m))
		}
	}
	bu := &j.parts[p] // the same buffers for participant p from product to product
	if !j.ownB {
		v := j.next.Load()
		if !j.byShares {
			j.run(bu, uint32(v>>32), j.total)
			return
		}
		j.run(bu, uint32(v>>32), j.packItems)
		for j.done.Load() < int64(j.packItems) {
			runtime.Gosched()
		}
	}
	for {
		idx, ok := j.split.Take(p, &cursor)
		if !ok {
			return
		}
		if j.kSplit {
			j.computeK(bu, idx/j.colItems, idx%j.colItems)
			continue
		}
		if j.byShares {
			j.compute(bu, 0, idx/j.colItems, idx%j.colItems)
			continue
		}
		chunk, item := idx/j.perChunk, idx%j.perChunk
		j.compute(bu, chunk*j.nc, item/j.colItems, item%j.colItems)
	}
}

// claim returns the number of the next unclaimed item of generation gen,
// or false if there is none or the job has moved on to another product.
func (j *job) claim(gen uint32, total int) (int, bool) {
	for {
		v := j.next.Load()
		idx := int(uint32(v))
		if uint32(v>>32) != gen || idx >= total {
			return 0, false
		}
		if j.next.CompareAndSwap(v, v+1) {
			return idx, true
		}
	}
}

// run does items of generation gen until none is left.
func (j *job) run(bu *buffers, gen uint32, total int) {
	for {
		idx, ok := j.claim(gen, total)
		if !ok {
			return
		}
		chunk, item := idx/j.perChunk, idx%j.perChunk
		start := chunk * j.perChunk // packing waits for the last chunk's products
		if item >= j.packItems {
			start += j.packItems // products wait for their chunk's packing
		}
		for j.done.Load() < int64(start) {
			runtime.Gosched()
		}
		jc := chunk * j.nc
		if item < j.packItems {
			j.packB(jc, item)
		} else {
			item -= j.packItems
			j.compute(bu, jc, item/j.colItems, item%j.colItems)
		}
		j.done.Add(1)
	}
}

// packB packs micro-panels [item·packPanels, (item+1)·packPanels) of the
// chunk of op(B) starting at column jc: panel q holds columns
// jc+q·nr … jc+q·nr+nr−1 for every row p of op(B), all k rows, in
// bp[q·k·nr:], zero-padded beyond column n.
func (j *job) packB(jc, item int) {
	nr, k := j.kern.nr, j.k
	for q := item * packPanels; q < min((item+1)*packPanels, j.nc/nr); q++ {
		j.packPanel(j.bp[q*k*nr:(q+1)*k*nr], jc+q*nr, 0, k)
	}
}

// packPanel packs rows p0 … p0+kc−1 of the micro-panel of op(B) of
// columns j0 … j0+nr−1 into dst, zero-padded beyond column n.
func (j *job) packPanel(dst []float64, j0, p0, kc int) {
	nr := j.kern.nr
	w := min(nr, j.n-j0)
	if w <= 0 {
		return
	}
	if !j.transB { // op(B)[p][j] = b[p·ldb+j]
		for p := range kc {
			d := dst[p*nr : p*nr+nr]
			copy(d, j.b[(p0+p)*j.ldb+j0:(p0+p)*j.ldb+j0+w])
			clear(d[w:])
		}
		return
	}
	// op(B)[p][j] = b[j·ldb+p]
	for jj := range w {
		src := j.b[(j0+jj)*j.ldb+p0 : (j0+jj)*j.ldb+p0+kc]
		for p, v := range src {
			dst[p*nr+jj] = v
		}
	}
	if w < nr {
		for p := range kc {
			clear(dst[p*nr+w : p*nr+nr])
		}
	}
}

// packA packs rows [i0, i0+rows) and columns [pc, pc+kc) of alpha·op(A)
// into ap as micro-panels of mr rows: panel q holds, for each column p,
// the mr values of rows i0+q·mr … in ap[q·mr·kc+p·mr:], zero-padded
// beyond row m.
func (j *job) packA(ap []float64, i0, rows, pc, kc int) {
	mr, alpha := j.kern.mr, j.alpha
	for q := 0; q*mr < rows; q++ {
		r := min(mr, rows-q*mr)
		dst := ap[q*mr*kc : (q+1)*mr*kc]
		iq := i0 + q*mr
		if !j.transA { // op(A)[i][p] = a[i·lda+p]
			src := j.a[iq*j.lda+pc:]
			done := 0
			if r == mr && j.kern.pack != nil {
				done = j.kern.pack(dst, src, j.lda, kc, alpha)
			}
			packRows(dst[done*mr:], src[done:], j.lda, r, mr, kc-done, alpha)
			continue
		}
		// op(A)[i][p] = a[p·lda+i]
		for p := range kc {
			src := j.a[(pc+p)*j.lda+iq : (pc+p)*j.lda+iq+r]
			d := dst[p*mr : p*mr+mr]
			if alpha == 1 {
				copy(d, src)
			} else {
				for ii, v := range src {
					d[ii] = alpha * v
				}
			}
			clear(d[r:])
		}
	}
}

// compute multiplies row block ri of op(A) with column block ci of the
// chunk starting at column jc, one k-block at a time: the first k-block
// applies beta, the later ones accumulate.
func (j *job) compute(bu *buffers, jc, ri, ci int) {
	i0 := ri * j.rowsPer
	rows := min(j.rowsPer, j.m-i0)
	c0 := jc + ci*j.colsPer
	cols := min(j.colsPer, j.n-c0, j.nc-ci*j.colsPer)
	if cols <= 0 {
		return
	}
	bu.ensure(j.kern, rows, j.kc, j.ownB)
	for pc := 0; pc < j.k; pc += j.kc {
		beta := j.beta
		if pc > 0 {
			beta = 1
		}
		j.block(bu, j.c, j.ldc, i0, rows, c0, cols, ci, pc, beta)
	}
}

// computeK is the item of a job whose k-blocks are shared (kSplit): column
// block ci of k-block b, added to beta·C for the first k-block and written
// to the b-th partial product in kbuf for the others, which gemm then adds
// to C in order.
func (j *job) computeK(bu *buffers, b, ci int) {
	c0 := ci * j.colsPer
	cols := min(j.colsPer, j.n-c0)
	if cols <= 0 {
		return
	}
	bu.ensure(j.kern, j.m, j.kc, true)
	if b == 0 {
		j.block(bu, j.c, j.ldc, 0, j.m, c0, cols, ci, 0, j.beta)
		return
	}
	size := j.m * j.n
	j.block(bu, j.kbuf[(b-1)*size:b*size], j.n, 0, j.m, c0, cols, ci, b*j.kc, 0)
}

// block adds one k-block, op(A)'s columns [pc, pc+kc) times op(B)'s rows
// of the same range, to beta times the rows [i0, i0+rows) and columns [c0,
// c0+cols) of dst (leading dimension ldc), column block ci of its chunk.
func (j *job) block(bu *buffers, dst []float64, ldc, i0, rows, c0, cols, ci, pc int, beta float64) {
	kern := j.kern
	mr, nr := kern.mr, kern.nr
	kc := min(j.kc, j.k-pc)
	j.packA(bu.ap, i0, rows, pc, kc)
	for jr := 0; jr < cols; jr += nr {
		var bpan []float64
		if j.ownB { // packed here, just before its products
			bpan = bu.bp[:kc*nr]
			j.packPanel(bpan, c0+jr, pc, kc)
		} else {
			q := (ci*j.colsPer + jr) / nr // panel within the chunk
			bpan = j.bp[q*j.k*nr+pc*nr : q*j.k*nr+(pc+kc)*nr]
		}
		w := min(nr, cols-jr)
		for ir := 0; ir < rows; ir += mr {
			apan := bu.ap[ir*kc : (ir+mr)*kc]
			h := min(mr, rows-ir)
			ci0 := (i0+ir)*ldc + c0 + jr
			if h == mr && w == nr {
				kern.fn(kc, apan, bpan, dst[ci0:ci0+(mr-1)*ldc+nr], ldc, beta)
				continue
			}
			kern.forRows(h)(kc, apan, bpan, bu.tile, nr, 0)
			for ii := range h {
				dst := dst[ci0+ii*ldc : ci0+ii*ldc+w]
				src := bu.tile[ii*nr : ii*nr+w]
				if beta == 0 && w == 8 {
					// The assembly kernels' full row of a tile, copied
					// value by value: copy would call memmove for each.
					d, v := (*[8]float64)(dst), (*[8]float64)(src)
					d[0], d[1], d[2], d[3] = v[0], v[1], v[2], v[3]
					d[4], d[5], d[6], d[7] = v[4], v[5], v[6], v[7]
					continue
				}
				if beta == 0 {
					copy(dst, src)
					continue
				}
				for jj, v := range src {
					dst[jj] = beta*dst[jj] + v
				}
			}
		}
	}
}

// packRows stores alpha·src[ii·ld+p] in dst[p·mr+ii] for r ≤ mr rows ii and
// kc columns p, zeroing rows r … mr−1. It walks four rows at a time (then
// two, then one) so that each step writes adjacent values.
func packRows(dst, src []float64, ld, r, mr, kc int, alpha float64) {
	ii := 0
	for ; ii+4 <= r; ii += 4 {
		r0 := src[ii*ld : ii*ld+kc]
		r1 := src[(ii+1)*ld : (ii+1)*ld+kc]
		r2 := src[(ii+2)*ld : (ii+2)*ld+kc]
		r3 := src[(ii+3)*ld : (ii+3)*ld+kc]
		if alpha == 1 {
			for p := range r0 {
				d := dst[p*mr+ii : p*mr+ii+4 : p*mr+ii+4]
				d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
			}
			continue
		}
		for p := range r0 {
			d := dst[p*mr+ii : p*mr+ii+4 : p*mr+ii+4]
			d[0], d[1], d[2], d[3] = alpha*r0[p], alpha*r1[p], alpha*r2[p], alpha*r3[p]
		}
	}
	for ; ii+2 <= r; ii += 2 {
		r0 := src[ii*ld : ii*ld+kc]
		r1 := src[(ii+1)*ld : (ii+1)*ld+kc]
		for p := range r0 {
			d := dst[p*mr+ii : p*mr+ii+2 : p*mr+ii+2]
			d[0], d[1] = alpha*r0[p], alpha*r1[p]
		}
	}
	if ii < r {
		for p, v := range src[ii*ld : ii*ld+kc] {
			dst[p*mr+ii] = alpha * v
		}
	}
	if r < mr {
		for p := range kc {
			clear(dst[p*mr+r : p*mr+mr])
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func roundUp(a, b int) int { return ceilDiv(a, b) * b }
