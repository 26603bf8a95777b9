#!/usr/bin/env python3
"""Train a small PyTorch model on MNIST and export it to ONNX, for the tests
of numlearn's onnx package: a model made elsewhere, by the tool most models
come from, that onnx.Import must read and predict with exactly as PyTorch
does.

    python3 onnx/testdata/make_torch_models.py [MNIST_DIR]

MNIST_DIR holds the four IDX files (.gz or raw) as numlearn's mnist package
keeps them; without it, the folder mnist.DefaultDir gives, which
`go run ./examples/mnistshow` fills. Needs PyTorch and numpy (Debian:
python3-torch python3-numpy). It writes, next to itself:

    torch_mlp.onnx        Flatten → Linear(784, 100) → ReLU → Linear(100, 10)
                          → Softmax, float32, opset 17, one epoch of Adam
    torch_mlp_scores.npz  "logits": PyTorch's float32 scores before the
                          softmax for the 10,000 test images, (10000, 10)

The model is small (about 320 KB) and the scores compact (float32), so
both are committed; the script is kept to show how they were made and to
remake them. The result depends on PyTorch's version and random streams,
so a remade model differs from the committed one, and the scores with it.
"""
import gzip
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))


def default_dir():
    # As numlearn's mnist.DefaultDir (with Go's os.UserCacheDir on Linux).
    if os.environ.get("NUMLEARN_MNIST_DIR"):
        return os.environ["NUMLEARN_MNIST_DIR"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "numlearn", "mnist")


def read_idx(path):
    for name in (path + ".gz", path):
        if os.path.exists(name):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(name, "rb") as f:
                data = f.read()
            break
    else:
        sys.exit(f"{path}(.gz) not found: run `go run ./examples/mnistshow` first")
    magic, n = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows * cols)
    return np.frombuffer(data, np.uint8, offset=8)


def load(folder, kind):
    images = read_idx(os.path.join(folder, f"{kind}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(folder, f"{kind}-labels-idx1-ubyte"))
    # Pixels / 255 as float32, as numlearn's mnist package gives them
    # (in float64) and the book's load_mnist(normalize=True).
    return torch.from_numpy(images.astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else default_dir()
    torch.manual_seed(1)
    torch.set_num_threads(2)
    x_train, t_train = load(folder, "train")
    x_test, t_test = load(folder, "t10k")

    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
    opt = torch.optim.Adam(mlp.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    perm = torch.randperm(len(x_train))
    for i in range(0, len(x_train), 100):  # one epoch, batches of 100
        idx = perm[i:i + 100]
        opt.zero_grad()
        loss = loss_fn(mlp(x_train[idx]), t_train[idx])
        loss.backward()
        opt.step()
    mlp.eval()
    with torch.no_grad():
        logits = mlp(x_test)
    classes = logits.argmax(dim=1)
    acc = (classes == t_test).float().mean().item()
    print(f"test accuracy {acc:.4f}")

    model = nn.Sequential(mlp, nn.Softmax(dim=1)).eval()
    torch.onnx.export(
        model, x_test[:1].reshape(1, 1, 28, 28), os.path.join(HERE, "torch_mlp.onnx"),
        input_names=["image"], output_names=["probabilities"],
        dynamic_axes={"image": {0: "N"}, "probabilities": {0: "N"}},
        opset_version=17, do_constant_folding=True,
    )
    np.savez_compressed(os.path.join(HERE, "torch_mlp_scores.npz"), logits=logits.numpy().astype(np.float32))
    print("wrote torch_mlp.onnx and torch_mlp_scores.npz")


if __name__ == "__main__":
    main()
