"""A scalar ``nn.MLP`` learns a 2-D toy dataset, and we draw its decision boundary.

The data (two interleaving half-moons, or two spirals) is generated here, so
nothing is downloaded. The network is made of Values, neuron by neuron, and
trained with full-batch gradient descent with momentum on the series' cost
(``nn.mse``) against targets ``0`` / ``1`` read from a sigmoid output::

    python examples/toy_classifier.py              # two moons, 100% training accuracy
    python examples/toy_classifier.py --dataset spirals --steps 400 --hidden 16 16

Writes ``decision_boundary_<dataset>.png`` into ``--out`` (default ``out/``).
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Sequence
from pathlib import Path

import nn
from autograd import no_grad
from nn.pictures.plots import save_figure

Point = tuple[float, float]


def make_moons(n: int, noise: float, rng: random.Random) -> tuple[list[Point], list[int]]:
    """``n`` points on two interleaving half circles (label 0 upper, 1 lower), plus noise."""
    xs: list[Point] = []
    ys: list[int] = []
    for i in range(n):
        label = i % 2
        t = math.pi * rng.random()
        if label == 0:
            x, y = math.cos(t), math.sin(t)
        else:
            x, y = 1.0 - math.cos(t), 0.5 - math.sin(t)
        xs.append((x + rng.gauss(0, noise), y + rng.gauss(0, noise)))
        ys.append(label)
    return xs, ys


def make_spirals(n: int, noise: float, rng: random.Random) -> tuple[list[Point], list[int]]:
    """``n`` points on two interleaved spiral arms."""
    xs: list[Point] = []
    ys: list[int] = []
    for i in range(n):
        label = i % 2
        r = rng.random()
        t = 1.75 * r * 2 * math.pi + label * math.pi
        x, y = r * math.cos(t) * 2.0, r * math.sin(t) * 2.0
        xs.append((x + rng.gauss(0, noise), y + rng.gauss(0, noise)))
        ys.append(label)
    return xs, ys


def standardize(points: list[Point]) -> tuple[list[Point], Point, Point]:
    """Zero mean, unit variance per coordinate (networks learn faster on centred inputs)."""
    n = len(points)
    mean = (sum(p[0] for p in points) / n, sum(p[1] for p in points) / n)
    std = tuple(math.sqrt(sum((p[k] - mean[k]) ** 2 for p in points) / n) or 1.0 for k in range(2))
    out = [((p[0] - mean[0]) / std[0], (p[1] - mean[1]) / std[1]) for p in points]
    return out, mean, (std[0], std[1])


def accuracy(model: nn.MLP, xs: list[Point], ys: list[int]) -> float:
    with no_grad():
        hits = sum((model(list(x))[0].data > 0.5) == bool(y) for x, y in zip(xs, ys, strict=True))
    return float(hits) / len(xs)


def train(
    model: nn.MLP,
    xs: list[Point],
    ys: list[int],
    steps: int,
    lr: float,
    progress: bool = True,
    until_perfect: bool = False,
) -> list[float]:
    """Full-batch gradient descent with momentum on the mean squared error; returns losses.

    With ``until_perfect``, stop at the first step where every point is classified right.
    """
    from tqdm import tqdm

    opt = nn.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = []
    bar = tqdm(total=steps, desc="training", unit="step", disable=not progress)
    for _ in range(steps):
        outs = [model(list(x)) for x in xs]
        loss = nn.mse(outs, [[float(y)] for y in ys])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
        # Accuracy of the weights *before* this step (the outputs the loss came from).
        hits = sum((o[0].data > 0.5) == bool(y) for o, y in zip(outs, ys, strict=True))
        bar.update(1)
        bar.set_postfix(loss=f"{loss.data:.4f}", acc=f"{hits / len(xs):.1%}", refresh=False)
        if until_perfect and hits == len(xs):
            break
    if progress:
        # The last step changed the weights again: show the accuracy of the final
        # model, the same number main() prints in its summary.
        bar.set_postfix(loss=f"{losses[-1]:.4f}", acc=f"{accuracy(model, xs, ys):.1%}")
    bar.close()
    return losses


def plot(
    model: nn.MLP,
    xs: list[Point],
    ys: list[int],
    losses: list[float],
    path: Path,
    grid: int,
    title: str,
) -> None:
    """Decision boundary (the 0.5 contour of the output) with the data, and the loss curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    lo = min(min(p[0] for p in xs), min(p[1] for p in xs)) - 0.5
    hi = max(max(p[0] for p in xs), max(p[1] for p in xs)) + 0.5
    g = np.linspace(lo, hi, grid)
    with no_grad():
        zz = np.array([[model([float(a), float(b)])[0].data for a in g] for b in g])
    fig, (ax, ax2) = plt.subplots(
        # 7.2 in at 110 dpi: its smallest text stays >= 11 px in a 688 px page column.
        1,
        2,
        figsize=(7.2, 3.6),
        dpi=110,
        gridspec_kw={"width_ratios": [1.3, 1]},
    )
    ax.contourf(g, g, zz, levels=np.linspace(0, 1, 21), cmap="RdBu_r", alpha=0.75)
    ax.contour(g, g, zz, levels=[0.5], colors="black", linewidths=1.5)
    arr = np.array(xs)
    lab = np.array(ys)
    ax.scatter(*arr[lab == 0].T, c="#2563eb", edgecolors="white", s=28, label="class 0")
    ax.scatter(*arr[lab == 1].T, c="#dc2626", edgecolors="white", s=28, label="class 1")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=9)
    ax.set_aspect("equal")
    ax2.plot(losses, color="#7c3aed")
    ax2.set_yscale("log")
    ax2.set_xlabel("step")
    ax2.set_ylabel("cost (mse, log scale)")
    ax2.set_title("training cost")
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    plt.close(fig)


