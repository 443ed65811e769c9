"""Tensor layers, TensorMLP, state dicts, atomic save/load, and optimizers on Tensors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad
from nn.serialize import load_state, save_state

# ------------------------------------------------------------------ layers


@pytest.mark.parametrize("init", ["xavier", "he", "lecun", "uniform", "zeros"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_shapes_init_dtype(init: str, dtype: Any) -> None:
    lin = nn.Linear(5, 3, init=init, seed=0, dtype=dtype)
    assert lin.weight.shape == (3, 5) and lin.bias is not None and lin.bias.shape == (3,)
    assert lin.weight.dtype == dtype and lin.weight.requires_grad
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    y = lin(np.ones((4, 5), dtype))
    assert y.shape == (4, 3) and y.dtype == dtype
    assert lin(np.ones(5, dtype)).shape == (3,)
    assert lin.num_parameters() == 18
    if init == "xavier":
        assert np.abs(lin.weight.data).max() <= np.sqrt(6 / 8)


def test_linear_same_seed_same_weights() -> None:
    a, b = nn.Linear(4, 2, seed=3), nn.Linear(4, 2, seed=3)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)


def test_linear_computes_x_wT_plus_b() -> None:
    lin = nn.Linear(3, 2, seed=0, dtype=np.float64)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(
        lin(x).data,
        x @ lin.weight.data.T + lin.bias.data,  # type: ignore[union-attr]
    )


def test_wrong_input_width_names_expected_and_got() -> None:
    lin = nn.Linear(784, 16)
    with pytest.raises(
        ValueError, match=r"Linear\(784, 16\): expected input with 784 .* \(32, 100\)"
    ):
        lin(np.ones((32, 100), np.float32))
    mlp = nn.TensorMLP(784, [16, 10])
    with pytest.raises(ValueError, match=r"expected input with 784 features .* \(32, 100\)"):
        mlp(np.ones((32, 100), np.float32))
    with pytest.raises(TypeError, match="list"):
        mlp([1.0] * 784)


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="nin must be a positive int"):
        nn.Linear(0, 3)
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        nn.Linear(2, 3, init="glorot")
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.TensorMLP(2, [3], activation="gelu")
    with pytest.raises(TypeError, match="seed"):
        nn.Linear(2, 3, seed="x")  # type: ignore[arg-type]


def test_activation_modules() -> None:
    x = Tensor([-1.0, 0.5])
    np.testing.assert_allclose(nn.Sigmoid()(x).data, 1 / (1 + np.exp(-x.data)))
    np.testing.assert_allclose(nn.ReLU()(x).data, [0.0, 0.5])
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh(x.data))
    assert nn.Sigmoid().named_parameters() == [] and repr(nn.ReLU()) == "ReLU()"


def test_sequential_matches_tensor_mlp() -> None:
    mlp = nn.TensorMLP(6, [5, 4], activation="tanh", output_activation="linear", seed=1)
    seq = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 4))
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for (_, p), (_, q) in zip(seq.named_parameters(), mlp.named_parameters(), strict=True):
        p.data[...] = q.data
    x = np.random.default_rng(0).normal(size=(3, 6)).astype(np.float32)
    np.testing.assert_allclose(seq(x).data, mlp(x).data, rtol=1e-6)
    assert len(seq) == 3 and isinstance(seq[1], nn.Tanh)
    ys, ym = seq(x).sum(), mlp(x).sum()
    ys.backward()
    ym.backward()
    for p, q in zip(seq.parameters(), mlp.parameters(), strict=True):
        np.testing.assert_allclose(p.grad, q.grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("act", [nn.Sigmoid, nn.ReLU, nn.Tanh])
def test_sequential_fuses_linear_and_activation_with_the_same_numbers(act: Any) -> None:
    """One fused node per Linear + activation pair, equal to the unfused graph in value and
    gradient (float64, so equal to round-off), and the graph and repr say what was fused."""
    rng = np.random.default_rng(0)
    layers = [
        nn.Linear(4, 5, seed=1, dtype=np.float64),
        act(),
        nn.Linear(5, 3, seed=2, dtype=np.float64),
    ]
    fused, plain = nn.Sequential(*layers), nn.Sequential(*layers, fuse=False)
    name = {nn.Sigmoid: "sigmoid", nn.ReLU: "relu", nn.Tanh: "tanh"}[act]
    assert fused.fused() == [(0, 1, f"linear+{name}")] and plain.fused() == []
    assert f"fused with (1): one 'linear+{name}' node" in repr(fused)
    assert "fused" not in repr(plain)
    x = Tensor(rng.normal(size=(6, 4)), requires_grad=True)
    grads = []
    for model in (fused, plain):
        model.zero_grad()
        x.grad = None
        out = model(x)
        ((out * out).sum()).backward()
        grads.append([x.grad, *(p.grad for p in model.parameters())])
        if model is fused:
            assert out._op == "linear" and out._parents[0]._op == f"linear+{name}"
            assert out._parents[0]._parents[0] is x  # x -> one fused node -> linear
            y_fused = out.data
        else:
            assert out._parents[0]._op == name  # the activation is its own node
            np.testing.assert_allclose(out.data, y_fused, rtol=1e-12, atol=1e-14)
    for g_fused, g_plain in zip(*grads, strict=True):
        np.testing.assert_allclose(g_fused, g_plain, rtol=1e-10, atol=1e-14)


def test_sequential_fusion_follows_the_module_list() -> None:
    """A subclass is run as written (never fused); editing ``modules`` re-plans the fusion."""

    class Doubled(nn.Linear):
        def forward(self, x: Any) -> Tensor:
            return super().forward(x) * 2.0

    lin = Doubled(3, 2, seed=0, dtype=np.float64)
    seq = nn.Sequential(lin, nn.ReLU())
    x = np.ones((1, 3))
    assert seq.fused() == []
    np.testing.assert_allclose(seq(x).data, np.maximum(2 * (x @ lin.weight.data.T), 0))
    seq = nn.Sequential(nn.Linear(3, 2, seed=0, dtype=np.float64), nn.ReLU())
    assert seq(x)._op == "linear+relu"
    seq.modules[1] = nn.Tanh()
    out = seq(x)
    assert out._op == "linear+tanh"
    np.testing.assert_allclose(out.data, np.tanh(x @ seq[0].weight.data.T))
    seq.modules.append(nn.Sigmoid())  # Tanh, then Sigmoid: only the first pair fuses
    assert seq.fused() == [(0, 1, "linear+tanh")] and seq(x)._op == "sigmoid"


def test_tensor_mlp_state_dict_keys_match_scalar_mlp() -> None:
    t = nn.TensorMLP(784, [16, 16, 10], seed=0)
    keys = [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "layers.2.weight",
        "layers.2.bias",
    ]
    assert list(t.state_dict()) == keys
    assert [k for k, _ in t.named_parameters()] == keys
    assert t.state_dict()["layers.0.weight"].shape == (16, 784)
    assert t.num_parameters() == 13002  # the series' count
    assert t.layers[0].weight.dtype == np.float32
    s = nn.MLP(3, [2, 2], seed=0)
    assert list(s.state_dict()) == list(nn.TensorMLP(3, [2, 2]).state_dict())


def test_state_dict_is_a_copy_and_loads_lists() -> None:
    t = nn.TensorMLP(3, [2], seed=0, dtype=np.float64)
    sd = t.state_dict()
    sd["layers.0.weight"][0, 0] = 99.0
    assert t.layers[0].weight.data[0, 0] != 99.0
    t.load_state_dict({"layers.0.weight": [[1, 2, 3], [4, 5, 6]], "layers.0.bias": [0.5, -0.5]})
    np.testing.assert_array_equal(t.layers[0].weight.data, [[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match=r"'layers.0.bias' has shape \(3,\), expected \(2,\)"):
        t.load_state_dict({"layers.0.weight": np.zeros((2, 3)), "layers.0.bias": np.zeros(3)})
    with pytest.raises(KeyError, match="missing keys"):
        t.load_state_dict({"layers.0.weight": np.zeros((2, 3))})


def test_loaded_arrays_are_not_aliased() -> None:
    t = nn.TensorMLP(3, [2], seed=0, dtype=np.float64)
    w = np.ones((2, 3))
    t.load_state_dict({"layers.0.weight": w, "layers.0.bias": np.zeros(2)})
    t.layers[0].weight.data -= 1.0  # an optimizer step
    np.testing.assert_array_equal(w, np.ones((2, 3)))


# ------------------------------------------------------------------ save / load


def test_save_load_round_trip(tmp_path: Path) -> None:
    a = nn.TensorMLP(5, [4, 3], seed=0)
    b = nn.TensorMLP(5, [4, 3], seed=1)
    path = a.save(tmp_path / "model.npz")
    b.load(path)
    for (k, p), (_, q) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data, err_msg=k)
        assert q.data.dtype == np.float32
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]


def test_interrupted_save_keeps_the_previous_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ckpt.npz"
    good = {"w": np.arange(4.0)}
    save_state(good, path)
    before = path.read_bytes()

    def crash(file: Any, **arrays: Any) -> None:
        file.write(b"PK\x03\x04 half a zip file")  # a partial write, then the failure
        raise KeyboardInterrupt("simulated crash mid-write")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        save_state({"w": np.zeros(4)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before  # the old checkpoint is untouched
    np.testing.assert_array_equal(load_state(path)["w"], good["w"])
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]  # no temp file left behind


def test_failed_rename_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ckpt.npz"
    save_state({"w": np.ones(2)}, path)

    def no_replace(src: Any, dst: Any) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(os, "replace", no_replace)
    with pytest.raises(OSError, match="disk went away"):
        save_state({"w": np.zeros(2)}, path)
    monkeypatch.undo()
    np.testing.assert_array_equal(load_state(path)["w"], np.ones(2))
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.npz"):
        load_state(tmp_path / "nope.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"bad\.npz"):
        load_state(bad)
    m = nn.TensorMLP(2, [2])
    save_state({"other": np.ones(1)}, tmp_path / "other.npz")
    with pytest.raises(KeyError, match="missing keys"):
        m.load(tmp_path / "other.npz")


# ------------------------------------------------------------------ optimizers


def _param(values: list[float]) -> Tensor:
    return Tensor(np.array(values), requires_grad=True)


def test_sgd_momentum_weight_decay_in_place() -> None:
    p = _param([1.0, -2.0])
    data = p.data
    opt = nn.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    v = np.zeros(2)
    w = p.data.copy()
    for step in range(3):
        g = np.array([0.5, 0.25]) * (step + 1)
        p.grad = g.copy()
        opt.step()
        gg = g + 0.01 * w
        v = gg if step == 0 else 0.9 * v + gg
        w = w - 0.1 * v
        np.testing.assert_allclose(p.data, w, rtol=1e-12)
    assert p.data is data  # updated in place
    opt.zero_grad()
    assert p.grad is None


def test_adam_matches_the_formula() -> None:
    p = _param([1.0, -2.0, 0.5])
    opt = nn.Adam([p], lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1)
    m = v = np.zeros(3)
    w = p.data.copy()
    for t in range(1, 4):
        g = np.array([0.3, -0.1, 2.0]) * t
        p.grad = g.copy()
        opt.step()
        gg = g + 0.1 * w
        m = 0.9 * m + 0.1 * gg
        v = 0.99 * v + 0.01 * gg * gg
        w = w - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.99**t)) + 1e-8)
        np.testing.assert_allclose(p.data, w, rtol=1e-12)
    assert p.data.dtype == np.float64


def test_optimizers_keep_float32() -> None:
    m = nn.TensorMLP(3, [4, 2], seed=0)
    for opt in (
        nn.SGD(m.parameters(), 0.1, momentum=0.9, weight_decay=1e-3),
        nn.Adam(m.parameters()),
    ):
        for _ in range(2):
            opt.zero_grad()
            nn.mse(m(np.ones((2, 3), np.float32)), np.zeros((2, 2), np.float32)).backward()
            opt.step()
        assert all(p.data.dtype == np.float32 for p in m.parameters())


def test_adam_works_on_values() -> None:
    from autograd import Value

    x = Value(3.0)
    opt = nn.Adam([x], lr=0.1)
    for _ in range(200):
        opt.zero_grad()
        ((x - 1.0) * (x - 1.0)).backward()
        opt.step()
    assert abs(x.data - 1.0) < 0.05


# ------------------------------------------------------------------ training


def test_tensor_mlp_learns_a_toy_problem() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # XOR-like quadrants
    model = nn.TensorMLP(2, [16, 2], activation="tanh", output_activation="linear", seed=0)
    opt = nn.Adam(model.parameters(), lr=0.05)
    for _ in range(150):
        opt.zero_grad()
        loss = nn.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    with no_grad():
        acc = (model(x).data.argmax(axis=1) == y).mean()
    assert acc > 0.95 and loss.item() < 0.2


def test_tensor_mlp_labels_follow_the_series() -> None:
    m = nn.TensorMLP(4, [3, 2])
    assert [p.label for p in m.parameters()] == ["W1", "b1", "W2", "b2"]
    assert m(np.ones((1, 4), np.float32))._op == "linear+sigmoid"


def test_draw_graph_says_what_sequential_fused() -> None:
    from autograd import draw_graph

    layers = [nn.Linear(3, 2, seed=0), nn.Sigmoid(), nn.Linear(2, 1, seed=1)]
    x = Tensor(np.ones((1, 3), np.float32))
    fused, plain = nn.Sequential(*layers), nn.Sequential(*layers, fuse=False)
    src = draw_graph(fused(x).sum(), module=fused).source
    assert 'label="linear+sigmoid"' in src and "label=<0 + 1, fused: linear+sigmoid>" in src
    src = draw_graph(plain(x).sum(), module=plain).source
    assert "linear+sigmoid" not in src and "fused" not in src and 'label="σ"' in src


def test_an_activation_subclass_is_never_fused_away() -> None:
    """A subclass may compute something else (here its __call__): it runs as written."""

    class Doubled(nn.Sigmoid):
        def __call__(self, x: Any) -> Tensor:
            return super().__call__(x) * 2.0

    layer = nn.Linear(2, 2, seed=0)
    x = np.ones((1, 2), np.float32)
    out = nn.Sequential(layer, Doubled())(x)
    np.testing.assert_allclose(out.data, 2.0 * nn.Sequential(layer, nn.Sigmoid())(x).data)
    assert nn.Sequential(layer, Doubled()).fused() == []
