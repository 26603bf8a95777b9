package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/numlearn/numlearn/internal/buffer"
	"github.com/numlearn/numlearn/tensor"
)

// Softmax is the layer
//
//	yᵢ = exp(xᵢ − m) / Σⱼ exp(xⱼ − m),  m = maxⱼ xⱼ
//
// along one axis of its input: each line of values along that axis, the
// others fixed, becomes probabilities that sum to 1 — ONNX's Softmax
// (operator set 13 on), PyTorch's nn.Softmax(dim) and softmax(x, dim).
// The maximum is subtracted first, which changes nothing but keeps every
// exponential within range.
//
// It is an ordinary layer, not a head: for a softmax across the classes
// of scores (n, classes) that ends a classifier, with its loss, use
// SoftmaxWithLoss. This layer is for a softmax on another axis, such as
// the channels of images (N, C, H, W) at each pixel (axis 1) or the last
// axis of (N, C, H, W), or in the middle of a network.
//
// Axis counts the axes of the whole input, the batch axis included, as
// ONNX and PyTorch count them: 1 is a sample's first axis, and a negative
// axis counts from the end, −1 being the last. Axis 0, or a negative one
// that comes to 0, is the batch axis, which Forward refuses: a softmax
// along it would mix the samples of a batch. So the zero value is not
// ready to use: set Axis, or use NewSoftmax.
type Softmax struct {
	// Axis is the axis along which the softmax runs, 1 to d − 1 for input
	// of d axes, or −(d − 1) to −1 counted from the end.
	Axis int

	along
}

// NewSoftmax returns a Softmax layer along the given axis. It panics if
// axis is 0, the batch axis.
func NewSoftmax(axis int) *Softmax {
	checkAxis("NewSoftmax", axis)
	return &Softmax{Axis: axis}
}

// Forward returns the softmax of x along the layer's axis, and remembers
// it for Backward. The result is owned by the layer and valid until its
// next Forward. It panics if the axis is not one of a sample's axes of x
// (see Softmax).
func (s *Softmax) Forward(x *tensor.Tensor) *tensor.Tensor {
	y, xs, ys := s.forward("Softmax", s.Axis, x)
	s.lines(func(off int) {
		softmaxLine(ys, xs, off, s.n, s.inner)
	})
	return y
}

// Backward returns ∂L/∂x for the last Forward: since ∂yᵢ/∂xⱼ =
// yᵢ(δᵢⱼ − yⱼ) within a line,
//
//	∂L/∂x = y ⊙ (dout − Σ_axis dout ⊙ y)
//
// the sum taken along the axis, over each line. It panics if dout's shape
// is not the last output's, or if Forward has not run.
func (s *Softmax) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, y, d, g := s.backward("Softmax", dout)
	n, inner := s.n, s.inner
	s.lines(func(off int) {
		end := off + n*inner
		var sum float64
		for k := off; k < end; k += inner {
			sum += d[k] * y[k]
		}
		for k := off; k < end; k += inner {
			g[k] = y[k] * (d[k] - sum)
		}
	})
	return dx
}

// Describe returns the description of kind "Softmax", with its axis as
// "axis". A model file's Softmax without "axis" gets −1, the last axis,
// ONNX's default.
func (s *Softmax) Describe() Description {
	return NewDescription("Softmax", axisConfig{Axis: s.Axis})
}

// Clone returns a new Softmax layer along the same axis.
func (s *Softmax) Clone() Layer { return &Softmax{Axis: s.Axis} }

// LogSoftmax is the layer
//
//	yᵢ = log softmax(x)ᵢ = (xᵢ − m) − log Σⱼ exp(xⱼ − m),  m = maxⱼ xⱼ
//
// along one axis of its input, each line of values along that axis on
// its own — ONNX's LogSoftmax (operator set 13 on), PyTorch's
// nn.LogSoftmax(dim) and log_softmax(x, dim) — finite for any finite
// input, where the log of a softmax that underflows to 0 is not.
//
// It is an ordinary layer, not a head: for log-probabilities of classes
// (n, classes) that end a classifier, with the negative log-likelihood as
// loss, use LogSoftmaxWithLoss. Axis counts as Softmax's does, and the
// batch axis is refused likewise, so the zero value is not ready to use:
// set Axis, or use NewLogSoftmax.
type LogSoftmax struct {
	// Axis is the axis along which the log-softmax runs, 1 to d − 1 for
	// input of d axes, or −(d − 1) to −1 counted from the end.
	Axis int

	along
}

// NewLogSoftmax returns a LogSoftmax layer along the given axis. It
// panics if axis is 0, the batch axis.
func NewLogSoftmax(axis int) *LogSoftmax {
	checkAxis("NewLogSoftmax", axis)
	return &LogSoftmax{Axis: axis}
}

// Forward returns the log-softmax of x along the layer's axis, and
// remembers it for Backward. The result is owned by the layer and valid
// until its next Forward. It panics if the axis is not one of a sample's
// axes of x (see Softmax).
func (l *LogSoftmax) Forward(x *tensor.Tensor) *tensor.Tensor {
	y, xs, ys := l.forward("LogSoftmax", l.Axis, x)
	l.lines(func(off int) {
		logSoftmaxLine(ys, xs, off, l.n, l.inner)
	})
	return y
}

