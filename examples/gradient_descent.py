"""Gradient descent on a 2-D cost surface, drawn over its contour lines (chapter 2).

The cost ``C(x, y)`` below is a tilted bowl with a dent: a shallow local minimum
beside the global one. From each starting point we repeat the series' rule

    (x, y)  <-  (x, y) - lr * grad C(x, y)

with the gradient from ``C.backward()`` on Values, and plot the path. Steps
shrink as the slope flattens near a minimum, and where you start decides which
valley you end in: gradient descent finds *a* local minimum, not the best one.

Writes ``gradient_descent.png`` into ``--out`` (default ``out/``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from autograd import Value, no_grad
from nn.pictures.plots import save_figure

STARTS = [(-2.6, 2.2), (2.6, 2.4), (-2.4, -2.2), (0.6, -2.6)]


def cost(x: Value, y: Value) -> Value:
    """A bowl, ``(x² + 2y²)/4``, with two Gaussian dents (the deeper one at (1, 0.5))."""
    bowl = (x * x + 2.0 * y * y) / 4.0
    dent1 = (-((x - 1.0) ** 2 + (y - 0.5) ** 2)).exp() * 1.5
    dent2 = (-((x + 1.6) ** 2 + (y + 1.0) ** 2) * 1.5).exp() * 0.9
    return bowl - dent1 - dent2


def descend(start: tuple[float, float], lr: float, steps: int) -> list[tuple[float, float, float]]:
    """The path ``[(x, y, C), ...]`` of plain gradient descent from ``start``."""
    x = Value(start[0], label="x")
    y = Value(start[1], label="y")
    path = []
    for _ in range(steps):
        x.grad = y.grad = 0.0
        c = cost(x, y)
        path.append((x.data, y.data, c.data))
        c.backward()
        x.data -= lr * x.grad
        y.data -= lr * y.grad
    with no_grad():
        path.append((x.data, y.data, cost(x, y).data))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--steps", type=int, default=60, help="gradient steps per path (default: %(default)s)"
    )
    parser.add_argument(
        "--lr", type=float, default=0.3, help="learning rate: the step size (default: %(default)s)"
    )
    parser.add_argument(
        "--grid",
        type=int,
        default=120,
        help="points per side of the grid the contours are drawn from (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    paths = [descend(s, args.lr, args.steps) for s in STARTS]
    for s, p in zip(STARTS, paths, strict=True):
        x, y, c = p[-1]
        print(f"start ({s[0]:+.1f}, {s[1]:+.1f}) -> ({x:+.3f}, {y:+.3f}), C = {c:.4f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    xs = np.linspace(-3, 3, args.grid)
    ys = np.linspace(-3, 3, args.grid)
    with no_grad():
        zs = np.array([[cost(Value(float(x)), Value(float(y))).data for x in xs] for y in ys])

    fig, ax = plt.subplots(figsize=(7, 6), dpi=110)
    filled = ax.contourf(xs, ys, zs, levels=30, cmap="viridis", alpha=0.85)
    ax.contour(xs, ys, zs, levels=30, colors="white", linewidths=0.4, alpha=0.6)
    fig.colorbar(filled, ax=ax, label="cost C(x, y)")
    colors = ["#f97316", "#ef4444", "#e879f9", "#facc15"]
    for p, color in zip(paths, colors, strict=True):
        px = [q[0] for q in p]
        py = [q[1] for q in p]
        ax.plot(px, py, "-", color=color, lw=1.8)
        ax.plot(px, py, "o", color=color, ms=3)
        ax.plot(
            px[0],
            py[0],
            "s",
            color=color,
            ms=8,
            mec="black",
            label=f"start {px[0]:+.1f}, {py[0]:+.1f}",
        )
        ax.plot(px[-1], py[-1], "*", color=color, ms=14, mec="black")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"gradient descent: {args.steps} steps of lr = {args.lr:g}, starts ■, ends ★")
    ax.legend(loc="upper center", fontsize=9, ncol=2)
    ax.set_aspect("equal")
    out = args.out / "gradient_descent.png"
    fig.tight_layout()
    save_figure(fig, out, dpi=fig.dpi)
    plt.close(fig)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
