"""Issue 20: the MNIST notebook stacked one tqdm widget per epoch (30 of them)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import tqdm.auto
import tqdm.notebook
import tqdm.std

import nn
import nn.progress
from nn.progress import progress_bar


def test_in_a_notebook_only_the_last_epochs_widget_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[dict[str, Any]] = []

    class Widget(tqdm.notebook.tqdm):  # type: ignore[misc]
        def __init__(self, **kwargs: Any) -> None:  # records, draws nothing
            made.append(kwargs)

        def __getattr__(self, name: str) -> Any:
            return lambda *a, **k: None

    monkeypatch.setattr(tqdm.auto, "tqdm", Widget)
    monkeypatch.setattr(nn.progress, "find_spec", lambda name: object())  # "ipywidgets is here"
    for epoch in range(3):
        progress_bar(last=epoch == 2, total=5, leave=True)
    assert [k["leave"] for k in made] == [False, False, True]
    # fit asks for it: 3 epochs, one widget left behind
    made.clear()
    model = nn.TensorMLP(2, [2], output_activation="linear")
    x, y = np.zeros((8, 2), dtype=np.float32), np.zeros(8, dtype=int)
    nn.fit(model, "cross_entropy", nn.SGD(model.parameters(), lr=0.1), x, y, epochs=3)
    assert [k["leave"] for k in made] == [False, False, True]


def test_text_bars_stay_one_line_per_epoch() -> None:
    bar = progress_bar(last=False, total=1, leave=True, disable=True)
    assert isinstance(bar, tqdm.std.tqdm) and not isinstance(bar, tqdm.notebook.tqdm)
    assert bar.leave is True
