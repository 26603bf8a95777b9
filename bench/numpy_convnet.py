#!/usr/bin/python3
"""numpy reference of numlearn's convolutional workload, for bench/compare.

The workload is a step of the book's chapter 7 training run
(train_convnet.py): SimpleConvNet (Convolution of 30 filters 5×5, stride 1,
no padding → ReLU → max pooling 2×2 stride 2 → Affine 4320→100 → ReLU →
Affine 100→10 → softmax with cross-entropy), weights 0.01·N(0, 1), a
mini-batch of 100 MNIST images drawn at random, and Adam (lr 0.001). The
layers follow the book's algorithm: im2col, one product per layer for the
whole batch, col2im for the input gradient (the first layer's included, as
the book computes it). After the timed steps the accuracy on the 10,000
test images is measured, --eval-batch images at a time, and timed too.

Everything is float64, like numlearn. The script refuses to run unless
numpy's BLAS is OpenBLAS (checked with threadpoolctl, as
bench/numpy_mnist.py does). Run it with Debian's python:
  sudo apt-get install -y python3-numpy libopenblas0-pthread python3-threadpoolctl
  /usr/bin/python3 bench/numpy_convnet.py --threads 1
It prints one JSON line: steps, train and evaluation seconds, ms per step,
the test accuracy, and the BLAS numpy ran on.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_mnist as common  # noqa: E402  (exits with status 3 without numpy or threadpoolctl)

np = common.np


def im2col(x, fh, fw, stride, pad):
    """The book's im2col: (N, C, H, W) → (N·OH·OW, C·FH·FW)."""
    n, c, h, w = x.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((n, c, fh, fw, oh, ow))
    for y in range(fh):
        y_max = y + stride * oh
        for xx in range(fw):
            x_max = xx + stride * ow
            col[:, :, y, xx, :, :] = img[:, :, y:y_max:stride, xx:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(col, shape, fh, fw, stride, pad):
    """The book's col2im, the adjoint of im2col."""
    n, c, h, w = shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for y in range(fh):
        y_max = y + stride * oh
        for xx in range(fw):
            x_max = xx + stride * ow
            img[:, :, y:y_max:stride, xx:x_max:stride] += col[:, :, y, xx, :, :]
    return img[:, :, pad:h + pad, pad:w + pad]


class Convolution:
    def __init__(self, w, b, stride=1, pad=0):
        self.w, self.b, self.stride, self.pad = w, b, stride, pad

    def forward(self, x):
        fn, c, fh, fw = self.w.shape
        n, _, h, w = x.shape
        oh, ow = (h + 2 * self.pad - fh) // self.stride + 1, (w + 2 * self.pad - fw) // self.stride + 1
        self.x = x
        self.col = im2col(x, fh, fw, self.stride, self.pad)
        self.col_w = self.w.reshape(fn, -1).T
        out = self.col @ self.col_w + self.b
        return out.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.w.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = dout.sum(axis=0)
        self.dw = (self.col.T @ dout).transpose(1, 0).reshape(fn, c, fh, fw)
        dcol = dout @ self.col_w.T
        return col2im(dcol, self.x.shape, fh, fw, self.stride, self.pad)


class Pooling:
    def __init__(self, ph, pw, stride=1, pad=0):
        self.ph, self.pw, self.stride, self.pad = ph, pw, stride, pad

    def forward(self, x):
        n, c, h, w = x.shape
        oh, ow = (h - self.ph) // self.stride + 1, (w - self.pw) // self.stride + 1
        col = im2col(x, self.ph, self.pw, self.stride, self.pad).reshape(-1, self.ph * self.pw)
        self.x, self.arg_max = x, np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        size = self.ph * self.pw
        dmax = np.zeros((dout.size, size))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (size,))
        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        return col2im(dcol, self.x.shape, self.ph, self.pw, self.stride, self.pad)


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class Affine:
    """The book's Affine, which flattens its input and restores dx's shape."""

    def __init__(self, w, b):
        self.w, self.b = w, b

    def forward(self, x):
        self.shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.w + self.b

    def backward(self, dout):
        self.dw = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.w.T).reshape(*self.shape)


