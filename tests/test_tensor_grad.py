"""Tensor gradients against central finite differences, on random shapes that broadcast.

Each op is checked with :func:`autograd.checking.gradcheck.gradcheck` in float64 on hypothesis
inputs. The loss is ``sum(op(...) * w)`` with a random fixed ``w``, so the seed
gradient is not all ones (a plain ``sum`` would hide transposed or mis-summed
gradients). float32 is checked against float64: same gradients to float32
round-off, and gradients come back in float32.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Tensor
from autograd.checking.gradcheck import gradcheck
from autograd.checking.strategies import arrays, broadcastable_arrays, broadcastable_shapes
from autograd.fused import cross_entropy, linear, mse

FAST = settings(max_examples=40, deadline=None)


def weighted(out: Tensor, seed: int = 0) -> Tensor:
    """``sum(out * w)`` for a fixed random ``w`` of out's shape."""
    w = np.random.default_rng(seed).uniform(0.5, 1.5, out.shape).astype(out.dtype)
    return (out * w).sum()


def check(f: Callable[..., Tensor], *arrays_: np.ndarray, **kw: Any) -> None:
    inputs = [Tensor(a.astype(np.float64), requires_grad=True) for a in arrays_]
    gradcheck(lambda *xs: weighted(f(*xs)), inputs, rtol=1e-4, atol=1e-6, **kw)


BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "** tensor": lambda a, b: a**b,
}


@FAST
@given(ab=broadcastable_arrays(2, min_value=-3.0, max_value=3.0), op=st.sampled_from(list(BINARY)))
def test_binary_ops_broadcast(ab: tuple[np.ndarray, np.ndarray], op: str) -> None:
    a, b = ab
    if op == "/":
        b = np.where(b >= 0, b + 0.5, b - 0.5)  # keep away from zero
    if op == "** tensor":
        a = np.abs(a) + 0.5  # positive base
    check(BINARY[op], a, b)


@FAST
@given(ab=broadcastable_arrays(2, min_value=-3.0, max_value=3.0))
def test_reflected_ops_with_constants(ab: tuple[np.ndarray, np.ndarray]) -> None:
    a, c = ab
    c = np.where(c >= 0, c + 0.5, c - 0.5)
    check(lambda x: 2.0 - x * c + c / (x * x + 1.0) - 1.5 / (c + 0 * x), a)
    check(lambda x: (c + x) * 3 + c**2 * x, a)


UNARY = {
    "exp": (lambda x: x.exp(), -2.0, 2.0),
    "log": (lambda x: x.log(), 0.2, 4.0),
    "tanh": (lambda x: x.tanh(), -3.0, 3.0),
    "sigmoid": (lambda x: x.sigmoid(), -6.0, 6.0),
    "relu": (lambda x: x.relu(), -3.0, 3.0),
    "neg": (lambda x: -x, -3.0, 3.0),
    "**2": (lambda x: x**2, -3.0, 3.0),
    "**3": (lambda x: x**3, -2.0, 2.0),
    "**0.5": (lambda x: x**0.5, 0.2, 4.0),
    "**-1": (lambda x: x**-1, 0.5, 3.0),
    "**0": (lambda x: x**0, -2.0, 2.0),
    "2**x": (lambda x: 2.0**x, -2.0, 2.0),
}


@FAST
@given(data=st.data(), name=st.sampled_from(list(UNARY)))
def test_elementwise_ops(data: st.DataObject, name: str) -> None:
    f, lo, hi = UNARY[name]
    a = data.draw(arrays(min_value=lo, max_value=hi))
    if name == "relu":
        a = np.where(np.abs(a) < 0.05, 0.5, a)  # finite differences need a step off the kink
    check(f, a)


@st.composite
def array_and_axis(draw: st.DrawFn, min_dims: int = 1) -> tuple[np.ndarray, Any, bool]:
    a = draw(arrays(min_dims=min_dims, max_dims=3))
    axes = st.sampled_from([None, *range(-a.ndim, a.ndim)])
    if a.ndim >= 2:
        axes = axes | st.just((0, a.ndim - 1))
    return a, draw(axes), draw(st.booleans())


@FAST
@given(aak=array_and_axis(min_dims=0))
def test_sum_and_mean(aak: tuple[np.ndarray, Any, bool]) -> None:
    a, axis, keepdims = aak
    if a.ndim == 0:
        axis = None
    check(lambda x: x.sum(axis=axis, keepdims=keepdims), a)
    check(lambda x: x.mean(axis=axis, keepdims=keepdims), a)


@FAST
@given(aak=array_and_axis())
def test_max(aak: tuple[np.ndarray, Any, bool]) -> None:
    a, axis, keepdims = aak
    a = a + np.arange(a.size).reshape(a.shape) * 0.0137  # distinct entries: no ties
    check(lambda x: x.max(axis=axis, keepdims=keepdims), a)


@FAST
@given(aak=array_and_axis())
def test_softmax_and_log_softmax(aak: tuple[np.ndarray, Any, bool]) -> None:
    a, axis, _ = aak
    axis = -1 if axis is None or isinstance(axis, tuple) else axis
    check(lambda x: x.softmax(axis=axis), a)
    check(lambda x: x.log_softmax(axis=axis), a)