// Backward returns ∂L/∂x for the last Forward: since ∂yᵢ/∂xⱼ = δᵢⱼ −
// softmax(x)ⱼ within a line, and softmax(x) = eʸ,
//
//	∂L/∂x = dout − eʸ ⊙ Σ_axis dout
//
// the sum taken along the axis, over each line. It panics if dout's shape
// is not the last output's, or if Forward has not run.
func (l *LogSoftmax) Backward(dout *tensor.Tensor) *tensor.Tensor {
	dx, y, d, g := l.backward("LogSoftmax", dout)
	n, inner := l.n, l.inner
	l.lines(func(off int) {
		end := off + n*inner
		var sum float64
		for k := off; k < end; k += inner {
			sum += d[k]
		}
		for k := off; k < end; k += inner {
			g[k] = d[k] - math.Exp(y[k])*sum
		}
	})
	return dx
}

// Describe returns the description of kind "LogSoftmax", with its axis as
// "axis". A model file's LogSoftmax without "axis" gets −1, the last
// axis, ONNX's default.
func (l *LogSoftmax) Describe() Description {
	return NewDescription("LogSoftmax", axisConfig{Axis: l.Axis})
}

// Clone returns a new LogSoftmax layer along the same axis.
func (l *LogSoftmax) Clone() Layer { return &LogSoftmax{Axis: l.Axis} }

// along is what Softmax and LogSoftmax keep: their last output, which
// their derivatives are written in, how its values lie along the axis,
// and their result buffers.
//
// A value of shape (d₀, …, dₖ) along axis a holds lines of n = dₐ values,
// inner = dₐ₊₁·…·dₖ apart: the line that starts at offset off has its
// values at off, off + inner, …, off + (n − 1)·inner. The lines start at
// the first inner offsets of each block of n·inner values.
type along struct {
	y        *tensor.Tensor
	n, inner int
	out, dx  buffer.Reusable
}

// forward resolves axis against x, sizes the output buffer, remembers
// it, and returns it with the data of x and of the output.
func (a *along) forward(layer string, axis int, x *tensor.Tensor) (y *tensor.Tensor, xs, ys []float64) {
	shape := x.Shape()
	ax := axis
	if ax < 0 {
		ax += len(shape)
	}
	if ax <= 0 || ax >= len(shape) {
		panic(fmt.Sprintf("layers: %s.Forward: axis %d of input shape %v is not an axis of a sample (the batch axis 0 would mix samples)", layer, axis, shape))
	}
	a.n, a.inner = shape[ax], 1
	for _, d := range shape[ax+1:] {
		a.inner *= d
	}
	a.y = a.out.Shaped(shape...)
	return a.y, x.Data(), a.y.Data()
}

// backward checks dout against the last output and returns the dx buffer
// with the data of the output, dout and dx.
func (a *along) backward(layer string, dout *tensor.Tensor) (dx *tensor.Tensor, y, d, g []float64) {
	dx = backwardBuffer(layer, a.y, dout, &a.dx)
	return dx, a.y.Data(), dout.Data(), dx.Data()
}

// lines calls f with the offset at which each line of the last output
// starts.
func (a *along) lines(f func(off int)) {
	block := a.n * a.inner
	if block == 0 {
		return
	}
	for base := 0; base < a.y.Size(); base += block {
		for off := base; off < base+a.inner; off++ {
			f(off)
		}
	}
}

// softmaxLine sets the line of n values inner apart from off in dst to
// the softmax of the same line in src, which may be the same slice.
func softmaxLine(dst, src []float64, off, n, inner int) {
	end := off + n*inner
	m := src[off]
	for k := off + inner; k < end; k += inner {
		m = max(m, src[k])
	}
	var sum float64
	for k := off; k < end; k += inner {
		e := math.Exp(src[k] - m)
		dst[k] = e
		sum += e
	}
	for k := off; k < end; k += inner {
		dst[k] /= sum
	}
}

// logSoftmaxLine sets the line of n values inner apart from off in dst to
// the log-softmax of the same line in src, which may be the same slice:
// y = (x − max) − log Σ exp(x − max), the maximum subtracted first so that
// no exponential overflows.
func logSoftmaxLine(dst, src []float64, off, n, inner int) {
	end := off + n*inner
	m := src[off]
	for k := off + inner; k < end; k += inner {
		m = max(m, src[k])
	}
	var sum float64
	for k := off; k < end; k += inner {
		sum += math.Exp(src[k] - m)
	}
	lse := math.Log(sum)
	for k := off; k < end; k += inner {
		dst[k] = (src[k] - m) - lse
	}
}

// axisConfig is the configuration of Softmax and LogSoftmax in a model
// file.
type axisConfig struct {
	Axis int `json:"axis"`
}

// checkAxis panics if axis is 0, the batch axis.
func checkAxis(op string, axis int) {
	if axis == 0 {
		panic(fmt.Sprintf("layers: %s: axis 0 is the batch axis, which would mix samples", op))
	}
}

// buildAxis returns the builder of a layer without tensors whose one
// setting is an axis other than the batch's, −1 when the configuration
// leaves it out.
func buildAxis(newLayer func(axis int) Layer) LayerBuilder {
	return func(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
		cfg := axisConfig{Axis: -1}
		if err := d.Decode(&cfg); err != nil {
			return nil, err
		}
		if cfg.Axis == 0 {
			return nil, fmt.Errorf("layers: %s: axis 0 is the batch axis, which would mix samples", d.Kind)
		}
		if len(params) != 0 {
			return nil, fmt.Errorf("layers: %s has no tensors, the model gives %d", d.Kind, len(params))
		}
		return newLayer(cfg.Axis), nil
	}
}
