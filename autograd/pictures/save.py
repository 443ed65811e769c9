"""``save_graph``: one call that writes a graph picture in the format its file name asks for."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Re-exported: the writers' one way to write a file, once defined here.
from autograd.pictures.files import write_atomic

__all__ = ["FORMATS", "save_graph", "write_atomic"]

#: File extensions :func:`save_graph` writes, and what each one is.
FORMATS: dict[str, str] = {
    ".svg": "vector picture for the web (Graphviz)",
    ".png": "bitmap picture (Graphviz)",
    ".pdf": "vector picture for print (Graphviz)",
    ".dot": "Graphviz's DOT source",
    ".tex": "a TikZ picture in a LaTeX document, for slides and handouts (pictures.tikz)",
    ".gif": "an animation of the backward pass, one frame per chain-rule step (pictures.film)",
    ".html": "a page that steps through the backward pass (pictures.stepper)",
}

_MOTION = (".gif", ".html")


def save_graph(root: Any, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write the graph of ``root`` to ``path``, in the format its extension names.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x"); y = (x * x).tanh(); y.backward()
    >>> save_graph(y, "y.svg", title="y = tanh(x²)")  # doctest: +SKIP

    Args:
        root: a Value or Tensor (a list of them for pictures; one scalar Value for
            ``.gif`` and ``.html``, whose backward pass they show).
        path: where to write; the extension is one of :data:`FORMATS`. The file
            is written atomically (a failure leaves no partial file).
        options: :func:`~autograd.draw_graph` options (``rankdir``, ``title``,
            ``params``, ``module``, ``theme``, ``edge_derivatives``, ``detail``...),
            plus ``fps`` and ``hold`` (seconds on the first and last frame) for
            ``.gif``, and ``fps`` (play speed) for ``.html``.

    Returns:
        the path written.

    Raises:
        ValueError: an unknown extension, or ``fps``/``hold`` for a still picture.
        graphviz.ExecutableNotFound: rendering needs Graphviz's ``dot`` (every
            format but ``.dot``).
    """
    target = Path(path)
    ext = target.suffix.lower()
    if ext not in FORMATS:
        known = " ".join(FORMATS)
        raise ValueError(
            f"save_graph: unknown format {ext or '(no extension)'!r}; use one of {known}"
        )
    if ext not in _MOTION:
        for key in ("fps", "hold"):
            if key in options:
                raise ValueError(f"save_graph: {key} applies to .gif and .html only, not {ext}")
    if ext == ".gif":
        from autograd.pictures.film import write_gif

        return write_gif(root, target, **options)
    if ext == ".html":
        from autograd.pictures.stepper import write_stepper

        return write_stepper(root, target, **options)

    if ext == ".tex":
        from autograd.pictures.tikz import tikz_document

        return write_atomic(target, tikz_document(root, **options).encode("utf-8"))
    from autograd.pictures.draw import draw_graph

    options.pop("format", None)
    graph = draw_graph(root, **options)
    data = graph.source.encode("utf-8") if ext == ".dot" else graph.pipe(format=ext[1:])
    return write_atomic(target, data)
