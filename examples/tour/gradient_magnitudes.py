"""Which weights matter most? Gradient magnitudes of a real network on a real digit.

Trains the series' 784-16-16-10 sigmoid network briefly on MNIST, shows it one
training digit, and draws |dC0/dw| for the 784 weights into each of the 16 first
hidden neurons (as 28x28 images), next to the digit and the sorted magnitudes of
all 13,002 gradient entries (chapter 2 of the tour).

Usage::

    python examples/tour/gradient_magnitudes.py --out docs/images
    python examples/tour/gradient_magnitudes.py --quick --out /tmp/tour   # seconds
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import nn
from autograd import Tensor
from nn.pictures.plots import save_figure


def train(x: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> nn.TensorMLP:
    """The series' network after a little mini-batch SGD on the quadratic cost."""
    model = nn.TensorMLP(784, [16, 16, 10], activation="sigmoid", seed=seed, dtype=np.float64)
    optimizer = nn.SGD(model.parameters(), lr=3.0)
    targets = np.eye(10)[y]
    for epoch in range(epochs):
        for xb, yb in nn.batches(x, targets, batch_size=10, seed=seed + epoch):
            optimizer.zero_grad()
            nn.mse(model(Tensor(xb)), Tensor(yb)).backward()
            optimizer.step()
    return model


def gradients(model: nn.TensorMLP, image: np.ndarray, label: int) -> list[np.ndarray]:
    """dC0/dparameter for one example, in ``model.parameters()`` order."""
    model.zero_grad()
    target = np.eye(10)[label][None, :]
    nn.mse(model(Tensor(image[None, :])), Tensor(target)).backward()
    return [np.asarray(p.grad) for p in model.parameters()]


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path("out/tour"), help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--data-dir",
        help="folder with MNIST's four IDX files (default: $MNIST_DIR, else the cache "
        "~/.cache/valuegrad/mnist, downloading what is missing)",
    )
    parser.add_argument(
        "--train",
        type=int,
        default=10_000,
        help="training images for a short training first (default: %(default)s)",
    )
    parser.add_argument(
        "--epochs", type=int, default=1, help="epochs of that training (default: %(default)s)"
    )
    parser.add_argument(
        "--index",
        type=int,
        default=0,
        help="which training digit's gradient to show (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for weights and order (default: %(default)s)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny run (--train 500), for the tests (default: off)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.train = 500

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x_train, y_train, _, _ = nn.load_mnist(args.data_dir)
    x = x_train[: args.train].astype(np.float64)
    model = train(x, y_train[: args.train], args.epochs, args.seed)

    image, label = x_train[args.index].astype(np.float64), int(y_train[args.index])
    grads = gradients(model, image, label)
    first = np.abs(grads[0])  # (16, 784): row k = weights into hidden neuron k
    everything = np.sort(np.concatenate([np.abs(g).ravel() for g in grads]))[::-1]
    assert everything.size == 13_002

    # 8 inches wide at 110 dpi: shown at nearly full size in a page column, so the
    # 9-point labels stay readable (tests/test_figures.py measures them).
    fig = plt.figure(figsize=(8, 8.6), layout="constrained")
    grid = fig.add_gridspec(7, 6)
    ax = fig.add_subplot(grid[0:4, 0:2])
    ax.imshow(image.reshape(28, 28), cmap="gray")
    ax.set_title(f"training digit #{args.index}: a {label}")
    ax.axis("off")
    vmax = float(first.max())
    for k in range(16):
        ax = fig.add_subplot(grid[k // 4, 2 + k % 4])
        ax.imshow(first[k].reshape(28, 28), cmap="magma", vmin=0.0, vmax=vmax)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"neuron {k}", fontsize=10)
    ax = fig.add_subplot(grid[4:, :])
    ax.semilogy(np.arange(1, everything.size + 1), np.maximum(everything, 1e-12))
    ax.set_xscale("log")
    ax.set_xlabel("rank of the gradient entry (13,002 weights and biases)")
    ax.set_ylabel("|dC0 / d knob|")
    ax.set_title("a few knobs matter far more than the rest")
    ax.grid(alpha=0.3)
    fig.suptitle("|dC0/dw| for the weights into each first-layer neuron\n(brighter = matters more)")

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "gradient-magnitudes.png"
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    nonzero = everything[everything > 0]
    print(
        f"wrote {path}: largest |grad| {everything[0]:.3g}, median non-zero "
        f"{np.median(nonzero):.3g}, {np.mean(everything == 0):.0%} exactly zero"
    )
    return path


if __name__ == "__main__":
    main()
