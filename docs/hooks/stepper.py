"""An mkdocs hook: write the backprop stepper page into the built site.

Chapter 4 embeds ``backprop-stepper.html`` (an iframe): the page
``autograd.viz.write_stepper`` writes for the chapter-4 neuron and its cost. It
is written at build time, from the code, so it is never stale and is not
committed. Registered in mkdocs.yml under ``hooks:``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STEPPER = "backprop-stepper.html"


def on_post_build(config: Any, **kwargs: Any) -> None:
    from autograd.viz import write_stepper

    write_stepper(None, Path(config["site_dir"]) / STEPPER, rankdir="TB", edge_derivatives=True)
