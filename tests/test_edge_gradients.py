"""Gradients at the edges follow the math: where an op's derivative is 0 its gradient
is 0 even for an infinite upstream gradient (``inf * 0`` would be nan; PyTorch's relu
gives 0 too), in backward() and create_graph alike. The right values are analytic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value
from autograd.fused import linear

INF = np.inf

# name -> (op on a Tensor x, x, upstream gradient, dL/dx by hand)
TENSOR_CASES: dict[
    str, tuple[Callable[[Tensor], Tensor], list[float], list[float], list[float]]
] = {
    "relu": (lambda x: x.relu(), [-1.0, 0.0, 2.0], [INF, INF, 1.0], [0.0, 0.0, 1.0]),
    "max": (lambda x: x.max(keepdims=True) * 1.0, [1.0, 3.0, 2.0], [INF], [0.0, INF, 0.0]),
    "max-axis": (lambda x: x.reshape(1, 3).max(axis=1), [1.0, 3.0, 3.0], [INF], [0.0, INF, INF]),
    "mul by 0": (lambda x: x * np.array([0.0, 2.0]), [5.0, 1.0], [INF, 1.0], [0.0, 2.0]),
    "mul 0 by": (lambda x: np.array([0.0, 2.0]) * x, [5.0, 1.0], [INF, 1.0], [0.0, 2.0]),
    "div of 0": (lambda x: Tensor([0.0, 3.0]) / x, [2.0, 1.0], [INF, 1.0], [0.0, -3.0]),
    "x**2 at 0": (lambda x: x**2, [0.0, 3.0], [INF, 1.0], [0.0, 6.0]),
    "x**3 at 0": (lambda x: x**3, [0.0, -1.0], [INF, 1.0], [0.0, 3.0]),
    "x**array at 0": (lambda x: x ** np.array([2.0, 3.0]), [0.0, 0.0], [INF, INF], [0.0, 0.0]),
    "x**0": (lambda x: x**0, [0.0, 2.0], [INF, INF], [0.0, 0.0]),
    "getitem": (lambda x: x[np.array([0, 0])], [1.0, 2.0], [INF, 1.0], [INF, 0.0]),
    "slice": (lambda x: x[1:], [1.0, 2.0], [INF], [0.0, INF]),
    "linear+relu": (
        lambda x: linear(x, Tensor([[1.0, 1.0]]), None, "relu"),
        [-1.0, -2.0],
        [INF],
        [0.0, 0.0],
    ),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(TENSOR_CASES))
def test_a_zero_derivative_stops_an_infinite_gradient(name: str, dtype: Any) -> None:
    op, x0, g, want = TENSOR_CASES[name]
    x = Tensor(np.array(x0, dtype), requires_grad=True)
    y = op(x)
    with np.errstate(all="raise"):  # no inf * 0 on the way either
        y.backward(np.array(g, dtype).reshape(y.shape))
    assert x.grad.dtype == dtype
    np.testing.assert_array_equal(x.grad, np.array(want, dtype))
    x.grad = None  # create_graph computes the same numbers (and a graph)
    with np.errstate(all="raise"):
        op(x).backward(np.array(g, dtype).reshape(y.shape), create_graph=True)
    np.testing.assert_array_equal(x.grad.data, np.array(want, dtype))


def test_the_exponent_side_at_base_1() -> None:
    # d/dn a**n = a**n ln a = 0 at a = 1
    a = Tensor([1.0, 2.0])
    n = Tensor([3.0, 1.0], requires_grad=True)
    (a**n).backward(np.array([INF, 1.0]))
    np.testing.assert_allclose(n.grad, [0.0, 2.0 * np.log(2.0)], rtol=1e-15)


# Value: an infinite upstream gradient from inside the graph, L = (f(x) - f(x0)) * 1e300 * 1e300
VALUE_CASES: dict[str, tuple[Callable[[Value], Value], float]] = {
    "relu below 0": (lambda x: x.relu(), -1.0),
    "relu at 0": (lambda x: x.relu(), 0.0),
    "mul by 0": (lambda x: x * 0.0, 5.0),
    "mul 0 by": (lambda x: 0.0 * x, 5.0),
    "x**2 at 0": (lambda x: x**2, 0.0),
    "x**3 at 0": (lambda x: x**3, 0.0),
    "x**0": (lambda x: x**0, 2.0),
    "div of 0": (lambda x: 0.0 / x, 2.0),
    "exponent at base 1": (lambda x: Value(1.0) ** x, 3.0),
}


@pytest.mark.parametrize("name", sorted(VALUE_CASES))
def test_value_zero_derivative_stops_an_infinite_gradient(name: str) -> None:
    f, x0 = VALUE_CASES[name]
    x = Value(x0)
    y = f(x)
    ((y - y.data) * 1e300 * 1e300).backward()
    assert y.grad == INF  # the upstream gradient really is infinite
    assert x.grad == 0.0
