"""Captions: the local derivatives of a Value op, as numbers and as formulas, for pictures.

Every op of :class:`~autograd.Value` records ``d out / d parent`` for each parent,
and registers the formula it computes (:mod:`autograd.value`). This module reads
both for display, e.g. for ``out = w * x``::

    local_derivatives(out) == (x.data, w.data)        # d out/d w = x, d out/d x = w
    local_formulas(out)    == ("x", "w")
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from autograd.pictures.nodes import op_symbol
from autograd.value import OPS

__all__ = ["factor", "local_derivatives", "local_formulas", "node_name", "node_names"]

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def local_derivatives(node: Any) -> tuple[float, ...]:
    """``d node / d parent`` for each parent of a Value, in the order of ``node._parents``.

    Empty for a leaf. A stored derivative that is itself a graph node (not a
    plain number) is read through its ``data``.
    """
    return tuple(float(getattr(d, "data", d)) for d in getattr(node, "_local", ()))


def node_name(node: Any) -> str:
    """A node's name in captions: its label (parenthesized if an expression), else its number."""
    label = str(getattr(node, "label", "") or "")
    if not label:
        return number(node.data) if not node._parents else "(" + (node._op or "?") + ")"
    return f"({label})" if any(c in label for c in " +-*/^") else label


def node_names(order: Sequence[Any]) -> dict[int, str]:
    """A name for every node of a graph (``order``: inputs first), no two the same, by ``id``.

    A label names its node (parenthesized if it is an expression), a leaf without one
    its number, a result without one its expression over its inputs' names
    (``(x × w)``, ``tanh(x × w)``; ``[+]`` if that would be long). Where two would
    read the same, ``#2``, ``#3``... tell the later ones apart.
    """
    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    for n in order:
        name = node_name(n) if getattr(n, "label", "") or not n._parents else _expression(n, names)
        seen[name] = seen.get(name, 0) + 1
        names[id(n)] = name if seen[name] == 1 else f"{name}#{seen[name]}"
    return names


def _expression(node: Any, names: dict[int, str]) -> str:
    args = [names.get(id(p)) or node_name(p) for p in node._parents]
    symbol = op_symbol(node._op)
    if len(args) == 2:
        text = f"({args[0]} {symbol} {args[1]})"
    elif symbol.startswith("^"):
        text = f"({args[0]}){symbol}"
    else:
        text = f"{symbol}({_bare(args[0])})"
    return text if len(text) <= 24 else f"[{symbol}]"


_TOP_LEVEL_SUM = re.compile(r" [+−-] ")


def factor(formula: str) -> str:
    """``formula`` ready to multiply: parenthesized if it is a sum or difference at its
    top level (``(1 − tanh²)``), else as is (``σ(1 − σ)``, ``2.0·x``)."""
    depth, flat = 0, []
    for c in formula:
        depth += (c == "(") - (c == ")")
        flat.append(c if depth == 0 else "_")
    return f"({formula})" if _TOP_LEVEL_SUM.search("".join(flat)) else formula


def local_formulas(node: Any, names: dict[int, str] | None = None) -> tuple[str, ...]:
    """The calculus of each local derivative, with the operands' names: ``("x", "w")`` for ``w*x``.

    The formulas are the ones each op registers (:data:`autograd.value.OPS`): ``·`` for
    products, ``²`` for squares, and the op's result where the derivative is written
    with it (``1 − tanh²``, ``σ(1 − σ)``). ``?`` for an op that registered none.
    ``names``: the operands' names by ``id`` (:func:`node_names`), else each its own.
    """
    parents = node._parents
    if not parents:
        return ()
    args = [(names or {}).get(id(p)) or node_name(p) for p in parents]
    op = node._op
    if op.startswith("**") and op != "**":  # a number exponent: the power rule, simplified
        return (_power_rule(args[0], float(op[2:])),)
    known = OPS.get(op)
    if known is None or len(known.formulas) != len(parents):
        return tuple("?" for _ in parents)
    a, b = args[0], args[-1]
    return tuple(f.format(a=a, b=b, a_bare=_bare(a)) for f in known.formulas)


def _bare(name: str) -> str:
    return name[1:-1] if name.startswith("(") and name.endswith(")") else name


def _power_rule(a: str, n: float) -> str:
    """``d/da a^n = n a^(n-1)``, simplified for the common exponents."""
    k = n - 1
    if n == 0:
        return "0"
    if k == 0:
        return "1"
    coeff = number(n)
    if k == 1:
        return f"{coeff}·{a}"
    if float(k).is_integer():
        return f"{coeff}·{a}{str(int(k)).translate(_SUPERSCRIPT)}"
    return f"{coeff}·{a}^{number(k)}"


def number(x: float) -> str:
    """Up to 4 significant digits, always with a decimal point or exponent: ``2.0``, ``-0.2005``."""
    s = format(float(x), ".4g")
    return s if any(c in s for c in ".ein") else s + ".0"
