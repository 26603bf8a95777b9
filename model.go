package numlearn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/numlearn/numlearn/internal/atomicfile"
	"github.com/numlearn/numlearn/internal/npz"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// A model file is numpy's .npz: a zip archive with one .npy file per
// tensor, named as ParamNames and StateNames give (W1.npy, b1.npy, W2.npy,
// …, then running_mean1.npy, …), each a little-endian float64 array in C
// order (float32 on request), and the network's architecture as a JSON
// document in a 0-d string array, architecture.npy. numpy reads it
// directly:
//
//	m = np.load("model.npz")          # m["W1"].shape == (784, 50)
//	arch = json.loads(str(m["architecture"]))
//
// which is exactly the params dict of the book's TwoLayerNet, and a
// description of the layers. The architecture lists, in order, each
// layer's description (layers.Description: its kind and configuration) and
// the arrays that hold its tensors, then the head's description and the
// weight decay λ:
//
//	{"format": "numlearn.Network", "version": 1,
//	 "layers": [{"kind": "Affine", "tensors": ["W1", "b1"]}, {"kind": "ReLU"},
//	            {"kind": "Affine", "tensors": ["W2", "b2"]}],
//	 "head": {"kind": "SoftmaxWithLoss"}}
//
// Float64 values are stored bit for bit, so a network saved and read back
// with LoadModel computes exactly what it computed.

// architecture is the JSON document a model file keeps in its
// architecture entry.
type architecture struct {
	Format      string             `json:"format"`
	Version     int                `json:"version"`
	Layers      []layerEntry       `json:"layers"`
	Head        layers.Description `json:"head"`
	WeightDecay float64            `json:"weight_decay,omitempty"`
}

// layerEntry is a layer's place in the architecture: its description and
// the names of the arrays that hold its tensors (its Params, in order).
type layerEntry struct {
	layers.Description
	Tensors []string `json:"tensors,omitempty"`
}

// The architecture entry's name, and what its document says it is.
const (
	architectureName    = "architecture"
	architectureFormat  = "numlearn.Network"
	architectureVersion = 1
	// maxArchitecture bounds the architecture document a file may hold;
	// the book's DeepConvNet takes under 2 KB.
	maxArchitecture = 1 << 20
)

// ErrFormat is wrapped by the errors that reading a model returns for a
// file that is not a valid model file: not a valid .npz of float64 or
// float32 arrays (truncated, corrupted, of another dtype), or with an
// architecture that is not valid JSON or does not describe layers that can
// be built.
var ErrFormat = errors.New("numlearn: load: not a valid model file")

// ErrMismatch is wrapped by the errors that reading a model returns for a
// valid file whose arrays are not those its reader expects: for Load, a
// missing or extra array or a shape that differs from the network's; for
// LoadModel, arrays that differ from those its architecture names.
var ErrMismatch = errors.New("numlearn: load: parameters do not match the network")

// SaveOptions chooses how Save and SaveFile write a model. The zero value
// writes the architecture with every tensor as float64, which loses
// nothing.
type SaveOptions struct {
	// Float32 stores every parameter and state tensor as float32 ('<f4'),
	// each value rounded to the nearest float32: half the size, the
	// precision that PyTorch and most inference engines use, and what the
	// book's sample weights are.
	Float32 bool
	// WeightsOnly leaves the architecture out: the file holds the tensors
	// alone, as np.savez of the book's params does, and loads into a
	// network built in code (Load), not with LoadModel. It is the way to
	// save a network with a layer whose kind is not registered.
	WeightsOnly bool
}

// Save writes the network to w as a model file in .npz format: its
// architecture, its parameters and its state, as opts says. Unless
// opts.WeightsOnly is set, every layer and the head must describe
// themselves (layers.Describer) with a registered kind (layers.Register):
// otherwise Save writes nothing and returns an error, wrapping
// layers.ErrUnknownKind, that names the layer.
func (n *Network) Save(w io.Writer, opts SaveOptions) error {
	arrays, err := n.arrays(opts)
	if err != nil {
		return err
	}
	if err := npz.Write(w, arrays); err != nil {
		return fmt.Errorf("numlearn: save: %w", err)
	}
	return nil
}

