"""Every scalar example runs (small sizes via flags) and writes its pictures."""

from __future__ import annotations

import html
import runpy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# Skipped, with the reason, without Graphviz (a failure when VALUEGRAD_REQUIRE names dot).
needs_dot = pytest.mark.usefixtures("dot")


def example(name: str) -> Callable[[list[str]], int]:
    """The ``main(argv)`` of ``examples/<name>.py``, imported as running it would."""
    if str(EXAMPLES) not in sys.path:  # `python examples/x.py` puts its folder on the path
        sys.path.insert(0, str(EXAMPLES))
    namespace: dict[str, Any] = runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name=name)
    main: Callable[[list[str]], int] = namespace["main"]
    return main


@needs_dot
def test_neuron(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert example("neuron")(["--out", str(tmp_path), "--png"]) == 0
    svg = html.unescape((tmp_path / "neuron.svg").read_text())
    for text in (">x1<", ">w1<", ">a<", "data 0.5866", "grad 1.000", "grad 0.4850"):
        assert text in svg
    assert (tmp_path / "neuron_cost.svg").exists()
    assert (tmp_path / "neuron.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    assert "chain rule by hand" in out


def test_neuron_without_dot_writes_dot_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main = example("neuron")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["--out", str(tmp_path)]) == 0
    assert "digraph" in (tmp_path / "neuron.dot").read_text()
    assert "apt-get install graphviz" in capsys.readouterr().err


def test_gradient_descent(tmp_path: Path) -> None:
    assert (
        example("gradient_descent")(["--out", str(tmp_path), "--steps", "5", "--grid", "12"]) == 0
    )
    assert (tmp_path / "gradient_descent.png").read_bytes()[:4] == b"\x89PNG"


def test_toy_classifier_small(tmp_path: Path) -> None:
    argv = ["--out", str(tmp_path), "--points", "20", "--steps", "3", "--grid", "8"]
    argv += ["--hidden", "4", "--no-progress"]
    assert example("toy_classifier")(argv) == 0
    assert (tmp_path / "decision_boundary_moons.png").read_bytes()[:4] == b"\x89PNG"
    argv = ["--out", str(tmp_path), "--dataset", "spirals", "--points", "10", "--steps", "2"]
    assert example("toy_classifier")([*argv, "--grid", "6", "--hidden", "3", "--no-progress"]) == 0
    assert (tmp_path / "decision_boundary_spirals.png").exists()


def test_toy_classifier_reaches_100_percent_on_moons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default network and data, stopping at the first perfect step (~50 steps, seconds)."""
    argv = ["--out", str(tmp_path), "--until-perfect", "--no-progress", "--grid", "6"]
    assert example("toy_classifier")(argv) == 0
    assert "training accuracy 100.0%" in capsys.readouterr().out


@needs_dot
def test_backprop_film(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert example("backprop_film")(["--out", str(tmp_path)]) == 0
    folder = tmp_path / "backprop_film"
    svgs = sorted(folder.glob("frame_*.svg"))
    pngs = sorted(folder.glob("frame_*.png"))
    assert len(svgs) == len(pngs) == 8  # seed + one frame per op node of the neuron's cost
    first = html.unescape(svgs[0].read_text())
    last = html.unescape(svgs[-1].read_text())
    assert first.count("grad ?") > last.count("grad ?") == 0  # gradients fill in
    assert "grad -0.4010" in last  # dC0/dw1 of the chapter-4 neuron
    assert "step 7/7" in capsys.readouterr().out


@needs_dot
def test_backprop_film_mlp_svg_only(tmp_path: Path) -> None:
    main = example("backprop_film")
    assert main(["--out", str(tmp_path), "--mlp", "--formats", "svg", "--max-frames", "3"]) == 0
    folder = tmp_path / "backprop_film"
    assert len(list(folder.glob("frame_*.svg"))) == 3
    assert not list(folder.glob("*.png"))
    assert "cluster" in (folder / "frame_000.svg").read_text()


@needs_dot
def test_backprop_film_frames_are_one_size_and_the_gif(tmp_path: Path) -> None:
    from PIL import Image

    assert example("backprop_film")(["--out", str(tmp_path), "--formats", "png", "--gif"]) == 0
    folder = tmp_path / "backprop_film"
    sizes = set()
    for png in sorted(folder.glob("frame_*.png")):
        with Image.open(png) as im:
            sizes.add(im.size)
    assert len(sizes) == 1
    with Image.open(folder / "backprop.gif") as gif:
        assert gif.n_frames == 8


@needs_dot
def test_backprop_film_run_again_leaves_no_stale_frames(tmp_path: Path) -> None:
    """Issue 20: a second, shorter run into the same folder left the first run's last
    frames (and other formats) behind; only the script's own frame files are removed."""
    main = example("backprop_film")
    folder = tmp_path / "backprop_film"
    assert main(["--out", str(tmp_path), "--formats", "svg,png", "--max-frames", "5"]) == 0
    (folder / "notes.txt").write_text("mine")
    (folder / "frame_final.svg").write_text("not a frame of the script's pattern")
    assert main(["--out", str(tmp_path), "--formats", "svg", "--max-frames", "2"]) == 0
    frames = sorted(p.name for p in folder.glob("frame_*"))
    assert frames == ["frame_000.svg", "frame_001.svg", "frame_final.svg"]
    assert (folder / "notes.txt").read_text() == "mine"
