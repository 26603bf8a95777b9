#!/usr/bin/python3
"""PyTorch reference of numlearn's convolutional workload, for bench/compare.

The same workload as bench/numpy_convnet.py — a step of the book's
SimpleConvNet (Conv 30×5×5 → ReLU → MaxPool 2×2 → Linear 4320→100 → ReLU →
Linear 100→10, softmax cross-entropy) on a random mini-batch of 100 MNIST
images, with Adam at 0.001, then the accuracy on the 10,000 test images,
--eval-batch at a time under torch.inference_mode — written as PyTorch
users write it, on the CPU, in float64 or float32, on --threads threads
(torch.set_num_threads). The input needs no gradient, so PyTorch leaves out
the first layer's input gradient, as numlearn does.

Run it with Debian's python:
  sudo apt-get install -y python3-torch
  /usr/bin/python3 bench/torch_convnet.py --dtype float64 --threads 1
It prints one JSON line: steps, train and evaluation seconds, ms per step,
the test accuracy, and torch's version, dtype and threads.
"""
import argparse
import gzip
import json
import os
import sys
import time

EXIT_NO_TORCH = 3
try:
    import numpy as np
    import torch
except ImportError as e:
    print(f"torch_convnet: cannot import numpy or torch ({e}); install Debian's: sudo apt-get install -y python3-torch",
          file=sys.stderr)
    sys.exit(EXIT_NO_TORCH)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_mnist as common  # noqa: E402


def bench(args):
    dtype = {"float64": torch.float64, "float32": torch.float32}[args.dtype]
    x_train, l_train = common.load_set(args.data, common.TRAIN_IMAGES, common.TRAIN_LABELS)
    x_test, l_test = common.load_set(args.data, common.TEST_IMAGES, common.TEST_LABELS)
    x_train = torch.from_numpy(x_train.reshape(-1, 1, 28, 28)).to(dtype)
    x_test = torch.from_numpy(x_test.reshape(-1, 1, 28, 28)).to(dtype)
    l_train, l_test = torch.from_numpy(l_train), torch.from_numpy(l_test)

    torch.manual_seed(args.seed)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 30, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2), torch.nn.Flatten(),
        torch.nn.Linear(4320, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10),
    ).to(dtype)
    with torch.no_grad():
        for p in net.parameters():       # the book's 0.01·N(0, 1) weights, zero biases
            if p.dim() > 1:
                p.normal_(0, 0.01)
            else:
                p.zero_()
    opt = torch.optim.Adam(net.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x_train.shape[0]
    gen = torch.Generator().manual_seed(args.seed)

    def step():
        idx = torch.randint(0, n, (args.batch,), generator=gen)
        opt.zero_grad(set_to_none=False)
        cost = loss_fn(net(x_train[idx]), l_train[idx])
        cost.backward()
        opt.step()
        return cost

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        cost = step()
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    correct = 0
    with torch.inference_mode():
        for i in range(0, x_test.shape[0], args.eval_batch):
            correct += int((net(x_test[i:i + args.eval_batch]).argmax(dim=1) == l_test[i:i + args.eval_batch]).sum())
    eval_seconds = time.perf_counter() - start
    return {
        "iterations": args.steps,
        "train_seconds": train_seconds,
        "eval_seconds": eval_seconds,
        "ms_per_iteration": 1000 * train_seconds / args.steps,
        "final_loss": float(cost),
        "test_accuracy": correct / x_test.shape[0],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--steps", type=int, default=20, help="timed training steps (default 20)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    p.add_argument("--batch", type=int, default=100, help="mini-batch size (default 100)")
    p.add_argument("--eval-batch", type=int, default=100, help="test images predicted at once (default 100)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data", default=None,
                   help="folder with the four MNIST .gz files (default: numlearn's, " + common.default_dir() + ")")
    args = p.parse_args()
    if args.steps <= 0 or args.batch <= 0 or args.eval_batch <= 0 or args.warmup < 0 or args.threads <= 0:
        p.error("--steps, --batch, --eval-batch and --threads must be positive, --warmup not negative")
    if args.data is None:
        args.data = common.default_dir()
    torch.set_num_threads(args.threads)
    try:
        result = bench(args)
    except (OSError, ValueError) as e:
        sys.exit(f"torch_convnet: {e} (fetch the files with `go run ./examples/mnistshow -quiet`)")
    result.update({"torch": torch.__version__, "dtype": args.dtype, "threads": torch.get_num_threads()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
