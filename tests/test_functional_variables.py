"""Each argument position of grad/value_and_grad/hessian/hvp is a variable of its own.

Without that, a node used elsewhere too (captured by f, passed twice, the variable of
an enclosing grad) adds to the derivative: "perturbation confusion". The right
values are the analytic ones (JAX and torch.func agree).
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, Value, grad, hessian, hvp, no_grad, value_and_grad


def test_nested_grad_does_not_confuse_the_outer_variable() -> None:
    # d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1
    df = grad(lambda x: x * grad(lambda y: x + y)(x))
    assert df(5.0).data == 1.0
    assert df(Value(5.0)).data == 1.0
    t = grad(lambda x: (x * grad(lambda y: (x + y).sum())(x)).sum())(np.array([5.0, 2.0]))
    assert t.data.tolist() == [1.0, 1.0]


def test_nested_grad_of_a_product_with_the_outer_variable() -> None:
    # d/dx [x * d/dy (x * y)] at y = x: d/dx [x * x] = 2 x  (confused: d/dx x*(2x) = 4x)
    df = grad(lambda x: x * grad(lambda y: x * y)(x))
    assert df(3.0).data == 6.0
    dft = grad(lambda x: (x * grad(lambda y: (x * y).sum())(x)).sum())
    assert dft(Tensor([3.0, -1.0], requires_grad=True)).data.tolist() == [6.0, -2.0]


def test_the_same_node_in_two_argument_positions() -> None:
    x = Value(3.0)
    # f(a, b) = a * b**2: df/da = b^2 = 9, df/db = 2ab = 18
    da, db = grad(lambda a, b: a * b**2, argnums=(0, 1))(x, x)
    assert (da.data, db.data) == (9.0, 18.0)
    t = Tensor([3.0, 2.0], requires_grad=True)
    ga, gb = grad(lambda a, b: (a * b**2).sum(), argnums=(0, 1))(t, t)
    assert ga.data.tolist() == [9.0, 4.0] and gb.data.tolist() == [18.0, 8.0]
    y, (va, vb) = value_and_grad(lambda a, b: a * b, argnums=(0, 1))(x, x)
    assert (y.data, va.data, vb.data) == (9.0, 3.0, 3.0)


def test_a_captured_argument_is_a_constant_for_grad() -> None:
    x = Value(2.0)
    # f(y) = x * y with x captured; called at y = x: df/dy = x = 2 (not 2x = 4)
    assert grad(lambda y: x * y)(x).data == 2.0
    t = Tensor([2.0, 5.0], requires_grad=True)
    assert grad(lambda y: (t * y).sum())(t).data.tolist() == [2.0, 5.0]


def test_hessian_and_hvp_of_a_function_that_captures_its_argument() -> None:
    x = Value(2.0)
    # f(y) = x * y**2 (x captured): f'' = 2x = 4
    assert hessian(lambda y: x * y**2)(x).tolist() == [[4.0]]
    assert hvp(lambda y: x * y**2, x, 3.0).data == 12.0
    t = Tensor([2.0, 3.0], requires_grad=True)
    # f(y) = sum(t * y**2): H = diag(2t)
    h = hessian(lambda y: (t * y**2).sum())(t)
    assert h.tolist() == [[4.0, 0.0], [0.0, 6.0]]
    v = hvp(lambda y: (t * y**2).sum(), t, np.array([1.0, 1.0]))
    assert v.data.tolist() == [4.0, 6.0]
    # two scalar arguments, the same node: f(a, b) = a * b * x -> H = [[0, x], [x, 0]]
    assert hessian(lambda a, b: a * b * x)(x, x).tolist() == [[0.0, 2.0], [2.0, 0.0]]


def test_the_arguments_and_their_grads_are_untouched() -> None:
    x = Value(2.0)
    x.grad = 7.0
    assert grad(lambda y: y * y)(x).data == 4.0
    assert x.grad == 7.0 and x._parents == ()


def test_grad_inside_no_grad_still_differentiates() -> None:
    with no_grad():
        assert grad(lambda y: y * y * y)(Value(2.0)).data == 12.0


@pytest.mark.parametrize("n", [1, 2, 3])
def test_nested_grad_depth(n: int) -> None:
    # d^n/dx^n of x**4 at 2: 32, 48, 48
    f = lambda x: x**4  # noqa: E731
    for _ in range(n):
        f = grad(f)
    assert f(2.0).data == {1: 32.0, 2: 48.0, 3: 48.0}[n]
