"""The local derivatives of a Value op, as numbers and as formulas, for pictures and captions.

Every op of :class:`~autograd.Value` records ``d out / d parent`` for each parent
(:mod:`autograd.value`). This module is the one place that reads them for display
(:func:`local_derivatives`) and writes the calculus they come from
(:func:`local_formulas`), e.g. for ``out = w * x``::

    local_derivatives(out) == (x.data, w.data)        # d out/d w = x, d out/d x = w
    local_formulas(out)    == ("x", "w")
"""

from __future__ import annotations

from typing import Any

__all__ = ["local_derivatives", "local_formulas", "node_name"]

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
        return _number(node.data) if not node._parents else "(" + (node._op or "?") + ")"
    return f"({label})" if any(c in label for c in " +-*/^") else label


def local_formulas(node: Any) -> tuple[str, ...]:
    """The calculus of each local derivative, with the operands' names: ``("x", "w")`` for ``w*x``.

    Formulas use ``·`` for products, ``²`` for squares and the op's result
    name for functions whose derivative is written through it (``1 − tanh²``,
    ``σ(1 − σ)``, ``eˣ``).
    """
    parents = node._parents
    if not parents:
        return ()
    names = [node_name(p) for p in parents]
    op = node._op
    a = names[0]
    if op == "+":
        return ("1", "1")
    if op == "-":
        return ("1", "−1")
    if op == "*":
        return (names[1], names[0])
    if op == "/":
        b = names[1]
        return (f"1/{b}", f"−{a}/{b}²")
    if op == "**":
        n = names[1]
        return (f"{n}·{a}^({n}−1)", f"{a}^{n}·ln {a}")
    if op.startswith("**"):
        return (_power_rule(a, float(op[2:])),)
    if op == "neg":
        return ("−1",)
    if op == "exp":
        return (f"exp({_bare(a)})",)
    if op == "log":
        return (f"1/{a}",)
    if op == "tanh":
        return ("1 − tanh²",)
    if op == "sigmoid":
        return ("σ(1 − σ)",)
    if op == "relu":
        return (f"[{_bare(a)} > 0]",)
    return tuple("?" for _ in parents)


def _bare(name: str) -> str:
    return name[1:-1] if name.startswith("(") and name.endswith(")") else name


def _power_rule(a: str, n: float) -> str:
    """``d/da a^n = n a^(n-1)``, simplified for the common exponents."""
    k = n - 1
    if n == 0:
        return "0"
    if k == 0:
        return "1"
    coeff = _number(n)
    if k == 1:
        return f"{coeff}·{a}"
    if float(k).is_integer():
        return f"{coeff}·{a}{str(int(k)).translate(_SUPERSCRIPT)}"
    return f"{coeff}·{a}^{_number(k)}"


def _number(x: float) -> str:
    """Up to 4 significant digits, always with a decimal point or exponent: ``2.0``, ``-0.2005``."""
    s = format(float(x), ".4g")
    return s if any(c in s for c in ".ein") else s + ".0"
