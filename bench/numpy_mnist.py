#!/usr/bin/python3
"""numpy reference of numlearn's MNIST workload, for bench/compare.

The workload is the book's chapter 5 training run (train_neuralnet.py):
a two-layer network 784-50-10 (Affine, ReLU, Affine, softmax with
cross-entropy), weights 0.01·N(0, 1), biases 0, mini-batches of 100 drawn
at random with replacement, plain SGD with learning rate 0.1, 10,000 steps.
The accuracy on all 60,000 training and 10,000 test images is measured
after step 1, after every 600th step (one epoch) and after the last step:
18 evaluations, the schedule of numlearn's Network.Train.

Two variants:

  book  as the book writes it: every layer's backward pass computes its
        input gradient, the first layer's included (nobody uses it), and
        each step runs one more forward pass to record the loss after the
        update (train_neuralnet.py calls network.loss after the update).
  lean  the same layers, but the first layer skips its input gradient and
        the loss recorded is the one the gradient's forward pass computed;
        evaluations predict 10,000 images at a time (numlearn's default
        chunk) instead of a whole set at once.

Both use float64 throughout, like numlearn (the book's loader gives float32
images, which numpy would convert to float64 at each product with the
float64 weights). The book variant computes accuracy over each whole set
at once, as the book's TwoLayerNet.accuracy does.

The script refuses to run unless numpy's BLAS is OpenBLAS (checked with
threadpoolctl): Debian's numpy without libopenblas0-pthread falls back to
the reference BLAS, several times slower, and a comparison with it says
nothing. Run it with Debian's python:

  sudo apt-get install -y python3-numpy libopenblas0-pthread python3-threadpoolctl
  /usr/bin/python3 bench/numpy_mnist.py --variant lean

It prints one JSON line: iterations, load/train/eval seconds, ms per step,
the final train and test accuracy, and the BLAS numpy ran on.
"""

import argparse
import gzip
import json
import os
import sys
import time

INSTALL = ("install Debian's numpy with OpenBLAS and run it with /usr/bin/python3:\n"
           "  sudo apt-get install -y python3-numpy libopenblas0-pthread python3-threadpoolctl")

# Exit status when numpy, threadpoolctl or OpenBLAS is missing, so that the
# caller can tell "cannot compare" from a crash.
EXIT_NO_BLAS = 3

try:
    import numpy as np
except ImportError as e:
    print(f"numpy_mnist: cannot import numpy ({e}); {INSTALL}", file=sys.stderr)
    sys.exit(EXIT_NO_BLAS)
try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError as e:
    print(f"numpy_mnist: cannot import threadpoolctl ({e}), so cannot tell which BLAS numpy runs; {INSTALL}",
          file=sys.stderr)
    sys.exit(EXIT_NO_BLAS)

# Rows the lean variant predicts at once when evaluating, as numlearn's
# TrainConfig.EvalChunk default does: the temporaries stay a few MB.
EVAL_CHUNK = 10000

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"


def default_dir():
    """The folder mnist.DefaultDir() names: $NUMLEARN_MNIST_DIR, else the
    user cache folder (Go's os.UserCacheDir) + numlearn/mnist."""
    d = os.environ.get("NUMLEARN_MNIST_DIR")
    if d:
        return d
    if sys.platform == "darwin":
        cache = os.path.expanduser("~/Library/Caches")
    elif sys.platform == "win32":
        cache = os.environ.get("LocalAppData", "")
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(cache, "numlearn", "mnist")


def blas_info():
    """The BLAS libraries numpy has loaded, as threadpoolctl reports them."""
    return [lib for lib in threadpool_info() if lib.get("user_api") == "blas"]


def require_openblas():
    """Returns threadpoolctl's record of numpy's OpenBLAS, or exits."""
    libs = blas_info()
    for lib in libs:
        if lib.get("internal_api") == "openblas":
            return lib
    found = ", ".join(f"{lib.get('internal_api')} ({lib.get('filepath')})" for lib in libs) or "no BLAS threadpoolctl knows"
    print(f"numpy_mnist: numpy {np.__version__} at {np.__file__} runs {found}, not OpenBLAS: "
          f"refusing to compare; {INSTALL}", file=sys.stderr)
    sys.exit(EXIT_NO_BLAS)


