"""The README's Measured table is generated from benchmarks/results.json, never typed."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def results() -> ModuleType:
    spec = importlib.util.spec_from_file_location("results", ROOT / "benchmarks" / "results.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["results"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_readme_table_matches_results_json(results: ModuleType) -> None:
    assert results.main(["--check"]) == 0, "run `python benchmarks/results.py`"


def test_every_row_is_complete_and_every_section_names_its_machine(results: ModuleType) -> None:
    data = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    assert data["sections"], "no results recorded"
    for name, sec in data["sections"].items():
        assert sec["command"] and sec["date"], name
        assert set(sec["machine"]) >= {"cpu", "cores", "os", "python", "numpy"}, name
        for row in sec["rows"]:
            assert set(row) == {"what", "figure", "target", "ok"}, (name, row)
            assert row["ok"] is None or isinstance(row["ok"], bool), (name, row)


def test_record_then_render_round_trip_and_check_catches_an_edit(
    results: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "results.json"
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{results.BEGIN}\nold\n{results.END}\n\nafter\n")
    results.record("a", [results.Row("speed", "**3.0x**", ">= 2x", True)], command="c", path=path)
    results.record(
        "b", [results.Row("memory", "700 MB", "< 600 MB", False)], command="d", path=path
    )
    results.record("a", [results.Row("speed", "**4.0x**", ">= 2x", True)], command="c", path=path)
    args = ["--readme", str(readme), "--results", str(path)]
    assert results.main(["--check", *args]) == 1  # stale
    assert results.main(args) == 0
    text = readme.read_text()
    assert "| speed | **4.0x** | >= 2x | yes |" in text  # replaced, not appended
    assert "| memory | 700 MB | < 600 MB | **no** |" in text
    assert text.index("speed") < text.index("memory")  # first-recorded order
    assert "3.0x" not in text and "old" not in text and text.endswith("after\n")
    assert "Measured on " in text and "`c`" in text and "`d`" in text
    assert results.main(["--check", *args]) == 0
    readme.write_text(text.replace("4.0x", "5.0x"))  # a typed-in number
    assert results.main(["--check", *args]) == 1


def test_a_readme_without_markers_is_an_error(results: ModuleType) -> None:
    with pytest.raises(ValueError, match="markers"):
        results.render("# no table here\n", {"sections": {}})


# ------------------------------------------------------- numbers quoted in prose
PROSE = ["README.md", *(f"docs/{p.name}" for p in (ROOT / "docs").glob("[0-9i]*.md"))]


def recorded_accuracies() -> dict[str, float]:
    """The seed-0 test accuracy (%) of each recorded preset, from results.json."""
    sections = json.loads((ROOT / "benchmarks" / "results.json").read_text())["sections"]
    found = {}
    for preset in ("3b1b", "best"):
        figure = sections[f"accuracy-{preset}"]["rows"][0]["figure"]
        match = re.match(r"\*\*([\d.]+) %\*\*", figure)
        assert match, figure
        found[preset] = float(match.group(1))
    return found


@pytest.mark.parametrize("page", PROSE)
def test_accuracies_quoted_in_prose_are_the_recorded_ones(page: str) -> None:
    """Every "about N %" of test accuracy in the README and the tour rounds a recorded
    run's accuracy to the digits it shows; every "over N %" / "passes N %" is met."""
    text = " ".join((ROOT / page).read_text(encoding="utf-8").split())
    recorded = recorded_accuracies()
    for quoted in re.findall(r"about (\d+(?:\.\d+)?) ?%", text):
        digits = len(quoted.partition(".")[2])
        assert any(round(a, digits) == float(quoted) for a in recorded.values()), (
            f"{page}: 'about {quoted} %' is no recorded accuracy ({recorded})"
        )
    for quoted in re.findall(r"(?:over|passes) \**(\d+(?:\.\d+)?) ?%", text):
        assert recorded["3b1b"] >= float(quoted), f"{page}: 'over {quoted} %' ({recorded})"
