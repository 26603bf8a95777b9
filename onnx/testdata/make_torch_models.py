#!/usr/bin/env python3
"""Train a small PyTorch model on MNIST and export it to ONNX, for the tests
of numlearn's onnx package: a model made elsewhere, by the tool most models
come from, that onnx.Import must read and predict with exactly as PyTorch
does.

    python3 onnx/testdata/make_torch_models.py [--models mlp,convnet,mnist_cnn,resnet_cnn] [MNIST_DIR]

MNIST_DIR holds the four IDX files (.gz or raw) as numlearn's mnist package
keeps them; without it, the folder mnist.DefaultDir gives, which
`go run ./examples/mnistshow` fills. Needs PyTorch and numpy (Debian:
python3-torch python3-numpy). It writes, next to itself:

    torch_mlp.onnx        Flatten → Linear(784, 100) → ReLU → Linear(100, 10)
                          → Softmax, float32, opset 17, one epoch of Adam
    torch_mlp_scores.npz  "logits": PyTorch's float32 scores before the
                          softmax for the 10,000 test images, (10000, 10)
    torch_convnet.onnx    the book's SimpleConvNet: Conv2d(1, 30, 5) → ReLU
                          → MaxPool2d(2) → Flatten → Linear(4320, 100)
                          → ReLU → Linear(100, 10) → Softmax, float32,
                          opset 17, one epoch of Adam
    torch_convnet_scores.npz  "logits": its float32 scores before the
                          softmax for the 10,000 test images, (10000, 10)
    torch_mnist_cnn.onnx  PyTorch's own MNIST example (pytorch/examples,
                          mnist/main.py) with its channels halved to keep
                          the file small: Conv2d(1, 16, 3) → ReLU
                          → Conv2d(16, 32, 3) → ReLU → MaxPool2d(2)
                          → Dropout(0.25) → x.view(x.size(0), -1), which
                          exports as Shape → Gather → Unsqueeze → Concat
                          → Reshape → Linear(4608, 64) → ReLU
                          → Dropout(0.5) → Linear(64, 10) → log_softmax,
                          float32, opset 17, half an epoch of Adadelta
                          (learning rate 1, as the example's)
    torch_mnist_cnn_scores.npz  "logits": its float32 output, the
                          log-softmax, for the first 1,000 test images,
                          (1000, 10)
    torch_resnet_cnn.onnx a small ResNet-style CNN without the residual
                          Add: Conv2d(1, 16, 3, padding=1, bias=False)
                          → BatchNorm2d(16) → ReLU → MaxPool2d(3, 2,
                          padding=1) → Conv2d(16, 32, 3, padding=1,
                          bias=False) → BatchNorm2d(32) → ReLU
                          → Conv2d(32, 32, 3, padding=1, groups=32)
                          → LeakyReLU(0.1) → AdaptiveAvgPool2d(1)
                          → Flatten → Linear(32, 10), float32, opset 17,
                          200 steps (a third of an epoch) of Adam
                          (learning rate 0.003), so that fine-tuning it
                          still has much to improve; exported in eval mode
                          (BatchNormalization with the running statistics)
                          without a softmax, and without folding the
                          BatchNorm2d layers into the convolutions
    torch_resnet_cnn_scores.npz  "logits": its float32 output, the scores,
                          for the first 1,000 test images, (1000, 10)

--models picks which to make (all by default). The models are small
(about 320 KB, 1.7 MB, 1.2 MB and 25 KB) and the scores compact (float32),
so all are committed; the script is kept to show how they were made and to
remake them. The result depends on PyTorch's version and random streams,
so a remade model differs from the committed one, and the scores with it.
"""
import argparse
import gzip
import os
import struct
import sys

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

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


def train(model, x_train, t_train, opt=None, loss_fn=None, n=None, batch=100):
    """One epoch of Adam (learning rate 0.001) in batches of 100, unless
    told another optimizer, loss, number of samples or batch size."""
    opt = opt or torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    perm = torch.randperm(len(x_train))[:n]
    for i in range(0, len(perm), batch):
        idx = perm[i:i + batch]
        opt.zero_grad()
        loss = loss_fn(model(x_train[idx]), t_train[idx])
        loss.backward()
        opt.step()
    model.eval()


def export(name, model, x_test, t_test):
    """Writes name.onnx (with a Softmax after model) and name_scores.npz."""
    with torch.no_grad():
        logits = model(x_test)
    acc = (logits.argmax(dim=1) == t_test).float().mean().item()
    print(f"{name}: test accuracy {acc:.4f}")
    torch.onnx.export(
        nn.Sequential(model, nn.Softmax(dim=1)).eval(), x_test[:1], os.path.join(HERE, name + ".onnx"),
        input_names=["image"], output_names=["probabilities"],
        dynamic_axes={"image": {0: "N"}, "probabilities": {0: "N"}},
        opset_version=17, do_constant_folding=True,
    )
    np.savez_compressed(os.path.join(HERE, name + "_scores.npz"), logits=logits.numpy().astype(np.float32))
    print(f"wrote {name}.onnx and {name}_scores.npz")