// SaveFile is Save to the named file (mode 0644), through a temporary file
// in the same folder that is synced and renamed into place only once
// complete, so an interrupted save never leaves a partial model under that
// name.
func (n *Network) SaveFile(name string, opts SaveOptions) error {
	arrays, err := n.arrays(opts)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error { return npz.Write(w, arrays) }
	if err := atomicfile.Write(name, write); err != nil {
		return fmt.Errorf("numlearn: save %s: %w", name, err)
	}
	return nil
}

// arrays returns what a model file holds: the architecture, unless
// opts.WeightsOnly, then the parameters, then the state.
func (n *Network) arrays(opts SaveOptions) ([]npz.Array, error) {
	var arrays []npz.Array
	if !opts.WeightsOnly {
		doc, err := n.describe()
		if err != nil {
			return nil, err
		}
		arrays = append(arrays, npz.Array{Name: architectureName, IsText: true, Text: doc})
	}
	for _, state := range []bool{false, true} {
		for _, e := range n.tensors {
			if e.IsState() == state {
				arrays = append(arrays, npz.Array{Name: e.name, Shape: e.Value.Shape(), Data: e.Value.Data(), Float32: opts.Float32})
			}
		}
	}
	return arrays, nil
}

// describe returns the network's architecture as a JSON document.
func (n *Network) describe() (string, error) {
	arch := architecture{Format: architectureFormat, Version: architectureVersion, WeightDecay: n.decay}
	for i, l := range n.Layers() {
		d, err := description(fmt.Sprintf("layer %d", i), l)
		if err != nil {
			return "", err
		}
		entry := layerEntry{Description: d}
		for _, e := range n.tensors {
			if e.layer == i {
				entry.Tensors = append(entry.Tensors, e.name)
			}
		}
		arch.Layers = append(arch.Layers, entry)
	}
	d, err := description("the head", n.head)
	if err != nil {
		return "", err
	}
	arch.Head = d
	b, err := json.Marshal(arch)
	if err != nil {
		return "", fmt.Errorf("numlearn: save: %w", err)
	}
	return string(b), nil
}

// description returns what's description, naming it as which in errors.
func description(which string, what any) (layers.Description, error) {
	d, ok := what.(layers.Describer)
	if !ok {
		return layers.Description{}, fmt.Errorf("numlearn: save: %s (%T) has no description (layers.Describer): %w; save with SaveOptions{WeightsOnly: true} to keep its weights alone",
			which, what, layers.ErrUnknownKind)
	}
	desc := d.Describe()
	if !layers.Registered(desc.Kind) {
		return layers.Description{}, fmt.Errorf("numlearn: save: %s (%T) is of kind %q, which is not registered (layers.Register): %w",
			which, what, desc.Kind, layers.ErrUnknownKind)
	}
	return desc, nil
}

// LoadModel reads the model file name, written by Save or SaveFile, and
// returns the network it holds, ready to predict or to train on: its
// layers, rebuilt from their descriptions by the builders registered for
// their kinds (this package's, and any that layers.Register added), with
// the saved parameters and state. A network saved as float64 computes bit
// for bit what it computed when saved. Errors name the file.
func LoadModel(name string) (*Network, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("numlearn: load: %w", err)
	}
	n, err := readModel(b)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, name)
	}
	return n, nil
}

// ReadModel is LoadModel from r.
//
// The error wraps ErrFormat for a damaged file, a file without an
// architecture (one saved with WeightsOnly, or np.savez's: build the
// network in code and call Load) or an architecture whose layers cannot be
// built; ErrMismatch when the arrays are not those the architecture names;
// and layers.ErrUnknownKind for a layer or head whose kind has no builder
// registered in this program. Memory grows with the data actually read,
// never with the sizes a file claims.
func ReadModel(r io.Reader) (*Network, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("numlearn: load: %w", err)
	}
	return readModel(b)
}

