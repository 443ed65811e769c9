"""Python's number protocols on Value (and one-element Tensors) never drop the graph
silently: a node that records a graph does not turn into a Python number; the other
protocols behave as on the node's number, or raise (docs/refuses.md has the table)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Tensor, Value, no_grad

CONVERSIONS = {
    "float": float,
    "int": int,
    "round": round,
    "round2": lambda v: round(v, 2),
    "math.exp": math.exp,
    "math.floor": math.floor,
    "math.sqrt": math.sqrt,
    "np.float64": np.float64,
    "np.asarray float": lambda v: np.asarray(v, dtype=float),
}


@pytest.mark.parametrize("name", sorted(CONVERSIONS))
def test_a_recording_value_is_not_converted_to_a_number(name: str) -> None:
    w = Value(2.25)
    with pytest.raises(TypeError, match=r"v\.data or v\.item\(\).*v\.exp\(\)"):
        CONVERSIONS[name](w)
    with pytest.raises(TypeError, match="drop it from the graph"):
        CONVERSIONS[name](w * 2)


def test_the_example_of_the_issue() -> None:
    w = Value(1.0)
    with pytest.raises(TypeError):
        math.exp(w) * 3  # was a float, and w.grad stayed 0
    (w.exp() * 3).backward()  # the way to write it
    assert w.grad == pytest.approx(3 * math.e, rel=1e-15)


@pytest.mark.parametrize("name", sorted(CONVERSIONS))
def test_under_no_grad_a_value_converts_as_its_number(name: str) -> None:
    with no_grad():
        v = Value(2.25) * 1.0
        assert CONVERSIONS[name](v) == CONVERSIONS[name](2.25)


def test_item_and_data_read_the_number_always() -> None:
    w = Value(2.5)
    y = w * w
    assert (w.item(), y.item(), y.data) == (2.5, 6.25, 6.25)
    assert type(y.item()) is float


def test_protocols_behave_as_on_the_number() -> None:
    a, b = Value(2.0), Value(3.0)
    assert a == 2.0 and a == Value(2.0) and a != b and 2.0 == a  # noqa: SIM300 (reflected)
    assert a < b and a <= b and b > a and b >= a and a < 2.5 and 1 < a  # noqa: SIM300
    assert not (a < 2.0) and not (a > 2.0)
    assert bool(a) and not bool(Value(0.0)) and not Value(-0.0)
    assert format(Value(2.5), ".2f") == "2.50" and f"{Value(1 / 3):.3g}" == "0.333"
    assert format(a, "") == str(a) and f"{a}" == repr(a)
    assert (a == "2.0") is False  # another type: not equal, as float
    with pytest.raises(TypeError):
        a < "x"  # noqa: B015


def test_hash_is_identity_so_nodes_stay_distinct_keys() -> None:
    a, b = Value(2.0), Value(2.0)
    assert a == b and hash(a) != hash(b)
    assert len({a, b}) == 2 and {a: 1, b: 2}[a] == 1
    y = a * b + a  # the walk keys nodes by identity: equal numbers are distinct nodes
    y.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)


@pytest.mark.parametrize(
    "run", [lambda v: v % 2, lambda v: 2 % v, lambda v: divmod(v, 2), lambda v: v // 2]
)
def test_ops_without_a_derivative_raise(run: object) -> None:
    with pytest.raises(TypeError):
        run(Value(5.0))  # type: ignore[operator]


def test_a_recording_one_element_tensor_is_not_converted() -> None:
    t = Tensor([2.25], requires_grad=True)
    for convert in (float, int, math.exp, np.float64, complex):
        with pytest.raises(TypeError, match=r"t\.item\(\)"):
            convert(t)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="drop it from the graph"):
            convert(t * 2)  # type: ignore[arg-type]
    assert t.item() == 2.25
    with no_grad():
        assert float(t) == 2.25 and math.exp(t) == math.exp(2.25)  # type: ignore[arg-type]
    assert float(Tensor([2.25])) == 2.25  # a constant converts


def test_format_of_tensors() -> None:
    assert format(Tensor(2.5), ".2f") == "2.50" == format(np.array(2.5), ".2f")
    assert format(Tensor([[2.5]], requires_grad=True), ".1f") == "2.5"
    assert f"{Tensor(2.5)}" == str(Tensor(2.5))
    with pytest.raises(TypeError):
        format(Tensor([1.0, 2.0]), ".2f")
