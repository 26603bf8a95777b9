package layers

import (
	"fmt"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/tensor"
)

// Sequence runs layers in order: the body of a network, before its head.
// Forward and Backward pass a batch through every layer and back, and
// Params lists every layer's tensors; numlearn's Network holds one.
//
// A Sequence plans how its layers run when it is made, the way image/draw
// recognises its fast cases: it looks at the concrete types of its own
// layers and, where it knows a faster way to compute the same thing, takes
// it — a first layer that is an Affine reads rows of a sparse data set
// straight from their compressed form (PrepareRows, ForwardRows); the
// first layer's ∂L/∂input, which nothing needs, is left out of Backward;
// a Convolution followed by a ReLU and a 2×2 Pooling at stride 2 runs as
// one fused block, image by image while its activations are in the cache
// (see the package's Performance section); and NumericalGradient works
// out each perturbed loss from one cached forward pass when every layer is
// an Affine or an activation and the head is one of this package's. The
// layers themselves are unchanged and remain what Layers returns: a layer
// of your own simply runs as it is.
//
// A Sequence is not safe for concurrent use; Clone gives another
// goroutine a copy of its own.
type Sequence struct {
	layers  []Layer
	moders  []Moder
	affines []*Affine // told the mode too: see Affine.chooseSparse
	steps   []step
	mode    Mode

	batch  buffer.Reusable // rows gathered for a first layer that cannot read them in place
	shape  []int           // the shape of a gathered batch
	gather gatherJob

	// learnFrom is the index of the first layer with learnable
	// parameters: Backward stops there, since the layers before it have
	// no gradient to fill and the sequence's ∂L/∂input is not wanted.
	learnFrom int

	learnable []*tensor.Tensor // the values of the learnable parameters, for NumericalGradient
	state     []*tensor.Tensor // the values of the state tensors, which NumericalGradient restores
	saved     []float64        // a copy of state during NumericalGradient
	plan      *fastPlan        // NumericalGradient's cached pass, reused from call to call
}

// step is what the plan runs for layers [lo, hi): the layer layers[lo]
// itself (hi = lo+1), or a fused block standing for three layers.
type step struct {
	lo, hi int
	fused  *convReLUPool
	// usedFused says whether the last Forward ran the fused block; the
	// three layers run instead when products are not on tensor's Packed
	// engine or the input does not fit the block (the layers then say
	// why).
	usedFused bool
}

// NewSequence returns a sequence of the layers, which it uses themselves,
// not copies, and plans how to run them. It panics if a layer is nil.
func NewSequence(ls ...Layer) *Sequence {
	s := &Sequence{layers: ls}
	for i := 0; i < len(ls); {
		if ls[i] == nil {
			panic(fmt.Sprintf("layers: NewSequence: layer %d is nil", i))
		}
		if m, ok := ls[i].(Moder); ok {
			s.moders = append(s.moders, m)
		}
		if a, ok := ls[i].(*Affine); ok {
			s.affines = append(s.affines, a)
		}
		if f := fuse(ls[i:]); f != nil {
			s.steps = append(s.steps, step{lo: i, hi: i + 3, fused: f})
			i += 3
			continue
		}
		s.steps = append(s.steps, step{lo: i, hi: i + 1})
		i++
	}
	s.learnFrom = len(ls)
	for i, l := range ls {
		lr, ok := l.(Learnable)
		if !ok {
			continue
		}
		for _, p := range lr.Params() {
			if p.IsState() {
				s.state = append(s.state, p.Value)
			} else {
				s.learnable = append(s.learnable, p.Value)
				s.learnFrom = min(s.learnFrom, i)
			}
		}
	}
	return s
}

// fuse returns the fused block for ls[0:3] when they are Convolution,
// ReLU and a 2×2 Pooling at stride 2 without padding, and nil otherwise.
func fuse(ls []Layer) *convReLUPool {
	if len(ls) < 3 {
		return nil
	}
	c, ok := ls[0].(*Convolution)
	if !ok {
		return nil
	}
	if _, ok := ls[1].(*ReLU); !ok {
		return nil
	}
	if p, ok := ls[2].(*Pooling); !ok || !p.fastPath() {
		return nil
	}
	return newConvReLUPool(c)
}

// Layers returns the layers, in order.
func (s *Sequence) Layers() []Layer { return s.layers }

// Params returns the tensors of every Learnable layer, in layer order:
// each layer's Params in turn.
func (s *Sequence) Params() []Param {
	var out []Param
	for _, l := range s.layers {
		if lr, ok := l.(Learnable); ok {
			out = append(out, lr.Params()...)
		}
	}
	return out
}

// SetMode sets the mode of the forward passes that follow on every layer
// that is a Moder.
func (s *Sequence) SetMode(m Mode) {
	s.mode = m
	for _, l := range s.moders {
		l.SetMode(m)
	}
	for _, a := range s.affines {
		a.setMode(m)
	}
	for i := range s.steps {
		if f := s.steps[i].fused; f != nil {
			f.setMode(m)
		}
	}
}

