"""Gradients of gradients on the array engine, and the two engines agreeing to second order.

Second derivatives are checked against finite differences of the first gradient
(``gradcheck(order=2)``) and against closed forms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor, Value, draw_graph, grad, gradcheck, hessian, hvp, value_and_grad
from autograd.checking.strategies import expressions
from autograd.fused import cross_entropy, linear, mse

RNG = np.random.default_rng(0)


def t(*shape: int, positive: bool = False) -> Tensor:
    data = RNG.uniform(0.5, 1.5, size=shape) if positive else RNG.normal(size=shape)
    return Tensor(data, requires_grad=True)


# --------------------------------------------------------------- create_graph


def test_without_the_flag_gradients_stay_arrays() -> None:
    x = t(3)
    (x.tanh() * x).sum().backward()
    assert type(x.grad) is np.ndarray


def test_create_graph_leaves_tensor_gradients_that_differentiate_again() -> None:
    x = t(4)
    (x * x * x).sum().backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Tensor) and g.requires_grad
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data)


def test_functional_api_on_arrays() -> None:
    x = np.array([0.3, -1.2, 2.0])
    d = grad(lambda x: (x * x * x).sum())(x)
    assert isinstance(d, Tensor) and d.shape == (3,)
    np.testing.assert_allclose(d.data, 3 * x**2)
    h = hessian(lambda x: (x * x * x).sum())(x)
    assert h.shape == (3, 3) and h.dtype == np.float64
    np.testing.assert_allclose(h, np.diag(6 * x))
    y, dy = value_and_grad(lambda x: (x.exp()).sum())(x)
    np.testing.assert_allclose(dy.data, np.exp(x))
    assert float(y.data) == pytest.approx(np.exp(x).sum())


def test_hessian_of_a_matrix_argument_has_shape_s_plus_s() -> None:
    w = RNG.normal(size=(2, 3))
    x = RNG.normal(size=(3,))
    h = hessian(lambda w: ((w @ x).tanh() ** 2).sum())(w)
    assert h.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(h.reshape(6, 6), h.reshape(6, 6).T, atol=1e-12)


def test_hvp_is_hessian_times_v_without_forming_it() -> None:
    def f(x: Tensor) -> Tensor:
        return (x.softmax() * x).sum() + (x[0] * x[2]).exp()

    x, v = RNG.normal(size=4), RNG.normal(size=4)
    np.testing.assert_allclose(hvp(f, x, v).data, hessian(f)(x) @ v, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match=r"v has shape \(3,\) but x has shape \(4,\)"):
        hvp(f, x, v[:3])


def test_grad_of_a_tensor_function_with_constant_gradient_is_zero() -> None:
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(hessian(lambda x: (3 * x).sum())(x), np.zeros((2, 2)))
    np.testing.assert_array_equal(grad(lambda x: Tensor(5.0))(x).data, np.zeros(2))


def test_grad_rejects_a_non_scalar_result() -> None:
    with pytest.raises(ValueError, match=r"f must return a scalar, got a Tensor of shape \(2,\)"):
        grad(lambda x: x * 2)(np.array([1.0, 2.0]))


# ------------------------------------------------------ every op, twice

OPS: list[tuple[str, Callable[..., Tensor], list[Tensor]]] = [
    ("add broadcast", lambda a, b: ((a + b) ** 2).sum(), [t(2, 3), t(3)]),
    ("sub broadcast", lambda a, b: ((a - b) ** 3).sum(), [t(2, 3), t(2, 1)]),
    ("mul broadcast", lambda a, b: (a * b * a).sum(), [t(2, 3), t(3)]),
    ("div", lambda a, b: (a / b).sum(), [t(2, 3), t(2, 3, positive=True)]),
    ("pow const", lambda a: (a**3 + a**2 + a**0 + (a * a + 1) ** 0.5).sum(), [t(3)]),
    ("pow tensor", lambda a, b: (a**b).sum(), [t(3, positive=True), t(3)]),
    ("rpow", lambda a: (2.0**a).sum(), [t(3)]),
    ("neg", lambda a: (-(a * a)).sum(), [t(3)]),
    ("matmul 2-D", lambda a, b: ((a @ b) ** 2).sum(), [t(2, 3), t(3, 2)]),
    ("matmul batched", lambda a, b: ((a @ b).tanh()).sum(), [t(2, 2, 3), t(3, 2)]),
    ("matmul vector", lambda a, v: ((a @ v) ** 2).sum() + ((v @ a.T) ** 3).sum(), [t(2, 3), t(3)]),
    ("sum axis", lambda a: (a.sum(axis=0) ** 2).sum(), [t(2, 3)]),
    ("mean keepdims", lambda a: (a.mean(axis=1, keepdims=True) ** 3).sum(), [t(2, 3)]),
    ("max", lambda a: a.max(axis=1).exp().sum() * a.max(), [t(2, 3)]),
    ("reshape/transpose", lambda a: (a.reshape(3, 2).T * a).sum() ** 2, [t(2, 3)]),
    ("getitem basic", lambda a: (a[1] * a[:, 0].sum()).sum() ** 2, [t(2, 3)]),
    ("getitem repeated", lambda a: (a[[0, 0, 1], 1] ** 3).sum(), [t(2, 3)]),
    ("exp", lambda a: (a * a).exp().sum(), [t(3)]),
    ("log", lambda a: (a * a + 1).log().sum(), [t(3)]),
    ("tanh", lambda a: (a * 2).tanh().sum(), [t(3)]),
    ("sigmoid", lambda a: (a * 2).sigmoid().sum(), [t(3)]),
    ("relu", lambda a: (a.relu() * a).sum(), [t(5)]),
    ("softmax", lambda a: (a.softmax(axis=1) * a).sum(), [t(2, 3)]),
    ("log_softmax", lambda a: (a.log_softmax(axis=0) ** 2).sum(), [t(2, 3)]),
]


@pytest.mark.parametrize(("name", "f", "xs"), OPS, ids=[o[0] for o in OPS])
def test_every_tensor_op_has_right_second_derivatives(
    name: str, f: Callable[..., Tensor], xs: list[Tensor]
) -> None:
    gradcheck(f, xs, order=2)


@pytest.mark.parametrize("activation", [None, "sigmoid", "tanh", "relu"])
def test_fused_linear_and_mse_differentiate_twice(activation: str | None) -> None:
    x, w, b, target = t(3, 4), t(2, 4), t(2), t(3, 2)
    gradcheck(lambda x, w, b, y: mse(linear(x, w, b, activation), y), [x, w, b, target], order=2)
    # a constant (ndarray) input, and a 1-D and a 3-D input
    gradcheck(lambda w, b: mse(linear(x.data, w, b, activation), target.data), [w, b], order=2)
    gradcheck(lambda x, w: (linear(x[0], w, None, activation) ** 2).sum(), [x, w], order=2)
    gradcheck(
        lambda x, w, b: linear(x.reshape(3, 1, 4), w, b, activation).sum() ** 2, [x, w, b], order=2
    )


def test_fused_cross_entropy_differentiates_twice() -> None:
    x, w = t(3, 4), t(5, 4)
    labels = np.array([0, 4, 2])
    gradcheck(lambda x, w: cross_entropy(linear(x, w, None, "tanh"), labels), [x, w], order=2)
    gradcheck(lambda z: cross_entropy(z[0], 3), [t(2, 5)], order=2)


def test_nn_layers_and_losses_differentiate_twice() -> None:
    model = nn.TensorMLP(3, [4, 2], activation="sigmoid", seed=0)
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    x = RNG.normal(size=(5, 3))
    y = np.array([0, 1, 1, 0, 1])
    params = model.parameters()
    gradcheck(lambda *ps: nn.cross_entropy(model(Tensor(x)), y), params, order=2, rtol=1e-4)


def test_optimizers_and_draw_graph_take_tensor_graph_gradients() -> None:
    w, w_ref = t(3), Tensor(np.zeros(3), requires_grad=True)
    w_ref.data[:] = w.data
    (w * w * w).sum().backward(create_graph=True)
    (w_ref * w_ref * w_ref).sum().backward()
    assert isinstance(w.grad, Tensor)
    nn.SGD([w], lr=0.1).step()
    nn.SGD([w_ref], lr=0.1).step()
    np.testing.assert_array_equal(w.data, w_ref.data)
    v = Tensor([0.5, -0.2], requires_grad=True, label="v")
    y = (v * v).sum()
    y.backward(create_graph=True)
    assert "grad [1.000, -0.4000]" in draw_graph(y).source


# ------------------------------------------------------------ properties


def as_tensor_function(f: Any, n: int) -> Callable[[Tensor], Tensor]:
    """The Value expression ``f(x0, ..., xn-1)`` run on the entries of one 1-D Tensor."""
    return lambda x: f(*[x[i] for i in range(n)])


@settings(max_examples=40)
@given(expressions(min_inputs=1, max_inputs=3, max_ops=8))
def test_value_and_tensor_twins_have_the_same_hessian(expr: tuple[Any, list[Value]]) -> None:
    f, inputs = expr
    xs = [x.data for x in inputs]
    h_value = hessian(f)(*xs)
    h_tensor = hessian(as_tensor_function(f, len(xs)))(np.array(xs))
    np.testing.assert_allclose(h_tensor, h_value, rtol=1e-9, atol=1e-9)


@settings(max_examples=40)
@given(
    expressions(min_inputs=1, max_inputs=3, max_ops=8),
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)
def test_hvp_equals_the_hessian_times_v(expr: tuple[Any, list[Value]], v: list[float]) -> None:
    f, inputs = expr
    x = np.array([i.data for i in inputs])
    ft = as_tensor_function(f, len(x))
    vv = np.array(v[: len(x)])
    np.testing.assert_allclose(hvp(ft, x, vv).data, hessian(ft)(x) @ vv, rtol=1e-9, atol=1e-9)


@settings(max_examples=30)
@given(expressions(min_inputs=1, max_inputs=3, max_ops=6))
def test_random_tensor_programs_differentiated_twice_match_differences(
    expr: tuple[Any, list[Value]],
) -> None:
    f, inputs = expr
    x = Tensor(np.array([i.data for i in inputs]), requires_grad=True)
    gradcheck(as_tensor_function(f, len(inputs)), [x], order=2, rtol=1e-4, atol=1e-6)


def test_a_constant_array_exponent_needs_no_log_of_the_base() -> None:
    """d/dn a**n = a**n ln a is not needed for a constant exponent: a negative or zero
    base is fine at every order (and no warning), as for a number exponent."""
    import warnings

    x = Tensor([-1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x ** np.array([2.0, 2.0])).sum().backward(create_graph=True)
    np.testing.assert_array_equal(x.grad.data, [-2.0, 4.0])
    np.testing.assert_array_equal(
        grad(lambda t: (t ** np.array([3.0, 2.0])).sum())(np.array([0.0, 2.0])).data, [0.0, 4.0]
    )