@FAST
@given(a=arrays(min_dims=1, max_dims=3), data=st.data())
def test_reshape_transpose_getitem(a: np.ndarray, data: st.DataObject) -> None:
    check(lambda x: x.reshape(-1), a)
    check(lambda x: x.T, a)
    perm = tuple(data.draw(st.permutations(range(a.ndim))))
    check(lambda x: x.transpose(*perm), a)
    idx = data.draw(st.lists(st.integers(0, a.shape[0] - 1), min_size=1, max_size=5))
    check(lambda x: x[np.array(idx)], a)  # repeated indices accumulate
    check(lambda x: x[1:] if a.shape[0] > 1 else x[0], a)


MATMUL_SHAPES = st.sampled_from(
    [
        ((3,), (3,)),
        ((3,), (3, 2)),
        ((2, 3), (3,)),
        ((2, 3), (3, 4)),
        ((2, 2, 3), (3, 4)),
        ((3,), (2, 3, 4)),
        ((2, 1, 2, 3), (3, 3, 2)),
    ]
)


@FAST
@given(shapes=MATMUL_SHAPES, data=st.data())
def test_matmul(shapes: tuple[tuple[int, ...], tuple[int, ...]], data: st.DataObject) -> None:
    a = data.draw(arrays(shapes[0]))
    b = data.draw(arrays(shapes[1]))
    check(lambda x, y: x @ y, a, b)


@FAST
@given(
    n=st.integers(1, 4),
    lead=st.sampled_from([(), (2,), (2, 3)]),
    act=st.sampled_from([None, "sigmoid", "tanh", "relu"]),
    bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_fused_linear(
    n: int, lead: tuple[int, ...], act: str | None, bias: bool, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*lead, 3))
    w = rng.normal(size=(n, 3))
    b = rng.normal(size=n)
    assume(act != "relu" or np.all(np.abs(x @ w.T + b) > 0.05))  # off the kink
    if bias:
        check(lambda x_, w_, b_: linear(x_, w_, b_, act), x, w, b)
    else:
        check(lambda x_, w_: linear(x_, w_, None, act), x, w)
    # against the same math from unfused ops
    xt, wt, bt = (Tensor(v, requires_grad=True) for v in (x, w, b))
    y = linear(xt, wt, bt, act)
    z = xt @ wt.T + bt
    ref = z if act is None else getattr(z, act)()
    np.testing.assert_allclose(y.data, ref.data, rtol=1e-12, atol=1e-12)


@FAST
@given(n=st.integers(1, 5), k=st.integers(2, 6), seed=st.integers(0, 2**16))
def test_losses(n: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, k)) * 3
    labels = rng.integers(0, k, size=n)
    target = rng.uniform(size=(n, k))
    gradcheck(lambda t: cross_entropy(t, labels), [Tensor(z, requires_grad=True)])
    gradcheck(lambda t: mse(t, target), [Tensor(z, requires_grad=True)])
    gradcheck(
        lambda p, t: mse(p, t),
        [Tensor(z, requires_grad=True), Tensor(target, requires_grad=True)],
    )


# ------------------------------------------------------------------ float32


def grads(f: Callable[..., Tensor], arrays_: list[np.ndarray], dtype: Any) -> list[np.ndarray]:
    xs = [Tensor(a, requires_grad=True, dtype=dtype) for a in arrays_]
    out = weighted(f(*xs))
    assert out.dtype == dtype
    out.backward()
    result = []
    for x in xs:
        assert x.grad is not None and x.grad.dtype == dtype
        result.append(x.grad)
    return result


FLOAT32_CASES: dict[str, Callable[..., Tensor]] = {
    "arith": lambda a, b: (a * b + a / (b * b + 1.0) - b) ** 2,
    "smooth": lambda a, b: (a.tanh() + b.sigmoid() * a.exp()).log_softmax(axis=-1),
    "reduce": lambda a, b: (
        (a - b).mean(axis=0, keepdims=True) + (a * b).max(axis=-1, keepdims=True)
    ),
}


@FAST
@given(
    shapes=broadcastable_shapes(2, min_dims=1, max_dims=3),
    case=st.sampled_from(list(FLOAT32_CASES)),
    data=st.data(),
)
def test_float32_matches_float64(
    shapes: tuple[tuple[int, ...], ...], case: str, data: st.DataObject
) -> None:
    a, b = (data.draw(arrays(s, dtype=np.float32, min_value=-2, max_value=2)) for s in shapes)
    if case == "reduce":
        a = a + np.arange(a.size, dtype=np.float32).reshape(a.shape) * np.float32(0.0137)
    f = FLOAT32_CASES[case]
    g32 = grads(f, [a, b], np.float32)
    g64 = grads(f, [a.astype(np.float64), b.astype(np.float64)], np.float64)
    for x32, x64 in zip(g32, g64, strict=True):
        scale = max(1.0, float(np.max(np.abs(x64))))
        np.testing.assert_allclose(x32, x64, rtol=2e-4, atol=2e-5 * scale)


def test_float32_network_matches_float64() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(8, 20))
    w1, b1 = rng.normal(size=(6, 20)) * 0.3, rng.normal(size=6)
    w2, b2 = rng.normal(size=(4, 6)), rng.normal(size=4)
    labels = rng.integers(0, 4, size=8)

    def f(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> Tensor:
        h = linear(x.astype(w1.dtype), w1, b1, "sigmoid")
        return cross_entropy(linear(h, w2, b2), labels)

    g32 = grads(f, [w1, b1, w2, b2], np.float32)
    g64 = grads(f, [w1, b1, w2, b2], np.float64)
    for x32, x64 in zip(g32, g64, strict=True):
        np.testing.assert_allclose(x32, x64, rtol=1e-4, atol=1e-6)
