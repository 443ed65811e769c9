"""What a picture reads off a graph node: the walk, the kind of node, its gradient, numbers.

The shared ground of :mod:`~autograd.pictures.draw`, :mod:`~autograd.pictures.collapse`,
:mod:`~autograd.pictures.film` and :mod:`~autograd.pictures.stepper`. A node is a
:class:`~autograd.Value`, a :class:`~autograd.Tensor`, or a stand-in with the same
attributes (``data``, ``grad``, ``label``, ``_op``, ``_parents``), such as a
:class:`~autograd.pictures.collapse.Box`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd.backprop import topological_order

__all__ = ["four_digits", "grad_data", "grad_magnitude", "graph_nodes", "is_value", "op_symbol"]

# How each op is written in its oval; ops not listed are written as named (``tanh``, ``exp``).
_OP_SYMBOLS = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "**": "^",
    "neg": "−x",
    "sigmoid": "σ",
    "relu": "ReLU",
    "matmul": "@",
    "@": "@",
}


def graph_nodes(roots: Sequence[Any]) -> list[Any]:
    """Every node the roots depend on, each once, parents before children."""
    if len(roots) == 1:
        return topological_order(roots[0])
    seen: set[int] = set()
    order: list[Any] = []
    for r in roots:
        for n in topological_order(r):
            if id(n) not in seen:
                seen.add(id(n))
                order.append(n)
    return order


def is_value(n: Any) -> bool:
    """A scalar Value (float data), as opposed to a Tensor (array data, even 0-d)."""
    return not hasattr(n.data, "shape")


def grad_data(n: Any) -> Any:
    """``n.grad`` as a number or array: a gradient that is itself a graph node
    (``backward(create_graph=True)``) is shown by its data."""
    g = n.grad
    return g.data if hasattr(g, "_parents") else g


def grad_magnitude(n: Any) -> float | None:
    """|grad| for a Value, root-mean-square of the grad array for a Tensor, None if no grad."""
    g = grad_data(n)
    if g is None:
        return None
    if isinstance(g, (int, float)):
        return abs(float(g))
    import numpy as np

    arr = np.asarray(g, dtype=np.float64)
    return float(np.sqrt(np.mean(arr * arr))) if arr.size else 0.0


def four_digits(x: float) -> str:
    """4 significant digits, trailing zeros kept: 2.000, 0.5000, -1.234e-05."""
    return format(float(x), "#.4g").replace("e+0", "e+").replace("e-0", "e-")


def op_symbol(op: str) -> str:
    """The text of an op's oval: ``×`` for ``*``, ``^3`` for ``**3``, ``?`` for no op."""
    if op in _OP_SYMBOLS:
        return _OP_SYMBOLS[op]
    if op.startswith("**"):
        return "^" + op[2:]
    return op or "?"
