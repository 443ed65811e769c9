"""Objects behave like Python objects: every graph (after every op), model and optimizer
pickles and deep-copies, and the copy backprops to the same gradients; settings changed
after first use take effect on the next call."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, grad, no_grad, set_grad_enabled
from autograd.fused import cross_entropy, linear, mse
from autograd.value import OPS

ROUND_TRIPS: dict[str, Callable[[Any], Any]] = {
    "pickle": lambda x: pickle.loads(pickle.dumps(x)),
    "pickle protocol 2": lambda x: pickle.loads(pickle.dumps(x, protocol=2)),
    "deepcopy": copy.deepcopy,
}


def value_graph() -> tuple[Value, list[Value]]:
    """A loss using every Value op (each name in OPS), and its leaves."""
    x, y = Value(0.7, label="x"), Value(1.3, label="y")
    h = x * y + x - y / 2.0
    h = h + (-x) + x**2 + x**0.5 + y**x + 2.0**x
    h = h + x.exp() + y.log() + (x * 0.3).tanh() + x.sigmoid() + (x - 0.2).relu()
    h = h + (x - 1.0).abs()
    ops = {n._op for n in _nodes(h)}
    assert {name for name in OPS if name != "**n"} <= ops | {"**"}, set(OPS) - ops
    return h * h, [x, y]


def _nodes(root: Any) -> list[Any]:
    seen, stack, out = set(), [root], []
    while stack:
        n = stack.pop()
        if id(n) not in seen:
            seen.add(id(n))
            out.append(n)
            stack.extend(n._parents)
    return out


def leaves_of(root: Any, labels: list[str]) -> list[Any]:
    by_label = {n.label: n for n in _nodes(root) if n.label}
    return [by_label[name] for name in labels]


@pytest.mark.parametrize("how", sorted(ROUND_TRIPS))
def test_a_value_graph_with_every_op_round_trips_and_backprops(how: str) -> None:
    loss, (x, y) = value_graph()
    copied = ROUND_TRIPS[how](loss)
    cx, cy = leaves_of(copied, ["x", "y"])
    assert cx is not x and copied.data == loss.data
    loss.backward()
    copied.backward()
    assert (cx.grad, cy.grad) == (x.grad, y.grad) and x.grad != 0.0


def test_a_value_graph_made_by_create_graph_round_trips() -> None:
    x = Value(0.0, label="x")
    (x**1.5).backward(create_graph=True)  # the "dpow" node with its lazy refusal
    g = ROUND_TRIPS["pickle"](x.grad)
    assert g.data == 0.0
    with pytest.raises(ValueError, match="infinite"):
        g.backward()
    dg = ROUND_TRIPS["pickle"](grad(grad(lambda v: v.tanh() * v))(Value(0.5)))
    assert dg.data == pytest.approx(grad(grad(lambda v: v.tanh() * v))(0.5).data, rel=0)


def tensor_graph(dtype: Any) -> Tensor:
    """A loss using every Tensor op and the fused ones."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.uniform(0.5, 1.5, (3, 4)).astype(dtype), requires_grad=True, label="x")
    w = Tensor(rng.uniform(-1, 1, (2, 4)).astype(dtype), requires_grad=True, label="w")
    h = (x + 1.0) * x - x / 2.0 + 2.0 / x + x**2 + x ** w.sum(axis=0).relu() + 2.0**x - (-x)
    h = h.exp().log() + h.tanh() + h.sigmoid() + (h - 1.0).relu() + h.softmax(1) + h.log_softmax(0)
    h = h + (h - 5.0).abs() + h.clip(0.0, 5.0) + x.sqrt()
    h = h.reshape(4, 3).T[:, ::2].sum(axis=1, keepdims=True) * h[[0, 0, 2]] + h.max(axis=0)
    z = linear(h, w, w[:, 0], "tanh") + linear(h, w, None, "sigmoid") + linear(h, w, None, "relu")
    z = z @ w + (x @ w.T).mean()
    return mse(z, np.ones((3, 4), dtype)) + cross_entropy(z, [0, 1, 2]) + z.sum()


