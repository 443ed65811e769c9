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

from tests.tools import require

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


def picture_text_px(path: Path, shown_width: float, natural_width: float) -> float:
    """The smallest text of a picture as shown ``shown_width`` px wide: from a Graphviz
    SVG's font sizes, else as its generator recorded it in the file (``TEXT_PX_KEY``:
    matplotlib figures, the GIF, the compiled TikZ, the explorer's screenshot)."""
    if path.suffix == ".svg":
        view_width, fonts = svg_text_sizes(path.read_text(encoding="utf-8"))
        return min(fonts) * shown_width / view_width
    from PIL import Image

    from autograd.pictures.files import TEXT_PX_KEY

    with Image.open(path) as im:
        comment = im.info.get("comment", b"").decode()
        recorded = im.info.get(TEXT_PX_KEY) or comment.partition(f"{TEXT_PX_KEY}=")[2]
    assert recorded, f"{path.name} does not record its smallest text ({TEXT_PX_KEY})"
    return float(recorded) * shown_width / natural_width


# Inline SVG in an embedded page (the stepper): font sizes from the DOM, as drawn.
_INLINE_SVG_TEXT = """() => [...document.querySelectorAll('svg')].map(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return Math.min(...[...svg.querySelectorAll('text')]
        .map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
})"""


@pytest.mark.parametrize("width", [800, 1280])
def test_every_picture_is_readable_where_shown(width: int, site: Path, page: Any) -> None:
    """Every picture of every page (images, and graphs in embedded pages) shows its
    smallest text at >= 11 px, and no page scrolls sideways, at 800 and 1280 px."""
    require("dot")  # without it the site has no stepper graph to measure (a placeholder)
    page.set_viewport_size({"width": width, "height": 900})
    small, sideways = [], []
    for path in pages(site):
        _open(page, path.as_uri())
        if page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth"):
            sideways.append(path.name)
        shown = page.evaluate(
            """() => [...document.querySelectorAll('article img')].map(i =>
                [decodeURIComponent(new URL(i.src).pathname), i.clientWidth, i.naturalWidth])"""
        )
        for src, client, natural in shown:
            px = picture_text_px(Path(src), client, natural)
            if px < MIN_TEXT_PX:
                small.append(f"{path.name}: {Path(src).name} {px:.1f} px")
        for frame in page.locator("iframe.stepper").all():
            frame.scroll_into_view_if_needed()
            inner = frame.element_handle().content_frame()
            assert inner is not None
            inner.wait_for_selector("#graph svg")
            for px in inner.evaluate(_INLINE_SVG_TEXT):
                if px < MIN_TEXT_PX:
                    small.append(f"{path.name}: the stepper's graph {px:.1f} px")
    assert not sideways, f"pages wider than a {width} px window: {sideways}"
    assert not small, f"text under {MIN_TEXT_PX:g} px at a {width} px window: {small}"


_CODE_BLOCKS = """() => {
  const column = document.querySelector('.md-content__inner');
  if (!column) return [];
  const right = column.getBoundingClientRect().right;
  const bad = [];
  for (const pre of document.querySelectorAll('.md-typeset pre')) {
    const code = pre.querySelector('code');
    const r = pre.getBoundingClientRect();
    if (!code || r.width === 0) continue;
    const first = code.textContent.split('\\n')[0].slice(0, 50);
    if (r.right > right + 1) bad.push('sticks out of the column: ' + first);
    if (code.scrollWidth > code.clientWidth + 1) bad.push('scrolls sideways: ' + first);
    const button = pre.querySelector('.md-clipboard');
    if (!button) continue;
    const b = button.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(code);
    for (const t of range.getClientRects()) {
      const across = t.right > b.left && t.left < b.right;
      if (t.width > 0 && across && t.bottom > b.top && t.top < b.bottom) {
        bad.push('text under the copy button: ' + first);
        break;
      }
    }
  }
  return bad;
}"""


@pytest.mark.parametrize("width", [800, 1280])
def test_code_blocks_fit_the_column_and_clear_the_copy_button(
    width: int, site: Path, page: Any
) -> None:
    """Issue 20: long lines stuck out of the 688 px column at 1280 px, and the copy
    button covered text; now every code block wraps inside the column, clear of it."""
    page.set_viewport_size({"width": width, "height": 900})
    bad = []
    for path in pages(site):
        _open(page, path.as_uri())
        bad += [f"{path.name}: {b}" for b in page.evaluate(_CODE_BLOCKS)]
    assert not bad, "\n".join(bad[:20])


@pytest.mark.parametrize("column", [800, 1280])
def test_every_picture_in_the_readme_is_readable(column: int) -> None:
    """GitHub shows the README in a column of 800-1,000 px; a picture is never enlarged."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    figures = re.findall(r"!\[[^\]]*\]\(([^)\s]+\.(?:svg|png|gif))\)", readme)
    assert figures
    for rel in figures:
        path = ROOT / rel
        if path.suffix == ".svg":
            natural = svg_text_sizes(path.read_text(encoding="utf-8"))[0] * 4 / 3  # pt -> px
        else:
            from PIL import Image

            with Image.open(path) as im:
                natural = im.width
        px = picture_text_px(path, min(natural, column), natural)
        assert px >= MIN_TEXT_PX, f"{rel}: smallest text {px:.1f} px in a {column} px column"


def test_click_to_zoom(site: Path, page: Any) -> None:
    _open(page, (site / "04-backprop-calculus.html").as_uri())
    page.click("article a.glightbox img[src$='chain.svg']")
    page.wait_for_selector(".glightbox-container .gslide-image img", timeout=10_000)
    assert page.console_errors == []
