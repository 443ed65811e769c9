"""Gradients of gradients on the scalar engine: create_graph, grad/hessian/hvp, gradcheck(order=2).

Second derivatives are checked against closed forms and against finite differences
of the first gradient, never against themselves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import nn
from autograd import Value, draw_graph, grad, gradcheck, hessian, hvp, no_grad, value_and_grad
from autograd.checking.gradcheck import GradcheckError
from autograd.checking.strategies import expressions


def tanh_derivatives(x: float) -> list[float]:
    """tanh and its first four derivatives, in closed form (t = tanh x, s = 1 - t^2)."""
    t = math.tanh(x)
    s = 1 - t * t
    return [t, s, -2 * t * s, s * (6 * t * t - 2), 8 * t * s * (2 - 3 * t * t)]


# ------------------------------------------------------------- create_graph


def test_without_the_flag_gradients_stay_floats() -> None:
    x = Value(0.5)
    y = x.tanh() * x
    y.backward()
    assert type(x.grad) is float
    t = math.tanh(0.5)
    assert x.grad == pytest.approx(t + 0.5 * (1 - t * t), rel=1e-15)


def test_create_graph_leaves_value_gradients_that_differentiate_again() -> None:
    x = Value(0.5)
    x.tanh().backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value)
    assert g.item() == pytest.approx(tanh_derivatives(0.5)[1], rel=1e-14)
    x.grad = 0.0  # leaf gradients accumulate, as in PyTorch
    g.backward()
    assert type(x.grad) is float
    assert x.grad == pytest.approx(tanh_derivatives(0.5)[2], rel=1e-12)


def test_create_graph_records_even_inside_no_grad() -> None:
    x = Value(1.5)
    y = x * x * x
    with no_grad():
        y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad._parents


def test_create_graph_gradients_accumulate_into_leaves() -> None:
    x = Value(2.0)
    (x * x).backward(create_graph=True)
    (x * x).backward(create_graph=True)
    assert x.grad.item() == 8.0
    g = x.grad
    x.grad = 0.0
    g.backward()
    assert x.grad == 4.0  # d/dx (2x + 2x)


def test_value_float_and_repr_of_a_graph_gradient() -> None:
    x = Value(3.0)
    assert x.item() == 3.0
    (x * x).backward(create_graph=True)
    assert "grad=6" in repr(x)
    assert math.isclose(x.grad.item(), 6.0)


# --------------------------------------------------------------- functional


def test_tanh_and_its_first_four_derivatives_from_one_function() -> None:
    f: Callable[..., Any] = lambda x: x.tanh()  # noqa: E731
    for x in (-1.3, 0.0, 0.5, 2.0):
        got = []
        d = f
        for _ in range(5):
            got.append((d(Value(x))).item())
            d = grad(d)
        assert got == pytest.approx(tanh_derivatives(x), rel=1e-12, abs=1e-14)


def test_grad_takes_numbers_and_returns_values() -> None:
    df = grad(lambda x: x * x * x)
    assert isinstance(df(2.0), Value)
    assert (df(2)).item() == 12.0
    assert (grad(df)(2.0)).item() == 12.0
    assert (grad(grad(df))(2.0)).item() == 6.0
    assert grad(grad(grad(df)))(2.0).item() == 0.0  # constant gradient: 0, not an error


def test_grad_of_a_function_that_ignores_its_argument_is_zero() -> None:
    assert (grad(lambda x, y: y * y)(1.0, Value(3.0))).item() == 0.0
    assert (grad(lambda x: Value(2.0))(1.0)).item() == 0.0


def test_argnums_tuple_and_value_and_grad() -> None:
    f = lambda x, w, b: (w * x + b).sigmoid()  # noqa: E731
    y, (dx, dw, db) = value_and_grad(f, argnums=(0, 1, 2))(1.5, -0.5, 0.25)
    s = 1 / (1 + math.exp(-(-0.75 + 0.25)))
    assert y.item() == pytest.approx(s)
    assert [dx.item(), dw.item(), db.item()] == pytest.approx(
        [s * (1 - s) * -0.5, s * (1 - s) * 1.5, s * (1 - s)]
    )
    assert (grad(f, argnums=-1)(1.5, -0.5, 0.25)).item() == pytest.approx(s * (1 - s))
    with pytest.raises(IndexError, match=r"argnums 3 is out of range.*3 argument"):
        grad(f, argnums=3)(1.0, 2.0, 3.0)


def test_grad_is_pure_it_never_touches_dot_grad() -> None:
    x, w = Value(0.7), Value(-1.1)
    x.grad, w.grad = 5.0, -2.0
    inner = x * w  # an interior node of the caller's graph
    inner.grad = 9.0
    d = grad(lambda a: (a * w).tanh())(inner)
    assert (x.grad, w.grad, inner.grad) == (5.0, -2.0, 9.0)
    assert d.item() == pytest.approx(w.item() * (1 - math.tanh(0.7 * 1.1 * 1.1) ** 2))


def test_grad_rejects_what_it_cannot_differentiate() -> None:
    with pytest.raises(TypeError, match="argument 0 must be a number, Value, array or Tensor"):
        grad(lambda s: s)("x")
    with pytest.raises(TypeError, match="f must return a Value or a one-element Tensor"):
        grad(lambda x: 3.0)(1.0)


def test_hessian_of_scalar_arguments() -> None:
    def f(x: Value, y: Value) -> Value:
        return x * x * y + y.exp() * x + (x * y).tanh()

    x, y = 0.4, -0.7
    t = math.tanh(x * y)
    s = 1 - t * t
    d2 = -2 * t * s  # tanh''
    expected = np.array(
        [
            [2 * y + y * y * d2, 2 * x + math.exp(y) + s + x * y * d2],
            [2 * x + math.exp(y) + s + x * y * d2, math.exp(y) * x + x * x * d2],
        ]
    )
    h = hessian(f)(x, y)
    assert h.dtype == np.float64 and h.shape == (2, 2)
    np.testing.assert_allclose(h, expected, rtol=1e-12)


def test_hvp_on_a_number_is_second_derivative_times_v() -> None:
    assert (hvp(lambda x: x**4, 1.5, 2.0)).item() == pytest.approx(12 * 1.5**2 * 2.0)


# ------------------------------------------------------ every op, twice


@pytest.mark.parametrize(
    ("name", "f", "xs"),
    [
        ("add", lambda x, y: (x + y) * (x + y), [0.3, -0.8]),
        ("sub", lambda x, y: (x - y) * (x - y) * x, [0.3, -0.8]),
        ("mul", lambda x, y: x * y * x, [0.3, -0.8]),
        ("div", lambda x, y: x / y, [0.3, -0.8]),
        ("pow", lambda x, y: x ** (y + 2), [0.6, -0.3]),
        ("pow const", lambda x, y: x**3 * y**-2 + (x + 1) ** 0.5, [0.6, -0.3]),
        ("rpow", lambda x, y: 2.0**x * y, [0.6, -0.3]),
        ("neg", lambda x, y: -(x * y) * x, [0.6, -0.3]),
        ("exp", lambda x, y: (x * y).exp(), [0.6, -0.3]),
        ("log", lambda x, y: (x * x + y).log(), [0.6, 1.3]),
        ("tanh", lambda x, y: (x * y).tanh(), [0.6, -1.3]),
        ("sigmoid", lambda x, y: (x * y).sigmoid(), [0.6, -1.3]),
        ("relu", lambda x, y: (x * y).relu() * x, [0.6, 1.3]),
    ],
)
def test_every_value_op_has_right_second_derivatives(
    name: str, f: Callable[..., Value], xs: list[float]
) -> None:
    gradcheck(f, [Value(x) for x in xs], order=2)


def test_relu_second_derivative_is_zero_also_at_the_kink() -> None:
    # relu'(0) = 0 by convention, and relu'' = 0 everywhere.
    assert (grad(lambda x: x.relu())(0.0)).item() == 0.0
    assert grad(grad(lambda x: x.relu() * x.relu()))(0.0).item() == 0.0
    assert grad(grad(lambda x: x.relu() * x.relu()))(1.0).item() == 2.0


# ---------------------------------------------------------- gradcheck(order=2)


def test_gradcheck_order_2_passes_and_says_what_it_checked() -> None:
    result = gradcheck(
        lambda x, y: (x * y).tanh() + x.exp() / (y * y + 1), [Value(0.5), Value(-1.5)], order=2
    )
    assert result.ok and result.checked == 4 and result.order == 2
    assert "4 second-derivative (Hessian) entries agree" in str(result)


def test_gradcheck_order_2_names_the_op_whose_derivative_is_not_differentiable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Right numbers, wrong graph: .data cuts the derivative off from its input.
    def tanh(self: Value) -> Value:
        out = math.tanh(self.data)
        return Value._node(
            out, "tanh", (self,), lambda a, out: (1.0 - getattr(out, "data", out) ** 2,)
        )

    monkeypatch.setattr(Value, "tanh", tanh)
    xs = [Value(0.5, label="x"), Value(-1.5, label="y")]
    f = lambda x, y: (x * y).tanh() * x + y.exp()  # noqa: E731
    assert gradcheck(f, xs).ok  # first order cannot see it
    result = gradcheck(f, xs, order=2, raise_exception=False)
    assert not result.ok
    assert result.culprit is not None
    assert (result.culprit.op, result.culprit.kind) == ("tanh", "second derivative")
    report = str(result)
    assert "d2f/d(input 0 'x') d(input 0 'x')" in report
    assert "check that the derivative function of 'tanh' is differentiable" in report
    with pytest.raises(GradcheckError, match="op 'tanh'"):
        gradcheck(f, xs, order=2)


def test_gradcheck_order_2_names_a_wrong_second_derivative_of_a_binary_op(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def div(self: Value, other: Value) -> Value:
        d = lambda a, b, out: (1.0 / b, -getattr(out, "data", out) / b)  # noqa: E731
        return Value._node(self.data / other.data, "/", (self, other), d)

    monkeypatch.setattr(Value, "__truediv__", div)
    xs = [Value(0.5), Value(-1.5)]
    assert gradcheck(lambda x, y: x / y + x * y, xs).ok
    result = gradcheck(lambda x, y: x / y + x * y, xs, order=2, raise_exception=False)
    assert result.culprit is not None
    assert (result.culprit.op, result.culprit.kind, result.culprit.parent) == (
        "/",
        "second derivative",
        1,
    )


def test_gradcheck_rejects_an_unknown_order() -> None:
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        gradcheck(lambda x: x, Value(1.0), order=3)


# ------------------------------------------------- optimizers and pictures


def test_optimizers_use_the_value_of_a_graph_gradient() -> None:
    for make in (lambda p: nn.SGD(p, lr=0.1, momentum=0.5), lambda p: nn.Adam(p, lr=0.1)):
        w, w_ref = Value(1.0), Value(1.0)
        (w * w * w).backward(create_graph=True)
        (w_ref * w_ref * w_ref).backward()
        assert isinstance(w.grad, Value) and type(w_ref.grad) is float
        make([w]).step()
        make([w_ref]).step()
        assert w.data == w_ref.data != 1.0


def test_draw_graph_shows_graph_gradients_by_value() -> None:
    x = Value(0.5, label="x")
    y = (x * x).tanh()
    y.backward(create_graph=True)
    source = draw_graph(y).source
    assert f"grad {format(x.grad.item(), '#.4g')}" in source


# ------------------------------------------------------------ properties


@settings(max_examples=60)
@given(expressions(max_inputs=3, max_ops=8))
def test_random_programs_differentiated_twice_match_differences_of_the_gradient(
    expr: tuple[Any, list[Value]],
) -> None:
    f, inputs = expr
    gradcheck(f, inputs, order=2, rtol=1e-4, atol=1e-6)


@settings(max_examples=60)
@given(expressions(min_inputs=2, max_inputs=3, max_ops=8))
def test_mixed_partials_are_symmetric(expr: tuple[Any, list[Value]]) -> None:
    f, inputs = expr
    h = hessian(f)(*[x.data for x in inputs])
    np.testing.assert_allclose(h, h.T, rtol=1e-9, atol=1e-9)
