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

        def render(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as e:
                raise DotNotFoundError(f"{_INSTALL_HINT} ({e})") from None

    Graph.DotNotFoundError = DotNotFoundError
    return Graph
