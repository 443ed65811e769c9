"""A film strip of backpropagation: one frame per step of the backward pass.

Backprop visits the graph in reverse topological order. At each step one node
hands its gradient to its parents with the chain rule,
``parent.grad += d(node)/d(parent) * node.grad``. The frames show exactly that:
gradients filling in from the output (``grad 1.000``) back to the inputs, the
active op highlighted in gold, ``grad ?`` where no gradient has arrived yet.

The graph is the series' chapter-4 neuron with its cost,
``C0 = (sigmoid(w1*x1 + w2*x2 + b) - y)^2``, or with ``--mlp`` a tiny 2-2-1 network.

The steps are :func:`autograd.pictures.film.backward_steps` (the same model behind
``valuegrad graph ... -o film.gif`` and the HTML stepper); the graph is laid out
once, so every frame has one size and no node moves.

Writes ``frame_000.svg``, ``frame_001.svg``, ... (and ``.png`` unless ``--formats svg``)
into ``--out``/``backprop_film`` (default ``out/backprop_film``), and with ``--gif``
``backprop.gif``, the frames with their captions; the frames of an earlier run there
(``frame_NNN.*``, nothing else) are removed first. Each step's caption and arithmetic
are printed. Rendering needs Graphviz's ``dot``; without it only the steps are printed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import neuron  # the sibling example: the same neuron, built once

import nn
from autograd import Value
from autograd.pictures.files import write_atomic
from autograd.pictures.film import backward_steps, frame_sources, write_gif


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


def film(root: Value, params: list[Value], module: Any) -> tuple[Any, list[tuple[str, str]]]:
    """The backward pass of ``root`` as frames: (pinned layout, [(DOT source, caption)]).

    The steps come from :func:`autograd.pictures.film.backward_steps` (the engine's order);
    every frame is laid out once, so nothing moves and every frame has one size.
    """
    steps = backward_steps(root)
    layout, sources = frame_sources(root, steps, params=params, module=module)
    captions = [" | ".join([s.caption, *s.lines]) for s in steps]
    return layout, list(zip(sources, captions, strict=True))


FRAME = re.compile(r"frame_\d{3}\.[a-z]+")  # the frames this script writes, any format


def remove_old_frames(folder: Path) -> int:
    """Delete the frames an earlier run wrote into ``folder`` (``frame_000.svg``, ...; only
    names of that pattern, nothing else in the folder); returns how many."""
    old = [p for p in folder.iterdir() if p.is_file() and FRAME.fullmatch(p.name)]
    for p in old:
        p.unlink()
    return len(old)


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
    parser.add_argument(
        "--gif",
        action="store_true",
        help="also write backprop.gif, all frames in one animation (default: off)",
    )
    args = parser.parse_args(argv)
    folder = args.out / "backprop_film"
    folder.mkdir(parents=True, exist_ok=True)

    root, params, module = mlp_graph() if args.mlp else neuron_graph()
    have_dot = shutil.which("dot") is not None
    formats = [f.strip() for f in args.formats.split(",") if f.strip()] if have_dot else ["dot"]
    if not have_dot:
        print(
            "Graphviz's `dot` is not installed: printing the steps only. Install it with "
            "`sudo apt-get install graphviz` / `brew install graphviz` / "
            "`conda install -c conda-forge graphviz`.",
            file=sys.stderr,
        )
        for i, step in enumerate(backward_steps(root)[: args.max_frames]):
            print(f"frame {i:3d}: {' | '.join([step.caption, *step.lines])}")
        return 0
    layout, frames = film(root, params, module)
    frames = frames[: args.max_frames]
    removed = remove_old_frames(folder)  # a shorter film would leave the old last frames
    if removed:
        print(f"removed {removed} frames of an earlier run from {folder}")
    for i, (source, caption) in enumerate(frames):
        for fmt in formats:
            path = folder / f"frame_{i:03d}.{fmt}"
            if fmt == "dot":
                write_atomic(path, layout.pin(source).encode("utf-8"))
            else:
                write_atomic(path, layout.render(source, format=fmt))
        print(f"frame {i:3d}: {caption}")
    print(f"wrote {len(frames)} frames ({', '.join(formats)}) to {folder}")
    if args.gif:
        gif = write_gif(root, folder / "backprop.gif", params=params, module=module)
        print(f"wrote {gif} (the same steps, captioned)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
