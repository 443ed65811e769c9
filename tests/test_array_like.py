"""Array-like input is accepted wherever a list is; a real mismatch names both counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Tensor, Value

AS: dict[str, Callable[[Any], Any]] = {"list": lambda x: x, "tuple": tuple, "ndarray": np.array}


def three_outputs() -> list[list[Value]]:
    mlp = nn.MLP(2, [3, 1], seed=0)
    return [mlp(x) for x in ([0.5, 1.0], [1.0, -1.0], [0.0, 2.0])]


@pytest.mark.parametrize("kind", sorted(AS))
def test_issue_example_mse_over_values_with_array_targets(kind: str) -> None:
    outs = three_outputs()
    want = sum((o[0].data - t) ** 2 for o, t in zip(outs, [1.0, 0.0, 1.0], strict=True)) / 3
    targets = AS[kind]([[1.0], [0.0], [1.0]] if kind != "tuple" else ((1.0,), (0.0,), (1.0,)))
    assert nn.mse(outs, targets).data == pytest.approx(want, rel=1e-15)
    # one example: a 1-D array of targets
    assert nn.mse(outs[0], AS[kind]([1.0])).data == pytest.approx((outs[0][0].data - 1) ** 2)


@pytest.mark.parametrize("kind", sorted(AS))
def test_cross_entropy_over_values_with_array_labels(kind: str) -> None:
    logits = [[Value(1.0), Value(2.0)], [Value(0.0), Value(1.0)]]
    loss = nn.cross_entropy(logits, AS[kind]([0, 1]))
    want = (np.log1p(np.exp(1.0)) + np.log1p(np.exp(-1.0))) / 2
    assert loss.data == pytest.approx(want, rel=1e-15)
    assert nn.cross_entropy(logits[0], np.int64(1)).data == pytest.approx(np.log1p(np.exp(-1.0)))
    assert nn.cross_entropy(logits[0], np.array(1)).data == pytest.approx(np.log1p(np.exp(-1.0)))


def test_a_real_mismatch_names_both_counts() -> None:
    outs = three_outputs()
    with pytest.raises(ValueError, match="3 examples of outputs but 2 target lists"):
        nn.mse(outs, np.array([[1.0], [0.0]]))
    with pytest.raises(ValueError, match="3 examples of logits but 1 int labels"):
        nn.cross_entropy(outs, np.array([0]))
    with pytest.raises(
        ValueError, match=r"3 outputs \(one example\) but targets of shape \(3, 1\)"
    ):
        nn.mse([o[0] for o in outs], np.array([[1.0], [0.0], [1.0]]))


def test_sizes_from_numpy() -> None:
    mlp = nn.MLP(np.int64(2), np.array([3, 1]), seed=0)
    assert mlp.num_parameters() == nn.MLP(2, [3, 1], seed=0).num_parameters()
    twin = nn.TensorMLP(2, np.array([3, 1]), seed=0)
    twin.load_state_dict(mlp.state_dict())
    x = [0.5, 1.0]
    assert float(twin(np.array([x])).data[0, 0]) == pytest.approx(mlp(x)[0].data, rel=1e-6)


def test_tensor_losses_take_lists_and_arrays_alike() -> None:
    z = Tensor([[1.0, 2.0], [0.0, 1.0]])
    for labels in ([0, 1], (0, 1), np.array([0, 1])):
        assert float(nn.cross_entropy(z, labels).data) == pytest.approx(
            (np.log1p(np.exp(1.0)) + np.log1p(np.exp(-1.0))) / 2
        )
    for targets in ([[1.0, 0.0], [0.0, 1.0]], np.eye(2)):
        assert float(nn.mse(z, targets).data) == pytest.approx((0 + 4 + 0 + 0) / 2)
