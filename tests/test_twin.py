"""The scalar network and its Tensor twin agree: same weights + same mini-batch
give the same loss and the same gradients (to 1e-9, in float64).

Two engines, one set of equations: ``nn.MLP`` computes every neuron from Values
one multiply at a time; ``nn.TensorMLP`` computes whole layers as matrix products
of a batch. Weights move between them through ``state_dict`` (same keys), both ways.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nn

TOL = 1e-9


def scalar_grads(mlp: nn.MLP) -> dict[str, np.ndarray]:
    """The scalar network's gradients grouped like its state dict."""
    out: dict[str, np.ndarray] = {}
    for i, layer in enumerate(mlp.layers):
        out[f"layers.{i}.weight"] = np.array([[w.grad for w in n.w] for n in layer.neurons])
        out[f"layers.{i}.bias"] = np.array([n.b.grad for n in layer.neurons])
    return out


def tensor_grads(twin: nn.TensorMLP) -> dict[str, np.ndarray]:
    return {name: p.grad for name, p in twin.named_parameters()}


CASES = [
    # activation, output activation, loss
    ("sigmoid", None, "mse"),  # the series' network and cost
    ("relu", "linear", "cross_entropy"),
    ("tanh", "sigmoid", "mse"),
    ("tanh", "linear", "cross_entropy"),
]


@pytest.mark.parametrize(("activation", "output_activation", "loss"), CASES)
@pytest.mark.parametrize("direction", ["scalar->tensor", "tensor->scalar"])
def test_twin_same_loss_and_gradients(
    activation: str, output_activation: str | None, loss: str, direction: str
) -> None:
    rng = np.random.default_rng(7)
    nin, nouts, batch = 6, [5, 4, 3], 4
    kw: dict[str, Any] = {"activation": activation, "output_activation": output_activation}
    mlp = nn.MLP(nin, nouts, seed=1, **kw)
    twin = nn.TensorMLP(nin, nouts, seed=2, dtype=np.float64, **kw)
    if direction == "scalar->tensor":
        twin.load_state_dict(mlp.state_dict())  # lists -> arrays
    else:
        mlp.load_state_dict(twin.state_dict())  # arrays -> Values
    for k, v in mlp.state_dict().items():
        np.testing.assert_array_equal(np.array(v), twin.state_dict()[k])

    x = rng.uniform(-1.0, 1.0, size=(batch, nin))
    labels = rng.integers(0, nouts[-1], size=batch)
    onehot = np.eye(nouts[-1])[labels]

    outs = [mlp(list(row)) for row in x]
    y = twin(x)
    if loss == "mse":
        ls = nn.mse(outs, onehot.tolist())
        lt = nn.mse(y, onehot)
    else:
        ls = nn.cross_entropy(outs, labels.tolist())
        lt = nn.cross_entropy(y, labels)
    np.testing.assert_allclose(y.data, [[o.data for o in row] for row in outs], rtol=0, atol=TOL)
    assert abs(ls.data - lt.item()) <= TOL

    ls.backward()
    lt.backward()
    gs, gt = scalar_grads(mlp), tensor_grads(twin)
    assert list(gs) == list(gt)
    for k in gs:
        np.testing.assert_allclose(gt[k], gs[k], rtol=0, atol=TOL, err_msg=k)


def test_twin_training_steps_stay_in_step() -> None:
    """Three SGD steps with momentum on each engine: the weights stay equal."""
    rng = np.random.default_rng(0)
    mlp = nn.MLP(4, [3, 2], activation="sigmoid", seed=0)
    twin = nn.TensorMLP(4, [3, 2], activation="sigmoid", dtype=np.float64)
    twin.load_state_dict(mlp.state_dict())
    opt_s = nn.SGD(mlp.parameters(), lr=0.5, momentum=0.9)
    opt_t = nn.SGD(twin.parameters(), lr=0.5, momentum=0.9)
    for _ in range(3):
        x = rng.uniform(size=(5, 4))
        t = rng.uniform(size=(5, 2))
        opt_s.zero_grad()
        opt_t.zero_grad()
        nn.mse([mlp(list(r)) for r in x], t.tolist()).backward()
        nn.mse(twin(x), t).backward()
        opt_s.step()
        opt_t.step()
    for k, v in mlp.state_dict().items():
        np.testing.assert_allclose(twin.state_dict()[k], np.array(v), rtol=0, atol=TOL)
