"""Issue 19, round 2: a failing operation changes nothing, input that is not what it
seems is refused, messages name the real cause, and every loss takes one example as
a list, a tuple or a NumPy array (items 4, 11, 12 and 13c).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn.serialize import load_state, save_state
from tests.tools import require

NAN, INF = float("nan"), float("inf")


def values(model: nn.Module) -> list[Any]:
    return [np.array(p.data).copy() for p in model.parameters()]


def assert_same(a: list[Any], b: list[Any]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


# ------------------------------------------------ item 4/12: loading state changes nothing

MODELS = {
    "MLP": lambda: nn.MLP(3, [4, 2], seed=0),
    "TensorMLP": lambda: nn.TensorMLP(3, [4, 2], seed=0),
    "Layer": lambda: nn.Layer(3, 2, seed=0),
    "Neuron": lambda: nn.Neuron(3, seed=0),
    "Linear": lambda: nn.Linear(3, 2, seed=0),
}


def _spoil(state: dict[str, Any], how: str) -> tuple[dict[str, Any], str]:
    """``state`` with its LAST entry spoiled ``how``; and the key spoiled."""
    key = list(state)[-1]
    good = np.asarray(state[key], dtype=np.float64)
    bad: Any = {
        "shape": np.zeros(good.size + 1),
        "nan": np.where(np.arange(good.size).reshape(good.shape) == good.size - 1, NAN, good),
        "inf": np.full(good.shape, -INF),
        "text": np.full(good.shape, "x"),
    }[how]
    if good.ndim == 0:
        bad = {"shape": [1.0, 2.0], "nan": NAN, "inf": -INF, "text": "x"}[how]
    return {**state, key: bad}, key


@pytest.mark.parametrize("how", ["shape", "nan", "inf", "text"])
@pytest.mark.parametrize("model", list(MODELS))
def test_a_refused_state_dict_changes_no_parameter(model: str, how: str) -> None:
    """The issue's example: a wrong shape in the last entry used to overwrite 22 of 23."""
    m = MODELS[model]()
    other = MODELS[model]()
    for p in other.parameters():  # a state dict of different numbers
        p.data = p.data * 2 + 1
    spoiled, key = _spoil(other.state_dict(), how)
    before = values(m)
    with pytest.raises((ValueError, TypeError)) as err:
        m.load_state_dict(spoiled)
    assert key.split(".")[-1] in str(err.value)  # the message names the entry
    if how in ("nan", "inf"):
        assert "finite" in str(err.value)
    assert_same(values(m), before)


def test_mlp_refuses_a_wrong_last_bias_without_touching_the_first_22() -> None:
    mlp = nn.MLP(3, [4, 2], seed=0)  # 16 + 6 + ... = 26 Values
    state = nn.MLP(3, [4, 2], seed=1).state_dict()
    state["layers.1.bias"] = [0.0, 0.0, 0.0]
    before = values(mlp)
    with pytest.raises(ValueError, match=r"layers\.1\.bias has 3 entries, expected 2"):
        mlp.load_state_dict(state)
    assert_same(values(mlp), before)


def test_a_nan_in_a_state_dict_is_named_not_found_later_as_an_overflow() -> None:
    mlp = nn.MLP(2, [1], seed=0)
    state = mlp.state_dict()
    state["layers.0.weight"] = [[0.5, NAN]]
    with pytest.raises(ValueError, match=r"'layers\.0\.weight\[0\]\[1\]' is nan"):
        mlp.load_state_dict(state)


def test_a_value_too_large_for_float32_is_refused_by_the_tensor_twin() -> None:
    twin = nn.TensorMLP(2, [1], seed=0)
    state = twin.state_dict()
    state["layers.0.bias"] = np.array([1e300])
    with pytest.raises(ValueError, match=r"'layers\.0\.bias' holds 1e\+300.*overflows float32"):
        twin.load_state_dict(state)


