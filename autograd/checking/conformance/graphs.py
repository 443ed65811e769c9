"""Whole graphs: chains, random DAGs and fan-out patterns, run on any engine and
checked against central finite differences of the same expression.

Graphs are :class:`autograd.checking.strategies.Expression`\\ s, so they print as code. The right
answer comes from the math: the expression is evaluated with valuegrad's ``Value``
(whose ops are the textbook ones) with each input nudged by ``±eps``, never from
the engine under test. When an engine's gradient is wrong, each op of the graph is
re-checked on its own at the point where the graph used it, to name the wrong op;
when every op is right on its own, the fault is in the backward walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from hypothesis import strategies as st

from autograd.checking.conformance.adapter import Adapter, as_float
from autograd.checking.conformance.ops import EXPONENTS, Failure, OpCase, describe_error, test_case
from autograd.checking.gradcheck import roundoff_of
from autograd.checking.strategies import BINARY_OPS, Expression, Step, finite_floats, run_step
from autograd.grad_mode import enable_grad, no_grad
from autograd.value import Value

__all__ = [
    "apply_step",
    "chains",
    "code",
    "dag_cases",
    "evaluate",
    "fan_outs",
    "localize",
    "reference",
    "rounder",
    "test_expression",
]

_BOUND = 10.0  # largest |value| a drawn step may have, as in autograd.checking.strategies
_EPS = 1e-6


# --------------------------------------------------------------- evaluation


def evaluate(adapter: Adapter, expr: Expression, xs: Sequence[float]) -> tuple[list[Any], Any]:
    """Build ``expr`` with the engine on leaves holding ``xs``: (every node, root)."""
    nodes: list[Any] = [adapter.leaf(x) for x in xs]
    for step in expr.steps:
        nodes.append(apply_step(adapter, step, nodes))
    return nodes, nodes[-1]


def apply_step(adapter: Adapter, step: Step, nodes: Sequence[Any]) -> Any:
    """One step of an expression, with the engine (``x ** 2.0`` is the ``**n`` op)."""
    args = [nodes[a] if type(a) is int else a for a in step.args]
    op = "**n" if step.op == "**" and type(step.args[1]) is not int else step.op
    return adapter.apply(op, args[:1] if op == "**n" else args, _power(step))


def _power(step: Step) -> float | None:
    if step.op == "**n":
        return step.power
    if step.op == "**" and type(step.args[1]) is not int:
        return float(step.args[1])
    return None


def reference(expr: Expression, xs: Sequence[float]) -> tuple[float, list[float], float]:
    """``(value, finite-difference gradient per input, rounding slack)`` from the math."""
    with enable_grad():
        leaves = [Value(x) for x in xs]
        out = expr(*leaves)
        out.backward()
        slack = roundoff_of(out)
    fd: list[float] = []
    with no_grad():
        for i, x in enumerate(xs):
            h = _EPS * max(1.0, abs(x))
            plus = [*xs[:i], x + h, *xs[i + 1 :]]
            minus = [*xs[:i], x - h, *xs[i + 1 :]]
            f_plus = expr(*[Value(v) for v in plus]).data
            f_minus = expr(*[Value(v) for v in minus]).data
            fd.append((f_plus - f_minus) / (2 * h))
    return out.data, fd, slack / _EPS


def code(adapter: Adapter, expr: Expression, xs: Sequence[float], extra: Sequence[str]) -> str:
    """The graph as a script: leaves, one line per op, then ``extra`` lines."""
    lines = [f"x{i} = {adapter.name}({x!r})" for i, x in enumerate(xs)]
    lines += expr.statements
    return "\n".join([*lines, *extra])


def _single_op(step: Step, data: list[float]) -> OpCase:
    """The step as a one-op case at the data it saw in the graph."""
    vals = [data[a] if type(a) is int else float(a) for a in step.args]
    if step.op == "**n":
        return OpCase("**n", "unary", vals[0], step.power)
    if step.op not in BINARY_OPS:
        return OpCase(step.op, "unary", vals[0])
    a_node, b_node = (type(a) is int for a in step.args)
    if step.op == "**" and not b_node:
        return OpCase("**n", "unary", vals[0], vals[1])
    form = "nodes" if a_node and b_node else ("right" if a_node else "left")
    return OpCase(step.op, form, vals[0], vals[1])


def localize(adapter: Adapter, expr: Expression, xs: Sequence[float]) -> Failure | None:
    """The first op of ``expr`` that is wrong on its own, at the point the graph used it."""
    with no_grad():
        data = [Value(x) for x in xs]
        for step in expr.steps:
            data.append(run_step(step, data))
    values = [v.data for v in data]
    for step in expr.steps:
        try:
            test_case(adapter, _single_op(step, values))
        except Failure as f:
            return f
    return None


def test_expression(
    adapter: Adapter, expr: Expression, xs: Sequence[float], walk_hint: str
) -> None:
    """Raise :class:`Failure` unless the engine's value and input gradients of ``expr``
    agree with the math (central finite differences, gradcheck's tolerance).

    Which op is to blame is only worked out for the failure that is reported
    (``Failure.explain``), not for every example tried while shrinking.
    """
    value, fd, slack = reference(expr, xs)
    names = [f"x{i}" for i in range(len(xs))]
    root = expr.root_name
    show = [f"{root}.backward()", f"print({root}.data, {', '.join(n + '.grad' for n in names)})"]
    example = code(adapter, expr, xs, show)

    def blame(what: str, separator: str, if_no_op: str = "") -> Callable[[], Failure]:
        def explain() -> Failure:
            culprit = localize(adapter, expr, xs)
            if culprit is None:
                return Failure(what + if_no_op, example)
            return Failure(f"{what}{separator}on its own, {culprit.message}", example, culprit.op)

        return explain

    try:
        nodes, out = evaluate(adapter, expr, xs)
        got_value = as_float(adapter.value(out))
        adapter.run_backward(out)
        grads = [as_float(adapter.grad_of(n)) for n in nodes[: len(xs)]]
    except Exception as e:
        what = f"raised {describe_error(e)}"
        raise Failure(what, example, explain=blame(what, "; ")) from None
    if not abs(got_value - value) <= 1e-9 + 1e-6 * abs(value):
        what = f"{root}.data: expected {value!r}, got {got_value!r}"
        raise Failure(what, example, explain=blame(what, "; "))
    wrong = [
        f"{n}.grad: expected {e:.10g} (finite differences), got {g!r}"
        for n, g, e in zip(names, grads, fd, strict=True)
        if not abs(g - e) <= 1e-6 + 1e-5 * abs(e) + slack
    ]
    if wrong:
        what = "; ".join(wrong)
        no_op = f". Every op in it is right on its own, so {walk_hint}"
        raise Failure(what, example, explain=blame(what, ". ", no_op))


# ------------------------------------------------------------ strategies


def _in_domain(step: Step, nodes: list[Value]) -> bool:
    """The step is defined at these values, away from domain edges, and not too large."""
    vals = [nodes[a].data if type(a) is int else float(a) for a in step.args]
    op = step.op
    if op == "/" and abs(vals[1]) < 0.5:
        return False
    if op == "log" and vals[0] < 0.5:
        return False
    if op == "relu" and abs(vals[0]) < 0.05:
        return False
    if op == "**" and vals[0] < 0.5:
        return False
    if op == "**n" and step.power is not None:
        n = float(step.power)
        if (not n.is_integer() and vals[0] < 0.5) or (n < 0 and abs(vals[0]) < 0.5):
            return False
    try:
        with no_grad():
            y = run_step(step, nodes).data
    except (ArithmeticError, ValueError):
        return False
    return abs(y) <= _BOUND


class _Grower:
    """Grows a graph step by step, keeping every op inside its domain."""

    def __init__(self, draw: st.DrawFn, xs: list[float], ops: tuple[str, ...]) -> None:
        self.draw = draw
        self.ops = ops
        self.n_inputs = len(xs)
        with no_grad():
            self.nodes = [Value(x) for x in xs]
        self.steps: list[Step] = []

    def push(self, step: Step) -> int:
        with no_grad():
            self.nodes.append(run_step(step, self.nodes))
        self.steps.append(step)
        return len(self.nodes) - 1

    def constant(self) -> float:
        return float(self.draw(finite_floats(-3.0, 3.0)))

    def one_op(self, a: int, other: int | None = None) -> int:
        """``a`` through one drawn op: unary, or binary with ``other`` or a constant
        on either side; ``a * 0.5`` if the drawn op would leave its domain."""
        op = self.draw(st.sampled_from(self.ops))
        if op == "**n":
            step = Step(op, (a,), self.draw(st.sampled_from(EXPONENTS)))
        elif op in BINARY_OPS:
            b: int | float = other if other is not None else self.constant()
            if op == "**" and type(b) is not int:
                b = self.constant()  # a constant exponent would be **n: put it on the left
                step = Step(op, (abs(b) + 0.5, a))
            else:
                left = self.draw(st.booleans())
                step = Step(op, (b, a) if left else (a, b))
        else:
            step = Step(op, (a,))
        if not _in_domain(step, self.nodes):
            step = Step("*", (a, 0.5))
        return self.push(step)

    def expression(self) -> Expression:
        return Expression(self.n_inputs, self.steps)


@st.composite
def _chain(draw: st.DrawFn, ops: tuple[str, ...], max_ops: int) -> tuple[Expression, list[float]]:
    n_inputs = draw(st.integers(1, 3))
    xs = [float(draw(finite_floats(-2.0, 2.0))) for _ in range(n_inputs)]
    g = _Grower(draw, xs, ops)
    current = 0
    fresh = list(range(1, n_inputs))
    for _ in range(draw(st.integers(1, max_ops))):
        join = len(fresh) > 0 and draw(st.booleans())
        other = fresh.pop(0) if join else None
        current = g.one_op(current, other)
    for i in fresh:  # every input reaches the root, each used once
        current = g.push(Step("+", (current, i)))
    return g.expression(), xs


def chains(
    ops: Sequence[str], max_ops: int = 6
) -> st.SearchStrategy[tuple[Expression, list[float]]]:
    """Graphs where every node is used once (trees): ops chained one after the other,
    with constants on either side and each extra input joining the chain once."""
    return _chain(tuple(ops), max_ops)


@st.composite
def _fan_out(draw: st.DrawFn, ops: tuple[str, ...]) -> tuple[Expression, list[float]]:
    x = float(draw(finite_floats(-2.0, 2.0)))
    g = _Grower(draw, [x], ops)
    pattern = draw(st.sampled_from(("k uses", "both operands", "diamond")))
    a = g.one_op(0) if draw(st.booleans()) else 0  # the reused node: the input or a result
    if pattern == "k uses":
        k = draw(st.integers(2, 5))
        out = a
        for _ in range(k - 1):
            op = draw(st.sampled_from(("+", "*")))
            out = g.push(Step(op, (out, a)))
            if abs(g.nodes[out].data) > _BOUND:
                out = g.push(Step("*", (out, 0.01)))
    elif pattern == "both operands":
        op = draw(st.sampled_from([o for o in ("+", "-", "*", "/") if o in ops]))
        step = Step(op, (a, a))
        g.push(step if _in_domain(step, g.nodes) else Step("*", (a, a)))
    else:
        b = g.one_op(a)
        c = g.one_op(a)
        g.push(Step(draw(st.sampled_from(("+", "*"))), (b, c)))
    return g.expression(), [x]


def fan_outs(ops: Sequence[str]) -> st.SearchStrategy[tuple[Expression, list[float]]]:
    """A node used more than once: ``k`` times in a sum or product, as both operands of
    one op (``a * a``, ``a - a``), or at the top of a diamond (``f(a) + g(a)``). The
    reused node is an input or an intermediate result."""
    return _fan_out(tuple(ops))


def dag_cases(
    ops: Sequence[str], max_ops: int = 8
) -> st.SearchStrategy[tuple[Expression, list[float]]]:
    """:func:`autograd.testing.expressions` over ``ops``, as ``(expression, input data)``."""
    from autograd.checking.strategies import expressions

    return expressions(ops=tuple(ops), max_ops=max_ops).map(
        lambda e: (e[0], [x.data for x in e[1]])
    )


def rounder(case: tuple[Expression, list[float]]) -> Iterator[tuple[Expression, list[float]]]:
    """The same graph with one input replaced by a rounder number, where every op of
    the graph stays inside its domain (for the report: ``x0 = 1.0``, not ``0.4312...``)."""
    expr, xs = case
    for i, x in enumerate(xs):
        for r in (0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, round(x, 1), round(x, 2)):
            if r != x and abs(r) < abs(x) + 1.0 and (abs(r) < abs(x) or _digits(r) < _digits(x)):
                candidate = [*xs[:i], float(r), *xs[i + 1 :]]
                if _all_in_domain(expr, candidate):
                    yield expr, candidate


def _digits(x: float) -> int:
    return len(repr(x))


def _all_in_domain(expr: Expression, xs: Sequence[float]) -> bool:
    with no_grad():
        nodes = [Value(x) for x in xs]
    for step in expr.steps:
        if not _in_domain(step, nodes):
            return False
        with no_grad():
            nodes.append(run_step(step, nodes))
    return True
