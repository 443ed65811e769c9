"""The Makefile: `make help`, what each target installs, and a venv from a wrong Python.

Run as dry runs (``make -n``) in a temporary copy, so nothing is installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")


def make(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def fake_venv(repo: Path, version: str | None) -> Path:
    """A .venv whose python reports ``version`` (None: its python no longer runs)."""
    venv = repo / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /nowhere\n")
    if version is not None:
        py = venv / "bin" / "python"
        py.write_text(f"#!/bin/sh\necho {version}\n")
        py.chmod(0o755)
    return venv


def test_help_lists_every_target_with_what_it_does(repo: Path) -> None:
    out = make(repo, "help").stdout
    phony = next(
        ln for ln in (ROOT / "Makefile").read_text().splitlines() if ln.startswith(".PHONY")
    )
    for target in phony.split(":", 1)[1].split():
        if target in ("lint", "typecheck", "pytest", "help"):
            continue
        assert f"\n  {target} " in out, f"make help does not list {target}"
    assert make(repo).stdout == out  # `make` alone shows the help


def test_mnist_installs_only_the_runtime_and_plotting(repo: Path) -> None:
    plan = make(repo, "-n", "mnist", f"PYTHON={sys.executable}").stdout
    assert "-e '.[plot]'" in plan
    assert "dev" not in plan and "docs" not in plan
    assert "examples/mnist.py --preset 3b1b" in plan


def test_test_and_docs_add_their_tools(repo: Path) -> None:
    assert "-e '.[plot,dev,docs]'" in make(repo, "-n", "pytest", f"PYTHON={sys.executable}").stdout
    docs = make(repo, "-n", "docs", f"PYTHON={sys.executable}").stdout
    assert "-e '.[plot,docs]'" in docs and "mkdocs build --strict" in docs


@pytest.mark.parametrize(
    ("version", "said"),
    [("3.9", "made by Python 3.9"), (None, "made by a Python that no longer runs")],
)
def test_venv_from_another_python_is_rebuilt_saying_why(
    repo: Path, version: str | None, said: str
) -> None:
    venv = fake_venv(repo, version)
    run = make(repo, "-n", "mnist", f"PYTHON={sys.executable}")
    mine = "{}.{}".format(*sys.version_info[:2])
    assert (
        f".venv was {said}, but {sys.executable} is Python {mine}: rebuilding .venv" in run.stdout
    )
    assert not venv.exists()
    assert "-m venv .venv" in run.stdout


def test_venv_from_this_python_is_kept(repo: Path) -> None:
    venv = fake_venv(repo, "{}.{}".format(*sys.version_info[:2]))
    run = make(repo, "-n", "mnist", f"PYTHON={sys.executable}")
    assert "rebuilding" not in run.stdout and venv.exists()


def test_too_old_python_is_refused_with_the_fix(repo: Path) -> None:
    old = repo / "python3.8"
    old.write_text(
        '#!/bin/sh\ncase "$2" in *version_info\\ \\>=*) echo False;; *) echo 3.8;; esac\n'
    )
    old.chmod(0o755)
    run = make(repo, "mnist", f"PYTHON={old}")
    assert run.returncode != 0
    assert "needs Python >= 3.10" in run.stderr and "make PYTHON=" in run.stderr


# ------------------------------------------------------------------ make bench

_RECORDS = """import os, sys
from pathlib import Path
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import Row, record
record({name!r}, [Row({name!r}, "figure", "target", True)], command="x")
sys.exit({status})
"""


@pytest.mark.parametrize("failing", [None, "mnist_epoch.py"])
def test_bench_writes_results_once_at_the_end(repo: Path, failing: str | None) -> None:
    """Every benchmark records into a copy; results.json (and the README) change only when
    all succeeded, so a failing `make bench` leaves them as they were."""
    venv = fake_venv(repo, None)
    (venv / "bin" / "python").symlink_to(sys.executable)
    for stamp in (".runtime", ".dev"):
        (venv / stamp).touch()
    bench = repo / "benchmarks"
    bench.mkdir()
    shutil.copy(ROOT / "benchmarks" / "results.py", bench / "results.py")
    shutil.copy(ROOT / "README.md", repo / "README.md")
    old = (ROOT / "benchmarks" / "results.json").read_bytes()
    (bench / "results.json").write_bytes(old)
    # The scripts make bench runs, read from the Makefile itself.
    scripts = re.findall(r"\.\./\$\(PY\) (\w+\.py) --record", (ROOT / "Makefile").read_text())
    assert len(scripts) >= 6 and "scalar.py" in scripts
    for script in scripts:
        status = 1 if script == failing else 0
        (bench / script).write_text(_RECORDS.format(name=f"fake-{script}", status=status))
    run = subprocess.run(
        ["make", "--no-print-directory", "bench", f"PYTHON={sys.executable}"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # results.py imports autograd from here
    )
    new = (bench / "results.json").read_bytes()
    assert not (repo / ".cache" / "bench-results.json").exists()
    if failing:
        assert run.returncode != 0
        assert new == old, "a failed make bench changed results.json"
        assert "results.json and README.md are unchanged" in run.stderr
        assert f"fake-{scripts[-1]}" not in new.decode()
    else:
        assert run.returncode == 0, run.stderr
        sections = json.loads(new)["sections"]
        assert all(f"fake-{s}" in sections for s in scripts)
        assert "fake-scalar.py" in (repo / "README.md").read_text()
