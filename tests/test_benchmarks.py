"""The benchmarks compare like with like: every engine trains the same math as the NumPy
written by hand (so a speed ratio is about overhead, not a different computation), and
the compiled step gives the eager natural code's weights bit for bit. Nothing is timed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import frameworks
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


def data(n: int = 200) -> tuple[Any, Any, Any]:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (n, 784)).astype(np.float32)
    labels = rng.integers(0, 10, n)
    return x, labels, np.eye(10, dtype=np.float32)[labels]


@pytest.mark.parametrize(
    "net",
    [mnist_epoch.NET_3B1B, mnist_epoch.NET_CE],
    ids=["3b1b", "ce"],
)
@pytest.mark.parametrize("bs", [1, 10])
def test_compiled_runner_gives_the_natural_codes_weights_bit_for_bit(net: Any, bs: int) -> None:
    x, labels, onehot = data()
    t = onehot if net.loss == "mse" else labels
    state = mnist_epoch.nn.TensorMLP(
        784, list(net.nouts), activation=net.act, output_activation=net.out_act, seed=0
    ).state_dict()
    order = np.random.default_rng(1).permutation(200)[: 8 * bs + bs // 2]  # a short last batch
    run = mnist_epoch.runners(net, state, x, t, order, bs, ("natural", "compiled", "numpy"))
    want = run["natural"]()
    compiled = run["compiled"].func  # type: ignore[attr-defined]
    for _ in range(2):  # every epoch starts from the same weights and only replays
        got = run["compiled"]()
        assert mnist_epoch.differs(got, want) == ""
        assert compiled.fallbacks() == 0
    for g, w in zip(got, run["numpy"](), strict=True):
        np.testing.assert_allclose(g, w, atol=2e-5)


def test_a_wrong_compiled_result_is_named_not_timed() -> None:
    net = mnist_epoch.NET_3B1B
    x, _, onehot = data()
    state = mnist_epoch.nn.TensorMLP(784, [16, 16, 10], seed=0).state_dict()
    order = np.arange(40)
    results = mnist_epoch.check_same_math(net, state, x, onehot, order, 2, ["compiled"])
    assert mnist_epoch.describe(results["compiled"]) == ""  # it works: timed
    assert results["compiled"].error < 2e-5
    bias = state["layers.0.bias"]
    wrong = mnist_epoch.Result("compiled", wrong=mnist_epoch.differs([bias], [bias + 1]))
    assert mnist_epoch.describe(wrong).startswith("WRONG RESULT: weights differ")


def test_trace_times_says_what_each_call_did() -> None:
    x, _, onehot = data(60)
    calls_ms, did, cold, eager_ms = mnist_epoch.trace_times(x, onehot, reps=1)
    assert did[0] == "trace" and did[-1] == "replay" and "check" in did
    assert len(calls_ms) == len(did) == mnist_epoch.CALLS and cold > 0 and eager_ms > 0
    row = mnist_epoch.trace_row((calls_ms, did, cold, eager_ms))
    assert row.target == "< 50 ms" and "trace" in row.figure and "|" not in row.figure


@pytest.mark.parametrize("net", [mnist_epoch.NET_3B1B, mnist_epoch.NET_CE], ids=["3b1b", "ce"])
@pytest.mark.parametrize(
    "engine",
    ["torch", pytest.param("torch.compile", marks=pytest.mark.slow), "jax.jit"],
)
def test_other_frameworks_train_the_same_math_or_say_not_installed(net: Any, engine: str) -> None:
    x, labels, onehot = data()
    t = onehot if net.loss == "mse" else labels
    state = mnist_epoch.nn.TensorMLP(
        784, list(net.nouts), activation=net.act, output_activation=net.out_act, seed=0
    ).state_dict()
    order = np.arange(8 * 10 + 3)  # a short last batch
    run = mnist_epoch.runners(net, state, x, t, order, 10, (engine, "numpy"))
    try:
        got = run[engine]()
    except frameworks.Unavailable as err:
        assert "not installed" in str(err)
        row = mnist_epoch.epoch_row(
            net.name, engine, 10, None, 1.0, None, "", None, str(err), 0, unit="CPU s"
        )
        assert row.ok is None and "not installed" in row.figure
        pytest.skip(f"{engine}: {err}")
    for g, w in zip(got, run["numpy"](), strict=True):
        np.testing.assert_allclose(g, w, atol=2e-5, err_msg=engine)


def test_a_framework_not_installed_is_one_row_and_a_refused_compile_is_named() -> None:
    name = mnist_epoch.NET_CE.name
    rows = [
        (name, "torch", bs, None, 1.0, None, "", None, frameworks.INSTALL, 0) for bs in (32, 128)
    ]
    rows.append((name, "compiled", 32, None, 1.0, None, "", 1.05, "autograd.compile failed: x", 0))
    rows.append((name, "jax.jit", 32, 1.2, 1.0, 1.2, "1.1-1.3", None, "", 0))
    out = mnist_epoch.epoch_rows(rows, "CPU s")
    assert [r.ok for r in out] == [False, None, None]
    assert "autograd.compile failed" in out[0].figure and out[0].target == "<= 1.05x"
    assert "**1.20x**" in out[1].figure and out[1].target == "- (reference)"
    assert out[2].figure == frameworks.INSTALL and "batch" not in out[2].what
