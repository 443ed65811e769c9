"""Every example's ``--help`` describes every option and says its default."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(
    str(p.relative_to(ROOT))
    for p in [*ROOT.glob("examples/*.py"), *ROOT.glob("examples/tour/*.py")]
)


def help_text(
    script: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    monkeypatch.setattr(sys, "argv", [script, "--help"])
    monkeypatch.syspath_prepend(str((ROOT / script).parent))  # as `python script` would
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(str(ROOT / script), run_name="__main__")
    assert stop.value.code == 0
    return capsys.readouterr().out


def options(text: str) -> list[str]:
    """Each option's entry (its first line and the indented lines after it)."""
    section = text.split("options:", 1)[1]
    section = re.split(r"\n\S", section, maxsplit=1)[0]  # up to the epilog, if any
    entries: list[str] = []
    for line in section.splitlines():
        if re.match(r"^  -", line):
            entries.append(line.strip())
        elif line.strip() and entries:
            entries[-1] += " " + line.strip()
    return entries


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_describes_every_option_and_its_default(
    script: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_text(script, monkeypatch, capsys)
    entries = options(text)
    assert len(entries) >= 2, text
    for entry in entries:
        if entry.startswith("-h, --help"):
            continue
        name = entry.split()[0]
        described = entry[len(name) :].strip()
        assert len(described.split()) >= 3, f"{script} {name}: no description"
        assert "default" in described, f"{script} {name}: does not say its default"
        assert "(default: None)" not in described, f"{script} {name}: say what None means"


def test_mnist_help_lists_every_preset(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_text("examples/mnist.py", monkeypatch, capsys)
    presets = text.split("presets:", 1)[1]
    assert re.search(r"^  3b1b +784-16-16-10, sigmoid, mse loss, SGD", presets, re.M)
    assert re.search(r"^  best +784-512-256-10, relu, cross_entropy loss, Adam", presets, re.M)
    assert "$MNIST_DIR" in text and "~/.cache/valuegrad/mnist" in text
