"""Lay a graph out once, draw it many times: frames of an animation where nothing jumps.

Graphviz's ``dot`` places each picture afresh, so two frames of the same graph
whose labels differ a little (``grad ?`` versus ``grad -0.4010``) can come out
with nodes in different places and of different sizes. :class:`PinnedLayout`
runs ``dot`` once on a template (the graph in its final state) and then writes
every frame with the template's positions (``pos`` of nodes, edge splines,
cluster and graph boxes), rendered by ``neato -n2``, which draws positions as
given. Every frame is then the same size, with every node where it was.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["PinnedLayout"]

_NODE = re.compile(r"^(\s*)(\"?[\w]+\"?) \[(.*)\]$")
_EDGE = re.compile(r"^(\s*)(\"?\w+\"?) -> (\"?\w+\"?)(?: \[(.*)\])?$")
_SUBGRAPH = re.compile(r"^(\s*)subgraph (\"?cluster_\w+\"?) \{$")
_GRAPH_KEYS = ("bb", "lp", "lwidth", "lheight")


class PinnedLayout:
    """The positions ``dot`` gives a template graph, to pin every frame of the same graph to.

    Args:
        template: a ``graphviz.Digraph`` (e.g. from :func:`~autograd.draw_graph`)
            with the nodes, edges and clusters every frame will have.

    Raises:
        graphviz.ExecutableNotFound: ``dot`` is not installed.
    """

    def __init__(self, template: Any) -> None:
        laid = json.loads(template.pipe(format="json").decode("utf-8"))
        objects = laid.get("objects", [])
        self.graph = {k: laid[k] for k in _GRAPH_KEYS if k in laid}
        self.clusters = {
            o["name"]: {k: o[k] for k in _GRAPH_KEYS if k in o} for o in objects if "nodes" in o
        }
        self.nodes = {
            o["name"]: {k: o[k] for k in ("pos", "width", "height") if k in o}
            for o in objects
            if "nodes" not in o
        }
        # (tail, head) -> splines; a list because x * x has two edges x -> op
        self.edges: dict[tuple[str, str], list[dict[str, str]]] = {}
        for e in sorted(laid.get("edges", []), key=lambda e: e["_gvid"]):
            key = (objects[e["tail"]]["name"], objects[e["head"]]["name"])
            pinned = {k: e[k] for k in ("pos", "lp") if k in e}
            self.edges.setdefault(key, []).append(pinned)

    def pin(self, source: str) -> str:
        """The DOT ``source`` of a frame, with the template's positions written in.

        Raises:
            ValueError: the frame's nodes or edges differ from the template's.
        """
        out: list[str] = []
        edges = {key: list(splines) for key, splines in self.edges.items()}
        lines = source.splitlines()
        out.append(lines[0])
        out.append(_attrs_line("\t", self.graph))
        # Graphviz recomputes the bounding box from what it draws; two invisible points at
        # the template's corners keep it (and so the picture's size) the template's.
        if "bb" in self.graph:
            x0, y0, x1, y1 = self.graph["bb"].split(",")
            for k, (x, y) in enumerate(((x0, y0), (x1, y1))):
                out.append(
                    f'\tpinned_corner{k} [shape=point style=invis width=0 height=0 pos="{x},{y}"]'
                )
        for line in lines[1:]:
            if m := _SUBGRAPH.match(line):
                out.append(line)
                name = m.group(2).strip('"')
                out.append(_attrs_line(m.group(1) + "\t", self.clusters.get(name, {})))
            elif (m := _EDGE.match(line)) and m.group(2) not in ("graph", "node", "edge"):
                tail, head = m.group(2).strip('"'), m.group(3).strip('"')
                splines = edges.get((tail, head))
                if not splines:
                    raise ValueError(f"PinnedLayout: edge {tail} -> {head} is not the template's")
                attrs = m.group(4) or ""
                extra = " ".join(f'{k}="{v}"' for k, v in splines.pop(0).items())
                out.append(f"{m.group(1)}{m.group(2)} -> {m.group(3)} [{attrs} {extra}]")
            elif (m := _NODE.match(line)) and m.group(2) not in ("graph", "node", "edge"):
                name = m.group(2).strip('"')
                if name not in self.nodes:
                    raise ValueError(f"PinnedLayout: node {name} is not in the template")
                extra = " ".join(f'{k}="{v}"' for k, v in self.nodes[name].items())
                out.append(f"{m.group(1)}{m.group(2)} [{m.group(3)} {extra}]")
            else:
                out.append(line)
        if any(edges.values()):
            raise ValueError("PinnedLayout: the frame has fewer edges than the template")
        return "\n".join(out) + "\n"

    def render(self, source: str, format: str = "png", **kwargs: Any) -> bytes:
        """Render a frame's DOT ``source`` at the pinned positions (``neato -n2``)."""
        import graphviz

        pinned = graphviz.Source(self.pin(source), engine="neato")
        data: bytes = pinned.pipe(format=format, neato_no_op=2, quiet=True, **kwargs)
        return data


def _attrs_line(indent: str, attrs: dict[str, str]) -> str:
    body = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return f"{indent}graph [{body}]" if body else ""
