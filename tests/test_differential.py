"""The scalar engine and the Tensor engine are one engine: random programs agree on both.

* Random expression graphs (the :mod:`autograd.checking.strategies` strategies) run on Values,
  on 0-d Tensors and on one-element Tensors give the same value and gradients.
* Single ops with operands from the edges of their domains (0, negatives, huge
  and tiny numbers), spelled every way (number or node operand, either side),
  give the same result, or the same error type, in both engines. Where a Value
  result leaves the float range (``OverflowError``) a Tensor follows NumPy's
  ``inf``, as documented; ``exp`` raises in both.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, Value
from autograd.checking.strategies import expressions

SHAPES = [(), (1,)]


@pytest.mark.parametrize("shape", SHAPES, ids=["0-d", "1-element"])
@given(expr=expressions(max_inputs=3, max_ops=10))
def test_random_programs_agree_in_value_and_gradient(
    shape: tuple[int, ...], expr: tuple[Any, list[Value]]
) -> None:
    f, inputs = expr
    out = f(*inputs)
    out.backward()
    ts = [Tensor(np.full(shape, x.data), requires_grad=True) for x in inputs]
    tout = f(*ts)
    assert tout.shape == shape
    tout.backward()
    np.testing.assert_allclose(float(tout.data.reshape(())), out.data, rtol=1e-12, atol=1e-12)
    for x, t in zip(inputs, ts, strict=True):
        assert t.grad is not None
        np.testing.assert_allclose(float(t.grad.reshape(())), x.grad, rtol=1e-10, atol=1e-12)


EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, 1e300, -1e300, 1e-300, 710.0, 1e-310]

BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}
UNARY: dict[str, Callable[[Any], Any]] = {
    "neg": lambda a: -a,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
}


def outcome(run: Callable[[], Any]) -> tuple[str, float, list[float]]:
    """('ok', value, gradients) or (error type name, nan, [])."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy warning instead of an error is a failure,
        warnings.filterwarnings("ignore", "overflow encountered")  # except NumPy's inf
        try:
            out, leaves = run()
            out.backward()
        except (ArithmeticError, ValueError) as err:
            return type(err).__name__, math.nan, []
    grads = [float(np.asarray(x.grad).reshape(())) for x in leaves]
    return "ok", float(np.asarray(out.data).reshape(())), grads


def spellings(op: Callable[..., Any], a: float, b: float, shape: tuple[int, ...]) -> list[Any]:
    """(Value run, Tensor run) for node-node, node-number and number-node operands."""

    def t(x: float) -> Tensor:
        return Tensor(np.full(shape, x), requires_grad=True)

    return [
        (lambda: ((va := Value(a)), (vb := Value(b))) and (op(va, vb), [va, vb]),
         lambda: ((ta := t(a)), (tb := t(b))) and (op(ta, tb), [ta, tb])),
        (lambda: (va := Value(a)) is not None and (op(va, b), [va]),
         lambda: (ta := t(a)) is not None and (op(ta, b), [ta])),
        (lambda: (vb := Value(b)) is not None and (op(a, vb), [vb]),
         lambda: (tb := t(b)) is not None and (op(a, tb), [tb])),
    ]  # fmt: skip


def agree(v: tuple[str, float, list[float]], t: tuple[str, float, list[float]]) -> None:
    if v[0] == "OverflowError" and t[0] == "ok":  # Tensors follow NumPy's inf
        assert not all(math.isfinite(x) for x in [t[1], *t[2]]), (v, t)
        return
    assert v[0] == t[0], (v, t)
    if v[0] == "ok":
        np.testing.assert_allclose(t[1], v[1], rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(t[2], v[2], rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("shape", SHAPES, ids=["0-d", "1-element"])
@pytest.mark.parametrize("name", sorted(BINARY))
@given(a=st.sampled_from(EDGES), b=st.sampled_from(EDGES))
def test_binary_ops_agree_on_domain_edges_in_every_spelling(
    name: str, shape: tuple[int, ...], a: float, b: float
) -> None:
    for value_run, tensor_run in spellings(BINARY[name], a, b, shape):
        agree(outcome(value_run), outcome(tensor_run))


@pytest.mark.parametrize("shape", SHAPES, ids=["0-d", "1-element"])
@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("a", EDGES)
def test_unary_ops_agree_on_domain_edges(name: str, shape: tuple[int, ...], a: float) -> None:
    def value_run() -> Any:
        v = Value(a)
        return UNARY[name](v), [v]

    def tensor_run() -> Any:
        t = Tensor(np.full(shape, a), requires_grad=True)
        return UNARY[name](t), [t]

    agree(outcome(value_run), outcome(tensor_run))
