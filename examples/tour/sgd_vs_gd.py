"""Mini-batch SGD against full-batch gradient descent, from real runs (chapter 3 of the tour).

Two copies of the series' 784-16-16-10 sigmoid network start from the same
weights. One takes careful full-batch gradient-descent steps (the average
gradient over every training image), the other takes quick mini-batch steps.
Both are charged for every training example they look at; the plot shows the
average cost on the training set against that count, and against steps.

Usage::

    python examples/tour/sgd_vs_gd.py --out docs/images
    python examples/tour/sgd_vs_gd.py --quick --out /tmp/tour   # seconds
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import nn
from autograd import Tensor, no_grad
from nn.pictures.plots import save_figure


def cost(model: nn.TensorMLP, x: np.ndarray, targets: np.ndarray) -> float:
    with no_grad():
        return float(nn.mse(model(Tensor(x)), Tensor(targets)).data)


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
        "--train", type=int, default=10_000, help="training images used (default: %(default)s)"
    )
    parser.add_argument(
        "--gd-steps",
        type=int,
        default=300,
        help="steps of full-batch gradient descent (default: %(default)s)",
    )
    parser.add_argument(
        "--sgd-epochs",
        type=int,
        default=3,
        help="passes of mini-batch SGD over the images (default: %(default)s)",
    )
    parser.add_argument(
        "--batch-size", type=int, default=10, help="mini-batch size of SGD (default: %(default)s)"
    )
    parser.add_argument(
        "--lr", type=float, default=3.0, help="learning rate of both (default: %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for weights and order (default: %(default)s)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny run (--train 500 --gd-steps 20 --sgd-epochs 1), for the tests (default: off)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.train, args.gd_steps, args.sgd_epochs = 500, 20, 1

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x_train, y_train, _, _ = nn.load_mnist(args.data_dir)
    x = x_train[: args.train]
    targets = np.eye(10, dtype=np.float32)[y_train[: args.train]]
    n = len(x)

    # Full-batch gradient descent: one step = the whole training set.
    gd = nn.TensorMLP(784, [16, 16, 10], activation="sigmoid", seed=args.seed)
    optimizer = nn.SGD(gd.parameters(), lr=args.lr)
    gd_seen, gd_cost = [0], [cost(gd, x, targets)]
    start = time.perf_counter()
    for step in range(1, args.gd_steps + 1):
        optimizer.zero_grad()
        nn.mse(gd(Tensor(x)), Tensor(targets)).backward()
        optimizer.step()
        gd_seen.append(step * n)
        gd_cost.append(cost(gd, x, targets))
    gd_time = time.perf_counter() - start

    # Mini-batch SGD from the same starting weights.
    sgd = nn.TensorMLP(784, [16, 16, 10], activation="sigmoid", seed=args.seed)
    optimizer = nn.SGD(sgd.parameters(), lr=args.lr)
    sgd_seen, sgd_cost = [0], [cost(sgd, x, targets)]
    batch_losses: list[float] = []
    every = max(1, n // args.batch_size // 20)  # about 20 cost measurements per epoch
    seen, step = 0, 0
    start = time.perf_counter()
    for epoch in range(args.sgd_epochs):
        for xb, yb in nn.batches(x, targets, args.batch_size, seed=args.seed + epoch):
            optimizer.zero_grad()
            loss = nn.mse(sgd(Tensor(xb)), Tensor(yb))
            loss.backward()
            optimizer.step()
            batch_losses.append(float(loss.data))
            seen += len(xb)
            step += 1
            if step % every == 0:
                sgd_seen.append(seen)
                sgd_cost.append(cost(sgd, x, targets))
    sgd_time = time.perf_counter() - start

    # One above the other, 8 inches wide at 110 dpi: shown at nearly full size in a page
    # column, so the labels stay readable (tests/test_figures.py measures them).
    fig, (left, right) = plt.subplots(2, 1, figsize=(8, 8.4), layout="constrained")
    left.plot(gd_seen, gd_cost, "o-", ms=3, label=f"full batch ({n:,} per step)")
    left.plot(sgd_seen, sgd_cost, "o-", ms=3, label=f"mini-batches of {args.batch_size}")
    left.set_xscale("symlog", linthresh=n)
    left.set_xlabel("training examples looked at (gradient work)")
    left.set_ylabel(f"average cost C on the {n:,} training images")
    left.set_title("same work: mini-batch SGD gets much further downhill")
    left.legend()
    left.grid(alpha=0.3)

    shown = min(len(batch_losses), max(args.gd_steps, 50) * 2)
    right.plot(
        range(1, shown + 1),
        batch_losses[:shown],
        lw=0.7,
        alpha=0.6,
        color="tab:orange",
        label="mini-batch cost (what each SGD step sees)",
    )
    right.plot(
        range(len(gd_cost)), gd_cost, lw=2, color="tab:blue", label="full-batch cost per step"
    )
    right.set_xlabel("step")
    right.set_ylabel("cost")
    right.set_title("per step: careful and smooth vs quick and noisy")
    right.legend()
    right.grid(alpha=0.3)
    # The work, not the seconds, goes into the picture: a committed figure must come out
    # the same from every run (`make figures`, then a clean `git diff`); times go below.
    fig.suptitle(
        f"{args.gd_steps} full-batch steps looked at {gd_seen[-1]:,} examples; "
        f"{step} mini-batch steps at {sgd_seen[-1]:,}"
    )

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "sgd-vs-gd.png"
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    print(
        f"wrote {path}: full batch {gd_cost[0]:.3f} -> {gd_cost[-1]:.3f} after {gd_seen[-1]:,} "
        f"examples in {gd_time:.1f} s; mini-batch -> {sgd_cost[-1]:.3f} after "
        f"{sgd_seen[-1]:,} in {sgd_time:.1f} s"
    )
    return path


if __name__ == "__main__":
    main()
