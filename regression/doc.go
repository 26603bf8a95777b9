// Package regression fits linear models by gradient descent, as in Sung
// Kim's lectures 2 and 3: the hypothesis H(x) = W·x + b, the cost
// mean((H(x) − y)²), the bowl-shaped curve of that cost as a function of W,
// and the descent that walks down it. The closed-form least-squares answer
// comes alongside, so that a fit can be checked against the exact minimum.
//
// # Overview
//
//	x := tensor.FromSlice([]float64{1, 2, 3}, 3, 1) // three points, one feature
//	y := tensor.FromSlice([]float64{1, 2, 3})       // one output: (rows) or (rows, 1)
//
//	m := regression.NewLinear(1, 1) // W = [[0]], B = [0]
//	costs, err := m.Fit(x, y, regression.Config{LearningRate: 0.1, Steps: 200})
//	if err != nil {
//		return err // bad data, bad config or a diverging fit
//	}
//	fmt.Println(costs[0], m.W.At(0, 0), m.B.At(0)) // 4.6667 then W ≈ 1, B ≈ 0
//	h := m.Predict(tensor.FromSlice([]float64{5}, 1, 1)) // ≈ [[5]]
//
// The lecture's pieces map onto the API as follows. Linear holds W and B
// (B nil for the hypothesis without bias); Predict is H(x); Cost is the
// cost; Gradient is its exact derivative,
//
//	∂cost/∂W = 2/N · xᵀ(x·W + B − y),   ∂cost/∂B = 2/N · Σ_rows (x·W + B − y),
//
// with N the number of elements of y; Fit repeats W ← W − α·∂cost/∂W (on
// all rows, or on shuffled mini-batches: see Config), with an optional
// tolerance and a per-step callback for printing or plotting; CostCurve
// evaluates cost(W) for H(x) = W·x on a grid of W, the lecture's plot; and
// LeastSquares solves the problem exactly through gonum's QR.
//
// For x = y = [1, 2, 3] without bias, cost(W) = 14/3·(W − 1)² and one step
// of descent maps W − 1 to (1 − 28α/3)·(W − 1): the fit converges for
// 0 < α < 3/14 and diverges beyond.
//
// # Shapes
//
//	x   (rows, features)            one row per sample
//	y   (rows, outputs), or (rows)  when there is one output
//	W   (features, outputs)
//	B   (outputs), or nil           nil: no bias, H(x) = x·W
//	H   (rows, outputs)             what Predict returns
//
// Many features and many outputs work alike. Cost averages over all
// rows × outputs elements of y.
//
// # Errors
//
// Programmer errors panic and data errors return an error, as everywhere in
// numlearn. Predict, Cost and Gradient panic when x, y, W and B do not fit
// together, with a message naming the method and the shapes; Check reports
// the same problems as an error beforehand. Fit and LeastSquares take data
// from outside, so they never panic on it: they return an error wrapping
// one of the sentinels ErrShape, ErrEmpty, ErrNonFinite, ErrConfig or
// ErrRankDeficient, or a *DivergedError (matching ErrDiverged) when the
// descent runs away, in which case the model is put back to its last good
// parameters rather than left holding NaN. Test them with errors.Is and
// errors.As.
//
// # Aliasing
//
// Fit changes the model's W and B in place and nothing else; x and y are
// never written. The tensors passed to a Config.Callback are the model's
// own, valid until the callback returns.
package regression