func readModel(b []byte) (*Network, error) {
	arrays, err := npz.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, formatError(err)
	}
	return buildModel(modelArrays(arrays))
}

// modelArrays returns the arrays of a model file that describe the
// network: all of them, less a checkpoint's record of its run.
func modelArrays(arrays []npz.Array) []npz.Array {
	if !slices.ContainsFunc(arrays, func(a npz.Array) bool { return a.Name == checkpointName }) {
		return arrays
	}
	return slices.DeleteFunc(slices.Clone(arrays), func(a npz.Array) bool { return a.Name == checkpointName || isRunArray(a.Name) })
}

// buildModel builds the network that a model file's arrays describe.
func buildModel(arrays []npz.Array) (*Network, error) {
	arch, tensors, err := parseModel(arrays)
	if err != nil {
		return nil, err
	}
	// Dropout layers draw their masks from streams seeded from this one,
	// in layer order: the same file gives the same network every time.
	rng := rand.New(rand.NewPCG(1, 2))
	ls := make([]Layer, len(arch.Layers))
	for i, entry := range arch.Layers {
		params := make([]*tensor.Tensor, len(entry.Tensors))
		for j, name := range entry.Tensors {
			t, ok := tensors[name]
			if !ok {
				return nil, fmt.Errorf("%w: layer %d (%s) names array %q, which the file does not have or gives twice", ErrMismatch, i, entry.Kind, name)
			}
			delete(tensors, name)
			params[j] = t
		}
		l, err := layers.Build(entry.Description, params, rng)
		if err != nil {
			return nil, buildError(fmt.Sprintf("layer %d", i), err)
		}
		ls[i] = l
	}
	for _, a := range arrays { // in file order, so the error is the same every time
		if _, extra := tensors[a.Name]; extra {
			return nil, fmt.Errorf("%w: the file has array %q, which no layer uses", ErrMismatch, a.Name)
		}
	}
	head, err := layers.BuildHead(arch.Head)
	if err != nil {
		return nil, buildError("the head", err)
	}
	n := NewNetworkWithHead(head, ls...)
	n.decay = arch.WeightDecay
	return n, nil
}

// parseModel returns the architecture a model file's arrays hold, and its
// other arrays as tensors by name.
func parseModel(arrays []npz.Array) (architecture, map[string]*tensor.Tensor, error) {
	var arch architecture
	var doc *npz.Array
	tensors := make(map[string]*tensor.Tensor, len(arrays))
	for i := range arrays {
		a := &arrays[i]
		if _, dup := tensors[a.Name]; dup || (doc != nil && a.Name == architectureName) {
			return arch, nil, fmt.Errorf("%w: array %q appears twice", ErrFormat, a.Name)
		}
		if a.Name == architectureName {
			if !a.IsText {
				return arch, nil, fmt.Errorf("%w: %q is not text", ErrFormat, a.Name)
			}
			doc = a
			continue
		}
		if a.IsText {
			return arch, nil, fmt.Errorf("%w: array %q is text, not numbers", ErrFormat, a.Name)
		}
		tensors[a.Name] = tensor.FromSlice(a.Data, a.Shape...)
	}
	if doc == nil {
		return arch, nil, fmt.Errorf("%w: the file has no architecture, only weights (saved with WeightsOnly, or by np.savez): build the network in code and call its Load", ErrFormat)
	}
	if len(doc.Text) > maxArchitecture {
		return arch, nil, fmt.Errorf("%w: the architecture is %d bytes, more than %d", ErrFormat, len(doc.Text), maxArchitecture)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(doc.Text)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&arch); err != nil {
		return arch, nil, fmt.Errorf("%w: architecture: %w", ErrFormat, err)
	}
	switch {
	case dec.More():
		return arch, nil, fmt.Errorf("%w: architecture: more than one JSON document", ErrFormat)
	case arch.Format != architectureFormat:
		return arch, nil, fmt.Errorf("%w: architecture: format %q, want %q", ErrFormat, arch.Format, architectureFormat)
	case arch.Version != architectureVersion:
		return arch, nil, fmt.Errorf("%w: architecture: version %d, this program reads version %d", ErrFormat, arch.Version, architectureVersion)
	case !(arch.WeightDecay >= 0) || math.IsInf(arch.WeightDecay, 0):
		return arch, nil, fmt.Errorf("%w: architecture: weight decay %v is not a finite number ≥ 0", ErrFormat, arch.WeightDecay)
	}
	return arch, tensors, nil
}

