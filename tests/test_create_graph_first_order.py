"""``backward(create_graph=True)`` and ``grad()`` compute at first order exactly what
``backward()`` computes: the same gradients (values within a stated bound), the same
dtypes, the same refusals. Only the extra graph is new.

Every Tensor op and every fused op runs on mixed float32/float64 operands and
broadcasting shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value, grad
from autograd.fused import cross_entropy, linear, mse

F32, F64 = np.float32, np.float64
Op = Callable[[Tensor, Tensor], Tensor]

# Each op takes a (shape (3, 4)) and b (shape (4,), or (2, 4) for layers), returns a
# Tensor of any shape; the loss is its sum weighted by a third array, so every entry's
# gradient differs.
OPS: dict[str, Op] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "rsub": lambda a, b: 2.0 - a * b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "rdiv": lambda a, b: 1.0 / (a * b),
    "pow_tensor": lambda a, b: a**b,
    "pow_number": lambda a, b: a**3 * b,
    "pow_half": lambda a, b: a**0.5 * b,
    "rpow": lambda a, b: 2.0**a * b,
    "neg": lambda a, b: -a * b,
    "matmul": lambda a, b: a @ b,
    "rmatmul": lambda a, b: b @ a.T,
    "sum": lambda a, b: a.sum(axis=0) * b,
    "mean": lambda a, b: a.mean(axis=1, keepdims=True) * b,
    "max": lambda a, b: a.max(axis=0) * b,
    "reshape": lambda a, b: a.reshape(4, 3).T * b,
    "transpose": lambda a, b: a.T.T * b,
    "getitem_basic": lambda a, b: a[1:, ::2] * b[:2],
    "getitem_advanced": lambda a, b: a[[0, 0, 2]] * b,
    "exp": lambda a, b: a.exp() * b,
    "log": lambda a, b: a.log() * b,
    "tanh": lambda a, b: a.tanh() * b,
    "sigmoid": lambda a, b: a.sigmoid() * b,
    "relu": lambda a, b: (a - 1.0).relu() * b,
    "softmax": lambda a, b: (a * b).softmax(axis=1),
    "log_softmax": lambda a, b: (a * b).log_softmax(axis=0),
    "linear": lambda a, b: linear(a, b.reshape(-1, 4)[:2] if b.ndim == 1 else b),
    "linear+bias+tanh": lambda a, b: linear(a, b, b[:, 0], "tanh"),
    "linear+sigmoid": lambda a, b: linear(a, b, None, "sigmoid"),
    "linear+relu": lambda a, b: linear(a - 1.0, b, b[:, 1], "relu"),
    "mse": lambda a, b: mse(a[:2, :] * b[0, 0], a[1:, :] * b[1]),
    "cross_entropy": lambda a, b: cross_entropy(a[:2] * b, [1, 3]),
}
LAYERS = {"linear", "linear+bias+tanh", "linear+sigmoid", "linear+relu", "mse", "cross_entropy"}


def operands(name: str, da: Any, db: Any) -> tuple[Tensor, Tensor, np.ndarray]:
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    a = Tensor(rng.uniform(0.5, 1.5, (3, 4)).astype(da), requires_grad=True)
    b = Tensor(
        rng.uniform(0.5, 1.5, (2, 4) if name in LAYERS else (4,)).astype(db), requires_grad=True
    )
    return a, b, rng.uniform(-1.0, 1.0, 12)


def loss(op: Op, a: Tensor, b: Tensor, w: np.ndarray) -> Tensor:
    out = op(a, b)
    weights = w[: out.size].reshape(out.shape).astype(out.dtype)
    return (out * weights).sum()


def first_order(op: Op, a: Tensor, b: Tensor, w: np.ndarray, how: str) -> list[np.ndarray]:
    if how == "grad":
        ga, gb = grad(lambda x, y: loss(op, x, y, w), argnums=(0, 1))(a, b)
        return [ga.data, gb.data]
    a.grad = b.grad = None
    loss(op, a, b, w).backward(create_graph=how == "create_graph")
    out = [a.grad, b.grad]
    return [g.data if isinstance(g, Tensor) else g for g in out]


@pytest.mark.parametrize("dtypes", [(F32, F64), (F64, F32), (F32, F32), (F64, F64)])
@pytest.mark.parametrize("name", sorted(OPS))
def test_create_graph_and_grad_compute_what_backward_computes(
    name: str, dtypes: tuple[Any, Any]
) -> None:
    a, b, w = operands(name, *dtypes)
    plain = first_order(OPS[name], a, b, w, "backward")
    for how in ("create_graph", "grad"):
        other = first_order(OPS[name], a, b, w, how)
        for p, o, x in zip(plain, other, (a, b), strict=True):
            assert p.dtype == o.dtype == x.dtype, (how, p.dtype, o.dtype)
            assert p.shape == o.shape == x.shape
            # Both run the same VJP formulas, so they agree to a few roundings of the
            # operand dtype (different op order on Tensors: NumPy's promotion rules).
            eps = np.finfo(x.dtype).eps
            np.testing.assert_allclose(o, p, rtol=16 * eps, atol=16 * eps, err_msg=how)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_pow_at_zero_is_not_refused_by_create_graph(dtype: Any) -> None:
    """d/da a**1.5 at 0 is 0: backward() gives it, so create_graph and grad() must too.
    (Its second derivative, 0.75 a**-0.5, is infinite at 0: refused when asked for.)"""
    a = Tensor(np.array([0.0, 4.0], dtype), requires_grad=True)
    (a**1.5).sum().backward()
    assert a.grad.tolist() == [0.0, 3.0]
    a.grad = None
    (a**1.5).sum().backward(create_graph=True)
    assert a.grad.data.tolist() == [0.0, 3.0] and a.grad.dtype == dtype
    assert grad(lambda x: (x**1.5).sum())(a).data.tolist() == [0.0, 3.0]
    with pytest.raises(ValueError, match="infinite"):
        grad(grad(lambda x: (x**1.5).sum()))  # built lazily: nothing raised yet
        a.grad = None
        (a**1.5).sum().backward(create_graph=True)
        a.grad.sum().backward()


def test_value_pow_at_zero_is_not_refused_by_create_graph() -> None:
    x = Value(0.0)
    (x**1.5).backward()
    assert x.grad == 0.0
    assert grad(lambda v: v**1.5)(0.0).data == 0.0
    x.grad = 0.0
    (x**1.5).backward(create_graph=True)
    assert x.grad.data == 0.0
    assert grad(grad(lambda v: v**2.5))(0.0).data == 0.0  # 3.75 a**0.5 at 0
    with pytest.raises(ValueError, match="infinite"):  # 0.75 a**-0.5 at 0: asked for, refused
        grad(grad(lambda v: v**1.5))(0.0)
    x.grad = 0.0
    (x**1.5).backward(create_graph=True)
    g = x.grad
    x.grad = 0.0
    with pytest.raises(ValueError, match="infinite"):
        g.backward()
    assert x.grad == 0.0


@pytest.mark.parametrize("spelling", ["value", "tensor"])
def test_pow_derivative_where_the_power_alone_overflows(spelling: str) -> None:
    """d/da a**n at a = 1e-310, n = 1e-300 is 1e10 although a**(n-1) overflows:
    backward() computes it (docs/refuses.md), so create_graph must too."""
    v, t = Value(1e-310), Tensor([1e-310], requires_grad=True)
    (v**1e-300).backward()
    (t**1e-300).sum().backward()
    assert v.grad == pytest.approx(1e10) and t.grad[0] == pytest.approx(1e10)
    if spelling == "value":
        assert grad(lambda v: v**1e-300)(1e-310).data == pytest.approx(1e-300 / 1e-310)
    else:
        t = Tensor([1e-310], requires_grad=True)
        assert grad(lambda v: (v**1e-300).sum())(t).data[0] == pytest.approx(1e10)