class SimpleConvNet:
    def __init__(self, rng):
        std = 0.01
        self.params = {
            "W1": std * rng.standard_normal((30, 1, 5, 5)), "b1": np.zeros(30),
            "W2": std * rng.standard_normal((30 * 12 * 12, 100)), "b2": np.zeros(100),
            "W3": std * rng.standard_normal((100, 10)), "b3": np.zeros(10),
        }
        p = self.params
        self.layers = [Convolution(p["W1"], p["b1"]), Relu(), Pooling(2, 2, stride=2),
                       Affine(p["W2"], p["b2"]), Relu(), Affine(p["W3"], p["b3"])]
        self.last = common.SoftmaxCrossEntropy()

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def gradient(self, x, t):
        cost = self.last.forward(self.predict(x), t)
        dout = self.last.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        conv, a1, a2 = self.layers[0], self.layers[3], self.layers[5]
        return cost, {"W1": conv.dw, "b1": conv.db, "W2": a1.dw, "b2": a1.db, "W3": a2.dw, "b3": a2.db}

    def accuracy(self, x, labels, batch):
        correct = 0
        for i in range(0, x.shape[0], batch):
            correct += int(np.sum(self.predict(x[i:i + batch]).argmax(axis=1) == labels[i:i + batch]))
        return correct / x.shape[0]


class Adam:
    """The book's Adam (common/optimizer.py), lr 0.001."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2, self.iter, self.m, self.v = lr, beta1, beta2, 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(v) for k, v in params.items()}
            self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for k in params:
            self.m[k] += (1 - self.beta1) * (grads[k] - self.m[k])
            self.v[k] += (1 - self.beta2) * (grads[k] ** 2 - self.v[k])
            params[k] -= lr_t * self.m[k] / (np.sqrt(self.v[k]) + 1e-7)


def bench(args):
    x_train, l_train = common.load_set(args.data, common.TRAIN_IMAGES, common.TRAIN_LABELS)
    x_test, l_test = common.load_set(args.data, common.TEST_IMAGES, common.TEST_LABELS)
    x_train, x_test = x_train.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    t_train = common.one_hot(l_train)
    rng = np.random.default_rng(args.seed)
    net, opt = SimpleConvNet(rng), Adam()
    n = x_train.shape[0]

    def step():
        idx = rng.integers(0, n, args.batch)
        cost, grads = net.gradient(x_train[idx], t_train[idx])
        opt.update(net.params, grads)
        return cost

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        cost = step()
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    acc = net.accuracy(x_test, l_test, args.eval_batch)
    eval_seconds = time.perf_counter() - start
    return {
        "iterations": args.steps,
        "train_seconds": train_seconds,
        "eval_seconds": eval_seconds,
        "ms_per_iteration": 1000 * train_seconds / args.steps,
        "final_loss": float(cost),
        "test_accuracy": acc,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=20, help="timed training steps (default 20)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    p.add_argument("--batch", type=int, default=100, help="mini-batch size (default 100)")
    p.add_argument("--eval-batch", type=int, default=100, help="test images predicted at once (default 100, the book's accuracy batch_size)")
    p.add_argument("--seed", type=int, default=1, help="seed of numpy's default_rng (default 1)")
    p.add_argument("--threads", type=int, default=0,
                   help="BLAS threads, set with threadpoolctl (default 0: OpenBLAS's own choice)")
    p.add_argument("--data", default=None,
                   help="folder with the four MNIST .gz files (default: numlearn's, " + common.default_dir() + ")")
    p.add_argument("--blas-info", action="store_true",
                   help="print numpy's BLAS as one JSON line and exit (status 3 if it is not OpenBLAS)")
    args = p.parse_args()
    if args.steps <= 0 or args.batch <= 0 or args.eval_batch <= 0 or args.warmup < 0 or args.threads < 0:
        p.error("--steps, --batch and --eval-batch must be positive, --warmup and --threads not negative")
    if args.data is None:
        args.data = common.default_dir()
    lib = common.require_openblas()
    if args.blas_info:
        print(json.dumps({"numpy": np.__version__, "python": sys.executable, "blas": common.blas_summary(lib)}))
        return
    limiter = common.threadpool_limits(limits=args.threads, user_api="blas") if args.threads else None
    lib = common.require_openblas()
    try:
        result = bench(args)
    except (OSError, ValueError) as e:
        sys.exit(f"numpy_convnet: {e} (fetch the files with `go run ./examples/mnistshow -quiet`)")
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
    result["numpy"] = np.__version__
    result["blas"] = common.blas_summary(lib)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
