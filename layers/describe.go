package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/numlearn/numlearn/tensor"
)

// Description is what a model file records of a layer or a head: its kind,
// under which a builder is registered, and its configuration — the
// settings that are not tensors, such as a stride, a padding, a ratio or
// an ε — as a JSON object. A layer's tensors (Learnable's Params) are
// saved beside it, as arrays.
type Description struct {
	// Kind names the type in model files: "Affine", "ReLU", "BatchNorm",
	// "SoftmaxWithLoss", … for this package's types; your own for yours.
	Kind string `json:"kind"`
	// Config is the configuration as a JSON object, or empty when there is
	// none.
	Config json.RawMessage `json:"config,omitempty"`
}

// Describer is a layer or head that a model file can record: Describe
// returns its description, from which the builder registered for its kind
// (Register, RegisterHead) makes it again. Every layer and head in this
// package is a Describer.
type Describer interface {
	Describe() Description
}

// NewDescription returns the description of kind with config, a value
// that encoding/json turns into a JSON object (a struct with json tags),
// or nil for none. It panics if config cannot be encoded as an object.
func NewDescription(kind string, config any) Description {
	d := Description{Kind: kind}
	if config == nil {
		return d
	}
	b, err := json.Marshal(config)
	if err != nil || len(b) == 0 || b[0] != '{' {
		panic(fmt.Sprintf("layers: NewDescription: %s: config %T is not a JSON object (%v)", kind, config, err))
	}
	d.Config = b
	return d
}

// Decode fills config, a pointer to a struct with json tags, from the
// description's configuration. A field the struct does not have is an
// error, so that a setting is never silently dropped; a field missing
// from the configuration leaves config's value as it was, so set the
// defaults first.
func (d Description) Decode(config any) error {
	if len(d.Config) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(d.Config))
	dec.DisallowUnknownFields()
	if err := dec.Decode(config); err != nil {
		return fmt.Errorf("layers: %s: config %s: %w", d.Kind, d.Config, err)
	}
	if dec.More() {
		return fmt.Errorf("layers: %s: config %s: more than one JSON value", d.Kind, d.Config)
	}
	return nil
}

// ErrUnknownKind is wrapped by the errors Build and BuildHead return for a
// kind that no builder is registered for.
var ErrUnknownKind = errors.New("layers: unknown kind")

// LayerBuilder makes a layer from its description and its tensors, the
// values of its Params in order as a saved model holds them (none for a
// layer without Params). It may use the tensors themselves. rng seeds the
// randomness the layer draws, if any (Dropout's masks). A builder checks
// what it is given and returns an error, never panics, for a
// configuration or tensors that do not make a layer of its kind: model
// files come from outside.
type LayerBuilder func(d Description, params []*tensor.Tensor, rng *rand.Rand) (Layer, error)

// HeadBuilder makes a head from its description.
type HeadBuilder func(d Description) (Head, error)

// registry holds the builders of every kind: this package's, then those
// registered.
var registry = struct {
	sync.RWMutex
	layers map[string]LayerBuilder
	heads  map[string]HeadBuilder
}{
	layers: map[string]LayerBuilder{
		"Affine":      buildAffine,
		"ReLU":        buildActivation(func() Layer { return &ReLU{} }),
		"Sigmoid":     buildActivation(func() Layer { return &Sigmoid{} }),
		"Tanh":        buildActivation(func() Layer { return &Tanh{} }),
		"BatchNorm":   buildBatchNorm,
		"Dropout":     buildDropout,
		"Convolution": buildConvolution,
		"Pooling":     buildPooling,
		"Standardize": buildStandardize,
		"Flatten":     buildActivation(func() Layer { return &Flatten{} }),
		"LeakyReLU":   buildAlpha(leakyReLUAlpha, func(a float64) Layer { return &LeakyReLU{Alpha: a} }),
		"ELU":         buildAlpha(eluAlpha, func(a float64) Layer { return &ELU{Alpha: a} }),
		"PReLU":       buildPReLU,
		"BatchNorm2D": buildBatchNorm2D,

		"AvgPool":            buildAvgPool,
		"GlobalAvgPool":      buildActivation(func() Layer { return &GlobalAvgPool{} }),
		"MaxPool":            buildMaxPool,
		"GroupedConvolution": buildGroupedConvolution,

		"Softmax":    buildAxis(func(axis int) Layer { return &Softmax{Axis: axis} }),
		"LogSoftmax": buildAxis(func(axis int) Layer { return &LogSoftmax{Axis: axis} }),
		"Softplus":   buildActivation(func() Layer { return &Softplus{} }),
		"Scale":      buildScale,

		"Pad":  buildPad,
		"SELU": buildSELU,
	},
	heads: map[string]HeadBuilder{
		"SoftmaxWithLoss":  buildHead(func() Head { return &SoftmaxWithLoss{} }),
		"SigmoidWithLoss":  buildHead(func() Head { return &SigmoidWithLoss{} }),
		"IdentityWithLoss": buildHead(func() Head { return &IdentityWithLoss{} }),

		"LogSoftmaxWithLoss": buildHead(func() Head { return &LogSoftmaxWithLoss{} }),
	},
}

