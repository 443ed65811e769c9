"""The import name ``autograd`` is shared with another package; refuse a mixed install.

The PyPI package ``autograd`` (HIPS, the NumPy-differentiating library that many
scientific packages depend on) is imported as ``autograd`` too. Installed into one
environment with valuegrad, the two write into the same ``autograd/`` folder and
overwrite each other's files, in either order; what you import is then a mixture.
This module notices that mixture and says how to fix it, instead of failing later
with an error about some missing name.
"""

from __future__ import annotations

from pathlib import Path

# Modules of the other package; valuegrad's autograd has none of these names.
FOREIGN = ("tracer.py", "wrap_util.py", "differential_operators.py", "core.py", "numpy")

FIX = (
    "The PyPI package 'autograd' (HIPS) and valuegrad's 'autograd' share that import "
    "name, so one environment cannot hold both: installing one overwrites the other's "
    "files. Install valuegrad into a virtualenv of its own (`make` in the repository "
    "does this, in .venv), or remove the other package here (`pip uninstall autograd`) "
    "and reinstall valuegrad (`pip install --force-reinstall -e .`)."
)


def check_package(folder: Path | None = None) -> None:
    """Raise ImportError if files of the other ``autograd`` sit in our package's folder."""
    folder = Path(__file__).resolve().parent if folder is None else folder
    found = sorted(name for name in FOREIGN if (folder / name).exists())
    if found:
        raise ImportError(
            f"{folder} mixes valuegrad's autograd with another package's files "
            f"({', '.join(found)}). {FIX}"
        )
