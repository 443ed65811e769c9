"""nn.train (fit, evaluate, predict, History) and nn.pictures.plots, on small synthetic data."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import plots
from nn.train import History, get_loss


def blobs(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian clusters in 5 dimensions, labels 0..2 (easy to separate)."""
    centers = np.random.default_rng(42).normal(0, 3, (3, 5))
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = centers[y] + rng.normal(0, 1, (n, 5))
    return x.astype(np.float32), y.astype(np.int64)


def model_and_opt(seed: int = 0, loss: str = "cross_entropy") -> tuple[Any, Any]:
    out = "linear" if loss == "cross_entropy" else "sigmoid"
    model = nn.TensorMLP(5, [16, 3], activation="relu", output_activation=out, seed=seed)
    return model, nn.Adam(model.parameters(), lr=0.02)


def test_fit_learns_and_records_history(tmp_path: Path) -> None:
    x, y = blobs()
    xt, yt = blobs(100, seed=1)
    model, opt = model_and_opt()
    seen: list[int] = []
    h = nn.fit(
        model,
        "cross_entropy",
        opt,
        x,
        y,
        xt,
        yt,
        epochs=5,
        batch_size=32,
        progress=False,
        checkpoint=tmp_path / "ckpt.npz",
        callback=lambda epoch, hist: seen.append(epoch),
    )
    assert h.epoch == [1, 2, 3, 4, 5] and seen == [1, 2, 3, 4, 5]
    for key in ("loss", "train_acc", "test_acc", "test_loss", "lr", "time"):
        assert len(getattr(h, key)) == 5
    assert h.loss[-1] < h.loss[0]
    assert h.test_acc[-1] > 0.9 and h.train_acc[-1] > 0.9
    assert nn.evaluate(model, xt, yt) == h.test_acc[-1]
    assert h.total_time == pytest.approx(sum(h.time))
    # The checkpoint holds the final weights.
    twin, _ = model_and_opt(seed=1)
    twin.load(tmp_path / "ckpt.npz")
    assert nn.evaluate(twin, xt, yt) == h.test_acc[-1]


def test_fit_is_deterministic_given_seed() -> None:
    x, y = blobs()
    runs = []
    for _ in range(2):
        model, opt = model_and_opt(seed=3)
        runs.append(nn.fit(model, "ce", opt, x, y, epochs=2, batch_size=16, seed=7, progress=False))
    assert runs[0].loss == runs[1].loss and runs[0].train_acc == runs[1].train_acc
    model, opt = model_and_opt(seed=3)
    other = nn.fit(model, "ce", opt, x, y, epochs=2, batch_size=16, seed=8, progress=False)
    assert other.loss != runs[0].loss  # another shuffle


def test_mse_on_one_hot_and_lr_schedules() -> None:
    x, y = blobs()
    model, _ = model_and_opt(loss="mse")
    opt = nn.SGD(model.parameters(), lr=1.0)
    h = nn.fit(model, "mse", opt, x, y, epochs=3, batch_size=10, lr_schedule=0.5, progress=False)
    assert h.lr == [1.0, 0.5, 0.25]
    assert h.train_acc[-1] > 0.9
    assert math.isnan(h.test_acc[0])  # no test data
    h = nn.fit(
        model, "mse", opt, x, y, epochs=2, lr_schedule=lambda e: 0.1 * (e + 1), progress=False
    )
    assert h.lr == pytest.approx([0.1, 0.2])


def test_running_train_accuracy_and_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    x, y = blobs()
    model, opt = model_and_opt()
    h = nn.fit(model, "cross_entropy", opt, x, y, x, y, epochs=1, eval_train=False)
    assert 0.0 <= h.train_acc[0] <= 1.0
    err = capsys.readouterr().err
    assert "epoch 1/1" in err and "loss" in err and "test" in err


def test_custom_loss_function() -> None:
    x, y = blobs()
    model, opt = model_and_opt()
    calls: list[int] = []

    def loss(out: Tensor, labels: np.ndarray) -> Tensor:
        calls.append(len(labels))
        return nn.cross_entropy(out, labels)

    nn.fit(model, loss, opt, x, y, epochs=1, batch_size=100, progress=False)
    assert calls == [100, 100, 100]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_diverging_loss_raises() -> None:
    x, y = blobs()
    model, _ = model_and_opt()
    x = x * 1e30
    opt = nn.SGD(model.parameters(), lr=1e30)
    with pytest.raises(FloatingPointError, match="learning rate"):
        nn.fit(model, "cross_entropy", opt, x, y, epochs=3, progress=False)


