package layers

import (
	"encoding"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/tensor"
)

// Dropout is the layer of the book's §6.4.3 (Srivastava et al., 2014): in
// training it drops each input element with probability Ratio, a fresh
// choice on every Forward, and in inference it passes every element scaled
// by 1 − Ratio, the fraction training let through, so that the next layer
// sees inputs of the same expected size either way.
//
// An element is kept where a uniform draw from [0, 1) exceeds Ratio, as the
// book's np.random.rand(*x.shape) > dropout_ratio. The draws come from the
// *rand.Rand the layer was made with, in row-major order of the input, so
// the same seed gives the same masks on every run. Dropout works
// element-wise on input of any shape.
type Dropout struct {
	// Ratio is the probability of dropping an element in training, in
	// [0, 1).
	Ratio float64

	rng      *rand.Rand
	src      rand.Source // what rng draws from
	mode     Mode
	forward  Mode            // the mode of the last Forward
	mask     buffer.Reusable // 1 where the last training Forward kept an element, else 0
	out, dx  buffer.Reusable
	inShape  []int
	hasInput bool
	// maskShape is the shape of the mask the last training Forward drew
	// (nil before the first); while hold is set, a training Forward of
	// that shape reuses it instead of drawing another, as a Sequence's
	// numerical gradient needs: the loss it differentiates must be a
	// function of the parameters alone.
	maskShape []int
	hold      bool
}

// NewDropout returns a Dropout layer that drops elements with probability
// ratio in training, drawing its masks from src: a *rand.Rand, or the
// source one would draw from (both give the same masks). It panics if
// ratio is not in [0, 1) or src is nil.
func NewDropout(ratio float64, src rand.Source) *Dropout {
	if !(ratio >= 0 && ratio < 1) {
		panic(fmt.Sprintf("layers: NewDropout: ratio %v is not in [0, 1)", ratio))
	}
	rng, isRand := src.(*rand.Rand)
	if src == nil || (isRand && rng == nil) {
		panic("layers: NewDropout: rng is nil; pass rand.New(rand.NewPCG(seed1, seed2))")
	}
	if !isRand {
		rng = rand.New(src)
	}
	return &Dropout{Ratio: ratio, rng: rng, src: src}
}

// MarshalBinary returns the state of the layer's random source. It fails
// when the source cannot save it (a *rand.Rand, which hides its source).
func (d *Dropout) MarshalBinary() ([]byte, error) {
	m, ok := d.src.(encoding.BinaryMarshaler)
	if !ok {
		return nil, fmt.Errorf("layers: Dropout: its random source, a %T, cannot save its state; make the layer on a *rand.PCG or *rand.ChaCha8", d.src)
	}
	return m.MarshalBinary()
}

// UnmarshalBinary restores the state of the layer's random source from
// what MarshalBinary returned.
func (d *Dropout) UnmarshalBinary(b []byte) error {
	u, ok := d.src.(encoding.BinaryUnmarshaler)
	if !ok {
		return fmt.Errorf("layers: Dropout: its random source, a %T, cannot take a saved state", d.src)
	}
	if err := u.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("layers: Dropout: %w", err)
	}
	return nil
}

// SetMode sets the mode of the forward passes that follow: Training drops
// elements at random, Inference scales them all by 1 − Ratio.
func (d *Dropout) SetMode(m Mode) { d.mode = m }

// Forward returns x·mask in training, with a new random mask of zeros and
// ones, and x·(1 − Ratio) in inference. The result is owned by the layer
// and valid until its next Forward.
func (d *Dropout) Forward(x *tensor.Tensor) *tensor.Tensor {
	d.inShape = append(d.inShape[:0], x.Shape()...)
	d.hasInput, d.forward = true, d.mode
	out := d.out.Shaped(x.Shape()...)
	xs, ys := x.Data(), out.Data()
	if d.mode == Inference {
		keep := 1 - d.Ratio
		for i, v := range xs {
			ys[i] = v * keep
		}
		return out
	}
	if d.hold && d.maskShape != nil && slices.Equal(d.maskShape, x.Shape()) {
		m := d.mask.Shaped(x.Shape()...).Data()
		for i, v := range xs {
			ys[i] = v * m[i]
		}
		return out
	}
	d.maskShape = append(d.maskShape[:0], x.Shape()...)
	m := d.mask.Shaped(x.Shape()...).Data()
	for i, v := range xs {
		m[i] = 0
		if d.rng.Float64() > d.Ratio {
			m[i] = 1
		}
		ys[i] = v * m[i]
	}
	return out
}

// Backward returns ∂L/∂x = dout·mask after a training Forward, with the
// same mask, and dout·(1 − Ratio) after an inference one. It panics if
// dout's shape differs from the last input's, or if Forward has not run.
func (d *Dropout) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if !d.hasInput {
		panic("layers: Dropout.Backward: called before Forward")
	}
	if !slices.Equal(dout.Shape(), d.inShape) {
		panic(fmt.Sprintf("layers: Dropout.Backward: dout shape %v does not match output shape %v", dout.Shape(), d.inShape))
	}
	dx := d.dx.Shaped(dout.Shape()...)
	if d.forward == Inference {
		dx.Scale(1-d.Ratio, dout)
		return dx
	}
	dx.Mul(dout, d.mask.Shaped(dout.Shape()...))
	return dx
}

// holdMask makes the training passes that follow reuse the mask of the
// last one (of the same shape), or stops them doing so.
func (d *Dropout) holdMask(hold bool) { d.hold = hold }

// copyMask gives d the mask src drew last, to hold.
func (d *Dropout) copyMask(src *Dropout) {
	if src.maskShape == nil {
		return
	}
	d.maskShape = append(d.maskShape[:0], src.maskShape...)
	d.mask.Shaped(src.maskShape...).CopyFrom(src.mask.Shaped(src.maskShape...))
}

// Clone returns an independent Dropout layer, a *Dropout, with the same
// ratio and mode and a random stream of its own, seeded by two draws from
// this layer's stream: clones made in the same order from the same seed
// drop the same elements on every run, and no two layers share a
// *rand.Rand, which is not safe for concurrent use.
func (d *Dropout) Clone() Layer {
	c := NewDropout(d.Ratio, rand.NewPCG(d.rng.Uint64(), d.rng.Uint64()))
	c.mode = d.mode
	return c
}

// dropoutConfig is Dropout's configuration in a model file.
type dropoutConfig struct {
	Ratio float64 `json:"ratio"`
}

// Describe returns the description of kind "Dropout", with its ratio. The
// state of its random stream is not part of it: a Dropout built from the
// description draws its masks from a stream seeded by the builder's rng.
func (d *Dropout) Describe() Description {
	return NewDescription("Dropout", dropoutConfig{Ratio: d.Ratio})
}

// buildDropout makes a Dropout layer whose masks come from a stream seeded
// by two draws from rng (a stream seeded with (1, 2) when rng is nil).
func buildDropout(d Description, params []*tensor.Tensor, rng *rand.Rand) (Layer, error) {
	cfg := dropoutConfig{Ratio: -1}
	if err := d.Decode(&cfg); err != nil {
		return nil, err
	}
	if !(cfg.Ratio >= 0 && cfg.Ratio < 1) {
		return nil, fmt.Errorf("layers: Dropout: ratio %v is not in [0, 1)", cfg.Ratio)
	}
	if err := wantTensors("Dropout", params); err != nil {
		return nil, err
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(1, 2))
	}
	return NewDropout(cfg.Ratio, rand.NewPCG(rng.Uint64(), rng.Uint64())), nil
}