def read_idx(path, magic, dims):
    """Reads a gzipped IDX file whose header is magic then dims sizes, and
    returns the sizes and the uint8 payload."""
    with gzip.open(path, "rb") as f:
        buf = f.read()
    header = 4 * (1 + dims)
    if len(buf) < header:
        raise ValueError(f"{path}: {len(buf)} bytes, shorter than its {header}-byte header")
    fields = np.frombuffer(buf, dtype=">u4", count=1 + dims)
    if int(fields[0]) != magic:
        raise ValueError(f"{path}: magic number {int(fields[0]):#x}, want {magic:#x}")
    sizes = [int(s) for s in fields[1:]]
    want = int(np.prod(sizes))
    if len(buf) - header != want:
        raise ValueError(f"{path}: {len(buf) - header} bytes of data, header says {want}")
    return sizes, np.frombuffer(buf, dtype=np.uint8, offset=header)


def load_set(folder, images_file, labels_file):
    """Returns (images, labels): images (n, 784) float64 pixel/255, labels
    (n,) int64."""
    (n, rows, cols), pixels = read_idx(os.path.join(folder, images_file), 0x803, 3)
    (m,), labels = read_idx(os.path.join(folder, labels_file), 0x801, 1)
    if n != m:
        raise ValueError(f"{folder}: {n} images in {images_file} but {m} labels in {labels_file}")
    images = pixels.reshape(n, rows * cols).astype(np.float64) / 255.0
    return images, labels.astype(np.int64)


def one_hot(labels, classes=10):
    t = np.zeros((labels.size, classes))
    t[np.arange(labels.size), labels] = 1.0
    return t


class Affine:
    """y = x·W + b. With need_dx False, backward leaves out ∂L/∂x."""

    def __init__(self, w, b, need_dx=True):
        self.w, self.b, self.need_dx = w, b, need_dx
        self.x = self.dw = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.w + self.b

    def backward(self, dout):
        self.dw = self.x.T @ dout             # ∂L/∂W = xᵀ·dout
        self.db = dout.sum(axis=0)            # ∂L/∂b = Σ_rows dout
        if not self.need_dx:
            return None
        return dout @ self.w.T                # ∂L/∂x = dout·Wᵀ


class ReLU:
    """y = max(x, 0); ∂L/∂x = dout where x > 0, else 0."""

    def __init__(self):
        self.off = None

    def forward(self, x):
        self.off = x <= 0
        y = x.copy()
        y[self.off] = 0.0
        return y

    def backward(self, dout):
        dout[self.off] = 0.0
        return dout


class SoftmaxCrossEntropy:
    """Softmax then the mean cross-entropy against one-hot targets t; the
    gradient of the mean loss with respect to the scores is (y − t)/n."""

    def __init__(self):
        self.y = self.t = None

    def forward(self, scores, t):
        z = scores - scores.max(axis=1, keepdims=True)   # no overflow in exp
        e = np.exp(z)
        self.y = e / e.sum(axis=1, keepdims=True)
        self.t = t
        n = scores.shape[0]
        return -np.sum(np.log(self.y[np.arange(n), t.argmax(axis=1)] + 1e-7)) / n

    def backward(self):
        return (self.y - self.t) / self.t.shape[0]


class TwoLayerNet:
    def __init__(self, rng, inputs, hidden, outputs, std, lean):
        self.params = {
            "W1": std * rng.standard_normal((inputs, hidden)), "b1": np.zeros(hidden),
            "W2": std * rng.standard_normal((hidden, outputs)), "b2": np.zeros(outputs),
        }
        p = self.params
        self.layers = [Affine(p["W1"], p["b1"], need_dx=not lean), ReLU(), Affine(p["W2"], p["b2"])]
        self.last = SoftmaxCrossEntropy()

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last.forward(self.predict(x), t)

    def gradient(self, x, t):
        """Returns the loss on (x, t) and the gradients of the parameters."""
        cost = self.loss(x, t)
        dout = self.last.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        first, second = self.layers[0], self.layers[2]
        return cost, {"W1": first.dw, "b1": first.db, "W2": second.dw, "b2": second.db}

    def accuracy(self, x, labels, chunk=None):
        """The fraction of rows of x whose predicted class is the label,
        predicted chunk rows at a time (all at once when chunk is None)."""
        chunk = chunk or x.shape[0]
        correct = 0
        for i in range(0, x.shape[0], chunk):
            correct += int(np.count_nonzero(self.predict(x[i:i + chunk]).argmax(axis=1) == labels[i:i + chunk]))
        return correct / x.shape[0]


