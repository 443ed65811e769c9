"""The twins agree on optimizers too (issue 19, item 10): the same calls on a scalar
``nn.MLP`` and on its float64 ``nn.TensorMLP`` twin leave the same weights.

The rule both engines follow (PyTorch's): a parameter whose ``grad`` is ``None`` has
no gradient and ``step()`` skips it: no weight decay, no momentum, no Adam step.
``zero_grad()`` sets ``None`` in both engines; a Value's starting ``0.0`` counts as
``None`` when the optimizer is made (see ``nn.optim``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor, Value

TOL = 1e-12

OPTIMIZERS: dict[str, Callable[[list[Any]], nn.Optimizer]] = {
    "sgd": lambda ps: nn.SGD(ps, lr=0.3),
    "sgd wd": lambda ps: nn.SGD(ps, lr=0.3, weight_decay=0.1),
    "sgd momentum wd": lambda ps: nn.SGD(ps, lr=0.3, momentum=0.9, weight_decay=0.1),
    "adam": lambda ps: nn.Adam(ps, lr=0.05),
    "adam wd": lambda ps: nn.Adam(ps, lr=0.05, weight_decay=0.1),
}

CALLS = ["backward", "step", "zero_grad", "model.zero_grad", "lr"]


class Twins:
    """A scalar MLP, its Tensor twin, an optimizer each, and one mini-batch."""

    def __init__(self, optimizer: str, loss: str) -> None:
        kw: dict[str, Any] = {"activation": "tanh", "output_activation": "linear"}
        self.mlp = nn.MLP(3, [4, 2], seed=0, **kw)
        self.twin = nn.TensorMLP(3, [4, 2], seed=1, dtype=np.float64, **kw)
        self.twin.load_state_dict(self.mlp.state_dict())
        self.opts = [OPTIMIZERS[optimizer](m.parameters()) for m in (self.mlp, self.twin)]
        rng = np.random.default_rng(0)
        self.x = rng.uniform(-1, 1, (3, 3))
        self.y = np.array([0, 1, 1])
        self.loss = loss

    def call(self, name: str) -> None:
        if name == "backward":
            outs = [self.mlp(list(row)) for row in self.x]
            twin_out = self.twin(self.x)
            if self.loss == "mse":
                targets = nn.one_hot(self.y, 2, dtype=np.float64)
                nn.mse(outs, targets).backward()
                nn.mse(twin_out, targets).backward()
            else:
                nn.cross_entropy(outs, self.y).backward()
                nn.cross_entropy(twin_out, self.y).backward()
        elif name == "model.zero_grad":
            self.mlp.zero_grad()
            self.twin.zero_grad()
        elif name == "lr":
            for opt in self.opts:
                opt.lr = opt.lr * 0.5
        else:
            for opt in self.opts:
                getattr(opt, name)()

    def assert_agree(self) -> None:
        got = self.mlp.state_dict()
        for k, v in self.twin.state_dict().items():
            np.testing.assert_allclose(np.array(got[k]), v, rtol=TOL, atol=TOL, err_msg=k)
        for (name, p), q in zip(self.mlp.named_parameters(), self.mlp.parameters(), strict=True):
            assert p is q and name
        scalar_none = [p.grad is None for p in self.mlp.parameters()]
        tensor_none = [p.grad is None for p in self.twin.parameters()]
        assert all(scalar_none) == all(tensor_none) and any(scalar_none) == any(tensor_none)


@settings(max_examples=40)
@given(
    optimizer=st.sampled_from(list(OPTIMIZERS)),
    loss=st.sampled_from(["mse", "cross_entropy"]),
    calls=st.lists(st.sampled_from(CALLS), max_size=8),
)
def test_same_calls_same_weights(optimizer: str, loss: str, calls: list[str]) -> None:
    twins = Twins(optimizer, loss)
    for name in calls:
        twins.call(name)
        twins.assert_agree()


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize(
    "calls",
    [
        ["step"],  # no gradient computed: nothing moves, even with weight decay
        ["backward", "step", "zero_grad", "step"],  # zero_grad then step: nothing moves
        ["backward", "step", "step"],  # the same gradient twice
        ["backward", "step", "lr", "backward", "step"],  # lr changed between steps
        ["backward", "backward", "step"],  # gradients accumulate
        ["backward", "model.zero_grad", "step"],
    ],
    ids=["no-grad", "zero-then-step", "twice", "lr-changed", "accumulate", "module-zero"],
)
def test_the_odd_calls(optimizer: str, calls: list[str]) -> None:
    twins = Twins(optimizer, "cross_entropy")
    before = twins.mlp.state_dict()
    for name in calls:
        twins.call(name)
        twins.assert_agree()
    if calls in (["step"],):
        assert twins.mlp.state_dict() == before


@pytest.mark.parametrize("make", [nn.SGD, nn.Adam])
def test_weight_decay_without_a_gradient_moves_neither_twin(make: Any) -> None:
    """The issue's example: SGD(weight_decay=0.1).step() with no gradient computed."""
    v, t = Value(1.0), Tensor(1.0, requires_grad=True, dtype=np.float64)
    for p in (v, t):
        make([p], lr=1.0, weight_decay=0.1).step()
    assert v.data == 1.0 and float(t.data) == 1.0
    assert v.grad is None and t.grad is None


