package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/tensor"
)

// Standardize scales each input feature to mean 0 and standard deviation 1
// with statistics fitted once on training data,
//
//	y = (x − Mean) / Std
//
// and keeps them as part of the model, so that a saved network takes raw
// features: what scikit-learn's StandardScaler does before a model, here
// as the model's first layer. NewStandardize fits it; training never
// changes it (Mean and Std are state, not parameters), and unlike
// BatchNorm it computes the same in training and in inference.
//
// Mean and Std have the shape of one sample, the input's shape without
// its batch axis: (d) for inputs (n, d), (C, H, W) for images
// (n, C, H, W), one value per pixel. Forward takes (n, …) with that
// per-sample shape, for any n, or one sample in that shape alone, and
// returns the input's shape. Params names the statistics "mean" and "std"
// (a network saves them as mean1 and std1). A Standardize made as a
// struct literal, &Standardize{Mean: m, Std: s}, works too, given Mean and
// Std of one shape and every Std finite and positive.
type Standardize struct {
	Mean, Std *tensor.Tensor // per feature, in the shape of one sample

	shape   []int // the shape of the last input and output
	out, dx buffer.Reusable
}

// NewStandardize fits a Standardize layer to the training data x (n, …):
// for each feature, the mean over the n samples and the population
// standard deviation, √(mean of (x − mean)²) — numpy's std with ddof = 0,
// as StandardScaler uses. A feature that is constant in x gets Std 1, as
// in scikit-learn, so that it maps to 0 rather than to a division by
// zero; a feature counts as constant when its variance is within the
// rounding error of the two-pass computation (scikit-learn's test,
// var ≤ n·ε·var + (n·mean·ε)² with ε the float64 machine epsilon), so a
// column of a repeated 0.1 is constant although its computed variance
// is not exactly 0.
//
// x itself is data: NewStandardize returns an error, and no layer, if x
// holds a NaN or an infinity, naming the sample, or if a feature's values
// are so large that their mean or variance overflows float64. It panics
// if x has fewer than two dimensions (reshape a column of values to
// (n, 1)) or no samples: that is a programmer error.
func NewStandardize(x *tensor.Tensor) (*Standardize, error) {
	if x.Dims() < 2 || x.Shape()[0] == 0 {
		panic(fmt.Sprintf("layers: NewStandardize: x shape %v is not (n, …) with at least one sample and one feature axis", x.Shape()))
	}
	n := x.Shape()[0]
	shape := x.Shape()[1:]
	d := x.Size() / n
	xs := x.Data()
	for i, v := range xs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("layers: NewStandardize: x holds %v in sample %d (at %v); the statistics need finite data", v, i/d, unravelIndex(x.Shape(), i))
		}
	}
	mean, std := tensor.New(shape...), tensor.New(shape...)
	m, s := mean.Data(), std.Data()
	fn := float64(n)
	// Two passes, as numpy does: the mean, then the mean squared
	// deviation from it, which is accurate where E[x²] − E[x]² is not.
	for i := range n {
		for j, v := range xs[i*d : (i+1)*d] {
			m[j] += v
		}
	}
	for j := range m {
		m[j] /= fn
	}
	for i := range n {
		for j, v := range xs[i*d : (i+1)*d] {
			c := v - m[j]
			s[j] += c * c
		}
	}
	const eps = 0x1p-52 // the float64 machine epsilon, numpy's finfo(float64).eps
	for j := range s {
		variance := s[j] / fn
		if math.IsInf(m[j], 0) || math.IsInf(variance, 0) {
			return nil, fmt.Errorf("layers: NewStandardize: feature %v: the mean or variance of its values overflows float64", unravelIndex(shape, j))
		}
		sd := math.Sqrt(variance)
		// var ≤ n·ε·var + (n·mean·ε)², compared as square roots (Hypot)
		// so that the bound cannot overflow for a large mean.
		if sd <= math.Hypot(math.Sqrt(fn*eps*variance), fn*math.Abs(m[j])*eps) {
			sd = 1
		}
		s[j] = sd
	}
	return &Standardize{Mean: mean, Std: std}, nil
}

// unravelIndex returns the position in a tensor of the given shape of the
// element at flat, row-major index i.
func unravelIndex(shape []int, i int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			idx[k] = i % shape[k]
			i /= shape[k]
		}
	}
	return idx
}

