"""End to end: examples/mnist.py trains on a slice of real MNIST and writes every picture.

Needs the real files (``MNIST_DIR``, which CI sets, or the cache). MNIST is read once per module and
handed to the example, which otherwise reads it itself.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import nn

pytestmark = pytest.mark.skipif(
    nn.data.mnist_available() is None,
    reason="MNIST not found in $MNIST_DIR or the cache ~/.cache/valuegrad/mnist",
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mnist.py"


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mnist_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mnist_example"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def mnist() -> nn.data.MNISTData:
    return nn.load_mnist(download=False)


@pytest.fixture
def run(example: ModuleType, mnist: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(example, "load_mnist", lambda *a, **k: mnist)
    return example.main


def test_short_run_beats_80_percent_and_writes_pictures(
    run: Any, mnist: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    summary = run(
        ["--preset", "3b1b", "--limit", "6000", "--epochs", "2", "--out", str(out), "--no-progress"]
    )
    assert summary["test_accuracy"] > 0.80  # on all 10,000 test images
    for name in ("curves.png", "weights.png", "confusion.png", "misclassified.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG", name
    saved = json.loads((out / "history.json").read_text())
    assert saved["test_accuracy"] == summary["test_accuracy"]
    assert saved["parameters"] == 13002 and saved["layers"] == "784-16-16-10"
    assert len(saved["history"]["test_acc"]) == 2
    model = nn.TensorMLP(784, [16, 16, 10])
    model.load(out / "model.npz")
    assert nn.evaluate(model, mnist.x_test, mnist.y_test) == summary["test_accuracy"]
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("MNIST 3b1b: test accuracy") and "13,002 parameters" in line
    # explorer.html embeds exactly this model and 300 test digits (the page itself is
    # checked against the engine in Chromium by tests/test_explorer.py).
    html = (out / "explorer.html").read_text()
    data = json.loads(
        html.split('id="explorer-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["loss"] == "mse" and data["images"]["count"] == 300
    w = np.frombuffer(base64.b64decode(data["layers"][0]["W"]["b64"]), dtype="<f4")
    assert np.array_equal(w, model.state_dict()["layers.0.weight"].reshape(-1))


def test_same_seed_same_accuracy_bit_for_bit(run: Any, tmp_path: Path) -> None:
    def once(seed: int, name: str) -> dict[str, Any]:
        args = ["--preset", "best", "--limit", "1500", "--epochs", "1", "--batch-size", "50"]
        return dict(
            run(
                [
                    *args,
                    "--seed",
                    str(seed),
                    "--out",
                    str(tmp_path / name),
                    "--no-plots",
                    "--no-progress",
                ]
            )
        )

    a, b, c = once(1, "a"), once(1, "b"), once(2, "c")
    assert a["history"]["loss"] == b["history"]["loss"]
    assert a["test_accuracy"] == b["test_accuracy"]
    wa, wb = (np.load(tmp_path / name / "model.npz") for name in "ab")
    for key in wa.files:
        np.testing.assert_array_equal(wa[key], wb[key])
    assert c["history"]["loss"] != a["history"]["loss"]
