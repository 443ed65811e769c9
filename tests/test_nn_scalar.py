"""nn over Values: Neuron / Layer / MLP, Module contract, losses and SGD on Values."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value
from autograd.checking.gradcheck import gradcheck

# ------------------------------------------------------------------ shapes and counts


def test_series_network_has_13002_parameters() -> None:
    mlp = nn.MLP(784, [16, 16, 10], activation="sigmoid", seed=0)
    assert mlp.num_parameters() == 13_002
    assert len(mlp.parameters()) == 13_002
    assert 784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10 == 13_002
    assert repr(mlp) == "MLP(784 -> 16 -> 16 -> 10, sigmoid, 13,002 parameters)"
    assert mlp.sizes == [784, 16, 16, 10]


def test_reprs() -> None:
    assert repr(nn.Neuron(3, activation="tanh", seed=0)) == "Neuron(3 inputs, tanh)"
    assert repr(nn.Layer(3, 4, seed=0)) == "Layer(3 -> 4, sigmoid, 16 parameters)"
    m = nn.MLP(2, [8, 1], activation="relu", output_activation="linear", seed=0)
    assert repr(m) == "MLP(2 -> 8 -> 1, relu, output linear, 33 parameters)"


def test_named_parameters_order_and_names() -> None:
    mlp = nn.MLP(3, [2, 1], seed=0)
    names = [n for n, _ in mlp.named_parameters()]
    assert names[:8] == [
        "layers.0.weight.0.0",
        "layers.0.weight.0.1",
        "layers.0.weight.0.2",
        "layers.0.weight.1.0",
        "layers.0.weight.1.1",
        "layers.0.weight.1.2",
        "layers.0.bias.0",
        "layers.0.bias.1",
    ]
    assert names[8:] == ["layers.1.weight.0.0", "layers.1.weight.0.1", "layers.1.bias.0"]
    params = mlp.parameters()
    assert params[0] is mlp.layers[0].neurons[0].w[0]
    assert params[6] is mlp.layers[0].neurons[0].b
    assert params[0].label == "W1[0,0]" and params[6].label == "b1[0]"
    assert [n for n, _ in nn.Neuron(2, seed=0).named_parameters()] == [
        "weight.0",
        "weight.1",
        "bias",
    ]


def test_wrong_input_length_says_expected_vs_got() -> None:
    mlp = nn.MLP(784, [16, 16, 10], seed=0)
    with pytest.raises(ValueError, match="expected 784 inputs, got 783"):
        mlp([0.0] * 783)
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        nn.Neuron(3, seed=0)([1.0, 2.0])
    with pytest.raises(ValueError, match="expected 2 inputs, got 1"):
        nn.Layer(2, 3, seed=0)([1.0])
    with pytest.raises(TypeError, match="sequence of 2"):
        nn.Layer(2, 3, seed=0)(1.0)


@pytest.mark.parametrize(
    "kwargs",
    [{"activation": "softmax"}, {"output_activation": "gelu"}],
)
def test_unknown_activation(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="unknown activation"):
        nn.MLP(2, [2], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("nouts", [[], [0], [2, -1], 3])
def test_bad_sizes(nouts: object) -> None:
    with pytest.raises(ValueError):
        nn.MLP(2, nouts)  # type: ignore[arg-type]


def test_forward_matches_formula() -> None:
    """a = sigmoid(W a0 + b), layer by layer, against plain-float math."""
    mlp = nn.MLP(3, [4, 2], activation="sigmoid", seed=3)
    x = [0.5, -1.0, 2.0]
    a = x
    for layer in mlp.layers:
        a = [
            1.0
            / (1.0 + math.exp(-(sum(w.data * v for w, v in zip(n.w, a, strict=True)) + n.b.data)))
            for n in layer.neurons
        ]
    out = mlp(x)
    assert len(out) == 2
    assert [o.data for o in out] == pytest.approx(a, rel=1e-12)
    # numpy arrays and Values are accepted as inputs too
    assert [o.data for o in mlp(np.array(x))] == pytest.approx(a, rel=1e-12)
    assert [o.data for o in mlp([Value(v) for v in x])] == pytest.approx(a, rel=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh", "linear"])
def test_activations(activation: str) -> None:
    n = nn.Neuron(2, activation=activation, seed=1)
    z = n.w[0].data * 1.5 + n.w[1].data * -2.0 + n.b.data
    expected = {
        "sigmoid": 1 / (1 + math.exp(-z)),
        "relu": max(0.0, z),
        "tanh": math.tanh(z),
        "linear": z,
    }[activation]
    assert n([1.5, -2.0]).data == pytest.approx(expected, rel=1e-12)


def test_init_is_fan_in_scaled() -> None:
    mlp = nn.MLP(784, [16, 10], seed=0)
    first = [p.data for p in mlp.layers[0].parameters()]
    assert max(abs(v) for v in first) <= 1 / math.sqrt(784)
    second = [p.data for p in mlp.layers[1].parameters()]
    assert max(abs(v) for v in second) <= 1 / math.sqrt(16)
    assert max(abs(v) for v in second) > 1 / math.sqrt(784)


# ------------------------------------------------------------------ seeding


def test_same_seed_same_network() -> None:
    a = nn.MLP(5, [4, 3], seed=42)
    b = nn.MLP(5, [4, 3], seed=42)
    c = nn.MLP(5, [4, 3], seed=43)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    r1, r2 = random.Random(7), random.Random(7)
    assert [p.data for p in nn.MLP(5, [4], seed=r1).parameters()] == [
        p.data for p in nn.MLP(5, [4], seed=r2).parameters()
    ]
    with pytest.raises(TypeError, match="seed"):
        nn.MLP(2, [2], seed="zero")  # type: ignore[arg-type]


# ------------------------------------------------------------------ state dict


def test_state_dict_json_round_trip_is_bit_exact() -> None:
    src = nn.MLP(6, [5, 4, 3], activation="tanh", seed=0)
    sd = src.state_dict()
    assert sorted(sd) == sorted(f"layers.{i}.{k}" for i in range(3) for k in ("weight", "bias"))
    assert len(sd["layers.0.weight"]) == 5 and len(sd["layers.0.weight"][0]) == 6
    assert len(sd["layers.0.bias"]) == 5
    text = json.dumps(sd)
    dst = nn.MLP(6, [5, 4, 3], activation="tanh", seed=1)
    dst.load_state_dict(json.loads(text))
    for p, q in zip(src.parameters(), dst.parameters(), strict=True):
        assert p.data.hex() == q.data.hex()
    x = [0.1 * i for i in range(6)]
    assert [o.data for o in src(x)] == [o.data for o in dst(x)]


def test_state_dict_rows_are_neurons() -> None:
    mlp = nn.MLP(3, [2], seed=0)
    sd = mlp.state_dict()
    assert sd["layers.0.weight"][1][2] == mlp.layers[0].neurons[1].w[2].data
    assert sd["layers.0.bias"][1] == mlp.layers[0].neurons[1].b.data


def test_load_state_dict_accepts_arrays() -> None:
    src = nn.MLP(4, [3, 2], seed=0)
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in src.state_dict().items()}
    dst = nn.MLP(4, [3, 2], seed=5)
    dst.load_state_dict(arrays)
    for p, q in zip(src.parameters(), dst.parameters(), strict=True):
        assert q.data == float(np.float32(p.data))


def test_load_state_dict_errors() -> None:
    mlp = nn.MLP(4, [3, 2], seed=0)
    sd = mlp.state_dict()
    with pytest.raises(KeyError, match="missing keys"):
        mlp.load_state_dict({k: v for k, v in sd.items() if k != "layers.1.bias"})
    with pytest.raises(KeyError, match="unexpected keys"):
        mlp.load_state_dict({**sd, "layers.2.weight": [[0.0]]})
    bad = dict(sd)
    bad["layers.0.weight"] = [row[:-1] for row in sd["layers.0.weight"]]
    before = [p.data for p in mlp.parameters()]
    with pytest.raises(ValueError, match=r"layers\.0\.weight\[0\] has 3 entries, expected 4"):
        mlp.load_state_dict(bad)
    assert [p.data for p in mlp.parameters()] == before  # nothing half-loaded
    bad = dict(sd)
    bad["layers.1.bias"] = [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="bias"):
        mlp.load_state_dict(bad)


def test_neuron_and_layer_state_dicts() -> None:
    n = nn.Neuron(3, seed=0)
    m = nn.Neuron(3, seed=1)
    m.load_state_dict(json.loads(json.dumps(n.state_dict())))
    assert [p.data for p in m.parameters()] == [p.data for p in n.parameters()]
    layer, other = nn.Layer(3, 2, seed=0), nn.Layer(3, 2, seed=1)
    other.load_state_dict(layer.state_dict())
    assert [p.data for p in other.parameters()] == [p.data for p in layer.parameters()]


def test_zero_grad() -> None:
    mlp = nn.MLP(2, [3, 1], seed=0)
    nn.mse(mlp([1.0, 2.0]), [0.0]).backward()
    assert any(p.grad != 0.0 for p in mlp.parameters())
    mlp.zero_grad()
    # "No gradient" is None in both engines (PyTorch's rule; see nn.optim).
    assert all(p.grad is None for p in mlp.parameters())


# ------------------------------------------------------------------ gradients


@settings(max_examples=15)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    nin=st.integers(1, 3),
    activation=st.sampled_from(["sigmoid", "tanh", "linear"]),
    seed=st.integers(0, 2**16),
    data=st.data(),
)
def test_mlp_gradients_match_finite_differences(
    sizes: list[int], nin: int, activation: str, seed: int, data: st.DataObject
) -> None:
    mlp = nn.MLP(nin, sizes, activation=activation, seed=seed)
    x = [
        Value(v, label=f"x{j}")
        for j, v in enumerate(data.draw(st.lists(st.floats(-2, 2), min_size=nin, max_size=nin)))
    ]
    targets = data.draw(st.lists(st.floats(-1, 1), min_size=sizes[-1], max_size=sizes[-1]))
    params = mlp.parameters()

    def f(*nodes: Value) -> Value:
        loss: Value = nn.mse(mlp(list(nodes[: len(x)])), targets)
        return loss

    gradcheck(f, x + params, rtol=1e-4, atol=1e-7)


@settings(max_examples=10)
@given(seed=st.integers(0, 2**16), label=st.integers(0, 3))
def test_relu_mlp_cross_entropy_gradients(seed: int, label: int) -> None:
    mlp = nn.MLP(3, [4, 4], activation="relu", output_activation="linear", seed=seed)
    x = [0.3, -1.2, 0.8]

    def f(*params: Value) -> Value:
        loss: Value = nn.cross_entropy(mlp(x), label)
        return loss

    gradcheck(f, mlp.parameters(), rtol=1e-4, atol=1e-7)


# ------------------------------------------------------------------ losses


def test_mse_is_sum_over_outputs_mean_over_examples() -> None:
    out = [Value(0.5), Value(1.0), Value(-1.0)]
    assert nn.mse(out, [1.0, 1.0, 0.0]).data == pytest.approx(0.25 + 0 + 1.0)
    batch = [[Value(1.0), Value(0.0)], [Value(0.0), Value(0.0)]]
    assert nn.mse(batch, [[0.0, 0.0], [0.0, 2.0]]).data == pytest.approx((1.0 + 4.0) / 2)
    assert nn.mse(Value(3.0), 1.0).data == 4.0
    with pytest.raises(ValueError, match="2 outputs but 3 targets"):
        nn.mse([Value(0.0), Value(1.0)], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="examples"):
        nn.mse(batch, [[0.0, 0.0]])


def test_cross_entropy_values_and_stability() -> None:
    logits = [Value(1.0), Value(2.0), Value(3.0)]
    lse = math.log(sum(math.exp(v) for v in (1.0, 2.0, 3.0)))
    loss = nn.cross_entropy(logits, 0)
    assert loss.data == pytest.approx(lse - 1.0, rel=1e-12)
    loss.backward()
    soft = [math.exp(v - lse) for v in (1.0, 2.0, 3.0)]
    assert [z.grad for z in logits] == pytest.approx([soft[0] - 1, soft[1], soft[2]])
    big = nn.cross_entropy([Value(1000.0), Value(-1000.0)], 1)  # no overflow
    assert big.data == pytest.approx(2000.0)
    batch = nn.cross_entropy([[Value(0.0), Value(0.0)], [Value(5.0), Value(5.0)]], [0, 1])
    assert batch.data == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="out of range"):
        nn.cross_entropy([Value(0.0), Value(1.0)], 2)
    with pytest.raises(TypeError, match="int class index"):
        nn.cross_entropy([Value(0.0), Value(1.0)], 0.5)


# ------------------------------------------------------------------ SGD


def test_sgd_step_is_minus_lr_grad() -> None:
    w = Value(1.0)
    (w * 3.0).backward()
    opt = nn.SGD([w], lr=0.1)
    opt.step()
    assert w.data == pytest.approx(1.0 - 0.1 * 3.0)
    opt.zero_grad()
    assert w.grad is None  # no gradient: the next step skips w
    opt.step()
    assert w.data == pytest.approx(1.0 - 0.1 * 3.0)


def test_sgd_momentum_and_weight_decay() -> None:
    w = Value(2.0)
    opt = nn.SGD([w], lr=0.5, momentum=0.9, weight_decay=0.1)
    v = 0.0
    ref = 2.0
    for _ in range(3):
        opt.zero_grad()
        (w * w).backward()  # grad 2w
        g = 2 * ref + 0.1 * ref
        v = 0.9 * v + g
        ref -= 0.5 * v
        opt.step()
        assert w.data == pytest.approx(ref)


def test_sgd_validates() -> None:
    with pytest.raises(ValueError, match="empty"):
        nn.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        nn.SGD([Value(1.0)], lr=0.0)
    with pytest.raises(ValueError, match="momentum"):
        nn.SGD([Value(1.0)], lr=0.1, momentum=1.0)
    w = Value(1.0)
    with pytest.raises(ValueError, match="twice"):
        nn.SGD([w, w], lr=0.1)
    assert repr(nn.SGD([w], lr=0.1, momentum=0.9)) == "SGD(1 parameters, lr=0.1, momentum=0.9)"


def test_sgd_on_arrays_updates_in_place() -> None:
    class P:
        def __init__(self) -> None:
            self.data = np.array([1.0, 2.0])
            self.grad: np.ndarray | None = np.array([0.5, -1.0])

    p = P()
    buf = p.data
    nn.SGD([p], lr=0.1, momentum=0.5).step()
    assert p.data is buf
    np.testing.assert_allclose(p.data, [0.95, 2.1])


def test_training_reduces_the_cost() -> None:
    """A few steps of SGD on a tiny problem: the cost goes down."""
    mlp = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    ys = [[0.1], [0.9], [0.9], [0.1]]
    opt = nn.SGD(mlp.parameters(), lr=0.5, momentum=0.9)
    losses = []
    for _ in range(100):
        loss = nn.mse([mlp(x) for x in xs], ys)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    assert losses[-1] < 0.1 * losses[0]


def test_squeeze_gives_one_value_for_one_output_as_micrograd() -> None:
    """Issue 20: micrograd's ``MLP(2, [16, 16, 1])`` returns one Value; ours with
    micrograd's conventions (ReLU hidden layers, a linear output, ``squeeze=True``)."""
    m = nn.MLP(2, [4, 4, 1], activation="relu", output_activation="linear", squeeze=True, seed=0)
    out = m([0.5, -1.0])
    assert isinstance(out, Value)
    assert out.data == nn.MLP(2, [4, 4, 1], "relu", "linear", seed=0)([0.5, -1.0])[0].data
    loss = (1 + -1 * out).relu()  # micrograd's max-margin loss takes it as it is
    loss.backward()
    assert any(p.grad for p in m.parameters())
    with pytest.raises(ValueError, match="squeeze=True returns the one output Value"):
        nn.MLP(2, [4, 3], squeeze=True)