def export_output(name, model, x_test, t_test, n=1000, **kwargs):
    """Writes name.onnx, the model as it is (no Softmax added), and
    name_scores.npz with its outputs for the first n test images. kwargs go
    to torch.onnx.export."""
    with torch.no_grad():
        out = model(x_test)
    acc = (out.argmax(dim=1) == t_test).float().mean().item()
    print(f"{name}: test accuracy {acc:.4f}")
    torch.onnx.export(
        model.eval(), x_test[:1], os.path.join(HERE, name + ".onnx"),
        input_names=["image"], output_names=["scores"],
        dynamic_axes={"image": {0: "N"}, "scores": {0: "N"}},
        **{"opset_version": 17, "do_constant_folding": True, **kwargs},
    )
    np.savez_compressed(os.path.join(HERE, name + "_scores.npz"), logits=out[:n].numpy().astype(np.float32))
    print(f"wrote {name}.onnx and {name}_scores.npz")


def make_mlp(x_train, t_train, x_test, t_test):
    torch.manual_seed(1)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
    train(mlp, x_train, t_train)
    export("torch_mlp", mlp, x_test, t_test)


def make_convnet(x_train, t_train, x_test, t_test):
    # The book's SimpleConvNet: 30 filters of 5×5, stride 1, no padding
    # (24×24, pooled to 12×12), a hidden layer of 100, 10 classes.
    torch.manual_seed(2)
    net = nn.Sequential(
        nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10),
    )
    train(net, x_train, t_train)
    export("torch_convnet", net, x_test, t_test)


class MNISTNet(nn.Module):
    """The Net of pytorch/examples' mnist/main.py with half its channels
    (32, 64 and 128 there), flattening by view, as many models do, and
    taking the pixels / 255 as every model here does (the example also
    standardizes them)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(32 * 12 * 12, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def make_mnist_cnn(x_train, t_train, x_test, t_test):
    # The example trains with Adadelta at learning rate 1 on the negative
    # log-likelihood of its log-softmax output; half an epoch is enough
    # for a model that classifies well.
    torch.manual_seed(3)
    net = MNISTNet()
    opt = torch.optim.Adadelta(net.parameters(), lr=1.0)
    train(net, x_train, t_train, opt=opt, loss_fn=F.nll_loss, n=30000, batch=64)
    export_output("torch_mnist_cnn", net, x_test, t_test)


def make_resnet_cnn(x_train, t_train, x_test, t_test):
    # A ResNet's stem and a depthwise block, as a chain: 28×28 → 14×14
    # after the pooling, then global average pooling to 32 features.
    torch.manual_seed(4)
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1, groups=32), nn.LeakyReLU(0.1),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
    )
    # 200 steps only, a third of an epoch: a model trained briefly, which
    # fine-tuning can still improve in a few steps.
    train(net, x_train, t_train, opt=torch.optim.Adam(net.parameters(), lr=3e-3), n=20000)
    # In eval mode torch.onnx.export folds each BatchNorm2d into the Conv
    # before it; PRESERVE keeps them as BatchNormalization nodes, which
    # the model, in eval mode, writes with its running statistics. With
    # PRESERVE torch.onnx asks for no constant folding; this graph has no
    # constants to fold.
    export_output("torch_resnet_cnn", net, x_test, t_test,
                  training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="mlp,convnet,mnist_cnn,resnet_cnn",
                        help="comma-separated: mlp, convnet, mnist_cnn, resnet_cnn")
    parser.add_argument("mnist_dir", nargs="?", default=default_dir())
    args = parser.parse_args()
    makers = {"mlp": make_mlp, "convnet": make_convnet, "mnist_cnn": make_mnist_cnn, "resnet_cnn": make_resnet_cnn}
    models = args.models.split(",")
    for m in models:
        if m not in makers:
            sys.exit(f"unknown model {m!r}: choose from {', '.join(makers)}")
    torch.set_num_threads(2)
    x_train, t_train = load(args.mnist_dir, "train")
    x_test, t_test = load(args.mnist_dir, "t10k")
    # Images as (N, 1, 28, 28), as numlearn's mnist.Images4D gives them.
    x_train, x_test = x_train.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    for m in models:
        makers[m](x_train, t_train, x_test, t_test)


if __name__ == "__main__":
    main()
