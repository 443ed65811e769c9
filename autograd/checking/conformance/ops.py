"""One op at a time: its math (value and derivatives), random points inside its domain,
and the test of an engine's result at one point.

The derivatives are the textbook ones, written out below; a failing case also shows
a central finite difference of the same math, so the learner sees two independent
witnesses of the right answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from autograd.checking.conformance.adapter import Adapter, as_float
from autograd.checking.gradcheck import check_local_derivatives
from autograd.checking.strategies import BINARY_OPS, finite_floats

__all__ = [
    "EXPONENTS",
    "Failure",
    "OpCase",
    "describe_error",
    "math_of",
    "op_cases",
    "special_cases",
    "test_case",
]

EXPONENTS: tuple[float, ...] = (2, 3, 0, 1, -1, -2, 0.5, 1.5, -0.5)
"""Number exponents of ``x ** n`` the checks use (``0`` and ``1`` on purpose: easy to get wrong)."""

_RTOL, _ATOL = 1e-6, 1e-9


class Failure(Exception):
    """A failed property: what went wrong, the case as code, and the op to blame."""

    def __init__(
        self,
        message: str,
        example: str | None = None,
        op: str | None = None,
        explain: Callable[[], Failure] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.example = example
        self.op = op
        self.explain = explain  # the same failure with more said, worked out on demand

    def explained(self) -> Failure:
        return self.explain() if self.explain is not None else self


def describe_error(e: BaseException) -> str:
    text = str(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


# ------------------------------------------------------------------- math


def math_of(op: str, a: float, b: float | None = None) -> tuple[float, tuple[float, ...]]:
    """``(value, (d/da, d/db))`` of an op; for ``"**n"`` pass the exponent as ``b``."""
    if op == "+":
        assert b is not None
        return a + b, (1.0, 1.0)
    if op == "-":
        assert b is not None
        return a - b, (1.0, -1.0)
    if op == "*":
        assert b is not None
        return a * b, (b, a)
    if op == "/":
        assert b is not None
        return a / b, (1.0 / b, -a / (b * b))
    if op == "**":
        assert b is not None
        y = math.pow(a, b)
        return y, (b * math.pow(a, b - 1), y * math.log(a))
    if op == "**n":
        assert b is not None
        return math.pow(a, b), ((b * math.pow(a, b - 1) if b != 0 else 0.0),)
    if op == "neg":
        return -a, (-1.0,)
    if op == "exp":
        y = math.exp(a)
        return y, (y,)
    if op == "log":
        return math.log(a), (1.0 / a,)
    if op == "tanh":
        t = math.tanh(a)
        return t, (1.0 - t * t,)
    if op == "sigmoid":
        s = 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))
        return s, (s * (1.0 - s),)
    if op == "relu":
        return max(a, 0.0), ((1.0 if a > 0 else 0.0),)
    if op == "abs":
        return math.fabs(a), ((1.0 if a > 0 else -1.0 if a < 0 else 0.0),)
    raise ValueError(f"unknown op {op!r}")


def _finite_difference(op: str, args: list[float], k: int, power: float | None) -> float:
    """Central difference of the math in argument ``k`` (for display)."""
    h = 1e-6 * max(1.0, abs(args[k]))

    def f(x: float) -> float:
        a = [*args[:k], x, *args[k + 1 :]]
        return math_of(op, a[0], power if op == "**n" else (a[1] if len(a) > 1 else None))[0]

    try:
        return (f(args[k] + h) - f(args[k] - h)) / (2 * h)
    except (ArithmeticError, ValueError):
        return math.nan


# ------------------------------------------------------------------ cases


@dataclass(frozen=True)
class OpCase:
    """One op at one point.

    ``form`` says where the nodes are: ``"nodes"`` (``x op y``), ``"right"``
    (``x op c``, a number on the right), ``"left"`` (``c op x``, the reflected
    operator), ``"unary"`` (``x.op()``, ``-x``, ``x ** n``).
    """

    op: str
    form: str
    a: float
    b: float | None = None  # the second operand, or the exponent of "**n"

    @property
    def code_op(self) -> str:
        """The op as code with ``x``, ``y`` and constants: ``"x * y"``, ``"2.5 - x"``."""
        if self.form == "nodes":
            return f"x {self.op} y"
        if self.form == "right":
            return f"x {self.op} {self.b!r}"
        if self.form == "left":
            return f"{self.a!r} {self.op} x"
        if self.op == "**n":
            return f"x ** {_number(self.b)}"
        if self.op == "neg":
            return "-x"
        return f"x.{self.op}()"

    def node_values(self) -> list[float]:
        """The data of the leaves ``x`` (and ``y``)."""
        if self.form == "nodes":
            assert self.b is not None
            return [self.a, self.b]
        if self.form == "left":
            assert self.b is not None
            return [self.b]
        return [self.a]

    def code(self, adapter: Adapter) -> str:
        """The case as a script: leaves, the op, and what to print. An engine that stores
        its local derivatives (``adapter.local``) prints them, so the example runs before
        ``backward()`` exists (the track's exercises 1-7); ``backward()`` follows as a
        comment. Any other engine's example calls ``backward()`` and prints the gradients."""
        values = self.node_values()
        names = ["x", "y"][: len(values)]
        lines = [f"{n} = {adapter.name}({v!r})" for n, v in zip(names, values, strict=True)]
        op_code = self.code_op
        if self.op in adapter.methods:  # the engine's own name for the method
            op_code = f"x.{adapter.methods[self.op]}()"
        lines.append(f"out = {op_code}")
        data, grad, back = adapter.data, adapter.grad, adapter.backward_method
        grads = ", ".join(f"{n}.{grad}" for n in names)
        if adapter.local is None:
            lines += [f"out.{back}()", f"print(out.{data}, {grads})"]
        else:
            lines += [
                f"print(out.{data}, out.{adapter.local})  # the value, its local derivatives",
                f"# once {back}() works (exercise 8): out.{back}(); print({grads})",
            ]
        return "\n".join(lines)

    def math(self) -> tuple[float, list[float], list[float]]:
        """``(value, derivative per node, finite difference per node)``."""
        if self.form == "left":
            assert self.b is not None
            args = [self.a, self.b]
            value, d = math_of(self.op, self.a, self.b)
            return value, [d[1]], [_finite_difference(self.op, args, 1, None)]
        if self.form == "unary":
            value, d = math_of(self.op, self.a, self.b)
            return value, [d[0]], [_finite_difference(self.op, [self.a], 0, self.b)]
        assert self.b is not None
        value, d = math_of(self.op, self.a, self.b)
        fd = [_finite_difference(self.op, [self.a, self.b], k, None) for k in (0, 1)]
        n = 2 if self.form == "nodes" else 1
        return value, list(d[:n]), fd[:n]


def _number(x: float | None) -> str:
    return repr(int(x)) if x is not None and float(x).is_integer() else repr(x)


def _with_special(
    points: tuple[float, ...], rest: st.SearchStrategy[float]
) -> st.SearchStrategy[float]:
    """``rest``, and often one of ``points`` (0 and ±1 are where engines are most often wrong)."""
    return st.one_of(st.sampled_from(points), rest)


def _domain(op: str) -> tuple[st.SearchStrategy[float], st.SearchStrategy[float]]:
    """Strategies for ``a`` and ``b`` inside the op's domain, away from its edges."""
    any_ = _with_special((0.0, 1.0, -1.0), finite_floats(-3.0, 3.0))
    away_from_zero = st.tuples(finite_floats(0.5, 3.0), st.booleans()).map(
        lambda t: -t[0] if t[1] else t[0]
    )
    if op == "/":
        return any_, away_from_zero
    if op == "**":
        return finite_floats(0.5, 3.0), finite_floats(-2.0, 2.0)
    if op == "log":
        return finite_floats(0.1, 5.0), any_
    return any_, any_


@st.composite
def _op_case(draw: st.DrawFn, op: str, forms: tuple[str, ...]) -> OpCase:
    a_s, b_s = _domain(op)
    if op == "**n":
        n = draw(st.sampled_from(EXPONENTS))
        if not float(n).is_integer():
            a = draw(finite_floats(0.5, 3.0))
        elif n < 0:
            a = draw(_domain("/")[1])
        else:
            a = draw(_domain("+")[0])
        return OpCase(op, "unary", a, float(n))
    if op not in BINARY_OPS:
        return OpCase(op, "unary", draw(a_s))
    form = draw(st.sampled_from(forms))
    return OpCase(op, form, draw(a_s), draw(b_s))


def op_cases(op: str) -> st.SearchStrategy[OpCase]:
    """Points inside ``op``'s domain; binary ops with nodes on both sides, and a number
    on the right or on the left (``x ** y`` has no number-on-the-right form: that is
    ``**n``)."""
    forms = ("nodes", "left") if op == "**" else ("nodes", "right", "left")
    return _op_case(op, forms)


def special_cases(op: str) -> list[OpCase]:
    """The op at 0 and ±1 (and every exponent of ``**n``), inside its domain, simplest
    first: points where engines are most often wrong (``x ** 0`` at 0), tried before
    the random ones so that finding them does not depend on luck."""
    points = (0.0, 1.0, -1.0)
    cases: list[OpCase] = []
    if op == "**n":
        for n in EXPONENTS:
            for a in points:
                if (not float(n).is_integer() and a < 0.5) or (n < 0 and a == 0.0):
                    continue
                cases.append(OpCase(op, "unary", a, float(n)))
        return cases
    if op not in BINARY_OPS:
        return [OpCase(op, "unary", a) for a in points if op != "log" or a > 0]
    forms = ("nodes", "left") if op == "**" else ("nodes", "right", "left")
    for form in forms:
        for a in points:
            for b in points:
                if (op == "/" and b == 0.0) or (op == "**" and a <= 0.0):
                    continue
                cases.append(OpCase(op, form, a, b))
    return cases


# ------------------------------------------------------------------ testing


def _close(got: float, expected: float) -> bool:
    return abs(got - expected) <= _ATOL + _RTOL * abs(expected)


def _build(adapter: Adapter, case: OpCase) -> tuple[object, list[object]]:
    leaves = [adapter.leaf(v) for v in case.node_values()]
    if case.form == "nodes":
        args: list[object] = leaves
    elif case.form == "right":
        args = [leaves[0], case.b]
    elif case.form == "left":
        args = [case.a, leaves[0]]
    else:
        args = leaves
    return adapter.apply(case.op, args, case.b), leaves


def test_case(adapter: Adapter, case: OpCase) -> None:
    """Raise :class:`Failure` unless the engine's value and derivatives of ``case`` are right."""
    example = case.code(adapter)
    op = case.op

    def fail(msg: str, out: object = None) -> Failure:
        inner = _building_block(out, op) if out is not None else None
        if inner is None:
            return Failure(f"{case.code_op}: {msg}", example, op)
        return Failure(f"{case.code_op}: {msg}. {inner[1]}", example, inner[0])

    try:
        out, leaves = _build(adapter, case)
    except NotImplementedError as e:
        raise fail(f"not implemented yet ({describe_error(e)})") from None
    except Exception as e:
        raise fail(f"raised {describe_error(e)}") from None
    if not adapter.is_node(out):
        raise fail(f"returned {type(out).__name__} {out!r}, not a {adapter.name}")
    expected, derivs, fds = case.math()
    got = as_float(adapter.value(out))
    if not _close(got, expected):
        raise fail(
            f"out.data: expected {expected!r}, got {adapter.value(out)!r} (wrong forward value)",
            out,
        )
    try:
        if adapter.reads_local_derivatives:
            grads = adapter.local_gradients(out, leaves)
        else:
            adapter.run_backward(out)
            grads = [as_float(adapter.grad_of(x)) for x in leaves]
    except NotImplementedError as e:
        raise fail(f"backward not implemented yet ({describe_error(e)})") from None
    except Exception as e:
        raise fail(
            f"backward raised {describe_error(e)}; the derivative there is "
            + ", ".join(repr(d) for d in derivs)
        ) from None
    names = ["x", "y"]
    for k, (g, d, fd) in enumerate(zip(grads, derivs, fds, strict=True)):
        if op == "relu" and case.a == 0.0 and 0.0 <= g <= 1.0:
            continue  # no derivative at the kink: any value in [0, 1] is a subgradient
        if not _close(g, d):
            raise fail(
                f"d out/d{names[k]}: expected {d!r} (finite difference {fd:.10g}), got {g!r} "
                f"(wrong derivative of {op!r})",
                out,
            )


def _building_block(out: Any, op: str) -> tuple[str, str] | None:
    """For an op built from others (``a / b = a * b ** -1``) in an engine whose nodes
    store ``_parents``, ``_local`` and ``_op`` like valuegrad's (and the exercise
    track's): (the op really at fault, why).

    Uses :func:`autograd.checking.gradcheck.check_local_derivatives`, which recomputes every node of
    the op's little graph and its stored local derivatives numerically.
    """
    if not all(hasattr(out, a) for a in ("_parents", "_local", "_op", "data")):
        return None
    try:
        found = check_local_derivatives(out)
    except Exception:  # an engine whose nodes are not quite valuegrad-like
        return None
    if not found:
        return None
    first = found[0]
    inner = "**n" if first.op.startswith("**") and first.op[2:] else first.op
    if inner == op:
        return None
    what = "value" if first.kind == "forward" else "local derivative"
    return inner, (
        f"{op!r} is built from {first.op!r}, and that op's stored {what} is wrong: "
        f"{first.stored!r} instead of {first.expected:.10g}"
    )
