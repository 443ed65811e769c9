"""``examples/gpt.py`` (``make gpt``): a tiny training run writes everything it promises,
sampling is reproducible, bad input is a one-line error (exit code 2, no traceback),
the pictures are readable, and the recorded run is the one the chapter and README quote.

Needs Tiny Shakespeare (``$SHAKESPEARE_DIR``, which CI sets, else the cache). The
training run is the ``tiny`` preset: a few seconds.
"""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nn.text import shakespeare_available
from tests.test_figures import check, saved  # noqa: F401  (saved: a fixture)

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "gpt.py"
SHARED = shakespeare_available()
pytestmark = pytest.mark.skipif(
    SHARED is None,
    reason="Tiny Shakespeare not found in $SHAKESPEARE_DIR or ~/.cache/valuegrad/tinyshakespeare",
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHAKESPEARE_DIR": str(SHARED), "OMP_NUM_THREADS": "1"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


@pytest.fixture(scope="module")
def gpt_main() -> Any:
    """``examples/gpt.py``'s ``main(argv) -> exit code``, run in this process (no new
    interpreter per call: the refusals below are checked in milliseconds)."""
    return runpy.run_path(str(SCRIPT), run_name="gpt_example")["main"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``tiny`` run's output folder (30 steps)."""
    out = tmp_path_factory.mktemp("gpt")
    proc = run("--preset", "tiny", "--out", str(out), cwd=out)
    assert proc.returncode == 0, proc.stderr
    assert "val loss" in proc.stdout and "bigram" in proc.stdout
    assert "training: 100%" in proc.stderr  # the progress bar ran to the end
    return out


def test_a_tiny_run_writes_what_it_promises(trained: Path) -> None:
    for name in ("model.npz", "run.json", "samples.txt", "gpt-loss.png", "gpt-attention-1.png"):
        assert (trained / name).stat().st_size > 500, name
    result = json.loads((trained / "run.json").read_text())
    assert result["preset"] == "tiny" and len(result["history"]["train"]) == 30
    # 30 steps of a tiny model: better than guessing among 65 characters, worse than bigrams.
    assert result["bigram"] < result["val_loss"] < 4.17
    assert result["samples"][0].startswith("ROMEO:")


def test_sampling_is_seeded(trained: Path) -> None:
    args = ("--sample", "--checkpoint", str(trained / "model.npz"), "--length", "40")
    first = run(*args, "--prompt", "ROMEO:", "--seed", "1", cwd=trained)
    again = run(*args, "--prompt", "ROMEO:", "--seed", "1", cwd=trained)
    other = run(*args, "--prompt", "ROMEO:", "--seed", "2", "--top-k", "0", cwd=trained)
    assert first.returncode == 0, first.stderr
    assert first.stdout == again.stdout and first.stdout.startswith("ROMEO:")
    assert len(first.stdout) == len("ROMEO:") + 40 + 1  # and a newline
    assert other.stdout != first.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--prompt", ""], "--prompt is empty"),
        (["--prompt", "ROMÉO"], "character(s) not in the vocabulary of 65: 'É'"),
        (["--temperature", "0"], "temperature must be a finite number > 0"),
        (["--top-k", "100"], "top_k=100 is more than the vocabulary of 65"),
    ],
)
def test_bad_sampling_input_is_one_clear_line(
    trained: Path, gpt_main: Any, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert gpt_main(["--sample", "--checkpoint", str(trained / "model.npz"), *args]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


def test_a_truncated_checkpoint_is_one_clear_line(
    trained: Path, tmp_path: Path, gpt_main: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    blob = (trained / "model.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(blob[: len(blob) // 3])
    assert gpt_main(["--sample", "--checkpoint", str(tmp_path / "cut.npz")]) == 2
    assert "cut.npz' is not a readable .npz checkpoint" in capsys.readouterr().err
    assert gpt_main(["--sample", "--checkpoint", str(tmp_path / "none.npz")]) == 2
    assert "no checkpoint at" in capsys.readouterr().err


def test_a_corrupt_corpus_is_one_clear_line(
    tmp_path: Path, gpt_main: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert SHARED is not None
    blob = (SHARED / "input.txt").read_bytes()
    (tmp_path / "input.txt").write_bytes(blob[: len(blob) // 2])
    args = ["--preset", "tiny", "--data-dir", str(tmp_path), "--out", str(tmp_path / "out")]
    assert gpt_main(args) == 2
    err = capsys.readouterr().err
    assert "not Tiny Shakespeare as published" in err and "truncated" in err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------- the recorded run


RECORDED = ROOT / "docs" / "reports" / "gpt-default.json"
CHECKPOINT = ROOT / "examples" / "models" / "gpt-default.npz"


def test_recorded_run_meets_its_targets_and_matches_results_json() -> None:
    """The chapter's numbers come from the recorded `make gpt` run; the README's Measured
    table (benchmarks/results.json) shows the same numbers."""
    result = json.loads(RECORDED.read_text())
    assert result["val_loss"] <= 1.9 and result["cpu_minutes"] <= 5.0
    assert result["peak_mb"] < 1024 and result["blas_threads"] == "1"
    rows = json.loads((ROOT / "benchmarks" / "results.json").read_text())["sections"]
    figure = rows["gpt-default"]["rows"][0]["figure"]
    assert f"**{result['val_loss']:.3f}**" in figure and f"{result['bigram']:.3f}" in figure


def test_chapter_pictures_are_readable(
    saved: list[tuple[Any, Path, float]],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The chapter's pictures, drawn from the committed checkpoint as `make figures` does."""
    args = ["--figures", "--checkpoint", str(CHECKPOINT), "--run", str(RECORDED)]
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), *args, "--out", str(tmp_path)])
    monkeypatch.setenv("SHAKESPEARE_DIR", str(SHARED))
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(str(SCRIPT), run_name="__main__")
    assert stop.value.code == 0
    check(saved, {"gpt-loss.png", "gpt-attention-1.png", "gpt-attention-4.png"})


def test_chapter_prose_agrees_with_the_recorded_runs() -> None:
    """The few sizes the chapter's prose names are those of the recorded runs."""
    chapter = " ".join((ROOT / "docs" / "06-gpt.md").read_text().split())
    default = json.loads(RECORDED.read_text())
    best = json.loads((ROOT / "docs" / "reports" / "gpt-best.json").read_text())
    block = default["config"]["block_size"]
    assert f"at least {block // 2} characters of context" in chapter
    assert f"predicted from at most {block} before it" in chapter
    assert default["parameters"] < 1_000_000 and "less than a million knobs" in chapter
    epochs = default["training"]["steps"] * default["training"]["batch_size"] * block / 1_003_854
    assert 1.4 < epochs < 1.7 and "one and a half times" in chapter
    assert f"window to {best['config']['block_size']} characters" in chapter
    assert best["val_loss"] <= 1.6 and best["cpu_minutes"] <= 20 and best["peak_mb"] < 4096
