"""Issue 20, section 5: the ops a NumPy or micrograd user reaches for first (``abs``,
``sqrt``, ``clip``), and NumPy functions given a Tensor saying which method to use.

Gradients are checked against finite differences (``gradcheck``) away from the kinks,
and against the documented choice (0) at them."""

from __future__ import annotations

import re

import numpy as np
import pytest

from autograd import Tensor, Value, grad, gradcheck, no_grad

# ------------------------------------------------------------------ Value.abs


@pytest.mark.parametrize("x", [-2.5, -1e-3, 0.7, 3.0])
def test_value_abs_matches_finite_differences(x: float) -> None:
    v = Value(x)
    assert v.abs().data == abs(x)
    gradcheck(lambda a: (a.abs() * a).tanh(), [v], order=2)


def test_value_abs_derivative_is_the_sign_and_0_at_the_kink() -> None:
    for x, d in [(-3.0, -1.0), (2.0, 1.0), (0.0, 0.0)]:
        v = Value(x)
        v.abs().backward()
        assert v.grad == d


def test_abs_of_a_value_is_the_differentiable_op_always() -> None:
    """``abs(v)`` is ``v.abs()`` (a Value, as ``-v`` is), never a float that drops the graph."""
    w = Value(-1.5)
    y = abs(w) * 2
    assert isinstance(y, Value) and y.data == 3.0
    y.backward()
    assert w.grad == -2.0
    with no_grad():
        assert isinstance(abs(w), Value) and abs(w).data == 1.5


def test_value_abs_second_derivative_is_zero() -> None:
    """abs' is a step: grad(grad(3|x|)) is 0 on either side, -3 then 0 at x = -2."""
    assert grad(lambda x: x.abs() * 3)(-2.0).item() == -3.0
    assert grad(grad(lambda x: x.abs() * 3))(-2.0).item() == 0.0
    assert grad(grad(lambda x: x.abs() * x))(-2.0).item() == -2.0  # (-x²)'' = -2


# ------------------------------------------------------------- Tensor ops


def test_tensor_abs_sqrt_clip_match_finite_differences() -> None:
    rng = np.random.default_rng(0)
    x = Tensor(rng.uniform(-2, 2, (3, 4)), requires_grad=True)
    x.data[np.abs(x.data) < 0.1] = 0.5  # away from the kinks
    x.data[np.abs(np.abs(x.data) - 1) < 0.1] = 0.5
    gradcheck(lambda t: (t.abs() * t).sum(), [x], order=2)
    gradcheck(lambda t: (t.clip(-1.0, 1.0) * t).sum(), [x], order=2)
    gradcheck(lambda t: (t.clip(min=0.0) ** 2).sum(), [x])
    gradcheck(lambda t: (t.clip(max=0.0) ** 3).sum(), [x])
    p = Tensor(rng.uniform(0.5, 3, (5,)), requires_grad=True)
    gradcheck(lambda t: (t.sqrt() * t).sum(), [p], order=2)
    assert np.allclose(p.sqrt().data, np.sqrt(p.data))


def test_tensor_abs_and_clip_at_the_kinks() -> None:
    x = Tensor([-2.0, 0.0, 3.0, -1.0, 1.0], requires_grad=True)
    abs(x).sum().backward()  # abs(t) is t.abs()
    assert x.grad.tolist() == [-1.0, 0.0, 1.0, -1.0, 1.0]
    x.grad = None
    y = x.clip(-1.0, 1.0)
    assert y.data.tolist() == [-1.0, 0.0, 1.0, -1.0, 1.0]
    y.sum().backward()  # the bounds themselves are inside (as in PyTorch)
    assert x.grad.tolist() == [0.0, 1.0, 0.0, 1.0, 1.0]


def test_clip_keeps_float32_and_refuses_bad_bounds() -> None:
    x = Tensor(np.array([0.5, 2.0], np.float32))
    assert x.clip(0.0, 1.0).dtype == np.float32
    with pytest.raises(ValueError, match="give min, max or both"):
        x.clip()
    with pytest.raises(ValueError, match=r"min 2\.0 is larger than max 1\.0"):
        x.clip(2.0, 1.0)
    with pytest.raises(TypeError, match="min must be a real number"):
        x.clip("0")  # type: ignore[arg-type]


def test_sqrt_refuses_negative_entries() -> None:
    with pytest.raises(ValueError):
        Tensor([4.0, -1.0]).sqrt()


# ------------------------------------------------------------ NumPy on a Tensor


@pytest.mark.parametrize(
    ("call", "method"),
    [
        (np.sum, "t.sum()"),
        (np.exp, "t.exp()"),
        (np.log, "t.log()"),
        (np.abs, "t.abs()"),
        (np.sqrt, "t.sqrt()"),
        (np.mean, "t.mean()"),
        (np.max, "t.max()"),
        (lambda t: np.clip(t, 0, 1), "t.clip()"),
        (np.shape, "t.shape"),  # a property: no call
    ],
)
def test_numpy_functions_name_the_tensor_method(call: object, method: str) -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=re.escape(f"use the Tensor method instead: {method}")):
        call(t)  # type: ignore[operator]


def test_numpy_functions_without_a_method_say_so() -> None:
    with pytest.raises(TypeError, match=r"Tensor has no cos.*t\.data"):
        np.cos(Tensor([1.0]))


def test_numpy_operators_with_an_array_on_the_left_stay_tensor_ops() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    a = np.array([3.0, 5.0])
    y = a - t
    assert isinstance(y, Tensor) and y.data.tolist() == [2.0, 3.0]
    (a * t + a / t + a**t).sum().backward()
    assert np.allclose(t.grad, a - a / t.data**2 + a**t.data * np.log(a))
    assert (a < t).tolist() == [False, False] and (a > t).tolist() == [True, True]
    assert isinstance(np.ones((2, 2)) @ t, Tensor)
    with pytest.raises(TypeError, match=r"write a = a \+ t"):
        a += t