def test_fit_argument_errors() -> None:
    x, y = blobs()
    model, opt = model_and_opt()
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        nn.fit(model, "hinge", opt, x, y, progress=False)
    with pytest.raises(ValueError, match="300 inputs but 299 labels"):
        nn.fit(model, "ce", opt, x, y[:-1], progress=False)
    with pytest.raises(ValueError, match="no training examples"):
        nn.fit(model, "ce", opt, x[:0], y[:0], progress=False)
    assert get_loss("mse") is get_loss("quadratic")


def test_predict_and_evaluate_record_no_graph() -> None:
    x, y = blobs(50)
    model, _ = model_and_opt()
    preds = nn.predict(model, x, batch_size=7)
    assert preds.shape == (50,) and preds.dtype == np.int64
    expected = model(x).data.argmax(axis=1)
    np.testing.assert_array_equal(preds, expected)
    assert nn.evaluate(model, x, y, batch_size=7) == float(np.mean(expected == y))
    assert all(p.grad is None for p in model.parameters())
    with pytest.raises(ValueError, match="no examples"):
        nn.evaluate(model, x[:0], y[:0])


def test_history_json(tmp_path: Path) -> None:
    h = History(epoch=[1], loss=[0.5], train_acc=[0.9], test_acc=[math.nan], lr=[0.1], time=[2.0])
    h.test_loss.append(math.nan)
    path = h.save_json(tmp_path / "h.json")
    d = json.loads(path.read_text())
    assert d["test_acc"] == [None] and d["total_time"] == 2.0 and d["loss"] == [0.5]


# ------------------------------------------------------------------- plots


def test_plots_write_pngs(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(0)
    h = History(
        epoch=[1, 2, 3],
        loss=[1.0, 0.5, 0.3],
        train_acc=[0.8, 0.9, 0.95],
        test_acc=[0.78, 0.88, 0.9],
        test_loss=[1.1, 0.6, 0.4],
        lr=[1.0] * 3,
        time=[1.0] * 3,
    )
    y_true = rng.integers(0, 10, 200)
    y_pred = np.where(rng.random(200) < 0.8, y_true, rng.integers(0, 10, 200))
    images = rng.random((200, 784)).astype(np.float32)
    paths = [
        plots.plot_history(h, tmp_path / "curves.png", title="t"),
        plots.plot_history(h.to_dict(), tmp_path / "curves2.png"),
        plots.plot_weights(rng.normal(size=(16, 784)), tmp_path / "w.png"),
        plots.plot_confusion(y_true, y_pred, tmp_path / "c.png"),
        plots.plot_misclassified(images, y_true, y_pred, tmp_path / "m.png", n=10),
        plots.plot_misclassified(images, y_true, y_true, tmp_path / "none.png"),
    ]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"shape \(neurons, 784\)"):
        plots.plot_weights(np.zeros((4, 10)), tmp_path / "bad.png")


def test_confusion_matrix_counts() -> None:
    c = plots.confusion_matrix([0, 0, 1, 2], [0, 1, 1, 0], num_classes=3)
    np.testing.assert_array_equal(c, [[1, 1, 0], [0, 1, 0], [1, 0, 0]])
    with pytest.raises(ValueError, match="differ"):
        plots.confusion_matrix([0], [0, 1])


def test_augment_is_applied_and_reproducible() -> None:
    x, y = blobs()
    calls: list[int] = []

    def jitter(xb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        calls.append(len(xb))
        return (xb + rng.normal(0, 0.1, xb.shape)).astype(xb.dtype)

    losses = []
    for _ in range(2):
        model, opt = model_and_opt()
        h = nn.fit(model, "ce", opt, x, y, epochs=2, batch_size=100, augment=jitter, progress=False)
        losses.append(h.loss)
    assert calls == [100] * 12 and losses[0] == losses[1]


def test_progress_bar_is_plain_text_without_ipywidgets(monkeypatch: pytest.MonkeyPatch) -> None:
    """No "IProgress not found" warning in a notebook without ipywidgets: a text bar instead."""
    import io
    import warnings

    import tqdm.std

    from nn import progress

    monkeypatch.setattr(progress, "find_spec", lambda name: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bar = progress.progress_bar(total=3, file=io.StringIO())
    assert type(bar) is tqdm.std.tqdm
    bar.close()


def test_misclassified_digits_are_white_ink_on_black(tmp_path: Path) -> None:
    """Issue 20: one convention for every picture of a digit, MNIST's own (0 black, 1
    white; chapter 1): a blank tile is black, a tile all ink white, not the reverse."""
    from PIL import Image

    def dark_share(value: float) -> float:
        images = np.full((1, 784), value, dtype=np.float32)
        path = plots.plot_misclassified(images, [3], [5], tmp_path / f"m{value}.png")
        return float((np.asarray(Image.open(path).convert("L"), dtype=float) < 20).mean())

    assert dark_share(0.0) > 0.1  # the blank tile: black
    assert dark_share(1.0) < 0.02  # all ink: white (only the title's letters are dark)