// Forward runs x through every layer and returns the last layer's
// output, which that layer owns (x itself for an empty sequence).
func (s *Sequence) Forward(x *tensor.Tensor) *tensor.Tensor {
	return s.forwardFrom(0, x)
}

// forwardFrom runs x through the steps from the i-th on.
func (s *Sequence) forwardFrom(i int, x *tensor.Tensor) *tensor.Tensor {
	packed := tensor.CurrentEngine() == tensor.Packed
	for k := i; k < len(s.steps); k++ {
		st := &s.steps[k]
		if st.fused != nil {
			st.usedFused = packed && st.fused.fits(x.Shape())
			if st.usedFused {
				x = st.fused.Forward(x)
				continue
			}
		}
		for _, l := range s.layers[st.lo:st.hi] {
			x = l.Forward(x)
		}
	}
	return x
}

// PrepareRows returns the data set data (N, …) prepared to be read in
// batches of rows by ForwardRows (see Rows). It panics if data has no
// samples axis, or does not flatten to (N, in) for a first layer that is
// an Affine with in inputs.
func (s *Sequence) PrepareRows(data *tensor.Tensor) *Rows {
	a, _ := s.first().(*Affine)
	return newRows(data, a)
}

// first returns the first layer, or nil.
func (s *Sequence) first() Layer {
	if len(s.layers) == 0 {
		return nil
	}
	return s.layers[0]
}

// ForwardRows returns what Forward returns for the batch made of rows rows
// of set (row i of the batch from row rows[i]; repeats allowed), without
// gathering the rows first where the first layer can read them in place.
// It panics if a row is out of range.
func (s *Sequence) ForwardRows(set *Rows, rows []int) *tensor.Tensor {
	if a, ok := s.first().(*Affine); ok && set.x != nil && set.x.Shape()[1] == a.W.Shape()[0] {
		return s.forwardFrom(1, a.forwardRows(set, rows))
	}
	return s.Forward(gatherRows(&s.gather, &s.batch, &s.shape, set.data, rows))
}

// Release drops what the layers keep of the last batch read by
// ForwardRows — a view of the prepared data set, whose memory can then be
// freed once its Rows is no longer used.
func (s *Sequence) Release() {
	if a, ok := s.first().(*Affine); ok {
		a.release()
	}
}

// inputGradSkipper is a layer that can leave ∂L/∂input out of Backward,
// which then returns nil: a sequence's first layer has no one to pass it
// to, and for Affine it is a third of the backward work. Affine,
// Convolution and the fused block are inputGradSkippers.
type inputGradSkipper interface {
	skipInputGrad(skip bool)
}

// Backward takes ∂L/∂output for the last Forward and backpropagates it
// through the layers, from the last to the first with learnable
// parameters, each of which fills its parameters' gradients. The
// sequence's own ∂L/∂input is not computed: nothing before the first
// layer needs it, so neither do the layers without parameters before the
// first that has some (a Standardize of the inputs, say) run backward.
func (s *Sequence) Backward(dout *tensor.Tensor) {
	for k := len(s.steps) - 1; k >= 0 && s.steps[k].hi > s.learnFrom; k-- {
		st := &s.steps[k]
		if st.usedFused {
			dout = backward(st.fused, dout, st.lo == s.learnFrom)
			continue
		}
		for j := st.hi - 1; j >= max(st.lo, s.learnFrom); j-- {
			dout = backward(s.layers[j], dout, j == s.learnFrom)
		}
	}
}

// backward runs l's Backward, without ∂L/∂input when first and l can
// leave it out.
func backward(l Layer, dout *tensor.Tensor, first bool) *tensor.Tensor {
	if sk := asSkipper(l); sk != nil && first {
		sk.skipInputGrad(true)
		defer sk.skipInputGrad(false)
	}
	return l.Backward(dout)
}

// asSkipper returns l as an inputGradSkipper when it is one of this
// package's, recognised by concrete type: a layer of the user's that
// embeds one has a Backward of its own.
func asSkipper(l Layer) inputGradSkipper {
	switch l := l.(type) {
	case *Affine:
		return l
	case *Convolution:
		return l
	case *convReLUPool:
		return l
	}
	return nil
}

// Clone returns an independent copy of the sequence, made of Clones of
// its layers, planned afresh. The error names the first layer that is not
// a Cloner.
func (s *Sequence) Clone() (*Sequence, error) {
	ls := make([]Layer, len(s.layers))
	for i, l := range s.layers {
		c, ok := l.(Cloner)
		if !ok {
			return nil, fmt.Errorf("layers: Sequence.Clone: layer %d (%T) is not a layers.Cloner", i, l)
		}
		ls[i] = c.Clone()
	}
	c := NewSequence(ls...)
	c.SetMode(s.mode)
	return c, nil
}