@pytest.mark.parametrize("how", sorted(ROUND_TRIPS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_tensor_graph_with_every_op_round_trips_and_backprops(how: str, dtype: Any) -> None:
    loss = tensor_graph(dtype)
    x, w = leaves_of(loss, ["x", "w"])
    copied = ROUND_TRIPS[how](loss)
    cx, cw = leaves_of(copied, ["x", "w"])
    assert cx is not x and cx.data is not x.data
    loss.backward()
    copied.backward()
    np.testing.assert_array_equal(cx.grad, x.grad)
    np.testing.assert_array_equal(cw.grad, w.grad)
    assert np.abs(x.grad).sum() > 0


def test_a_copied_graph_still_refuses_data_changed_in_place() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    loss = ROUND_TRIPS["pickle"]((w * w).sum())
    (cw,) = leaves_of(loss, ["w"])
    with no_grad():
        cw += 1.0
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


MODELS: dict[str, Callable[[], Any]] = {
    "MLP": lambda: nn.MLP(2, [3, 1], seed=0),
    "Sequential": lambda: nn.Sequential(
        nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1)
    ),
    "TensorMLP": lambda: nn.TensorMLP(2, [3, 1], seed=0),
}


def model_loss(model: Any) -> Any:
    if isinstance(model, nn.MLP):
        return nn.mse([model([0.5, -1.0]), model([1.0, 2.0])], [[1.0], [0.0]])
    return nn.mse(model(Tensor([[0.5, -1.0], [1.0, 2.0]])), Tensor([[1.0], [0.0]]))


@pytest.mark.parametrize("how", sorted(ROUND_TRIPS))
@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_models_and_optimizers_round_trip_and_train_the_same(how: str, name: str, opt: str) -> None:
    model = MODELS[name]()
    make = (
        (lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9))
        if opt == "SGD"
        else (lambda ps: nn.Adam(ps, lr=0.1))
    )
    optimizer = make(model.parameters())
    for _ in range(2):  # state in the optimizer (momentum, moments) before the copy
        optimizer.zero_grad()
        model_loss(model).backward()
        optimizer.step()
    model2, optimizer2 = ROUND_TRIPS[how]((model, optimizer))
    assert all(a is b for a, b in zip(optimizer2.params, model2.parameters(), strict=True))
    for m, o in ((model, optimizer), (model2, optimizer2)):
        o.zero_grad()
        model_loss(m).backward()
        o.step()
    for p, q in zip(model.parameters(), model2.parameters(), strict=True):
        np.testing.assert_array_equal(np.asarray(q.data), np.asarray(p.data))


def test_an_optimizer_learning_rate_changed_after_first_use_takes_effect() -> None:
    w = Tensor([1.0], requires_grad=True)
    opt = nn.SGD([w], lr=0.1)
    for lr, want in ((0.1, 0.8), (0.25, 0.4)):  # d(w^2)/dw = 2w
        opt.lr = lr
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
        assert w.data[0] == pytest.approx(want, rel=1e-15)


def test_sequential_fuse_changed_after_first_use_takes_effect() -> None:
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.Sigmoid())
    x = Tensor([[0.5, -1.0]])
    assert model(x)._op == "linear+sigmoid"
    model.fuse = False
    assert model(x)._op == "sigmoid"
    model.fuse = True
    assert model(x)._op == "linear+sigmoid"
    model.modules[1] = nn.Tanh()
    assert model(x)._op == "linear+tanh"


def test_grad_mode_changed_after_first_use_takes_effect() -> None:
    w = Value(2.0)
    assert (w * w)._parents
    set_grad_enabled(False)
    try:
        assert not (w * w)._parents and not (Tensor([1.0], requires_grad=True) * 2).requires_grad
    finally:
        set_grad_enabled(True)
    assert (w * w)._parents and (Tensor([1.0], requires_grad=True) * 2).requires_grad


def test_a_node_class_given_a_hash_of_its_own_after_first_use_is_walked_by_id() -> None:
    class Node(Value):
        __slots__ = ()

    x = Node(2.0)
    (x * x).backward()  # the walk has seen Node hash by identity
    Node.__hash__ = lambda self: 0  # type: ignore[assignment,method-assign]
    Node.__eq__ = lambda self, other: True  # type: ignore[assignment,method-assign]
    a, b = Node(2.0), Node(3.0)
    y = a * b  # a Value; its parents a and b are "equal" and hash alike
    y.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)
