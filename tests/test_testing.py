"""The strategies users import from autograd.checking.strategies produce what they promise."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from autograd import Value, backprop, grad_mode
from autograd.checking.strategies import (
    OPS,
    Expression,
    arrays,
    broadcastable_arrays,
    broadcastable_shapes,
    expressions,
    finite_floats,
    matmul_shapes,
    positive_floats,
    values,
)

# find(): the first example that satisfies a predicate, without shrinking it (fast)
FIND = settings(
    max_examples=2000,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@given(finite_floats(), positive_floats(), finite_floats(-0.5, 2.0))
def test_floats_are_finite_and_in_range(a: float, p: float, c: float) -> None:
    assert -5.0 <= a <= 5.0 and 0.1 <= p <= 5.0 and -0.5 <= c <= 2.0
    assert math.isfinite(a) and (a == 0 or abs(a) >= 2.2250738585072014e-308)


def test_positive_floats_needs_a_positive_minimum() -> None:
    with pytest.raises(ValueError, match="min_value must be > 0"):
        positive_floats(0.0)


@given(values(-1.0, 1.0, label="w"))
def test_values_are_labelled_leaves(v: Value) -> None:
    assert isinstance(v, Value) and -1 <= v.data <= 1 and v.label == "w" and v._parents == ()


@given(expressions(min_inputs=2, max_inputs=4))
def test_expressions_build_graphs_over_their_inputs(expr: tuple[Expression, list[Value]]) -> None:
    f, inputs = expr
    assert isinstance(f, Expression) and 2 <= len(inputs) <= 4
    assert [x.label for x in inputs] == [f"x{i}" for i in range(len(inputs))]
    assert all(x._parents == () and x.grad == 0.0 for x in inputs)
    root = f(*inputs)
    order = backprop.topological_order(root)
    ids = {id(n) for n in order}
    assert all(id(x) in ids for x in inputs)  # every input reaches the root
    assert all(math.isfinite(n.data) and abs(n.data) < 1e6 for n in order)
    assert f(*inputs).data == root.data  # rebuilding is deterministic
    with grad_mode.no_grad():
        assert f(*inputs).data == root.data


@given(expressions())
def test_expression_source_is_python_that_computes_the_same(
    expr: tuple[Expression, list[Value]],
) -> None:
    f, inputs = expr
    namespace: dict[str, Any] = {}
    exec(f.source, namespace)
    assert namespace["f"](*inputs).data == f(*inputs).data
    assert repr(f).startswith("Expression(") and f"x{len(inputs) - 1}" in f.source


def uses(root: Value) -> dict[int, int]:
    counts: dict[int, int] = {}
    for n in backprop.topological_order(root):
        for p in n._parents:
            counts[id(p)] = counts.get(id(p), 0) + 1
    return counts


def has_reused_intermediate(expr: tuple[Expression, list[Value]]) -> bool:
    f, inputs = expr
    root = f(*inputs)
    counts = uses(root)
    return any(n._parents and counts.get(id(n), 0) >= 2 for n in backprop.topological_order(root))


def has_constant_on(side: int, op: str) -> Any:
    def predicate(expr: tuple[Expression, list[Value]]) -> bool:
        f, _ = expr
        return any(
            s.op == op and type(s.args[side]) is float and type(s.args[1 - side]) is int
            for s in f.steps
        )

    return predicate


@pytest.mark.parametrize(
    "predicate",
    [
        has_reused_intermediate,
        has_constant_on(0, "-"),  # 2.5 - x: a reflected op
        has_constant_on(0, "/"),
        has_constant_on(0, "**"),  # 2.0 ** x
        has_constant_on(1, "*"),
        lambda e: any(s.op == "**" and type(s.args[0]) is int for s in e[0].steps),  # x ** y
        lambda e: any(s.op == "**n" and not float(s.power).is_integer() for s in e[0].steps),
        lambda e: {"exp", "log", "relu"} <= set(e[0].ops),
        lambda e: {"sigmoid", "neg", "tanh"} <= set(e[0].ops),
    ],
    ids=["reused", "c-x", "c/x", "c**x", "x*c", "x**y", "x**0.5", "unary1", "unary2"],
)
def test_expressions_can_produce(predicate: Any) -> None:
    find(expressions(), predicate, settings=FIND)


def test_expressions_respect_the_op_subset() -> None:
    expr = find(
        expressions(ops=["log"], min_ops=5),
        lambda e: len(e[0].steps) >= 5,
        settings=FIND,
    )
    # guards (x*x + 1), the fallback (tanh) and the final sum are the only other ops
    assert set(expr[0].ops) <= {"log", "*", "+", "tanh"}


def test_expressions_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="ops must be a non-empty subset"):
        expressions(ops=["sin"])
    with pytest.raises(ValueError, match="min_inputs <= max_inputs"):
        expressions(min_inputs=0)
    with pytest.raises(ValueError, match="min_ops <= max_ops"):
        expressions(min_ops=5, max_ops=2)


def test_an_expression_wants_its_number_of_inputs() -> None:
    f, inputs = find(expressions(min_inputs=2, max_inputs=2), lambda e: True, settings=FIND)
    with pytest.raises(TypeError, match="this expression takes 2 inputs, got 1"):
        f(inputs[0])


@given(arrays((2, 3)), arrays(dtype=np.float32, max_dims=2, min_value=-1, max_value=1))
def test_arrays(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == (2, 3) and a.dtype == np.float64
    assert b.dtype == np.float32 and b.ndim <= 2
    assert np.all(np.isfinite(a)) and np.all(np.abs(a) <= 5) and np.all(np.abs(b) <= 1)


def test_arrays_need_a_float_dtype() -> None:
    with pytest.raises(ValueError, match="dtype must be a float type, got int64"):
        arrays(dtype=np.int64)


@given(broadcastable_shapes(3), broadcastable_arrays(), matmul_shapes())
def test_shapes_that_fit_together(
    shapes: tuple[tuple[int, ...], ...],
    ab: tuple[np.ndarray, ...],
    mm: tuple[tuple[int, int], tuple[int, int]],
) -> None:
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)
    a, b = ab
    assert (a + b).shape == np.broadcast_shapes(a.shape, b.shape)
    (m, n), (n2, p) = mm
    assert n == n2 and (np.ones((m, n)) @ np.ones((n, p))).shape == (m, p)


@given(arrays(shape=broadcastable_shapes(1).map(lambda s: s[0])), st.just(0))
def test_arrays_take_a_shape_strategy(a: np.ndarray, _: int) -> None:
    assert a.ndim <= 3


def test_all_ops_are_listed() -> None:
    assert set(OPS) == {
        "+",
        "-",
        "*",
        "/",
        "**",
        "neg",
        "exp",
        "log",
        "tanh",
        "sigmoid",
        "relu",
        "**n",
        "abs",
    }
