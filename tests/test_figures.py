"""Every plot in the docs is readable where it is shown: text at least 11 px on screen.

The docs' text column is 768 px wide in an 800 px window (``tests/test_site.py``
checks that), and a picture wider than the column is shrunk to fit it. Each script
that draws a docs figure runs here (small ``--quick`` runs); every text of every
figure it saves (tick labels, axis labels, titles, legends, captions) is measured as
it will be seen: font size in pixels of the saved PNG, times the shrink factor of
that PNG into the column. The graph pictures (SVG) are measured in the browser by
``tests/test_site.py``.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
COLUMN_PX = 688  # the docs' text column at a 1280 px wide window (768 at 800 px: wider)
MIN_TEXT_PX = 11.0

matplotlib = pytest.importorskip("matplotlib")


@pytest.fixture
def saved(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Path, float]]:
    """Every figure saved while the test runs: (figure, file, dpi)."""
    from matplotlib.figure import Figure

    matplotlib.use("Agg")
    calls: list[tuple[Any, Path, float]] = []
    original = Figure.savefig

    def savefig(self: Any, fname: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, fname, *args, **kwargs)
        dpi = kwargs.get("dpi") or self.dpi
        if isinstance(fname, (str, os.PathLike)):  # else: into write_atomic's file, below
            calls.append((self, Path(fname), float(dpi)))
        return result

    from nn.pictures import plots

    save = plots.save_figure  # saves through write_atomic (a file object), so: recorded here

    def save_and_record(fig: Any, path: Any, dpi: int = 110) -> Path:
        written = save(fig, path, dpi)
        calls.append((fig, Path(written), float(dpi)))
        return written

    monkeypatch.setattr(Figure, "savefig", savefig)
    monkeypatch.setattr(plots, "save_figure", save_and_record)
    return calls


def smallest_text(fig: Any, png: Path, dpi: float) -> tuple[float, str]:
    """(size in px on screen, text) of the smallest visible text of a saved figure."""
    from matplotlib.image import imread
    from matplotlib.text import Text

    width_px = imread(png).shape[1]
    shrink = min(1.0, COLUMN_PX / width_px)
    fig.canvas.draw()
    sizes = [
        (t.get_fontsize() * dpi / 72 * shrink, t.get_text())
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and _drawn(t, fig)
    ]
    assert sizes, f"{png.name}: no text found"
    return min(sizes)


def _drawn(text: Any, fig: Any) -> bool:
    """Whether a text lies inside the figure (tick labels beyond the axis limits do not)."""
    box = text.get_window_extent()
    whole = fig.bbox
    return box.x1 > whole.x0 and box.x0 < whole.x1 and box.y1 > whole.y0 and box.y0 < whole.y1


def check(saved: list[tuple[Any, Path, float]], names: set[str]) -> None:
    seen = {path.name for _, path, _ in saved}
    assert names <= seen, f"not saved: {names - seen}"
    small = []
    for fig, path, dpi in saved:
        if path.name in names:
            px, text = smallest_text(fig, path, dpi)
            if px < MIN_TEXT_PX:
                small.append(f"{path.name}: {text!r} is {px:.1f} px")
    assert not small, "text too small at page width: " + "; ".join(small)


SCRIPTS = {
    "examples/gradient_descent.py": ([], {"gradient_descent.png"}),
    "examples/tour/gradient_magnitudes.py": (["--quick"], {"gradient-magnitudes.png"}),
    "examples/tour/desires.py": (["--quick"], {"desires.png"}),
    "examples/tour/sgd_vs_gd.py": (["--quick"], {"sgd-vs-gd.png"}),
    "examples/tour/attention.py": (["--quick"], {"attention.png"}),
    "examples/toy_classifier.py": (
        ["--steps", "3", "--points", "20", "--grid", "8", "--no-progress"],
        {"decision_boundary_moons.png"},
    ),
}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_docs_figure_text_is_readable(
    script: str,
    saved: list[tuple[Any, Path, float]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flags, names = SCRIPTS[script]
    text = (ROOT / script).read_text(encoding="utf-8")
    if "load_mnist" in text:
        import nn

        try:
            nn.load_mnist(download=False, progress=False)
        except (nn.DataError, FileNotFoundError):
            pytest.skip("MNIST files not found; set MNIST_DIR")
    monkeypatch.setattr(sys, "argv", [script, *flags, "--out", str(tmp_path)])
    monkeypatch.chdir(tmp_path)
    try:
        runpy.run_path(str(ROOT / script), run_name="__main__")
    except SystemExit as e:
        assert not e.code, f"{script} exited with {e.code}"
    check(saved, names)


def test_mnist_figures_text_is_readable(
    saved: list[tuple[Any, Path, float]], tmp_path: Path
) -> None:
    """The four pictures of a training run (chapter 5), drawn from made-up results."""
    from nn import plots

    rng = np.random.default_rng(0)
    history = {
        "epoch": [1, 2, 3],
        "loss": [0.5, 0.3, 0.2],
        "test_loss": [0.55, 0.35, 0.25],
        "train_acc": [0.8, 0.9, 0.95],
        "test_acc": [0.79, 0.88, 0.93],
        "lr": [2.0, 1.8, 1.62],
        "epoch_time": [1.0, 1.0, 1.0],
    }
    y = rng.integers(0, 10, 2000)
    pred = np.where(rng.random(2000) < 0.9, y, rng.integers(0, 10, 2000))
    x = rng.random((2000, 784)).astype(np.float32)
    plots.plot_history(history, tmp_path / "curves.png", title="MNIST 3b1b (784-16-16-10)")
    plots.plot_weights(
        rng.normal(size=(16, 784)), tmp_path / "weights.png", n=16, title="weights\ninto 16"
    )
    plots.plot_confusion(y, pred, tmp_path / "confusion.png")
    plots.plot_misclassified(x, y, pred, tmp_path / "misclassified.png")
    check(saved, {"curves.png", "weights.png", "confusion.png", "misclassified.png"})