// Register makes layers of the given kind loadable from model files, in
// the manner of image.RegisterFormat: a model that records a layer of this
// kind is rebuilt by build. Call it once per kind, typically from main or
// an init function of the package that defines the layer, before loading
// models. The layer's Describe returns a Description of this kind. A layer
// type that is not registered still trains and predicts; only saving it as
// part of a model fails, naming the kind.
//
// Register panics if kind is empty, build is nil, or the kind is already
// registered (this package's kinds included).
func Register(kind string, build LayerBuilder) {
	registry.Lock()
	defer registry.Unlock()
	checkKind("Register", kind, build == nil)
	registry.layers[kind] = build
}

// RegisterHead is Register for heads.
func RegisterHead(kind string, build HeadBuilder) {
	registry.Lock()
	defer registry.Unlock()
	checkKind("RegisterHead", kind, build == nil)
	registry.heads[kind] = build
}

// checkKind panics unless kind is a new, non-empty kind with a builder.
// The caller holds the registry's lock.
func checkKind(op, kind string, nilBuild bool) {
	_, layer := registry.layers[kind]
	_, head := registry.heads[kind]
	switch {
	case kind == "":
		panic(fmt.Sprintf("layers: %s: empty kind", op))
	case nilBuild:
		panic(fmt.Sprintf("layers: %s: %s: nil builder", op, kind))
	case layer || head:
		panic(fmt.Sprintf("layers: %s: kind %q is already registered", op, kind))
	}
}

// Registered reports whether a builder is registered for kind, a layer's
// or a head's.
func Registered(kind string) bool {
	registry.RLock()
	defer registry.RUnlock()
	_, layer := registry.layers[kind]
	_, head := registry.heads[kind]
	return layer || head
}

// Build makes the layer that d describes, with params the values of its
// Params in order, through the builder registered for d's kind. It checks
// that the layer's Params have exactly the shapes of params, and copies
// their values where the builder made tensors of its own. The error wraps
// ErrUnknownKind for a kind without a builder; a builder that panics is
// reported as an error too.
func Build(d Description, params []*tensor.Tensor, rng *rand.Rand) (l Layer, err error) {
	registry.RLock()
	build, ok := registry.layers[d.Kind]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (no layers.Register for it)", ErrUnknownKind, d.Kind)
	}
	defer func() {
		if r := recover(); r != nil {
			l, err = nil, fmt.Errorf("layers: building %s: %v", d.Kind, r)
		}
	}()
	l, err = build(d, params, rng)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, fmt.Errorf("layers: building %s: the builder returned no layer", d.Kind)
	}
	var got []Param
	if lr, ok := l.(Learnable); ok {
		got = lr.Params()
	}
	if len(got) != len(params) {
		return nil, fmt.Errorf("layers: building %s: the layer has %d tensors, the model %d", d.Kind, len(got), len(params))
	}
	for i, p := range got {
		if !slices.Equal(p.Value.Shape(), params[i].Shape()) {
			return nil, fmt.Errorf("layers: building %s: %s has shape %v in the layer, %v in the model", d.Kind, p.Name, p.Value.Shape(), params[i].Shape())
		}
		if p.Value != params[i] {
			p.Value.CopyFrom(params[i])
		}
	}
	return l, nil
}

// BuildHead makes the head that d describes, through the builder
// registered for d's kind. The error wraps ErrUnknownKind for a kind
// without a builder.
func BuildHead(d Description) (h Head, err error) {
	registry.RLock()
	build, ok := registry.heads[d.Kind]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (no layers.RegisterHead for it)", ErrUnknownKind, d.Kind)
	}
	defer func() {
		if r := recover(); r != nil {
			h, err = nil, fmt.Errorf("layers: building %s: %v", d.Kind, r)
		}
	}()
	h, err = build(d)
	if err == nil && h == nil {
		err = fmt.Errorf("layers: building %s: the builder returned no head", d.Kind)
	}
	return h, err
}

// buildActivation returns the builder of a layer without configuration or
// tensors.
func buildActivation(newLayer func() Layer) LayerBuilder {
	return func(d Description, params []*tensor.Tensor, _ *rand.Rand) (Layer, error) {
		if err := d.Decode(&struct{}{}); err != nil {
			return nil, err
		}
		if len(params) != 0 {
			return nil, fmt.Errorf("layers: %s has no tensors, the model gives %d", d.Kind, len(params))
		}
		return newLayer(), nil
	}
}

// buildHead returns the builder of a head without configuration.
func buildHead(newHead func() Head) HeadBuilder {
	return func(d Description) (Head, error) {
		if err := d.Decode(&struct{}{}); err != nil {
			return nil, err
		}
		return newHead(), nil
	}
}

// wantTensors returns an error unless params holds n tensors whose ranks
// are dims.
func wantTensors(kind string, params []*tensor.Tensor, dims ...int) error {
	if len(params) != len(dims) {
		return fmt.Errorf("layers: %s has %d tensors, the model gives %d", kind, len(dims), len(params))
	}
	for i, p := range params {
		if p == nil || p.Dims() != dims[i] {
			return fmt.Errorf("layers: %s: tensor %d has shape %v, want %d dimensions", kind, i, shapeOf(p), dims[i])
		}
	}
	return nil
}

// shapeOf returns t's shape, or nil for a nil t.
func shapeOf(t *tensor.Tensor) []int {
	if t == nil {
		return nil
	}
	return t.Shape()
}
