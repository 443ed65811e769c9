"""The benchmarks compare like with like: every engine trains the same math as the NumPy
written by hand (so a speed ratio is about overhead, not a different computation)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import mnist_epoch


@pytest.mark.parametrize("net", [mnist_epoch.NET_3B1B, mnist_epoch.NET_CE], ids=["3b1b", "ce"])
@pytest.mark.parametrize("bs", [1, 10])
def test_every_engine_trains_the_hand_written_math(net: Any, bs: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (200, 784)).astype(np.float32)
    labels = rng.integers(0, 10, 200)
    onehot = np.eye(10, dtype=np.float32)[labels]
    t = onehot if net.loss == "mse" else labels
    state = mnist_epoch.nn.TensorMLP(
        784, list(net.nouts), activation=net.act, output_activation=net.out_act, seed=0
    ).state_dict()
    order = rng.permutation(200)[: 8 * bs]
    run = mnist_epoch.runners(net, state, x, t, order, bs)
    want = run["numpy"]()
    moved = max(float(np.abs(w - state[k]).max()) for w, k in zip(want, state, strict=True))
    assert moved > 1e-3  # training changed the weights, so agreeing below means something
    for engine in ("fused", "natural"):
        got = run[engine]()
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, atol=2e-5, err_msg=engine)  # float32 round-off


def test_natural_model_is_fused_and_holds_the_given_weights() -> None:
    state = mnist_epoch.nn.TensorMLP(784, [16, 16, 10], seed=0).state_dict()
    model = mnist_epoch.natural_model(mnist_epoch.NET_3B1B, state)
    assert [op for _, _, op in model.fused()] == ["linear+sigmoid"] * 3
    for p, k in zip(model.parameters(), state, strict=True):
        np.testing.assert_array_equal(p.data, state[k])
