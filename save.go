package numlearn

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/numlearn/numlearn/internal/atomicfile"
	"github.com/numlearn/numlearn/internal/npz"
	"github.com/numlearn/numlearn/tensor"
)

// The model file format is numpy's .npz: a zip archive with one .npy file
// per parameter, named as ParamNames gives (W1.npy, b1.npy, W2.npy, …), each
// a little-endian float64 array in C order (float32 on request). numpy
// reads it directly:
//
//	params = np.load("model.npz")  # params["W1"].shape == (784, 50)
//
// which is exactly the params dict of the book's TwoLayerNet. After the
// parameters come the network's State, the tensors that are kept but not
// learned, named as StateNames gives: a network with BatchNorm layers saves
// gamma1, beta1, … with its weights and running_mean1, running_var1, … for
// the statistics its inference uses. Float64 values are stored bit for
// bit, so a save and a load give back the same network.

// ErrFormat is wrapped by the errors Load returns for a file that is not a
// valid .npz of float64 or float32 arrays: truncated, corrupted (zip
// CRC-32 mismatch) or of another dtype.
var ErrFormat = errors.New("numlearn: load: not a valid model file")

// ErrMismatch is wrapped by the errors Load returns for a valid file whose
// parameters are not this network's: a missing or extra name, or a shape
// that differs.
var ErrMismatch = errors.New("numlearn: load: parameters do not match the network")

// SaveOptions chooses how Save writes a model. The zero value writes
// float64, which loses nothing.
type SaveOptions struct {
	// Float32 stores every parameter and state tensor as float32 ('<f4'),
	// each value rounded to the nearest float32: half the size, the
	// precision that PyTorch and most inference engines use, and what the
	// book's sample weights are.
	Float32 bool
}

// Save writes the network's parameters and state to w in .npz format, as
// float64. It is SaveWith(w, SaveOptions{}).
func (n *Network) Save(w io.Writer) error { return n.SaveWith(w, SaveOptions{}) }

// SaveWith writes the network's parameters and state to w in .npz format,
// as opts says.
func (n *Network) SaveWith(w io.Writer, opts SaveOptions) error {
	saved, names := n.saved()
	arrays := make([]npz.Array, len(saved))
	for i, p := range saved {
		arrays[i] = npz.Array{Name: names[i], Shape: p.Shape(), Data: p.Data(), Float32: opts.Float32}
	}
	if err := npz.Write(w, arrays); err != nil {
		return fmt.Errorf("numlearn: save: %w", err)
	}
	return nil
}

// SaveFile writes the parameters to the named file (mode 0644) through a
// temporary file in the same folder that is synced and renamed into place
// only once complete, so an interrupted save never leaves a partial model
// under that name. It writes float64; SaveFileWith takes SaveOptions.
func (n *Network) SaveFile(name string) error { return n.SaveFileWith(name, SaveOptions{}) }

// SaveFileWith is SaveFile with the options of SaveWith.
func (n *Network) SaveFileWith(name string, opts SaveOptions) error {
	save := func(w io.Writer) error { return n.SaveWith(w, opts) }
	if err := atomicfile.Write(name, save); err != nil {
		return fmt.Errorf("numlearn: save %s: %w", name, err)
	}
	return nil
}

// saved returns what Save writes and Load reads, with its names: the
// parameters, then the state.
func (n *Network) saved() ([]*tensor.Tensor, []string) {
	return slices.Concat(n.params, n.state), slices.Concat(n.names, n.stateNames)
}

// Load reads parameters (and state) saved by Save (or by numpy's np.savez
// with the same names and shapes) from r into the network. Arrays may be
// float64 or float32; float32 values are widened exactly. Everything is read and
// checked before any parameter changes: on error the network is exactly as
// it was. The error wraps ErrFormat for a damaged file and ErrMismatch for
// one that belongs to another network.
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
		byName[e.Name] = e
	}
	params, names := n.saved()
	found := make([]*npz.Entry, len(params))
	for i, p := range params {
		e, ok := byName[names[i]]
		if !ok {
			return fmt.Errorf("%w: no %q in the file", ErrMismatch, names[i])
		}
		if !slices.Equal(e.Shape, p.Shape()) {
			return fmt.Errorf("%w: %q has shape %v in the file, %v in the network", ErrMismatch, e.Name, e.Shape, p.Shape())
		}
		found[i] = e
		delete(byName, names[i])
	}
	for _, e := range entries { // in file order, so the error is the same every time
		if _, extra := byName[e.Name]; extra {
			return fmt.Errorf("%w: the file has %q, which the network does not", ErrMismatch, e.Name)
		}
	}
	data := make([][]float64, len(params)) // each tensor's values, read whole before any changes
	for i, p := range params {
		data[i] = make([]float64, p.Size())
		if err := found[i].ReadInto(data[i]); err != nil {
			return formatError(err)
		}
	}
	for i, p := range params {
		copy(p.Data(), data[i])
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