def test_a_checkpoint_of_another_model_is_refused_before_reading_its_numbers(tmp_path: Any) -> None:
    path = tmp_path / "m.npz"
    nn.TensorMLP(3, [5, 2], seed=0).save(path)
    m = nn.TensorMLP(3, [4, 2], seed=0)
    before = values(m)
    with pytest.raises(
        ValueError, match=r"'layers\.0\.weight' has shape \(5, 3\), expected \(4, 3\)"
    ):
        m.load(path)
    assert_same(values(m), before)
    save_state({"layers.0.weight": np.zeros((4, 3))}, path)
    with pytest.raises(KeyError, match="missing keys"):
        m.load(path)
    assert_same(values(m), before)


def test_a_checkpoint_whose_header_lies_about_its_size_is_refused(tmp_path: Any) -> None:
    """An .npy header claiming more data than the zip member holds (a crafted file)."""
    import zipfile

    path = tmp_path / "m.npz"
    save_state({"w": np.zeros(4)}, path)
    with zipfile.ZipFile(path) as zf:
        member = zf.read("w.npy")
    forged = member.replace(b"(4,)", b"(9,)")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("w.npy", forged)
    with pytest.raises(ValueError, match=r"'w' claims shape \(9,\).*but holds 32 bytes"):
        load_state(path)


# -------------------------------------------- item 4/12: fit stops before a NaN is stepped


