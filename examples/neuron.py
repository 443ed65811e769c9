"""One neuron, and the graph backprop walks through it (chapters 1 and 4 of the series).

A neuron takes a weighted sum of its inputs, adds a bias, and squishes::

    z = w1*x1 + w2*x2 + b          a = sigmoid(z)

and chapter 4 scores it with the cost ``C0 = (a - y)^2`` for a desired output ``y``.
``C0.backward()`` fills in ``dC0/dw1``, ``dC0/db``...: how much the cost moves per
nudge of each knob. This script checks them against the chain rule by hand,
``dC0/dw1 = x1 * sigmoid'(z) * 2(a - y)``, and draws both graphs.

Writes (into ``--out``, default ``out/``):

* ``neuron.svg``: the neuron ``a = sigmoid(w1 x1 + w2 x2 + b)`` after ``a.backward()``
  (the picture in the README, regenerated with ``python examples/neuron.py --out docs/images``);
* ``neuron_cost.svg``: the same neuron with its cost, after ``C0.backward()``.

Add ``--png`` to also write PNG files. Rendering needs Graphviz's ``dot``; without
it the DOT sources (``.dot``) are written and the install command is printed.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from autograd import Value, draw_graph
from autograd.pictures.files import write_atomic


def build(y: float | None = None) -> tuple[Value, list[Value]]:
    """The neuron (and, if ``y`` is given, its cost); returns (root, parameters)."""
    x1 = Value(2.0, label="x1")
    x2 = Value(0.5, label="x2")
    w1 = Value(-0.6, label="w1")
    w2 = Value(1.5, label="w2")
    b = Value(0.8, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1w1 + x2w2"
    z = s + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    if y is None:
        return a, [w1, w2, b]
    d = a - y
    d.label = "a - y"
    cost = d**2
    cost.label = "C0"
    return cost, [w1, w2, b]


def write(graph: object, path: Path, formats: Sequence[str]) -> list[Path]:
    """Render ``graph`` to ``path.<fmt>`` for each format; DOT source only when dot is missing."""
    written = []
    if shutil.which("dot") is None:
        dot = path.with_suffix(".dot")
        write_atomic(dot, graph.source.encode("utf-8"))  # type: ignore[attr-defined]
        print(
            f"Graphviz's `dot` is not installed, wrote only {dot}. Install it with "
            "`sudo apt-get install graphviz` / `brew install graphviz` / "
            "`conda install -c conda-forge graphviz`.",
            file=sys.stderr,
        )
        return [dot]
    for fmt in formats:
        out = path.with_suffix("." + fmt)
        write_atomic(out, graph.pipe(format=fmt))  # type: ignore[attr-defined]
        written.append(out)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--png", action="store_true", help="also write PNG files (default: SVG only)"
    )
    parser.add_argument(
        "--target",
        type=float,
        default=1.0,
        help="desired output y in the cost C0 = (a - y)^2 (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    formats = ["svg", "png"] if args.png else ["svg"]

    # 1. The neuron alone: da/d(each input and knob).
    a, params = build()
    a.backward()
    w1, w2, b = params
    print(f"a = sigmoid(w1*x1 + w2*x2 + b) = {a.data:.4f}")
    print(f"  da/dw1 = {w1.grad:.4f}   da/dw2 = {w2.grad:.4f}   da/db = {b.grad:.4f}")
    title = "one neuron: a = σ(w1·x1 + w2·x2 + b), after a.backward()"
    # Top to bottom, so the picture fits a page column at full size (text stays readable).
    files = write(
        draw_graph(a, rankdir="TB", params=params, title=title, legend=True),
        args.out / "neuron",
        formats,
    )

    # 2. With the series' cost C0 = (a - y)^2, checked against the chain rule by hand.
    cost, params = build(args.target)
    cost.backward()
    w1, w2, b = params
    z = 2.0 * w1.data + 0.5 * w2.data + b.data
    s = 1.0 / (1.0 + math.exp(-z))
    dc_dz = 2.0 * (s - args.target) * s * (1.0 - s)  # dC0/da * da/dz
    print(f"C0 = (a - y)^2 = {cost.data:.4f} for y = {args.target:g}")
    for name, p, by_hand in (("w1", w1, 2.0 * dc_dz), ("w2", w2, 0.5 * dc_dz), ("b", b, dc_dz)):
        print(f"  dC0/d{name} = {p.grad: .6f}   chain rule by hand: {by_hand: .6f}")
        assert math.isclose(p.grad, by_hand, rel_tol=1e-12, abs_tol=1e-15)
    title = "the neuron's cost C0 = (a − y)², after C0.backward()"
    files += write(
        draw_graph(cost, rankdir="TB", params=params, title=title),
        args.out / "neuron_cost",
        formats,
    )
    for f in files:
        print(f"wrote {f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
