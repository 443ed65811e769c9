"""A film strip of backpropagation: one frame per step of the backward pass.

Backprop visits the graph in reverse topological order. At each step one node
hands its gradient to its parents with the chain rule,
``parent.grad += d(node)/d(parent) * node.grad``. The frames show exactly that:
gradients filling in from the output (``grad 1.000``) back to the inputs, the
active op highlighted in gold, ``grad ?`` where no gradient has arrived yet.

The graph is the series' chapter-4 neuron with its cost,
``C0 = (sigmoid(w1*x1 + w2*x2 + b) - y)^2``, or with ``--mlp`` a tiny 2-2-1 network.

Writes ``frame_000.svg``, ``frame_001.svg``, ... (and ``.png`` unless ``--formats svg``)
into ``--out``/``backprop_film`` (default ``out/backprop_film``). Rendering needs
Graphviz's ``dot``; without it only the DOT sources (``.dot``) are written.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import neuron  # the sibling example: the same neuron, built once

import nn
from autograd import Value, draw_graph
from autograd.graph import topological_order


def neuron_graph() -> tuple[Value, list[Value], Any]:
    """The chapter-4 neuron and its cost; returns (cost, parameters, module=None)."""
    cost, params = neuron.build(y=1.0)
    return cost, params, None


def mlp_graph() -> tuple[Value, list[Value], Any]:
    """A 2-2-1 sigmoid MLP and its cost on one example."""
    mlp = nn.MLP(2, [2, 1], activation="sigmoid", seed=1)
    (out,) = mlp([1.0, -1.0])
    cost = nn.mse([out], [1.0])
    cost.label = "C0"
    return cost, mlp.parameters(), mlp


def _describe(node: Value, root: Value) -> str:
    """The chain-rule step at ``node``, e.g. ``through σ: dC0/dz += 0.2425 × -0.8268``."""
    from autograd.viz import _op_symbol

    r = root.label or "L"
    parts = [
        f"d{r}/d{_name(p)} += {_short(local)} × {_short(node.grad)}"
        for p, local in zip(node._parents, node._local, strict=True)
        if p._parents or p.label  # skip constants such as the 1 in a - 1
    ]
    return f"through {_op_symbol(node._op)} from {node.label or 'its result'}: " + ",  ".join(parts)


def _name(v: Value) -> str:
    name = v.label or f"({_short(v.data)})"
    return f"({name})" if any(c in name for c in " +-*/") else name


def _short(x: float) -> str:
    return format(x, ".4g")


def film(root: Value, params: list[Value], module: Any) -> list[tuple[Any, str]]:
    """Run the backward pass by hand, one node at a time; return (graph, caption) per frame."""
    order = topological_order(root)
    for n in order:
        n.grad = 0.0
    root.grad = 1.0
    reached = {id(root)}
    frames = []

    def frame(caption: str, active: list[Value]) -> None:
        pending = [n for n in order if id(n) not in reached]
        g = draw_graph(
            root,
            params=params,
            module=module,
            title=caption,
            highlight=active,
            pending=pending,
        )
        frames.append((g, caption))

    frame("step 0: forward pass done; seed dC0/dC0 = 1", [root])
    steps = [n for n in reversed(order) if n._parents]
    for i, node in enumerate(steps, start=1):
        node._propagate()
        reached.update(id(p) for p in node._parents)
        frame(f"step {i}/{len(steps)}: {_describe(node, root)}", [node, *node._parents])
    return frames


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("out"),
        help="folder for the frames, written into its backprop_film/ (default: %(default)s)",
    )
    parser.add_argument(
        "--mlp", action="store_true", help="film a 2-2-1 MLP instead of one neuron (default: off)"
    )
    parser.add_argument(
        "--formats",
        default="svg,png",
        help="comma-separated picture formats of every frame (default: %(default)s)",
    )
    parser.add_argument(
        "--max-frames",
        type=int,
        default=None,
        help="stop after this many frames (default: all, one per backward step)",
    )
    args = parser.parse_args(argv)
    folder = args.out / "backprop_film"
    folder.mkdir(parents=True, exist_ok=True)

    root, params, module = mlp_graph() if args.mlp else neuron_graph()
    frames = film(root, params, module)[: args.max_frames]
    have_dot = shutil.which("dot") is not None
    formats = [f.strip() for f in args.formats.split(",") if f.strip()] if have_dot else ["dot"]
    if not have_dot:
        print(
            "Graphviz's `dot` is not installed: writing DOT sources only. Install it with "
            "`sudo apt-get install graphviz` / `brew install graphviz` / "
            "`conda install -c conda-forge graphviz`.",
            file=sys.stderr,
        )
    for i, (g, caption) in enumerate(frames):
        for fmt in formats:
            path = folder / f"frame_{i:03d}.{fmt}"
            if fmt == "dot":
                path.write_text(g.source)
            else:
                path.write_bytes(g.pipe(format=fmt))
        print(f"frame {i:3d}: {caption}")
    print(f"wrote {len(frames)} frames ({', '.join(formats)}) to {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