def test_fit_stops_at_a_nan_loss_with_the_last_good_weights() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (64, 4)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    x[40] = np.nan  # one poisoned example, in some batch after the first
    model = nn.TensorMLP(4, [3], output_activation="linear", seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    snapshots: list[list[Any]] = []
    real_step = opt.step

    def step() -> None:
        real_step()
        snapshots.append(values(model))

    opt.step = step  # type: ignore[method-assign]
    with pytest.raises(FloatingPointError) as err:
        nn.fit(model, "ce", opt, x, y, epochs=1, batch_size=8, progress=False)
    message = str(err.value)
    assert "loss became nan at epoch 1, batch" in message
    assert "before this batch's step" in message and "inputs hold NaN" in message
    assert all(np.isfinite(w).all() for w in values(model))
    assert_same(values(model), snapshots[-1])  # the weights of the last good step


# ------------------------------------------------------- item 11: integers are integers


@pytest.mark.parametrize("labels", [[2.7], [True], np.array([1.0]), ["2"], np.array([2.0])])
def test_one_hot_refuses_labels_that_are_not_integers(labels: Any) -> None:
    """The issue's example: one_hot([2.7], 4) gave class 2."""
    with pytest.raises(TypeError, match="labels must be integers"):
        nn.one_hot(labels, 4)


@pytest.mark.parametrize("k", [4.0, 2.5, True, "4", np.float64(4)])
def test_one_hot_refuses_a_class_count_that_is_not_an_int(k: Any) -> None:
    with pytest.raises(TypeError, match="num_classes must be an int"):
        nn.one_hot([1], k)


def test_one_hot_takes_numpy_ints() -> None:
    np.testing.assert_array_equal(nn.one_hot(np.array([2], np.uint8), np.int64(4)), [[0, 0, 1, 0]])
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.3"):
        nn.one_hot([-1], 4)


@pytest.mark.parametrize("bad", [2.5, 2.0, True, "2", None])
def test_counts_that_are_not_ints_are_refused(bad: Any) -> None:
    x, y = np.zeros((4, 3), np.float32), np.zeros(4, np.int64)
    model = nn.TensorMLP(3, [2], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    calls = {
        "batches": lambda: next(iter(nn.batches(x, y, bad))),
        "num_batches": lambda: nn.data.num_batches(4, bad),
        "fit epochs": lambda: nn.fit(model, "ce", opt, x, y, epochs=bad, progress=False),
        "fit batch_size": lambda: nn.fit(model, "ce", opt, x, y, batch_size=bad, progress=False),
        "fit eval_batch_size": lambda: nn.fit(
            model, "ce", opt, x, y, eval_batch_size=bad, progress=False
        ),
        "predict": lambda: nn.predict(model, x, batch_size=bad),
        "evaluate": lambda: nn.evaluate(model, x, y, batch_size=bad),
        "random_shift": lambda: nn.data.random_shift(
            np.zeros((1, 784)), np.random.default_rng(0), max_shift=bad
        ),
        "Linear": lambda: nn.Linear(bad, 2),
        "MLP": lambda: nn.MLP(bad, [2]),
        "MLP nouts": lambda: nn.MLP(2, [bad]),
        "TensorMLP": lambda: nn.TensorMLP(2, [bad]),
        "Neuron": lambda: nn.Neuron(bad),
    }
    if bad is not True:  # fit's eval_train takes a bool; elsewhere True is not a count
        calls["fit eval_train"] = lambda: nn.fit(
            model, "ce", opt, x, y, eval_train=bad, progress=False
        )
    before = values(model)
    for name, call in calls.items():
        try:
            call()
        except (TypeError, ValueError) as err:
            assert "int" in str(err), f"{name}: {err}"
        else:
            pytest.fail(f"{name} accepted {bad!r} as a count")
    assert_same(values(model), before)  # no training happened on a refused call


@pytest.mark.parametrize("labels", [np.array([0.0, 1.0, 1.0, 0.0]), np.array([True, False] * 2)])
def test_fit_and_evaluate_refuse_labels_that_are_not_integers(labels: Any) -> None:
    x = np.zeros((4, 3), np.float32)
    model = nn.TensorMLP(3, [2], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="labels must be integers"):
        nn.fit(model, "ce", opt, x, labels, progress=False)
    with pytest.raises(TypeError, match="labels must be integers"):
        nn.evaluate(model, x, labels)


def test_a_single_image_where_a_batch_is_expected_is_refused() -> None:
    model = nn.TensorMLP(784, [10], seed=0)
    image = np.zeros(784, np.float32)
    with pytest.raises(ValueError, match=r"shape \(784,\) are not a batch.*x\[None\]"):
        nn.predict(model, image)
    with pytest.raises(ValueError, match="not a batch"):
        nn.evaluate(model, image, np.zeros(784, np.int64))
    opt = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="not a batch"):
        nn.fit(model, "ce", opt, image, np.zeros(784, np.int64), progress=False)
    assert nn.predict(model, image[None]).shape == (1,)  # the batch of one is fine
    with pytest.raises(ValueError, match="one int per example"):
        nn.fit(model, "ce", opt, image[None], np.zeros((1, 10), np.int64), progress=False)


@pytest.mark.parametrize("label", [2.7, 1.0, True, np.float64(1.0), np.bool_(True), "1"])
def test_cross_entropy_refuses_a_label_that_is_not_an_int_in_both_twins(label: Any) -> None:
    with pytest.raises(TypeError):
        nn.cross_entropy([Value(0.0), Value(1.0), Value(2.0)], label)
    with pytest.raises(TypeError):
        nn.cross_entropy(Tensor([0.0, 1.0, 2.0]), label)


@pytest.mark.parametrize("label", [3, -1])
def test_cross_entropy_refuses_a_label_out_of_range_in_both_twins(label: int) -> None:
    with pytest.raises(ValueError):
        nn.cross_entropy([Value(0.0), Value(1.0), Value(2.0)], label)
    with pytest.raises(ValueError):
        nn.cross_entropy(Tensor([[0.0, 1.0, 2.0]]), [label])


@pytest.mark.parametrize("targets", [[True, False], "ab", ["1", "0"]])
def test_mse_refuses_targets_that_are_not_numbers_in_both_twins(targets: Any) -> None:
    with pytest.raises(TypeError, match="targets must be real numbers"):
        nn.mse([Value(0.5), Value(1.0)], targets)
    with pytest.raises(TypeError, match="targets must be real numbers"):
        nn.mse(Tensor([0.5, 1.0]), targets)


# ----------------------------------- item 13c: one example as a list, tuple or NumPy array


OUTPUTS = [[0.5, 1.0], (0.5, 1.0), np.array([0.5, 1.0])]
TARGETS = [[1.0, 1.0], (1.0, 1.0), np.array([1.0, 1.0]), np.array([1, 1])]


@pytest.mark.parametrize("targets", TARGETS, ids=repr)
@pytest.mark.parametrize("outputs", OUTPUTS, ids=repr)
def test_mse_one_example_in_every_spelling(outputs: Any, targets: Any) -> None:
    """The issue's example: mse(np.array([0.5, 1.0]), (1.0, 1.0)) raised."""
    assert nn.mse(outputs, targets).data == 0.25
    assert float(nn.mse(Tensor(np.asarray(outputs, np.float64)), targets).data) == 0.25


LOGITS = [[0.0, 1.0, 2.0], (0.0, 1.0, 2.0), np.array([0.0, 1.0, 2.0])]
LABELS = [1, np.int64(1), np.uint8(1), np.array(1)]


@pytest.mark.parametrize("label", LABELS, ids=repr)
@pytest.mark.parametrize("logits", LOGITS, ids=repr)
def test_cross_entropy_one_example_in_every_spelling(logits: Any, label: Any) -> None:
    """The issue's example: cross_entropy(np.array([0.0, 1.0, 2.0]), np.int64(1)) raised."""
    expected = math.log(math.exp(0) + math.exp(1) + math.exp(2)) - 1.0
    assert nn.cross_entropy(logits, label).data == pytest.approx(expected, abs=1e-15)
    tensor = nn.cross_entropy(Tensor(np.asarray(logits, np.float64)), label)
    assert float(tensor.data) == pytest.approx(expected, abs=1e-15)


def test_several_examples_as_a_2d_array_equal_the_lists() -> None:
    outs = np.array([[0.5, 1.0], [0.0, 0.2]])
    assert nn.mse(outs, np.array([[1.0, 1.0], [0.0, 0.0]])).data == pytest.approx(
        nn.mse(outs.tolist(), [[1.0, 1.0], [0.0, 0.0]]).data
    )
    assert nn.cross_entropy(outs, np.array([1, 0])).data == pytest.approx(
        nn.cross_entropy(outs.tolist(), [1, 0]).data
    )
    with pytest.raises(ValueError, match="one example is 1-D"):
        nn.mse(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))


