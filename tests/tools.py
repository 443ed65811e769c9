"""External tools the tests use (Graphviz's ``dot``, Chromium, a TeX engine), and one switch.

A test that needs a tool calls :func:`require`. Without the tool it is *skipped*
with the reason, so ``make test`` works on a machine without Graphviz or a browser.
``VALUEGRAD_REQUIRE=dot,chromium,...`` (set by ``.ci/run``) turns that skip into a
failure for the tools it names, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest

# tool name -> (how to find it, how to install it)
TOOLS: dict[str, tuple[tuple[str, ...], str]] = {
    "dot": (("dot",), "Graphviz: apt-get install graphviz"),
    "chromium": (
        ("chromium", "chromium-browser"),
        "Debian's chromium: apt-get install chromium (and pip install playwright)",
    ),
    "tex": (("pdflatex",), "apt-get install texlive-latex-base texlive-pictures"),
    "pdftotext": (("pdftotext",), "poppler's pdftotext: apt-get install poppler-utils"),
}


def required() -> set[str]:
    """The tools named in ``VALUEGRAD_REQUIRE`` (comma-separated)."""
    return {t.strip() for t in os.environ.get("VALUEGRAD_REQUIRE", "").split(",") if t.strip()}


def find(tool: str) -> str | None:
    """The path of ``tool``'s executable, or None."""
    names, _ = TOOLS[tool]
    override = os.environ.get(f"VALUEGRAD_{tool.upper()}")
    if override:
        return override if os.path.exists(override) else shutil.which(override)
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def require(tool: str, extra_missing: str = "") -> str:
    """The tool's path; skip the test when it is missing (fail if ``VALUEGRAD_REQUIRE`` names it).

    ``extra_missing`` is a reason the tool is unusable although found (e.g. the
    ``playwright`` Python package is not installed).
    """
    path = find(tool)
    reason = extra_missing or (
        "" if path else f"{tool} not found ({TOOLS[tool][1]}); set VALUEGRAD_{tool.upper()}"
    )
    if reason:
        if tool in required():
            pytest.fail(f"VALUEGRAD_REQUIRE names {tool!r} but {reason}", pytrace=False)
        pytest.skip(reason)
    assert path is not None
    return path
