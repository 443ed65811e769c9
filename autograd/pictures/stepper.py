"""An HTML page that steps through the backward pass of a Value graph: :func:`write_stepper`.

The page holds one Graphviz SVG of the graph (laid out once, so nodes never
jump), the steps of :func:`autograd.pictures.film.backward_steps` as JSON, and a small
script (``autograd/pictures/assets/stepper.js``) with next / previous / play buttons: at
each step the active node is highlighted, the gradients not yet known read
``grad ?``, and the chain-rule arithmetic is shown with its numbers,
``dC/dw1 += x1 · dC/d(x1*w1) = 2.0 · -0.2005``.

Everything is inlined (SVG, CSS, script, data): the file opens by double-click,
with no server and nothing from the network.
"""

from __future__ import annotations

import math
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from autograd.backprop import topological_order
from autograd.pictures.captions import node_name
from autograd.pictures.draw import draw_graph
from autograd.pictures.files import write_atomic
from autograd.pictures.film import backward_steps, example_neuron, showing
from autograd.pictures.nodes import four_digits
from autograd.pictures.text import html_text, script_json

__all__ = ["stepper_html", "write_stepper"]


def _asset(name: str) -> str:
    return (
        resources.files("autograd.pictures")
        .joinpath("assets")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


def stepper_html(root: Any = None, *, fps: float = 1.0, **options: Any) -> str:
    """The stepper page for ``root`` (default: the chapter-4 neuron and its cost) as a string.

    Args:
        root: a scalar :class:`~autograd.Value`.
        fps: steps per second when playing.
        options: :func:`~autograd.draw_graph` options (``params``, ``module``,
            ``rankdir``, ``theme``, ``edge_derivatives``, ``title``...).

    Raises:
        TypeError: ``root`` is not a scalar Value.
        ValueError: ``fps`` is not a positive number.
        graphviz.ExecutableNotFound: Graphviz's ``dot`` is missing.
    """
    if not (isinstance(fps, (int, float)) and math.isfinite(fps) and fps > 0):
        raise ValueError(f"write_stepper: fps must be a positive number, got {fps!r}")
    if root is None:
        root = example_neuron()
    steps = backward_steps(root)
    order = topological_order(root)
    index = {id(n): i for i, n in enumerate(order)}
    title = options.pop("title", None) or f"Backpropagation through {node_name(root)}, step by step"
    options.pop("format", None)
    theme = options.get("theme", "light")
    theme = getattr(theme, "name", theme)
    with showing(order, steps[-1].grads):
        svg = draw_graph(root, **options).pipe(format="svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]
    data = {
        "fps": fps,
        "nodes": len(order),
        "constants": [i for i, n in enumerate(order) if not n._parents and not n.label],
        "steps": [
            {
                "caption": s.caption,
                "lines": s.lines,
                "node": index[id(s.node)],
                "parents": [index[id(t.parent)] for t in s.terms],
                "grads": {index[k]: f"grad {four_digits(g)}" for k, g in s.grads.items()},
            }
            for s in steps
        ],
    }
    parts = {
        "STYLE": _asset("stepper.css"),
        "SCRIPT": _asset("stepper.js"),
        "THEME": html_text(str(theme)),
        "TITLE": html_text(title),
        "DATA": script_json(data),
        "SVG": svg,
    }
    return re.sub(r"__([A-Z]+)__", lambda m: parts[m.group(1)], _asset("stepper.html"))


def write_stepper(
    root: Any = None, path: str | os.PathLike[str] = "stepper.html", **draw_graph_options: Any
) -> Path:
    """Write a self-contained HTML page that steps through ``root``'s backward pass.

    >>> from autograd.pictures.film import example_neuron
    >>> write_stepper(example_neuron(), "backprop.html")  # doctest: +SKIP

    Args:
        root: a scalar Value (default: the chapter-4 neuron and its cost).
        path: the ``.html`` file to write (atomically).
        draw_graph_options: :func:`~autograd.draw_graph` options, and ``fps``
            (steps per second when playing).

    Returns:
        the path written.
    """
    return write_atomic(path, stepper_html(root, **draw_graph_options).encode("utf-8"))
