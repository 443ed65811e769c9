"""The property-based checks, each returning a :class:`Check`.

Each property runs under hypothesis with a fixed seed (``derandomize``: the same
report every run) and no example database; when it fails, hypothesis shrinks the
example, and the last failure seen (hypothesis replays the minimal example last) is
what the report prints.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from hypothesis import HealthCheck, Verbosity, given, settings
from hypothesis import strategies as st

from autograd.checking.conformance.adapter import Adapter, as_float
from autograd.checking.conformance.graphs import (
    apply_step,
    chains,
    code,
    dag_cases,
    evaluate,
    fan_outs,
    reference,
    rounder,
    test_expression,
)
from autograd.checking.conformance.ops import (
    Failure,
    describe_error,
    op_cases,
    special_cases,
    test_case,
)
from autograd.checking.conformance.report import Check
from autograd.checking.strategies import Expression, Step

__all__ = [
    "check_chains",
    "check_construct",
    "check_dags",
    "check_domain",
    "check_fan_out",
    "check_op",
    "check_repeated_backward",
    "falsify",
]

T = TypeVar("T")


def falsify(
    strategy: st.SearchStrategy[T],
    test: Callable[[T], None],
    max_examples: int,
    simpler: Callable[[T], Iterable[T]] | None = None,
) -> Failure | None:
    """Run ``test`` on up to ``max_examples`` examples; the shrunk :class:`Failure`, or None.

    ``simpler(example)`` may offer simpler variants of the shrunk example (rounder
    numbers); the first that still fails the same way replaces it, until none does.
    """
    seen: list[tuple[T, Failure]] = []

    @settings(
        max_examples=max_examples,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    @given(strategy)
    def prop(example: T) -> None:
        try:
            test(example)
        except Failure as f:
            seen.append((example, f))
            raise

    try:
        prop()
    except Exception:
        if not seen:
            raise
    else:
        return None
    example, failure = seen[-1]
    for _ in range(20 if simpler is not None else 0):
        assert simpler is not None
        for candidate in simpler(example):
            try:
                test(candidate)
            except Failure as f:
                if f.op == failure.op and f.message[:24] == failure.message[:24]:
                    example, failure = candidate, f
                    break
        else:
            break
    return failure.explained()


def _check(name: str, group: str, failure: Failure | None, passed: str) -> Check:
    if failure is None:
        return Check(name, True, passed, group=group)
    return Check(name, False, failure.message, failure.example, failure.op, group)


# ------------------------------------------------------------------ basics


def check_construct(adapter: Adapter) -> Check:
    """A leaf can be built, holds its number, starts with gradient 0, and backward() runs."""
    name = adapter.name
    example = f"x = {name}(2.0)\nprint(x.data, x.grad)\ny = x + x\ny.backward()"
    try:
        x = adapter.leaf(2.0)
        data, grad = adapter.value(x), adapter.grad_of(x)
    except Exception as e:
        return Check("construct", False, f"raised {describe_error(e)}", example, group="ops")
    if as_float(data) != 2.0 or as_float(grad) != 0.0:
        return Check(
            "construct",
            False,
            f"expected data 2.0 and grad 0, got data {data!r} and grad {grad!r}",
            example,
            group="ops",
        )
    return Check("construct", True, f"{name}(2.0) has data 2.0 and grad 0", group="ops")


def check_op(adapter: Adapter, op: str, max_examples: int = 100) -> Check:
    """Value and derivative of one op at random points, against the math."""
    failure = None
    for case in special_cases(op):
        try:
            test_case(adapter, case)
        except Failure as f:
            failure = f.explained()
            break
    if failure is None:
        failure = falsify(op_cases(op), lambda case: test_case(adapter, case), max_examples)
    how = (
        "the suite's walk over stored local derivatives"
        if adapter.reads_local_derivatives
        else "backward()"
    )
    return _check(
        f"op {op}",
        "ops",
        failure,
        f"value and derivative (by {how}) right at 0, ±1 and {max_examples} random points",
    )


def check_chains(adapter: Adapter, ops: Sequence[str], max_examples: int = 100) -> Check:
    """The chain rule through chains of ops (every node used once)."""
    hint = (
        "look at the backward walk: every node must pass its gradient to its parents, "
        "children before parents (a topological order)"
    )
    failure = falsify(
        chains(ops), lambda e: test_expression(adapter, e[0], e[1], hint), max_examples, rounder
    )
    return _check(
        "chain rule: chains",
        "walk",
        failure,
        f"gradients of {max_examples} random chains of ops agree with finite differences",
    )


_FAN_OUT_HINT = (
    "a node used more than once must get the sum of the gradients along all its uses "
    "(grad += ..., not grad = ...)"
)


def _shared_nodes(
    name: str,
    cases: st.SearchStrategy[tuple[Expression, list[float]]],
    adapter: Adapter,
    max_examples: int,
    passed: str,
) -> Check:
    failure = falsify(
        cases,
        lambda e: test_expression(adapter, e[0], e[1], _FAN_OUT_HINT),
        max_examples,
        rounder,
    )
    return _check(name, "fan-out", failure, passed)


def check_dags(adapter: Adapter, ops: Sequence[str], max_examples: int = 100) -> Check:
    """The chain rule on random DAGs with reused nodes and constants on either side."""
    return _shared_nodes(
        "chain rule: random DAGs",
        dag_cases(ops),
        adapter,
        max_examples,
        f"gradients of {max_examples} random graphs with shared nodes agree with finite "
        "differences",
    )


def check_fan_out(adapter: Adapter, ops: Sequence[str], max_examples: int = 100) -> Check:
    """A node used k times, as both operands, at the top of a diamond."""
    return _shared_nodes(
        "fan-out",
        fan_outs(ops),
        adapter,
        max_examples,
        "a node used k times, as both operands (a * a) or at the top of a diamond gets the "
        "sum over its uses",
    )


# -------------------------------------------------------- repeated backward


def _leaf_and_inner_grads(
    adapter: Adapter, nodes: list[Any], n_inputs: int
) -> tuple[list[float], list[float]]:
    grads = [as_float(adapter.grad_of(n)) for n in nodes]
    return grads[:n_inputs], grads[n_inputs:-1]


def _ratio_words(first: list[float], second: list[float]) -> str:
    ratios = [s / f for f, s in zip(first, second, strict=True) if f != 0.0]
    if not ratios:
        return "zero"
    if all(math.isclose(r, 2.0, rel_tol=1e-9) for r in ratios):
        return "2x"
    if all(math.isclose(r, 1.0, rel_tol=1e-9) for r in ratios):
        return "1x"
    shown = ", ".join(f"{r:.4g}x" for r in ratios[:3])
    return f"{shown}"


def observe_repeated(
    adapter: Adapter, expr: Expression, xs: list[float]
) -> tuple[str, str, list[float], list[float]]:
    """Two ``backward()`` calls on one graph: (leaves' ratio in words, intermediates in
    words, leaf gradients after one call, after two)."""
    nodes, out = evaluate(adapter, expr, xs)
    adapter.run_backward(out)
    leaves1, inner1 = _leaf_and_inner_grads(adapter, nodes, len(xs))
    adapter.run_backward(out)
    leaves2, inner2 = _leaf_and_inner_grads(adapter, nodes, len(xs))
    leaves = _ratio_words(leaves1, leaves2)
    fresh = all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(inner1, inner2, strict=True)
    )
    inner = "recomputed (fresh)" if fresh else "kept and added to (stale)"
    return leaves, inner, leaves1, leaves2


def _describe_repeated(leaves: str, inner: str) -> str:
    if leaves == "2x" and inner.startswith("recomputed"):
        return "accumulates leaf gradients (2x) and recomputes intermediate ones"
    if leaves == "1x":
        return (
            f"resets leaf gradients on every call (1x, not 2x); intermediate gradients are {inner}"
        )
    return (
        f"leaks stale gradients: leaf gradients after the second call are {leaves} the first "
        f"(not 2x), because intermediate gradients are {inner}"
    )


def _repeat_expression() -> tuple[Expression, list[float]]:
    """``x0 -> v1 = x0 * x0 -> v2 = v1 * 3.0 -> v3 = v2 + v1``: depth and reuse."""
    steps = [Step("*", (0, 0)), Step("*", (1, 3.0)), Step("+", (2, 1))]
    return Expression(1, steps), [1.5]


def check_repeated_backward(adapter: Adapter, ops: Sequence[str], max_examples: int = 100) -> Check:
    """Calling ``backward()`` again does what the promised semantics say."""
    try:
        leaves, inner, _, _ = observe_repeated(adapter, *_repeat_expression())
        seen = _describe_repeated(leaves, inner)
    except Exception as e:
        seen = f"raised {describe_error(e)} on a second backward()"
    if adapter.backward == "accumulate":

        def test(case: tuple[Expression, list[float]]) -> None:
            expr, xs = case
            if len(expr.steps) < 2:
                return  # nothing between the inputs and the root: nothing to leak
            _, fd, _ = reference(expr, xs)
            if all(abs(g) <= 1e-3 for g in fd):
                return  # all gradients ~0: twice 0 is 0, the check would see nothing
            root = expr.root_name
            names = [f"x{i}" for i in range(len(xs))]
            grads = ", ".join(f"{n}.grad" for n in names)
            lines = [f"{root}.backward()", f"print({grads})"]
            lines += [f"{root}.backward()   # again: leaf grads must double", f"print({grads})"]
            example = code(adapter, expr, xs, lines)
            try:
                words, inner, first, second = observe_repeated(adapter, expr, xs)
            except Exception as e:
                raise Failure(f"a second backward() raised {describe_error(e)}", example) from None
            if words not in ("2x", "zero") or not inner.startswith("recomputed"):
                numbers = "; ".join(
                    f"{n}.grad {a!r} after one call, {b!r} after two (expected {2 * a!r})"
                    for n, a, b in zip(names, first, second, strict=True)
                )
                raise Failure(
                    f"promised 'accumulate' (twice backward() = twice the leaf gradients, "
                    f"intermediates fresh), but the engine {_describe_repeated(words, inner)}: "
                    f"{numbers}",
                    example,
                )

        failure = falsify(dag_cases(ops), test, max_examples, rounder)
        return _check("repeated backward", "repeated", failure, f"promised 'accumulate': {seen}")

    def test_fresh(case: tuple[Expression, list[float]]) -> None:
        expr, xs = case
        root = expr.root_name
        example = code(
            adapter,
            expr,
            xs,
            [
                f"{root}.backward()",
                "# build the same graph again from the same leaves, then",
                f"{root}.backward()   # leaf grads must double",
            ],
        )
        try:
            nodes, out = evaluate(adapter, expr, xs)
            leaves = nodes[: len(xs)]
            adapter.run_backward(out)
            first = [as_float(adapter.grad_of(x)) for x in leaves]
            again = _rebuild(adapter, expr, leaves)
            adapter.run_backward(again)
            second = [as_float(adapter.grad_of(x)) for x in leaves]
        except Exception as e:
            raise Failure(f"raised {describe_error(e)}", example) from None
        words = _ratio_words(first, second)
        if words not in ("2x", "zero"):
            raise Failure(
                f"promised 'micrograd' (leaf gradients add up over passes on freshly built "
                f"graphs), but they were {words} after the second pass",
                example,
            )

    failure = falsify(dag_cases(ops), test_fresh, max_examples, rounder)
    return _check(
        "repeated backward",
        "repeated",
        failure,
        f"promised 'micrograd': leaf gradients add up over freshly built graphs. "
        f"Calling backward() twice on one graph (not promised): {seen}",
    )


def _rebuild(adapter: Adapter, expr: Expression, leaves: list[Any]) -> Any:
    nodes = list(leaves)
    for step in expr.steps:
        nodes.append(apply_step(adapter, step, nodes))
    return nodes[-1]


# -------------------------------------------------------------- domain edges


def _unary(
    op: str, x: float, power: float | None = None
) -> Callable[[Adapter], tuple[Any, list[Any]]]:
    def build(a: Adapter) -> tuple[Any, list[Any]]:
        leaf = a.leaf(x)
        return a.apply(op, [leaf], power), [leaf]

    return build


def _binary(
    op: str, x: float | None, y: float | None, cx: float = 0.0, cy: float = 0.0
) -> Callable[[Adapter], tuple[Any, list[Any]]]:
    """``x op y``; a ``None`` side is the Python number ``cx`` / ``cy`` instead of a node."""

    def build(a: Adapter) -> tuple[Any, list[Any]]:
        left = a.leaf(x) if x is not None else cx
        right = a.leaf(y) if y is not None else cy
        return a.apply(op, [left, right]), [n for n in (left, right) if a.is_node(n)]

    return build


DOMAIN_CASES: list[tuple[str, str, Callable[[Adapter], tuple[Any, list[Any]]]]] = [
    ("log", "{V}(0.0).log()", _unary("log", 0.0)),
    ("log", "{V}(-1.0).log()", _unary("log", -1.0)),
    ("/", "{V}(1.0) / {V}(0.0)", _binary("/", 1.0, 0.0)),
    ("/", "{V}(1.0) / 0.0", _binary("/", 1.0, None, cy=0.0)),
    ("/", "1.0 / {V}(0.0)", _binary("/", None, 0.0, cx=1.0)),
    ("**n", "{V}(0.0) ** -1", _unary("**n", 0.0, -1.0)),
    ("**n", "{V}(-1.0) ** 0.5", _unary("**n", -1.0, 0.5)),
    ("**n", "{V}(0.0) ** 0.5   # d/dx = 0.5 / sqrt(x): infinite at 0", _unary("**n", 0.0, 0.5)),
    ("**n", "{V}(10.0) ** 400", _unary("**n", 10.0, 400.0)),
    ("**", "{V}(-1.0) ** {V}(0.5)", _binary("**", -1.0, 0.5)),
    ("exp", "{V}(1000.0).exp()", _unary("exp", 1000.0)),
    ("tanh", "{V}(1000.0).tanh()   # = 1.0", _unary("tanh", 1000.0)),
    ("sigmoid", "{V}(-1000.0).sigmoid()   # = 0.0", _unary("sigmoid", -1000.0)),
    ("*", "{V}(1e200) * {V}(1e200)", _binary("*", 1e200, 1e200)),
    ("+", "{V}(1e308) + {V}(1e308)", _binary("+", 1e308, 1e308)),
]
"""Edge cases: the engine must raise an error that names the problem (an
ArithmeticError or ValueError) or give a finite real value and finite gradients;
nan, inf, or a complex number are silently wrong."""


def _edge_outcome(
    adapter: Adapter, build: Callable[[Adapter], tuple[Any, list[Any]]]
) -> str | None:
    """None when the engine behaved; otherwise what it did."""
    clear = (ArithmeticError, ValueError)
    try:
        out, leaves = build(adapter)
    except clear:
        return None
    except Exception as e:
        return (
            f"raised {describe_error(e)}, not an error that names the problem "
            "(ValueError, ArithmeticError)"
        )
    data = adapter.value(out)
    if isinstance(data, complex):
        return f"returned a complex number {data!r} silently"
    if not math.isfinite(as_float(data)):
        return f"returned {data!r} silently"
    try:
        adapter.run_backward(out)
    except clear:
        return None
    except Exception as e:
        return f"backward() raised {describe_error(e)}"
    for leaf in leaves:
        g = adapter.grad_of(leaf)
        if isinstance(g, complex) or not math.isfinite(as_float(g)):
            return f"returned {data!r}, but backward() gave the gradient {g!r} silently"
    return None


def check_domain(adapter: Adapter, ops: Sequence[str]) -> Check:
    """Edges of each op's domain: a clear error or a finite answer, never nan/inf."""
    cases = [c for c in DOMAIN_CASES if c[0] in ops]
    bad: list[tuple[str, str, str]] = []
    for op, template, build in cases:
        outcome = _edge_outcome(adapter, build)
        if outcome is not None:
            bad.append((op, template.format(V=adapter.name).split("   #")[0], outcome))
    if not bad:
        return Check(
            "domain edges",
            True,
            f"{len(cases)} edge cases (log 0, x / 0, 0 ** -1, overflow, ...) raise a clear "
            "error or give a finite answer",
            group="domain",
        )
    example = "\n".join(f"{c}   # {why}" for _, c, why in bad)
    ops_wrong = ", ".join(dict.fromkeys(repr(op) for op, _, _ in bad))
    return Check(
        "domain edges",
        False,
        f"{len(bad)} of {len(cases)} edge cases are silently wrong (ops {ops_wrong}): raise "
        "an error that names the problem instead",
        example,
        bad[0][0],
        "domain",
    )