def train(args):
    lean = args.variant == "lean"
    start = time.perf_counter()
    x_train, l_train = load_set(args.data, TRAIN_IMAGES, TRAIN_LABELS)
    x_test, l_test = load_set(args.data, TEST_IMAGES, TEST_LABELS)
    t_train = one_hot(l_train)
    load_seconds = time.perf_counter() - start

    rng = np.random.default_rng(args.seed)
    net = TwoLayerNet(rng, x_train.shape[1], args.hidden, 10, 0.01, lean)
    n = x_train.shape[0]
    every = args.eval_every or max(n // args.batch, 1)
    chunk = EVAL_CHUNK if lean else None
    train_seconds = eval_seconds = 0.0
    evals = 0
    train_acc = test_acc = float("nan")
    cost = float("nan")
    for it in range(args.iters):
        step = time.perf_counter()
        idx = rng.integers(0, n, args.batch)     # with replacement, like np.random.choice
        xb, tb = x_train[idx], t_train[idx]
        cost, grads = net.gradient(xb, tb)
        for key, g in grads.items():
            net.params[key] -= args.lr * g
        if not lean:
            cost = net.loss(xb, tb)              # train_neuralnet.py's loss after the update
        train_seconds += time.perf_counter() - step
        if not np.isfinite(cost):
            sys.exit(f"numpy_mnist: step {it + 1}: loss {cost} is not finite")
        if it % every == 0 or it == args.iters - 1:
            ev = time.perf_counter()
            train_acc = net.accuracy(x_train, l_train, chunk)
            test_acc = net.accuracy(x_test, l_test, chunk)
            eval_seconds += time.perf_counter() - ev
            evals += 1
    return {
        "variant": args.variant,
        "iterations": args.iters,
        "evaluations": evals,
        "load_seconds": load_seconds,
        "train_seconds": train_seconds,
        "eval_seconds": eval_seconds,
        "ms_per_iteration": 1000 * train_seconds / args.iters,
        "final_loss": float(cost),
        "train_accuracy": train_acc,
        "test_accuracy": test_acc,
    }


def blas_summary(lib):
    keys = ("internal_api", "version", "architecture", "threading_layer", "num_threads", "filepath")
    return {k: lib.get(k) for k in keys}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", choices=("book", "lean"), default="lean",
                   help="book: extra loss pass and first layer's input gradient; lean: neither (default)")
    p.add_argument("--iters", type=int, default=10000, help="training steps (default 10000)")
    p.add_argument("--batch", type=int, default=100, help="mini-batch size (default 100)")
    p.add_argument("--hidden", type=int, default=50, help="hidden layer size (default 50)")
    p.add_argument("--lr", type=float, default=0.1, help="SGD learning rate (default 0.1)")
    p.add_argument("--eval-every", type=int, default=0,
                   help="steps between evaluations (default 0: one epoch, 60000/batch)")
    p.add_argument("--seed", type=int, default=1, help="seed of numpy's default_rng (default 1)")
    p.add_argument("--threads", type=int, default=0,
                   help="BLAS threads, set with threadpoolctl (default 0: OpenBLAS's own choice)")
    p.add_argument("--data", default=None,
                   help="folder with the four MNIST .gz files (default: numlearn's, " + default_dir() + ")")
    p.add_argument("--blas-info", action="store_true",
                   help="print numpy's BLAS as one JSON line and exit (status 3 if it is not OpenBLAS)")
    args = p.parse_args()
    if args.iters <= 0 or args.batch <= 0 or args.hidden <= 0 or args.lr <= 0 or args.eval_every < 0 or args.threads < 0:
        p.error("--iters, --batch, --hidden and --lr must be positive, --eval-every and --threads not negative")
    if args.data is None:
        args.data = default_dir()

    lib = require_openblas()
    if args.blas_info:
        print(json.dumps({"numpy": np.__version__, "python": sys.executable, "blas": blas_summary(lib)}))
        return
    if args.threads:
        limiter = threadpool_limits(limits=args.threads, user_api="blas")
    else:
        limiter = None
    lib = require_openblas()      # again, for the thread count now in force
    try:
        result = train(args)
    except (OSError, ValueError) as e:
        sys.exit(f"numpy_mnist: {e} (fetch the files with `go run ./examples/mnistshow -quiet`)")
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
    result["numpy"] = np.__version__
    result["blas"] = blas_summary(lib)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
