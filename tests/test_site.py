"""The docs site works offline, opened from disk or served, in a real browser.

The site is built once (``mkdocs build --strict``) into a temporary folder shared by the
test workers, then opened in headless Chromium (the ``page`` fixture: 800 px wide, every
network request blocked and recorded). Checked on every page: nothing was fetched from
the network, no script error, every image loaded, every formula typeset by the site's
own MathJax, every local link points at a file that exists. Search works from
``file:`` and served; graph text is at least 11 px on screen at this width.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
MIN_TEXT_PX = 11.0  # smallest readable graph text on screen


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site; the first test worker builds it, the others wait for it."""
    pytest.importorskip("mkdocs", reason="mkdocs not installed (pip install -e '.[docs]')")
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # this run's folder, the same for every xdist worker
    out = shared / "site"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "index.html").exists():
            proc = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                timeout=600,
            )
            assert proc.returncode == 0, f"mkdocs build failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def _page_names() -> list[str]:
    """The pages the site will have: one .html per .md under docs/."""
    docs = ROOT / "docs"
    return sorted(
        str(p.relative_to(docs).with_suffix(".html"))
        for p in docs.rglob("*.md")
        if "hooks" not in p.parts
    )


def _open(page: Any, url: str) -> None:
    # Generous timeouts: the API reference pages are large, and CI machines are shared.
    page.goto(url, wait_until="load", timeout=120_000)
    # Formulas: MathJax replaces each arithmatex span's TeX by an <mjx-container>.
    page.wait_for_function(
        """() => [...document.querySelectorAll('.arithmatex')]
                  .every(e => e.querySelector('mjx-container'))""",
        timeout=120_000,
    )


@pytest.mark.parametrize("name", _page_names())
def test_page_works_offline_from_disk(name: str, site: Path, page: Any) -> None:
    path = site / name
    assert path.is_file(), f"{name} was not built"
    _open(page, path.as_uri())
    assert page.blocked == [], f"{name} tried to fetch from the network: {page.blocked}"
    assert page.console_errors == [], f"{name}: {page.console_errors}"

    broken = page.evaluate(
        """() => [...document.images]
                  .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"""
    )
    assert broken == [], f"{name}: images that did not load: {broken}"

    raw_tex = page.evaluate(
        """() => [...document.querySelectorAll('.arithmatex')]
                  .filter(e => /\\\\[()[\\]]/.test(e.textContent)).length"""
    )
    assert raw_tex == 0, f"{name}: {raw_tex} formulas still show raw TeX"

    hrefs: list[str] = page.evaluate(
        "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"
    )
    for href in hrefs:
        url = urlparse(href)
        if url.scheme != "file":
            continue
        target = Path(unquote(url.path))
        assert target.is_file(), f"{name}: link to {href} does not reach a file"


def test_formulas_are_typeset_where_the_tour_has_them(site: Path, page: Any) -> None:
    _open(page, (site / "04-backprop-calculus.html").as_uri())
    n = page.evaluate("() => document.querySelectorAll('mjx-container svg').length")
    assert n >= 10, f"only {n} typeset formulas on chapter 4"


def _search(page: Any, query: str) -> list[str]:
    """Type ``query`` into the search box; the results' texts.

    Material builds its index in a worker after the page loaded and drops what was
    typed before it is ready, so type again until results come (or 30 s pass).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.click("label.md-header__button[for='__search']")
    for _ in range(15):
        page.fill("input.md-search__input", "")
        page.type("input.md-search__input", query, delay=20)
        try:
            page.wait_for_selector(".md-search-result__item", timeout=2_000)
            break
        except PlaywrightTimeout:
            continue
    return page.eval_on_selector_all(".md-search-result__item", "els => els.map(e => e.innerText)")


def test_search_works_from_disk(site: Path, page: Any) -> None:
    page.goto((site / "index.html").as_uri(), wait_until="load")
    results = _search(page, "backpropagation")
    assert results and any("ackprop" in r for r in results)
    assert page.blocked == [] and page.console_errors == []


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    """The site over HTTP on localhost (like ``make docs-serve``, without the rebuilds)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def test_served_site_navigates_searches_and_typesets(served: str, page: Any) -> None:
    _open(page, f"{served}/index.html")
    page.click("article a[href='04-backprop-calculus.html']")  # a link in the text
    page.wait_for_url("**/04-backprop-calculus.html")
    _open(page, page.url)
    results = _search(page, "chain rule")
    assert results
    assert page.blocked == [] and page.console_errors == []


# ------------------------------------------------------------ figure readability

_FONT = re.compile(r'font-size="([\d.]+)"')
_VIEWBOX = re.compile(r'viewBox="[\d.\-]+ [\d.\-]+ ([\d.]+) [\d.]+"')


def svg_text_sizes(svg: str) -> tuple[float, list[float]]:
    """(viewBox width, font sizes of every text) of a Graphviz SVG, in SVG user units."""
    m = _VIEWBOX.search(svg)
    assert m, "no viewBox"
    return float(m.group(1)), [float(f) for f in _FONT.findall(svg)]


def graph_text_px(page: Any, site: Path, name: str) -> dict[str, float]:
    """Smallest rendered text size (px) of each SVG figure on a page, at the page's width."""
    _open(page, (site / name).as_uri())
    shown = page.evaluate(
        """() => [...document.querySelectorAll('article img')]
                  .filter(i => i.src.endsWith('.svg'))
                  .map(i => [decodeURIComponent(new URL(i.src).pathname), i.clientWidth])"""
    )
    sizes = {}
    for path, width in shown:
        view_width, fonts = svg_text_sizes(Path(path).read_text(encoding="utf-8"))
        sizes[Path(path).name] = min(fonts) * width / view_width
    return sizes


@pytest.mark.parametrize(
    ("name", "figure"),
    [
        ("index.html", "neuron.svg"),
        ("01-what-is-a-neural-network.html", "neuron.svg"),
        ("04-backprop-calculus.html", "chain.svg"),
    ],
)
def test_graph_text_is_readable_at_page_width(
    name: str, figure: str, site: Path, page: Any
) -> None:
    sizes = graph_text_px(page, site, name)
    assert figure in sizes, f"{figure} not shown on {name}"
    assert sizes[figure] >= MIN_TEXT_PX, (
        f"{figure} on {name}: smallest text {sizes[figure]:.1f} px at an 800 px wide window"
    )


def test_every_graph_in_the_readme_is_readable_in_an_800px_column() -> None:
    """GitHub shows the README in a column of about 800 px; an SVG is never enlarged."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    figures = re.findall(r"!\[[^\]]*\]\(([^)\s]+\.svg)\)", readme)
    assert figures
    for rel in figures:
        svg = (ROOT / rel).read_text(encoding="utf-8")
        view_width, fonts = svg_text_sizes(svg)
        natural_px = view_width * 4 / 3  # Graphviz's user unit is the point
        shown = min(natural_px, 800.0)
        assert min(fonts) * 4 / 3 * shown / natural_px >= MIN_TEXT_PX, rel


def test_click_to_zoom(site: Path, page: Any) -> None:
    _open(page, (site / "04-backprop-calculus.html").as_uri())
    page.click("article a.glightbox img[src$='chain.svg']")
    page.wait_for_selector(".glightbox-container .gslide-image img", timeout=10_000)
    assert page.console_errors == []
