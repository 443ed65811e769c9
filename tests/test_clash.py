"""A mixed install with the PyPI package also named ``autograd`` fails with a clear error.

Each case builds the mixed ``autograd/`` folder in a temporary directory and imports
from it in a fresh interpreter, with that directory first on ``sys.path`` (before the
installed valuegrad).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _import(where: Path, module: str) -> subprocess.CompletedProcess[str]:
    code = f"import sys; sys.path.insert(0, {str(where)!r}); import {module}"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=where
    )


def _other_autograd(folder: Path) -> None:
    """A stand-in for the other package: its __init__ and a few of its module names."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").write_text("from .differential_operators import grad\n")
    (folder / "differential_operators.py").write_text("def grad(f):\n    return f\n")
    (folder / "tracer.py").write_text("")


def test_nn_refuses_the_other_autograd(tmp_path: Path) -> None:
    _other_autograd(tmp_path / "autograd")
    shutil.copytree(ROOT / "nn", tmp_path / "nn")
    proc = _import(tmp_path, "nn")
    assert proc.returncode != 0
    err = proc.stderr
    assert "is not valuegrad's" in err and str(tmp_path / "autograd") in err
    assert "pip uninstall autograd" in err and "virtualenv" in err
    assert "cannot import name" not in err  # the clash is named, not a symptom of it


def test_our_autograd_refuses_the_other_packages_files_beside_it(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "autograd", tmp_path / "autograd")
    (tmp_path / "autograd" / "tracer.py").write_text("")  # the other one installed on top
    (tmp_path / "autograd" / "numpy").mkdir()
    proc = _import(tmp_path, "autograd")
    assert proc.returncode != 0
    assert "mixes valuegrad's autograd with another package's files (numpy, tracer.py)" in (
        proc.stderr
    )
    assert "pip uninstall autograd" in proc.stderr


def test_a_clean_package_passes_the_check(tmp_path: Path) -> None:
    from autograd.clash import check_package

    check_package()  # the repository's own folder
    shutil.copytree(ROOT / "autograd", tmp_path / "autograd")
    check_package(tmp_path / "autograd")
