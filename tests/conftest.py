"""Shared test set-up: Hypothesis profiles.

Pick one with ``HYPOTHESIS_PROFILE=<name> pytest``; without it, ``ci`` is used when
the ``CI`` environment variable is set (as on most CI services) and ``default``
otherwise.

* ``default``: no deadline (timings on shared CI machines vary), 100 examples.
* ``ci``: as ``default``, plus derandomized, so a CI run is reproducible.
* ``thorough``: 10x the examples, for a long local run before a release.

Tests that need a minimum number of examples (the gradient properties over
hundreds of random graphs) set ``max_examples`` themselves.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.tools import require

settings.register_profile(
    "default",
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("ci", settings.get_profile("default"), derandomize=True)
settings.register_profile("thorough", settings.get_profile("default"), max_examples=1000)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)


@pytest.fixture
def dot() -> str:
    """The path of Graphviz's ``dot``; the test is skipped without it (see ``tests.tools``)."""
    return require("dot")


# ---------------------------------------------------------------- a real browser
# Pages are tested in Debian's chromium driven by Playwright's Python package
# (never `playwright install`: that downloads a browser). The network is blocked:
# a page may load only file: and data: URLs (and localhost, for a served site).

_CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """A headless Chromium (session-wide); skipped or failed via ``tests.tools.require``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright Python package is not installed (pip install playwright)"
        require("chromium", extra_missing=missing)
        raise
    path = require("chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, headless=True, args=_CHROMIUM_ARGS)
        yield b
        b.close()


_LOCAL = ("file:", "data:", "blob:", "about:", "http://127.0.0.1", "http://localhost")


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A fresh page at an 800 px wide viewport with the network blocked.

    ``page.blocked`` lists the URLs it tried to fetch from the network,
    ``page.console_errors`` its console errors and uncaught exceptions.
    """
    context = browser.new_context(viewport={"width": 800, "height": 900})
    pg = context.new_page()
    pg.blocked = []  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]

    def route(route, request):  # type: ignore[no-untyped-def]
        if request.url.startswith(_LOCAL):
            route.continue_()
        else:
            pg.blocked.append(request.url)  # type: ignore[attr-defined]
            route.abort()

    context.route("**/*", route)
    pg.on(
        "console",
        lambda m: m.type == "error" and pg.console_errors.append(m.text),  # type: ignore[attr-defined]
    )
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))  # type: ignore[attr-defined]
    yield pg
    context.close()