// buildError wraps an error from building which (a layer or the head).
func buildError(which string, err error) error {
	if errors.Is(err, layers.ErrUnknownKind) {
		return fmt.Errorf("numlearn: load: %s: %w", which, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrFormat, which, err)
}

// Load reads parameters and state saved by Save (or by numpy's np.savez
// with the same names and shapes) from r into the network, which must be
// built with the same layers: the way to load a file without an
// architecture. An architecture in the file is not read. Arrays may be
// float64 or float32; float32 values are widened exactly. Everything is
// read and checked before any parameter changes: on error the network is
// exactly as it was. The error wraps ErrFormat for a damaged file and
// ErrMismatch for one that belongs to another network.
func (n *Network) Load(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("numlearn: load: %w", err)
	}
	return n.load(b)
}

// LoadFile is Load from the named file; errors name the file.
func (n *Network) LoadFile(name string) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return fmt.Errorf("numlearn: load: %w", err)
	}
	if err := n.load(b); err != nil {
		return fmt.Errorf("%w (file %s)", err, name)
	}
	return nil
}

func (n *Network) load(b []byte) error {
	// Names, dtypes and shapes are checked from the .npy headers before any
	// data is inflated, and each array is then read into a buffer of the
	// size the network expects: a file can make Load allocate no more than
	// the network's own parameters, however its data would inflate.
	entries, err := npz.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return formatError(err)
	}
	byName := make(map[string]*npz.Entry, len(entries))
	for i := range entries {
		e := &entries[i]
		if _, dup := byName[e.Name]; dup {
			return fmt.Errorf("%w: %q appears twice", ErrMismatch, e.Name)
		}
		if e.IsText {
			if e.Name != architectureName {
				return fmt.Errorf("%w: %q is text, not numbers", ErrFormat, e.Name)
			}
			continue
		}
		byName[e.Name] = e
	}
	found := make([]*npz.Entry, len(n.tensors))
	for i, t := range n.tensors {
		e, ok := byName[t.name]
		if !ok {
			return fmt.Errorf("%w: no %q in the file", ErrMismatch, t.name)
		}
		if !slices.Equal(e.Shape, t.Value.Shape()) {
			return fmt.Errorf("%w: %q has shape %v in the file, %v in the network", ErrMismatch, e.Name, e.Shape, t.Value.Shape())
		}
		found[i] = e
		delete(byName, t.name)
	}
	for _, e := range entries { // in file order, so the error is the same every time
		if _, extra := byName[e.Name]; extra {
			return fmt.Errorf("%w: the file has %q, which the network does not", ErrMismatch, e.Name)
		}
	}
	data := make([][]float64, len(n.tensors)) // each tensor's values, read whole before any changes
	for i, t := range n.tensors {
		data[i] = make([]float64, t.Value.Size())
		if err := found[i].ReadInto(data[i]); err != nil {
			return formatError(err)
		}
	}
	for i, t := range n.tensors {
		copy(t.Value.Data(), data[i])
	}
	return nil
}

// formatError wraps an error from reading the archive: ErrFormat and the
// reason.
func formatError(err error) error {
	if errors.Is(err, npz.ErrFormat) {
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return fmt.Errorf("numlearn: load: %w", err)
}