def test_a_computed_zero_gradient_is_a_gradient_in_both() -> None:
    """0.0 from backward() is a real gradient: weight decay applies, as to an array of 0."""
    v, t = Value(1.0), Tensor(1.0, requires_grad=True, dtype=np.float64)
    opts = [nn.SGD([p], lr=1.0, weight_decay=0.1) for p in (v, t)]
    (v * 0.0).backward()
    (t * 0.0).backward()
    assert v.grad == 0.0 and float(t.grad) == 0.0
    for opt in opts:
        opt.step()
    assert v.data == pytest.approx(0.9) and float(t.data) == pytest.approx(0.9)


# ---------------------------------------------------------- a step changes all or nothing


@pytest.mark.parametrize("make", [nn.SGD, nn.Adam])
@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_a_non_finite_gradient_is_refused_before_any_write(make: Any, engine: str) -> None:
    if engine == "value":
        params: list[Any] = [Value(1.0, label="a"), Value(2.0, label="b")]
        params[0].grad, params[1].grad = 0.5, float("nan")
    else:
        params = [Tensor([1.0, 1.0], requires_grad=True, label="a"), Tensor([2.0], label="b")]
        params[1].requires_grad = True
        params[0].grad, params[1].grad = np.array([0.5, 0.5]), np.array([np.nan])
    opt = make(params, lr=0.1, weight_decay=0.1)
    before = [np.array(p.data).copy() for p in params]
    with pytest.raises(FloatingPointError, match=r"parameter 1 \('b'\).*gradient is not finite"):
        opt.step()
    for p, b in zip(params, before, strict=True):
        np.testing.assert_array_equal(p.data, b)  # the first parameter did not move either
    assert opt.state == [None, None]  # nor did the optimizer's state


def test_an_overflowing_step_blames_the_learning_rate() -> None:
    w = Value(1e300)
    w.grad = 1e300
    with pytest.raises(FloatingPointError, match=r"learning rate 1e\+10 too large"):
        nn.SGD([w], lr=1e10).step()
    assert w.data == 1e300


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), -1.0, 0.0, True, "0.1"])
def test_a_learning_rate_changed_to_nonsense_is_refused_where_it_is_set(lr: Any) -> None:
    """Checked by the setter (a schedule's bad value fails on its own line), so a step
    never sees one: the optimizer keeps its last good learning rate."""
    w = Value(1.0)
    w.grad = 1.0
    opt = nn.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        opt.lr = lr
    assert opt.lr == 0.1
    opt.step()
    assert w.data == 0.9


def test_huge_finite_parameters_are_not_mistaken_for_infinite() -> None:
    """The finiteness check sums first; a sum that overflows is checked entry by entry."""
    t = Tensor([1e308, 1e308], requires_grad=True, dtype=np.float64)
    t.grad = np.array([1.0, 1.0])
    nn.SGD([t], lr=1.0).step()
    assert t.data.tolist() == [1e308 - 1.0, 1e308 - 1.0]


def test_a_refused_tensor_step_raises_no_numpy_warning() -> None:
    import warnings

    t = Tensor([1e308], requires_grad=True, dtype=np.float64)
    t.grad = np.array([-1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would come before the refusal
        with pytest.raises(FloatingPointError, match="the step overflowed"):
            nn.SGD([t], lr=10.0).step()
    assert t.data.tolist() == [1e308]


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: nn.SGD(ps, lr=0.1, momentum=1.5),
        lambda ps: nn.SGD(ps, lr=0.1, weight_decay=float("inf")),
        lambda ps: nn.SGD(ps, lr=float("nan")),
        lambda ps: nn.Adam(ps, betas=(0.9, 1.0)),
        lambda ps: nn.Adam(ps, eps=0.0),
        lambda ps: nn.SGD([*ps, ps[0]], lr=0.1),  # a parameter twice
    ],
)
def test_a_refused_optimizer_changes_no_gradient(make: Any) -> None:
    """The optimizer reads a Value's starting 0.0 as None only once it is made."""
    params = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError):
        make(params)
    assert [p.grad for p in params] == [0.0, 0.0]
