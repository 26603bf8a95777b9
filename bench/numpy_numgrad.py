#!/usr/bin/python3
"""numpy reference for numlearn's BenchmarkNumericalGradient.

It times one numerical gradient of the book's chapter 4 TwoLayerNet
(784-50-10: Affine, sigmoid, Affine, softmax with cross-entropy; weights
0.01·N(0, 1), biases 0) on a batch of 100, computed as the book's
numerical_gradient does: every element of W1, b1, W2 and b2 in turn set to
x + h and x − h (h = 1e-4), the whole batch's loss computed each time, and
(f(x + h) − f(x − h)) / 2h taken. That is 2 × 39,760 forward passes.

The batch is shaped like MNIST, as the Go benchmark's: 784 inputs in
[0, 1] of which about a fifth are nonzero, and one-hot targets over 10
classes. Everything is float64.

The script refuses to run unless numpy's BLAS is OpenBLAS (checked with
threadpoolctl), and runs without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
in its environment (some machines set them; OpenBLAS then picks slower
kernels), as bench/compare does for numpy_mnist.py. Run it with Debian's
python:

  sudo apt-get install -y python3-numpy libopenblas0-pthread python3-threadpoolctl
  /usr/bin/python3 bench/numpy_numgrad.py

It prints one JSON line: the seconds one gradient took, the number of
parameters, and the BLAS numpy ran on.
"""

import json
import os
import sys
import time

# Variables that change which kernels OpenBLAS picks. They must be gone
# before numpy loads OpenBLAS, so the script starts itself again without
# them.
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
if any(v in os.environ for v in OPENBLAS_VARS):
    env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_VARS}
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

INSTALL = ("install Debian's numpy with OpenBLAS and run it with /usr/bin/python3:\n"
           "  sudo apt-get install -y python3-numpy libopenblas0-pthread python3-threadpoolctl")
EXIT_NO_BLAS = 3  # numpy, threadpoolctl or OpenBLAS missing: cannot compare

try:
    import numpy as np
    from threadpoolctl import threadpool_info
except ImportError as e:
    print(f"numpy_numgrad: {e}; {INSTALL}", file=sys.stderr)
    sys.exit(EXIT_NO_BLAS)

H = 1e-4  # the book's step for central differences
DELTA = 1e-7  # keeps log(y + delta) finite, as cross_entropy_error does


def require_openblas():
    """Returns threadpoolctl's record of numpy's OpenBLAS, or exits."""
    libs = [lib for lib in threadpool_info() if lib.get("user_api") == "blas"]
    for lib in libs:
        if lib.get("internal_api") == "openblas":
            return lib
    found = ", ".join(f"{lib.get('internal_api')} ({lib.get('filepath')})" for lib in libs) or "no BLAS"
    print(f"numpy_numgrad: numpy runs {found}, not OpenBLAS: refusing to compare; {INSTALL}", file=sys.stderr)
    sys.exit(EXIT_NO_BLAS)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    x = x - x.max(axis=1, keepdims=True)  # no overflow for large scores
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(y, t):
    """Mean over rows of −Σ t·log(y + 1e-7), t one-hot."""
    return -np.sum(t * np.log(y + DELTA)) / y.shape[0]


class TwoLayerNet:
    """The chapter 4 network: parameters in a dict, loss(x, t) a forward pass."""

    def __init__(self, rng, sizes=(784, 50, 10), std=0.01):
        i, h, o = sizes
        self.params = {
            "W1": std * rng.standard_normal((i, h)), "b1": np.zeros(h),
            "W2": std * rng.standard_normal((h, o)), "b2": np.zeros(o),
        }

    def loss(self, x, t):
        p = self.params
        a = sigmoid(x @ p["W1"] + p["b1"])
        return cross_entropy(softmax(a @ p["W2"] + p["b2"]), t)

    def numerical_gradient(self, x, t):
        f = lambda: self.loss(x, t)
        return {name: central_differences(f, w) for name, w in self.params.items()}


def central_differences(f, w):
    """(f at w[i] + h − f at w[i] − h) / 2h for every element of w, which
    f reads in place; w is restored afterwards."""
    g = np.zeros_like(w)
    flat, gflat = w.reshape(-1), g.reshape(-1)  # views on w and g
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + H
        up = f()
        flat[i] = orig - H
        down = f()
        flat[i] = orig
        gflat[i] = (up - down) / (2 * H)
    return g


def batch(rng, n=100, features=784, classes=10):
    """n MNIST-like rows: a fifth of the inputs nonzero, in [0, 1)."""
    x = np.where(rng.integers(0, 5, (n, features)) == 0, rng.random((n, features)), 0.0)
    t = np.eye(classes)[rng.integers(0, classes, n)]
    return x, t


def main():
    blas = require_openblas()
    rng = np.random.default_rng(1)
    net = TwoLayerNet(rng)
    x, t = batch(rng)
    start = time.perf_counter()
    g = net.numerical_gradient(x, t)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": seconds,
        "parameters": sum(v.size for v in g.values()),
        "batch": x.shape[0],
        "numpy": np.__version__,
        "blas": {k: blas.get(k) for k in ("internal_api", "version", "architecture", "num_threads")},
    }))


if __name__ == "__main__":
    main()
