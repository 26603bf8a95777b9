package numlearn

import (
	"runtime"
	"sync"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// NumericalGradient computes the gradient of the loss of x against t with
// respect to every parameter by central differences,
// (L(θ + h·e_p) − L(θ − h·e_p)) / 2h with h = 1e-4 as grad.Numerical takes
// them, with the layers in training mode as Gradient has them, and returns
// new tensors aligned with Params. The network's parameters are unchanged
// afterwards.
//
// Taken literally this needs two forward passes of the whole batch per
// parameter. When every layer is layers.Dense or layers.ElementWise (as
// Affine and the activations are), the head is a layers.RowLosser (as the
// built-in heads are) and x is (n, features), NumericalGradient instead
// runs the batch once and works out each perturbed loss from the rows the
// parameter reaches: a weight of the first layer reaches only the rows
// whose input it multiplies is nonzero, and only one column of that
// layer's output. The differences are still those of the network's own
// loss at θ ± h, computed with the same formulas, and agree with the
// literal method to about 1e-12; for the book's 784-50-10 net on a batch
// of 100 MNIST images they take milliseconds instead of seconds. Any other
// network takes the literal way, split among GOMAXPROCS goroutines, each
// with its own Clone of the network (serially, on the network itself, when
// a layer cannot be cloned).
func (n *Network) NumericalGradient(x, t *tensor.Tensor) []*tensor.Tensor {
	out := zerosOf(n.params)
	n.numericalGradient(out, x, t)
	return out
}

// numericalGradient stores NumericalGradient's result in out (aligned with
// Params, sized) and returns the loss of x against t, by the fast path
// when it applies.
func (n *Network) numericalGradient(out []*tensor.Tensor, x, t *tensor.Tensor) float64 {
	if p, cost, ok := n.planFast(x, t); ok {
		p.run(out)
		n.penaltyDifferences(out)
		return cost + n.penalty()
	}
	n.genericNumericalGradient(out, x, t)
	return n.trainingLoss(x, t)
}

// genericNumericalGradient stores the central differences of the training
// loss in out (aligned with Params, sized) the literal way: each parameter
// element in turn is set to θ ± h and the whole batch run forward.
func (n *Network) genericNumericalGradient(out []*tensor.Tensor, x, t *tensor.Tensor) {
	total := 0
	for _, p := range n.params {
		total += p.Size()
	}
	workers := min(runtime.GOMAXPROCS(0), max(total/64, 1))
	nets := make([]*Network, workers)
	nets[0] = n
	for w := 1; w < workers; w++ {
		c, bad := n.tryClone()
		if bad >= 0 {
			workers = 1
			break
		}
		nets[w] = c
	}
	// Worker w perturbs elements [lo, hi) of every parameter of its own
	// network, through views that share the parameters' data.
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(net *Network) {
			defer wg.Done()
			f := func(*tensor.Tensor) float64 { return net.trainingLoss(x, t) }
			for i, p := range net.params {
				lo, hi := p.Size()*w/workers, p.Size()*(w+1)/workers
				if lo == hi {
					continue
				}
				view := tensor.FromSlice(p.Data()[lo:hi])
				dst := tensor.FromSlice(out[i].Data()[lo:hi])
				grad.NumericalTo(dst, f, view)
			}
		}(nets[w])
	}
	wg.Wait()
}

// GradientCheck compares backpropagation (Gradient) with central
// differences (NumericalGradient) on x and t and returns, for each
// parameter in Params order (named by ParamNames), the maximum and mean
// absolute difference and the maximum relative error: the book's
// gradient_check.py. For a correct network the differences are around
// 1e-10 to 1e-7.
func (n *Network) GradientCheck(x, t *tensor.Tensor) []grad.Difference {
	backprop := cloneAll(n.Gradient(x, t)) // the layers reuse them
	return grad.Check(backprop, n.NumericalGradient(x, t))
}

// trainingLoss is the head's loss of x against t with the layers in
// training mode, with the weight decay penalty: the function whose
// gradient Gradient computes.
func (n *Network) trainingLoss(x, t *tensor.Tensor) float64 {
	return n.head.Forward(n.forward(x, nil, layers.Training), t) + n.penalty()
}

// numericalStep is gradient by central differences: it returns the
// numerical gradient on rows rows of x against t, in tensors the network
// keeps for the next step, and records the batch's loss for LastLoss.
func (n *Network) numericalStep(x *tensor.Tensor, rows []int, t *tensor.Tensor) []*tensor.Tensor {
	if len(n.numGrads) != len(n.params) {
		n.numGrads = zerosOf(n.params)
	}
	n.shape = append(append(n.shape[:0], len(rows)), x.Shape()[1:]...)
	b := n.batch.Shaped(n.shape...)
	b.TakeRows(x, rows)
	n.cost = n.numericalGradient(n.numGrads, b, t)
	return n.numGrads
}

// zerosOf returns zero tensors of the shapes of ts.
func zerosOf(ts []*tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ts))
	for i, p := range ts {
		out[i] = tensor.New(p.Shape()...)
	}
	return out
}

// penaltyDifferences adds to out the central differences of the weight
// decay penalty ½·λ·w² for every decayed weight w, which the fast path's
// per-row losses leave out: λ·((w+h)² − (w−h)²)/(4h), which is λ·w up to
// rounding.
func (n *Network) penaltyDifferences(out []*tensor.Tensor) {
	if n.decay == 0 {
		return
	}
	const h = 1e-4
	for i, p := range n.params {
		if !n.decayed[i] {
			continue
		}
		g := out[i].Data()
		for j, w := range p.Data() {
			plus, minus := 0.5*n.decay*(w+h)*(w+h), 0.5*n.decay*(w-h)*(w-h)
			g[j] += (plus - minus) / (2 * h)
		}
	}
}
