"""The "desires" of the output neurons for one training example (chapter 3 of the tour).

For one training digit, the output layer's wishes are the negative slopes of the
cost, 2 (y_j - a_j). Each output neuron j turns its wish into an opinion about
each neuron k of the last hidden layer, w_jk * sigma'(z_j) * 2 (y_j - a_j); the
hidden neuron's wish is the sum of the ten opinions (which is exactly minus the
gradient backpropagation computes). Averaged over many examples, those wishes
are the negative gradient of the average cost.

Usage::

    python examples/tour/desires.py --out docs/images
    python examples/tour/desires.py --quick --out /tmp/tour   # seconds
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import nn
from autograd import Tensor
from nn.pictures.plots import save_figure


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def wishes(weights: dict[str, np.ndarray], image: np.ndarray, label: int) -> dict[str, np.ndarray]:
    """The output wishes, the per-output opinions about layer 2 and their sum, by hand."""
    a1 = sigmoid(weights["layers.0.weight"] @ image + weights["layers.0.bias"])
    a2 = sigmoid(weights["layers.1.weight"] @ a1 + weights["layers.1.bias"])
    a3 = sigmoid(weights["layers.2.weight"] @ a2 + weights["layers.2.bias"])
    nudges = 2.0 * (np.eye(10)[label] - a3)
    opinions = weights["layers.2.weight"] * (a3 * (1.0 - a3) * nudges)[:, None]
    return {"outputs": a3, "nudges": nudges, "opinions": opinions, "hidden": opinions.sum(0)}


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
        default=5_000,
        help="training images for a short training first (default: %(default)s)",
    )
    parser.add_argument(
        "--average",
        type=int,
        default=1_000,
        help="held-out examples whose wishes are averaged (default: %(default)s)",
    )
    parser.add_argument(
        "--digit", type=int, default=2, help="which digit to follow (default: %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for weights and order (default: %(default)s)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny run (--train 300 --average 100), for the tests (default: off)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.train, args.average = 300, 100

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x_train, y_train, _, _ = nn.load_mnist(args.data_dir)
    x = x_train.astype(np.float64)

    # A briefly trained network: untrained, every output sits near 0.5 and the
    # wishes are all alike; after a little training they become specific.
    model = nn.TensorMLP(784, [16, 16, 10], activation="sigmoid", seed=args.seed, dtype=np.float64)
    optimizer = nn.SGD(model.parameters(), lr=3.0)
    targets = np.eye(10)[y_train[: args.train]]
    for xb, yb in nn.batches(x[: args.train], targets, batch_size=10, seed=args.seed):
        optimizer.zero_grad()
        nn.mse(model(Tensor(xb)), Tensor(yb)).backward()
        optimizer.step()
    weights = {k: np.asarray(v, dtype=np.float64) for k, v in model.state_dict().items()}

    index = int(np.flatnonzero(y_train == args.digit)[0])
    one = wishes(weights, x[index], args.digit)

    # Check the hand computation against backpropagation.
    h = Tensor(x[index])
    for i in range(2):
        h = (
            Tensor(weights[f"layers.{i}.weight"]) @ h + Tensor(weights[f"layers.{i}.bias"])
        ).sigmoid()
    hidden = Tensor(h.data, requires_grad=True)
    out = (Tensor(weights["layers.2.weight"]) @ hidden + Tensor(weights["layers.2.bias"])).sigmoid()
    ((out - Tensor(np.eye(10)[args.digit])) ** 2).sum().backward()
    assert np.allclose(-np.asarray(hidden.grad), one["hidden"])

    pool = range(args.train, args.train + args.average)  # examples not trained on
    average = np.mean([wishes(weights, x[i], int(y_train[i]))["hidden"] for i in pool], axis=0)

    # Two rows, 8 inches wide at 110 dpi: shown at nearly full size in a page column,
    # so the labels stay readable (tests/test_figures.py measures them).
    fig, panels = plt.subplot_mosaic(
        [["digit", "wishes", "sum"], ["matrix", "matrix", "matrix"]],
        figsize=(8, 7.6),
        layout="constrained",
        width_ratios=[1, 1.1, 1.6],
        height_ratios=[1, 1.15],
    )
    axes = [panels["digit"], panels["wishes"], panels["matrix"], panels["sum"]]
    axes[0].imshow(x[index].reshape(28, 28), cmap="gray")
    axes[0].set_title(f"one training example: a {args.digit}")
    axes[0].axis("off")

    colors = ["tab:green" if n > 0 else "tab:red" for n in one["nudges"]]
    axes[1].barh(range(10), one["nudges"], color=colors)
    axes[1].set_yticks(range(10))
    axes[1].invert_yaxis()
    axes[1].axvline(0, color="black", lw=0.8)
    axes[1].set_ylabel("output neuron")
    axes[1].set_title("wishes of the outputs\n2 (y - a)")

    lim = float(np.abs(one["opinions"]).max())
    im = axes[2].imshow(one["opinions"], cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto")
    axes[2].set_yticks(range(10))
    axes[2].set_xticks(range(16))
    axes[2].set_xlabel("hidden neuron k (layer 2)")
    axes[2].set_ylabel("output neuron j")
    axes[2].set_title("what output j wants of hidden neuron k\n(blue: brighter, red: dimmer)")
    fig.colorbar(im, ax=axes[2], shrink=0.8)

    ks = np.arange(16)
    axes[3].bar(ks - 0.2, one["hidden"], width=0.4, label=f"this {args.digit}")
    axes[3].bar(ks + 0.2, average, width=0.4, label=f"average of {args.average}")
    axes[3].axhline(0, color="black", lw=0.8)
    axes[3].set_xlabel("hidden neuron k")
    axes[3].set_title("sum of the ten opinions\n(minus the gradient)")
    axes[3].legend(fontsize=10)

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "desires.png"
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}; outputs for the {args.digit}: {np.round(one['outputs'], 2)}")
    return path


if __name__ == "__main__":
    main()
