"""MkDocs hook: the table of Value's ops in the API reference, made from the engine's
registry (``autograd.value.OPS``), so it cannot go stale.

The reference hides methods whose names start with ``_``, and with them the operators
(``__add__``, ...), where "forward and derivative side by side" lives. The marker
``<!-- value-ops -->`` in a page becomes a table: each op, how to write it, and its
local derivatives as registered (``OPS[name].formulas``), typeset as TeX for MathJax.
"""

from __future__ import annotations

import re
from typing import Any

MARKER = "<!-- value-ops -->"

# How an op is written, by the name of the method that computes it.
_CODE = {
    "__add__": "a + b",
    "__sub__": "a - b",
    "__mul__": "a * b",
    "__truediv__": "a / b",
    "__neg__": "-a",
    "abs": "a.abs(), abs(a)",
}
# The registered formulas are Unicode text for captions; their TeX, symbol by symbol.
_TEX = [
    ("·", r" \cdot "),
    ("−", "-"),
    ("²", "^2"),
    ("σ", r"\sigma"),
    ("tanh", r"\tanh"),
    ("ln ", r"\ln "),
    ("exp(", r"\exp("),
    ("sign(", r"\operatorname{sign}("),
]


def tex(formula: str) -> str:
    """A registered formula (``"{b}·{a}^({b}−1)"``) as TeX (``b \\cdot a^{b-1}``)."""
    text = formula.format(a="a", b="b", a_bare="a")
    for plain, latex in _TEX:
        text = text.replace(plain, latex)
    return re.sub(r"\^\(([^()]*)\)", r"^{\1}", text)


def code(name: str, method_name: str) -> str:
    """How op ``name`` is written: ``a + b``, ``a ** n``, ``a.exp()``."""
    if name == "**n":
        return "a ** n (n a number)"
    if name == "**":
        return "a ** b (b a Value)"
    return _CODE.get(method_name, f"a.{method_name}()")


def table() -> str:
    """The Markdown table of every op in ``autograd.value.OPS``, in registration order."""
    from autograd.value import OPS

    rows = [
        "| op | written | $\\partial\\,\\mathrm{out}/\\partial a$ | "
        "$\\partial\\,\\mathrm{out}/\\partial b$ |",
        "|---|---|---|---|",
    ]
    for name, op in OPS.items():
        d = [f"${tex(f)}$" for f in op.formulas] + [""] * (2 - len(op.formulas))
        written = code(name, op.method.__name__)
        rows.append(f"| `{name}` | `{written}` | {d[0]} | {d[1]} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    return markdown.replace(MARKER, table()) if MARKER in markdown else markdown
