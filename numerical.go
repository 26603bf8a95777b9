package numlearn

import (
	"runtime"
	"sync"

	"github.com/numlearn/numlearn/grad"
	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// NumericalGradient computes the gradient of the loss of x against t with
// respect to every parameter by central differences (grad.Numerical,
// h = 1e-4), with the layers in training mode as Gradient has them, and
// returns new tensors aligned with Params. It needs two forward passes per
// parameter, so it is slow by nature: it splits the parameters among
// GOMAXPROCS goroutines, each with its own Clone of the network (serially,
// on the network itself, when a layer cannot be cloned). The network's
// parameters are unchanged afterwards.
func (n *Network) NumericalGradient(x, t *tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(n.params))
	total := 0
	for i, p := range n.params {
		out[i] = tensor.New(p.Shape()...)
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
	return out
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