@pytest.mark.parametrize("make", [nn.MLP, nn.TensorMLP])
@pytest.mark.parametrize("nouts", [10, "10", [], np.array(3)], ids=repr)
def test_layer_widths_that_are_not_a_list_are_refused_in_both_twins(make: Any, nouts: Any) -> None:
    with pytest.raises(ValueError, match="nouts must"):
        make(3, nouts)


@pytest.mark.parametrize("make", [nn.MLP, nn.TensorMLP])
def test_layer_widths_as_an_array_equal_the_list(make: Any) -> None:
    assert make(3, np.array([4, 2])).sizes == make(3, [4, 2]).sizes == [3, 4, 2]


def test_a_scalar_model_after_zero_grad_still_draws() -> None:
    """zero_grad() now leaves grad None on Values too: the pictures show it as for Tensors."""
    from autograd import draw_graph
    from autograd.pictures.tikz import tikz_document

    mlp = nn.MLP(2, [2, 1], seed=0)
    mlp.zero_grad()
    out = mlp([1.0, 2.0])[0]
    assert "grad None" in draw_graph(out).source
    assert "grad None" in draw_graph(out, module=mlp).source
    require("dot")  # TikZ takes its layout from `dot -Tjson`
    assert tikz_document(out)


@pytest.mark.parametrize("make", [lambda: nn.MLP(2, [1], seed=0), lambda: nn.Layer(2, 1, seed=0)])
def test_a_batch_given_to_a_scalar_model_is_refused(make: Any) -> None:
    with pytest.raises(ValueError, match=r"takes one example.*shape \(2, 2\)"):
        make()(np.ones((2, 2)))
    assert len(make()(np.ones(2))) == 1  # one example as a 1-D array is fine


@pytest.mark.parametrize("given", ["x_test", "y_test"])
def test_fit_refuses_test_inputs_without_labels(given: str) -> None:
    """One of the two would be ignored silently: no test scores at all."""
    x, y = np.zeros((4, 3), np.float32), np.zeros(4, np.int64)
    model = nn.TensorMLP(3, [2], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    test = {"x_test": x} if given == "x_test" else {"y_test": y}
    with pytest.raises(ValueError, match=f"{given} given alone"):
        nn.fit(model, "ce", opt, x, y, progress=False, **test)
