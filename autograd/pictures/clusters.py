"""Boxes around a network's parts in a graph picture: which node belongs to which neuron or layer.

``draw_graph(out, module=mlp)`` groups the nodes of each neuron (its weights,
bias, products, sums, ``z`` and activation) into a cluster, and neurons into one
cluster per layer; a Tensor module gets one cluster per layer. A cluster is named
by its *path*: ``("L1",)`` for layer 1, ``("L1", "L1N3")`` for its neuron 3.
"""

from __future__ import annotations

import re
from typing import Any

from autograd.pictures.text import dot_label
from autograd.pictures.themes import LIGHT, Theme

__all__ = ["Placed", "cluster_labels", "emit_clusters", "owners"]

#: Graphviz node statements by cluster path (``()``: outside every cluster):
#: ``(name, label, attributes)`` each.
Placed = dict[tuple[str, ...], list[tuple[str, str, dict[str, str]]]]


class _Group:
    """The parameters of one neuron (or Tensor layer), and what ends its computation."""

    __slots__ = ("act", "bias", "params", "path")

    def __init__(self, path: tuple[str, ...], params: list[Any], bias: Any, act: str) -> None:
        self.path = path
        self.params = {id(p) for p in params}
        self.bias = id(bias) if bias is not None else None
        self.act = act  # op name of the activation applied after z, or "" for none


def _groups(module: Any) -> list[_Group]:
    """Clusters for a module: scalar MLP / Layer / Neuron by structure, others by name prefix."""
    layers = getattr(module, "layers", None)
    if layers is not None and all(hasattr(layer, "neurons") for layer in layers):
        return [
            _neuron_group(n, (f"L{i}", f"L{i}N{k}"))
            for i, layer in enumerate(layers)
            for k, n in enumerate(layer.neurons)
        ]
    if hasattr(module, "neurons"):
        return [_neuron_group(n, ("L0", f"L0N{k}")) for k, n in enumerate(module.neurons)]
    if hasattr(module, "w") and hasattr(module, "b"):
        return [_neuron_group(module, ("L0N0",))]
    by_prefix: dict[str, list[tuple[str, Any]]] = {}
    for name, p in module.named_parameters():
        by_prefix.setdefault(name.rsplit(".", 1)[0] if "." in name else "", []).append((name, p))
    groups = []
    for prefix, items in by_prefix.items():
        bias = next((p for name, p in items if name.endswith("bias")), None)
        groups.append(_Group((prefix or "module",), [p for _, p in items], bias, ""))
    return groups


def _neuron_group(neuron: Any, path: tuple[str, ...]) -> _Group:
    act = neuron.activation
    return _Group(path, [*neuron.w, neuron.b], neuron.b, "" if act == "linear" else act)


def cluster_labels(module: Any) -> dict[tuple[str, ...], str]:
    """Each cluster's caption by path: ``layer 1: 2 → 4, tanh`` and ``neuron 0``."""
    labels: dict[tuple[str, ...], str] = {}
    layers = getattr(module, "layers", None)
    if layers is not None and all(hasattr(layer, "neurons") for layer in layers):
        for i, layer in enumerate(layers):
            labels[(f"L{i}",)] = f"layer {i + 1}: {layer.nin} → {layer.nout}, {layer.activation}"
            for k in range(len(layer.neurons)):
                labels[(f"L{i}", f"L{i}N{k}")] = f"neuron {k}"
    elif hasattr(module, "neurons"):
        labels[("L0",)] = f"layer: {module.nin} → {module.nout}, {module.activation}"
        for k in range(len(module.neurons)):
            labels[("L0", f"L0N{k}")] = f"neuron {k}"
    elif hasattr(module, "w") and hasattr(module, "b"):
        labels[("L0N0",)] = f"neuron ({module.activation})"
    else:
        # A pipeline that fuses modules (nn.Sequential) names both halves of each fused pair.
        fused = getattr(module, "fused", None)
        pairs = (
            {str(i): f"{i} + {j}, fused: {op}" for i, j, op in fused()} if callable(fused) else {}
        )
        for name, _ in module.named_parameters():
            prefix = name.rsplit(".", 1)[0] if "." in name else ""
            labels[(prefix or "module",)] = pairs.get(prefix) or prefix or type(module).__name__
    return labels


def owners(order: list[Any], module: Any) -> dict[int, tuple[str, ...]]:
    """Which cluster each node belongs to: ``id(node) -> path`` (nodes of no cluster left out).

    Parameters belong to their neuron/layer. An op result belongs to group G when
    every parent that belongs to any group belongs to G (leaves such as inputs
    are neutral) and at least one does. Ownership stops at a group's *end*: the
    node that adds its bias (``z``), or, when the group has an activation, that
    activation applied to ``z``. So ``w*x`` products, partial sums, ``z`` and
    ``a`` are inside the neuron; whatever consumes ``a`` (the next layer, the
    loss) is not.
    """
    owner: dict[int, _Group] = {}
    for grp in _groups(module):
        for pid in grp.params:
            owner[pid] = grp
    open_: set[int] = set(owner)  # nodes whose group is still "open" (not ended)
    zs: set[int] = set()
    for n in order:
        if not n._parents or id(n) in owner:
            continue
        cands = {id(owner[id(p)]) for p in n._parents if id(p) in open_}
        if len(cands) != 1:
            continue
        grp = next(owner[id(p)] for p in n._parents if id(p) in open_)
        # Every parent from some group must be from this one, or be closed (a finished neuron).
        owner[id(n)] = grp
        if grp.bias is not None and any(id(p) == grp.bias for p in n._parents):
            if grp.act:
                zs.add(id(n))
                open_.add(id(n))
            # no activation: z is the end, so it stays closed
        elif len(n._parents) == 1 and id(n._parents[0]) in zs:
            if n._op != grp.act:
                open_.add(id(n))
            # the activation of z: the end of the group
        else:
            open_.add(id(n))
    return {k: g.path for k, g in owner.items()}


def emit_clusters(
    g: Any, placed: Placed, labels: dict[tuple[str, ...], str], theme: Theme = LIGHT
) -> None:
    """Add the node statements ``placed`` to the graph ``g``, nesting clusters by path prefix.

    ``labels`` captions the clusters (a path without one is captioned by its last part).
    """
    for name, label, attrs in placed.get((), []):
        g.node(name, label, **attrs)
    paths = sorted(p for p in placed if p)
    tops = sorted({p[:1] for p in paths})
    for top in tops:
        _emit_cluster(g, top, placed, paths, labels, theme)


def _emit_cluster(
    parent: Any,
    path: tuple[str, ...],
    placed: Placed,
    paths: list[tuple[str, ...]],
    labels: dict[tuple[str, ...], str],
    theme: Theme = LIGHT,
) -> None:
    depth = len(path)
    with parent.subgraph(name="cluster_" + re.sub(r"\W", "_", "_".join(path))) as c:
        outer = depth == 1 and any(len(p) > 1 and p[:1] == path for p in paths)
        c.attr(
            label=dot_label(labels.get(path, path[-1])),
            style="rounded,filled",
            fillcolor=(theme.cluster_outer if outer else theme.cluster_inner)[0],
            color=(theme.cluster_outer if outer else theme.cluster_inner)[1],
            fontname="Helvetica",
            fontsize="12" if outer else "10",
            fontcolor=theme.cluster_text,
            labeljust="l",
        )
        for name, label, attrs in placed.get(path, []):
            c.node(name, label, **attrs)
        children = sorted({p[: depth + 1] for p in paths if len(p) > depth and p[:depth] == path})
        for child in children:
            _emit_cluster(c, child, placed, paths, labels, theme)
