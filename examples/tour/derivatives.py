"""Derivatives of derivatives, drawn (the tour's page 4b).

Two pictures, each computed with ``autograd.grad`` applied again and again:

* ``tanh-derivatives.png``: tanh and its first four derivatives, all from the one
  function ``lambda x: x.tanh()``;
* ``newton-vs-gd.png``: minimising ``f(x) = e^x - 2x`` from x = 2 with Newton's
  method (``x -= f'(x) / f''(x)``, f'' from ``grad(grad(f))``) and with gradient
  descent at three learning rates: ``|f'(x)|`` after each step.

Usage::

    python examples/tour/derivatives.py --out docs/images
    python examples/tour/derivatives.py --quick --out /tmp/tour
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from autograd import Value, grad
from nn.pictures.plots import save_figure


def derivatives(f: Callable[[Any], Any], n: int) -> list[Callable[[Any], Any]]:
    """``[f, f', f'', ..., f^(n)]``: each one ``grad`` of the one before."""
    out = [f]
    for _ in range(n):
        out.append(grad(out[-1]))
    return out


def newton(f: Callable[[Any], Any], x: float, steps: int) -> list[float]:
    """|f'(x)| before each Newton step ``x -= f'(x) / f''(x)``."""
    df, d2f = grad(f), grad(grad(f))
    history = []
    for _ in range(steps):
        g = df(x).item()
        history.append(abs(g))
        x -= g / d2f(x).item()
    return history


def gradient_descent(f: Callable[[Any], Any], x: float, lr: float, steps: int) -> list[float]:
    """|f'(x)| before each step ``x -= lr f'(x)``."""
    df = grad(f)
    history = []
    for _ in range(steps):
        g = df(x).item()
        history.append(abs(g))
        x -= lr * g
    return history


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path("out/tour"), help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer points, for the tests (default: off)"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # 1. tanh and four derivatives, from one function.
    xs = np.linspace(-3, 3, 41 if args.quick else 241)
    fs = derivatives(lambda x: x.tanh(), 4)
    fig, ax = plt.subplots(figsize=(7, 4))
    names = ["tanh", "1st derivative", "2nd", "3rd", "4th"]
    for k, (fk, name) in enumerate(zip(fs, names, strict=True)):
        ax.plot(xs, [fk(Value(x)).item() for x in xs], label=name, lw=2.2 if k == 0 else 1.4)
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_xlabel("x")
    ax.set_title("tanh and its first four derivatives, all from grad(grad(...(tanh)))")
    ax.legend(frameon=False, ncol=2)
    fig.tight_layout()
    written = [args.out / "tanh-derivatives.png"]
    save_figure(fig, written[-1], dpi=120)
    plt.close(fig)

    # 2. Newton's method against gradient descent on f(x) = e^x - 2x, from x = 2.
    def f(x: Value) -> Value:
        return x.exp() - 2 * x

    steps = 12 if args.quick else 40
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.semilogy(newton(f, 2.0, 8), "o-", label="Newton: x -= f'/f''", color="#b91c1c")
    for lr, color in ((0.1, "#93c5fd"), (0.3, "#3b82f6"), (0.5, "#1e3a8a")):
        hist = gradient_descent(f, 2.0, lr, steps)
        ax.semilogy(hist, ".-", label=f"gradient descent, lr = {lr}", color=color)
    ax.set_ylim(1e-13, 20)
    ax.set_xlabel("step")
    ax.set_ylabel("|f'(x)|")
    ax.set_title("minimising e^x - 2x from x = 2")
    ax.legend(frameon=False)
    fig.tight_layout()
    written.append(args.out / "newton-vs-gd.png")
    save_figure(fig, written[-1], dpi=120)
    plt.close(fig)
    for p in written:
        print(f"wrote {p}")
    return written


if __name__ == "__main__":
    main()