def positive_int(text: str) -> int:
    """An argparse type: an int >= 1 (argparse reports anything else as a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer (>= 1), got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--dataset",
        choices=["moons", "spirals"],
        default="moons",
        help="moons: two interleaved half circles; spirals: two interleaved spirals, "
        "harder (default: %(default)s)",
    )
    parser.add_argument(
        "--points",
        type=positive_int,
        default=100,
        help="number of training points (default: %(default)s)",
    )
    parser.add_argument(
        "--noise",
        type=float,
        default=0.1,
        help="standard deviation of the noise added to the points (default: %(default)s)",
    )
    parser.add_argument(
        "--hidden",
        type=int,
        nargs="+",
        default=[8, 8],
        help="sizes of the hidden layers (default: 8 8)",
    )
    parser.add_argument(
        "--activation",
        default="tanh",
        choices=["tanh", "relu", "sigmoid"],
        help="activation of the hidden layers (default: %(default)s)",
    )
    parser.add_argument(
        "--steps",
        type=positive_int,
        default=100,
        help="full-batch gradient descent steps (default: %(default)s)",
    )
    parser.add_argument(
        "--lr", type=float, default=1.0, help="learning rate (default: %(default)s)"
    )
    parser.add_argument(
        "--grid",
        type=int,
        default=80,
        help="points per side of the grid the decision boundary is drawn from "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for the data and weights (default: %(default)s)"
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar (default: one is shown)"
    )
    parser.add_argument(
        "--until-perfect",
        action="store_true",
        help="stop as soon as training accuracy is 100%% (default: run all --steps)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    rng = random.Random(args.seed)
    make = make_moons if args.dataset == "moons" else make_spirals
    raw, ys = make(args.points, args.noise, rng)
    xs, _, _ = standardize(raw)
    model = nn.MLP(
        2, [*args.hidden, 1], activation=args.activation, output_activation="sigmoid", seed=rng
    )
    print(f"{model} on {len(xs)} {args.dataset} points")

    start = time.perf_counter()
    losses = train(
        model,
        xs,
        ys,
        args.steps,
        args.lr,
        progress=not args.no_progress,
        until_perfect=args.until_perfect,
    )
    seconds = time.perf_counter() - start
    acc = accuracy(model, xs, ys)
    print(
        f"final cost {losses[-1]:.5f} after {len(losses)} steps, "
        f"training accuracy {acc:.1%} in {seconds:.1f} s"
    )

    path = args.out / f"decision_boundary_{args.dataset}.png"
    title = f"{args.dataset}: {model.sizes}, {acc:.0%} training accuracy"
    plot(model, xs, ys, losses, path, args.grid, title)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
