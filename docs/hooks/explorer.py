"""An mkdocs hook: the live explorer in the tour (chapters 1 and 3).

After each build it writes ``explorer.html`` at the top of the site with
``nn.write_explorer`` from the small committed model (``examples/models/mnist-3b1b.npz``,
784-16-16-10 sigmoid, trained by ``make mnist``), with 300 MNIST test digits when MNIST
is on this machine (``$MNIST_DIR`` or the cache; nothing is downloaded). A page embeds
it with the line ``<!-- explorer -->``, which this hook turns into an ``<iframe>`` whose
address is relative to that page (so it works however the site's URLs are laid out).

Used by mkdocs.yml (``hooks:``); not part of the site.
"""

from __future__ import annotations

import posixpath
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NAME = "explorer.html"
MARKER = "<!-- explorer -->"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER not in markdown:
        return markdown
    # page.url is "ch/" (a folder per page) or "ch.html"; the page lives in that folder.
    folder = page.url.rstrip("/") if page.url.endswith("/") else posixpath.dirname(page.url)
    src = posixpath.relpath(NAME, folder or ".")
    frame = (
        f'<iframe class="explorer" src="{src}" title="the explorer: draw a digit" '
        'loading="lazy" style="width: 100%; height: 1700px; border: 1px solid #ddd; '
        'border-radius: 6px;"></iframe>\n\n'
        f'<p><a href="{src}" target="_blank">Open the explorer on its own page</a>.</p>'
    )
    return markdown.replace(MARKER, frame)


def on_post_build(config: Any) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import explorer  # examples/explorer.py
    finally:
        sys.path.pop(0)
    explorer.write(explorer.MODEL, Path(config["site_dir"]) / NAME)
