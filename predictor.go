package numlearn

import (
	"fmt"
	"slices"
	"sync"

	"github.com/numlearn/numlearn/tensor"
)

// Predictor answers predictions for a trained network from any number of
// goroutines at once: a Go service shares one among its request handlers.
// It holds a snapshot of the network's parameters taken by NewPredictor,
// so training the network further does not change it, and a pool of
// workspaces — copies of the network with buffers of their own — that
// grows to the number of calls running at once and is reused after that:
// in steady state a call allocates nothing.
//
// Every method writes its result into dst, which belongs to the caller
// (an empty dst is sized by the call; sized, it is reused), so results
// stay valid however many calls follow. Layers run in inference mode.
type Predictor struct {
	proto *Network // the snapshot, never run

	mu   sync.Mutex
	free []*Network
}

// NewPredictor returns a Predictor for the network as it is now. It panics
// if a layer is not a layers.Cloner.
func (n *Network) NewPredictor() *Predictor {
	c, err := n.tryClone()
	if err != nil {
		panic(fmt.Sprintf("numlearn: NewPredictor: %v", err))
	}
	return &Predictor{proto: c}
}

// get takes a workspace from the pool, or makes one. A new one is cloned
// under the lock: cloning reads the snapshot's layers, and some draw from
// them (a Dropout's clone seeds its stream from the original's).
func (p *Predictor) get() *Network {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k := len(p.free); k > 0 {
		w := p.free[k-1]
		p.free = p.free[:k-1]
		return w
	}
	w, _ := p.proto.tryClone() // every layer is a Cloner: NewPredictor checked
	return w
}

// put returns a workspace to the pool.
func (p *Predictor) put(w *Network) {
	p.mu.Lock()
	p.free = append(p.free, w)
	p.mu.Unlock()
}

// Predict sets dst to the network's scores for x, as Network.Predict
// returns them. It panics as Network.Predict does, and if dst is sized and
// of another shape.
func (p *Predictor) Predict(dst, x *tensor.Tensor) {
	w := p.get()
	defer p.put(w)
	copyInto("Predict", dst, w.Predict(x))
}

// Output sets dst to the head's prediction for x, as Network.Output does:
// class probabilities for a softmax head.
func (p *Predictor) Output(dst, x *tensor.Tensor) {
	w := p.get()
	defer p.put(w)
	w.Output(dst, x)
}

// Classes appends to dst the class predicted for each sample of x, as
// Network.Classes does, and returns the extended slice.
func (p *Predictor) Classes(dst []int, x *tensor.Tensor) []int {
	w := p.get()
	defer p.put(w)
	return w.Classes(dst, x)
}

// Class returns the class predicted for one sample x, as Network.Class
// does: x in its own shape (784 for an MNIST image as a vector) or as a
// batch of one (1, 784). It panics if x is not one sample or the head
// does not predict classes.
func (p *Predictor) Class(x *tensor.Tensor) int {
	w := p.get()
	defer p.put(w)
	return w.Class(x)
}

// copyInto copies y into dst, sizing an empty dst, and panics naming op if
// a sized dst has another shape.
func copyInto(op string, dst, y *tensor.Tensor) {
	if !dst.IsEmpty() && !slices.Equal(dst.Shape(), y.Shape()) {
		panic(fmt.Sprintf("numlearn: %s: dst has shape %v, the result has shape %v", op, dst.Shape(), y.Shape()))
	}
	dst.CopyFrom(y)
}
