"""Draw the one-neuron-per-layer chain of chapter 4 with its gradients.

    a(L-1) --w(L), b(L)--> z(L) --sigmoid--> a(L) --> C0 = (a(L) - y)^2

Usage::

    python examples/tour/chain_graph.py --out docs/images   # writes chain.svg
"""

from __future__ import annotations

import argparse
from pathlib import Path

import graphviz

from autograd import Value, draw_graph


def chain_cost() -> tuple[Value, list[Value]]:
    """The cost C0 of the chapter 4 chain, after ``backward()``, and its knobs."""
    a_prev = Value(0.6, label="a(L-1)")
    w = Value(1.3, label="w(L)")
    b = Value(-0.4, label="b(L)")
    wa = w * a_prev
    wa.label = "w(L) a(L-1)"
    z = wa + b
    z.label = "z(L)"
    a = z.sigmoid()
    a.label = "a(L)"
    y = Value(1.0, label="y")
    diff = a - y
    diff.label = "a(L) - y"
    cost = diff**2
    cost.label = "C0"
    cost.backward()
    return cost, [w, b]


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path("out/tour"), help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--format",
        default="svg",
        help="picture format: svg, png, pdf... (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    cost, knobs = chain_cost()
    picture = draw_graph(
        cost,
        format=args.format,
        rankdir="TB",  # a long chain, top to bottom: it fits a page column at full size
        params=knobs,
        title="C0 = (σ(w(L) a(L-1) + b(L)) − y)², after C0.backward()",
    )
    path = Path(picture.render("chain", directory=str(args.out), cleanup=True))
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    try:
        main()
    except graphviz.ExecutableNotFound as err:  # no `dot`: the message says how to install it
        raise SystemExit(f"chain_graph.py: {err}") from None
