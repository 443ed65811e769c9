"""The ``graphviz.Digraph`` every picture is built on, with errors that say how to install ``dot``.

Building a graph and its DOT text needs only the Python package ``graphviz``;
rendering it (``.pipe()``, ``.render()``, a notebook's display) runs Graphviz's
``dot`` program, whose absence graphviz reports tersely.
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["graph_class"]

_INSTALL_HINT = (
    "Rendering a graph needs Graphviz's `dot` program, which was not found on PATH. "
    "Install it with your system's package manager: `sudo apt-get install graphviz` "
    "(Debian/Ubuntu), `brew install graphviz` (macOS), `conda install -c conda-forge "
    "graphviz`, or from https://graphviz.org/download/ (Windows). Building the graph "
    "and its DOT text (`.source`) works without it."
)


@cache
def graph_class() -> Any:
    """A ``graphviz.Digraph`` subclass whose rendering errors say how to install ``dot``.

    Its ``DotNotFoundError`` (a ``graphviz.ExecutableNotFound``) is raised by
    ``pipe`` and ``render`` when ``dot`` is missing.

    Raises:
        ImportError: the Python package ``graphviz`` is missing.
    """
    try:
        import graphviz
    except ImportError as e:  # pragma: no cover - graphviz is a dependency
        raise ImportError(
            "draw_graph needs the Python package `graphviz`: pip install graphviz"
        ) from e

    class DotNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]
        """``dot`` is missing: the message says how to install it."""

        def __init__(self, message: str) -> None:
            RuntimeError.__init__(self, message)

    class Graph(graphviz.Digraph):  # type: ignore[misc]
        """A ``graphviz.Digraph`` from :func:`~autograd.draw_graph`."""

        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as e:
                raise DotNotFoundError(f"{_INSTALL_HINT} ({e})") from None

        def render(
            self,
            filename: Any = None,
            directory: Any = None,
            view: bool = False,
            cleanup: bool = False,
            format: str | None = None,  # graphviz's name for it
            **kwargs: Any,
        ) -> Any:
            """Write the DOT source (unless ``cleanup``) and the picture, as graphviz's
            ``render`` does, but each through :func:`write_atomic`: a failed render
            leaves the old files. Options only graphviz knows (``view``, ``renderer``,
            ``outfile``...) go to graphviz's own ``render``, which writes in place."""
            if view or kwargs:
                try:
                    return super().render(filename, directory, view, cleanup, format, **kwargs)
                except graphviz.ExecutableNotFound as e:
                    raise DotNotFoundError(f"{_INSTALL_HINT} ({e})") from None
            return _render_atomic(self, filename, directory, cleanup, format)

    Graph.DotNotFoundError = DotNotFoundError
    return Graph


def _render_atomic(
    graph: Any, filename: Any, directory: Any, cleanup: bool, fmt: str | None
) -> str:
    """``graph.render(filename, directory, cleanup=..., format=...)`` through write_atomic:
    the picture is made in memory first (``pipe``), so a missing ``dot`` or a failed
    render writes nothing. Returns the picture's path, as graphviz does."""
    from pathlib import Path

    from autograd.pictures.files import write_atomic

    if filename is not None:
        graph.filename = filename
    if directory is not None:
        graph.directory = directory
    fmt = fmt or graph.format
    picture = graph.pipe(format=fmt)  # raises DotNotFoundError before anything is written
    source = Path(graph.filepath)
    source.parent.mkdir(parents=True, exist_ok=True)
    if not cleanup:
        write_atomic(source, graph.source.encode(graph.encoding))
    return str(write_atomic(f"{source}.{fmt}", picture))