// features returns the number of features, Mean's size, and panics naming
// op if Mean or Std is missing or their shapes differ.
func (s *Standardize) features(op string) int {
	if s.Mean == nil || s.Std == nil {
		panic(fmt.Sprintf("layers: Standardize.%s: Mean or Std is nil (fit the layer with NewStandardize)", op))
	}
	if !slices.Equal(s.Mean.Shape(), s.Std.Shape()) {
		panic(fmt.Sprintf("layers: Standardize.%s: Mean shape %v and Std shape %v differ", op, s.Mean.Shape(), s.Std.Shape()))
	}
	return s.Mean.Size()
}

// Forward returns y = (x − Mean)/Std, feature by feature, in x's shape.
// The result is owned by the layer and valid until its next Forward.
// Forward panics if x is neither (n, …) nor one sample with Mean's shape
// as the shape of a sample.
func (s *Standardize) Forward(x *tensor.Tensor) *tensor.Tensor {
	d := s.features("Forward")
	sample := s.Mean.Shape()
	batch := x.Dims() == len(sample)+1 && slices.Equal(x.Shape()[1:], sample)
	if !batch && !slices.Equal(x.Shape(), sample) {
		panic(fmt.Sprintf("layers: Standardize.Forward: input shape %v is not samples of shape %v, the statistics' shape", x.Shape(), sample))
	}
	s.shape = append(s.shape[:0], x.Shape()...)
	y := s.out.Shaped(x.Shape()...)
	xs, ys := x.Data(), y.Data()
	m, sd := s.Mean.Data(), s.Std.Data()
	for off := 0; off < len(xs); off += d {
		row, out := xs[off:off+d], ys[off:off+d]
		for j, v := range row {
			out[j] = (v - m[j]) / sd[j] // y = (x − μ)/σ
		}
	}
	return y
}

// Backward returns ∂L/∂x = dout/Std, since ∂y/∂x = 1/σ feature by feature
// (μ and σ are constants, not the batch's statistics as in BatchNorm). It
// panics if dout's shape is not that of the last output, or if Forward has
// not run.
func (s *Standardize) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if s.shape == nil {
		panic("layers: Standardize.Backward: called before Forward")
	}
	if !slices.Equal(dout.Shape(), s.shape) {
		panic(fmt.Sprintf("layers: Standardize.Backward: dout shape %v does not match output shape %v", dout.Shape(), s.shape))
	}
	d := s.features("Backward")
	dx := s.dx.Shaped(s.shape...)
	ds, gs, sd := dout.Data(), dx.Data(), s.Std.Data()
	for off := 0; off < len(ds); off += d {
		row, out := ds[off:off+d], gs[off:off+d]
		for j, v := range row {
			out[j] = v / sd[j] // ∂L/∂x = dout/σ
		}
	}
	return dx
}

// Params describes Mean ("mean") and Std ("std"), both state: a saved
// model keeps them, and an optimizer never moves them.
func (s *Standardize) Params() []Param {
	return []Param{
		{Name: "mean", Value: s.Mean},
		{Name: "std", Value: s.Std},
	}
}

// Describe returns the description of kind "Standardize", which has no
// configuration: the statistics are its tensors.
func (s *Standardize) Describe() Description { return Description{Kind: "Standardize"} }

// buildStandardize makes a Standardize layer from its mean and standard
// deviation, which must have one shape, finite values and a positive
// standard deviation.
func buildStandardize(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
	if err := d.Decode(&struct{}{}); err != nil {
		return nil, err
	}
	if len(params) != 2 {
		return nil, fmt.Errorf("layers: Standardize has 2 tensors, the model gives %d", len(params))
	}
	mean, std := params[0], params[1]
	if mean == nil || std == nil || mean.Dims() == 0 || !slices.Equal(mean.Shape(), std.Shape()) {
		return nil, fmt.Errorf("layers: Standardize: mean shape %v and std shape %v: want one shape of at least one dimension", shapeOf(mean), shapeOf(std))
	}
	for j, v := range mean.Data() {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("layers: Standardize: mean at %v is %v, want a finite value", unravelIndex(mean.Shape(), j), v)
		}
	}
	for j, v := range std.Data() {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("layers: Standardize: std at %v is %v, want a finite positive value", unravelIndex(std.Shape(), j), v)
		}
	}
	return &Standardize{Mean: mean, Std: std}, nil
}

// Clone returns an independent copy of the layer, a *Standardize with
// copies of Mean and Std and fresh buffers.
func (s *Standardize) Clone() Layer {
	s.features("Clone")
	return &Standardize{Mean: s.Mean.Clone(), Std: s.Std.Clone()}
}
