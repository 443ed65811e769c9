"""check_vjp: a right VJP passes over broadcastable shapes and dtypes; a VJP that
forgets to sum over broadcast axes, or has a wrong derivative, is named with its shapes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from autograd.checking.conformance import ConformanceError, check_vjp


def sum_to(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` summed over the axes that broadcasting added or stretched, back to ``shape``."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def mul(a: Any, b: Any) -> Any:
    return a * b


def mul_vjp(g: Any, a: Any, b: Any) -> tuple[Any, Any]:
    return sum_to(g * b, a.shape), sum_to(g * a, b.shape)


def test_a_right_vjp_passes() -> None:
    check = check_vjp(mul, mul_vjp, max_examples=30)
    assert check.passed, check
    assert "float32" in check.message and "float64" in check.message


def test_tanh_vjp_passes_in_float32_too() -> None:
    check = check_vjp(
        np.tanh, lambda g, x: (g * (1 - np.tanh(x) ** 2),), num_inputs=1, dtypes=[np.float32]
    )
    assert check.passed, check


def test_forgetting_to_unbroadcast_names_the_shapes() -> None:
    check = check_vjp(mul, lambda g, a, b: (g * b, g * a), max_examples=30, raise_exception=False)
    assert not check.passed
    assert "has shape" in check.message and "was broadcast to" in check.message
    assert "shapes x0:" in check.message and check.example and "vjp(g, x0, x1)" in check.example


def test_a_wrong_derivative_is_reported_with_expected_and_got() -> None:
    with pytest.raises(ConformanceError, match=r"gradient of x1 .* expected .* got") as info:
        check_vjp(mul, lambda g, a, b: (sum_to(g * b, a.shape), sum_to(g * b, b.shape)))
    assert isinstance(info.value, AssertionError)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="float dtypes"):
        check_vjp(mul, mul_vjp, dtypes=[np.int64])
    with pytest.raises(ValueError, match="num_inputs"):
        check_vjp(mul, mul_vjp, num_inputs=0)
