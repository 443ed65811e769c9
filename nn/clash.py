"""Make sure ``autograd`` is valuegrad's before ``nn`` builds on it.

``nn`` imports ``autograd``; in an environment that also holds the PyPI package of
that name (HIPS), that import may find the other package (see ``autograd.clash``).
Checked when this module is imported, which ``nn/__init__.py`` does first, so the
error says what happened instead of naming some missing attribute.
"""

from __future__ import annotations

import importlib


def check_autograd() -> None:
    """Raise ImportError, explaining the clash and the fix, if ``autograd`` is not ours."""
    autograd = importlib.import_module("autograd")  # ours checks its own folder on import
    if not hasattr(autograd, "Value"):
        where = getattr(autograd, "__file__", None) or "an unknown place"
        raise ImportError(
            f"`import nn` found an `autograd` package at {where} that is not valuegrad's. "
            "The PyPI package 'autograd' (HIPS) and valuegrad's 'autograd' share that "
            "import name, so one environment cannot hold both: installing one overwrites "
            "the other's files. Install valuegrad into a virtualenv of its own (`make` in "
            "the repository does this, in .venv), or remove the other package here "
            "(`pip uninstall autograd`) and reinstall valuegrad "
            "(`pip install --force-reinstall -e .`)."
        )


check_autograd()
