"""An mkdocs hook: the backprop stepper in the tour (chapter 4 and "graphs for teaching").

After each build it writes ``backprop-stepper.html`` at the top of the site with
``autograd.viz.write_stepper`` for the chapter-4 neuron and its cost (from the code,
so it is never stale and is not committed). A page embeds it with the line
``<!-- stepper -->``, which this hook turns into an ``<iframe>`` whose address is
relative to that page (so it works however the site's URLs are laid out).

Used by mkdocs.yml (``hooks:``); not part of the site.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

NAME = "backprop-stepper.html"
MARKER = "<!-- stepper -->"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER not in markdown:
        return markdown
    # page.url is "ch/" (a folder per page) or "ch.html"; the page lives in that folder.
    folder = page.url.rstrip("/") if page.url.endswith("/") else posixpath.dirname(page.url)
    src = posixpath.relpath(NAME, folder or ".")
    frame = (
        f'<iframe class="stepper" src="{src}" title="Backpropagation, step by step" '
        'loading="lazy" style="width: 100%; height: 860px; border: 1px solid #ddd; '
        'border-radius: 6px;"></iframe>\n\n'
        f'<p><a href="{src}" target="_blank">Open the stepper on its own page</a>.</p>'
    )
    return markdown.replace(MARKER, frame)


def on_post_build(config: Any) -> None:
    from autograd.viz import write_stepper

    write_stepper(None, Path(config["site_dir"]) / NAME, rankdir="TB", edge_derivatives=True)
