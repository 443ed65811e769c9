"""An mkdocs hook: the two live pages the tour embeds, written after each build.

* ``explorer.html`` (chapters 1 and 3): ``nn.write_explorer`` from the small committed
  model (``examples/models/mnist-3b1b.npz``, 784-16-16-10 sigmoid, trained by
  ``make mnist``), with 300 MNIST test digits when MNIST is on this machine
  (``$MNIST_DIR`` or the cache; nothing is downloaded);
* ``backprop-stepper.html`` (chapter 4 and "graphs for teaching"):
  ``autograd.pictures.stepper.write_stepper`` for chapter 4's one-neuron chain and its
  cost (``examples/tour/chain_graph.py``; from the code, so it is never stale and is not
  committed).

A page embeds one with its marker line (``<!-- explorer -->``, ``<!-- stepper -->``),
which this hook turns into an ``<iframe>`` whose address is relative to that page (so
it works however the site's URLs are laid out).

Used by mkdocs.yml (``hooks:``); not part of the site.
"""

from __future__ import annotations

import posixpath
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

# marker -> (file at the top of the site, iframe class, title, height in px, link text)
EMBEDS = {
    "<!-- explorer -->": (
        "explorer.html",
        "explorer",
        "the explorer: draw a digit",
        1700,
        "Open the explorer on its own page",
    ),
    "<!-- stepper -->": (
        "backprop-stepper.html",
        "stepper",
        "Backpropagation, step by step",
        860,
        "Open the stepper on its own page",
    ),
}


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    for marker, (name, cls, title, height, link) in EMBEDS.items():
        if marker not in markdown:
            continue
        # page.url is "ch/" (a folder per page) or "ch.html"; the page lives in that folder.
        folder = page.url.rstrip("/") if page.url.endswith("/") else posixpath.dirname(page.url)
        src = posixpath.relpath(name, folder or ".")
        frame = (
            f'<iframe class="{cls}" src="{src}" title="{title}" loading="lazy" '
            f'style="width: 100%; height: {height}px; border: 1px solid #ddd; '
            'border-radius: 6px;"></iframe>\n\n'
            f'<p><a href="{src}" target="_blank">{link}</a>.</p>'
        )
        markdown = markdown.replace(marker, frame)
    return markdown


def on_post_build(config: Any) -> None:
    import graphviz

    from autograd.pictures.stepper import write_stepper

    site = Path(config["site_dir"])
    sys.path[:0] = [str(ROOT / "examples"), str(ROOT / "examples" / "tour")]
    try:
        import explorer  # examples/explorer.py
        from chain_graph import chain_cost  # examples/tour/chain_graph.py: chapter 4's chain
    finally:
        del sys.path[:2]
    cost, knobs = chain_cost()
    stepper = site / "backprop-stepper.html"
    try:
        write_stepper(cost, stepper, params=knobs, edge_derivatives=True)
    except graphviz.ExecutableNotFound:
        # Said once at the end of the build (docs/hooks/outputs.py): a page that says so.
        stepper.write_text(
            "<!doctype html><meta charset='utf-8'><title>Backprop stepper</title>"
            "<p>The backprop stepper was not drawn: Graphviz's <code>dot</code> was not "
            "installed when this site was built. Install Graphviz and run "
            "<code>make docs</code> again.</p>\n",
            encoding="utf-8",
        )
    explorer.write(explorer.MODEL, site / "explorer.html")
