"""Big networks as readable pictures: draw each neuron, or each layer, of an ``nn`` MLP as one box.

A scalar MLP's graph has a node per multiply and add: the series' 784-16-16-10
network on one example is about 26,000 nodes. :func:`collapse_graph` replaces
every neuron (``level="neuron"``) or every layer (``level="layer"``) by one box
showing its output's data and grad, merges many inputs into one box, and keeps
one neuron in full if asked (``expand="layers.1.neurons.3"``), so the picture
shows how gradient flows between neurons while staying readable.

The boxes are stand-in nodes (:class:`Box`) with the attributes
:func:`~autograd.draw_graph` reads; the real graph is not changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autograd.pictures.clusters import owners
from autograd.pictures.nodes import graph_nodes

__all__ = ["Box", "collapse_graph"]

#: Merge the network's inputs into one box when there are more than this many.
MAX_INPUTS = 10


class Box:
    """A stand-in node for a neuron, a layer or a set of inputs (or a copy of a real node)."""

    __slots__ = ("_local", "_op", "_parents", "collapsed", "data", "grad", "label")

    def __init__(
        self, data: Any, grad: Any, label: str, op: str = "", collapsed: bool = True
    ) -> None:
        self.data = data
        self.grad = grad
        self.label = label
        self._op = op
        self._parents: tuple[Any, ...] = ()
        self._local: tuple[float, ...] = ()
        self.collapsed = collapsed


def collapse_graph(
    roots: Sequence[Any], module: Any, level: str, expand: str | None = None
) -> tuple[list[Any], list[Any], str]:
    """Stand-in graph of ``roots`` with ``module``'s neurons or layers as boxes.

    Args:
        roots: the Values drawn (e.g. the cost).
        module: a scalar :class:`nn.MLP` or :class:`nn.Layer` whose neurons
            the graph goes through.
        level: ``"neuron"`` (a box per neuron) or ``"layer"`` (a box per layer).
        expand: a neuron drawn in full, named as in ``named_parameters()``
            without the parameter: ``"layers.1.neurons.3"`` (``"neurons.3"`` for a Layer).

    Returns:
        ``(new roots, parameters drawn, note)``: the note says what was
        collapsed, for the picture's caption.

    Raises:
        ValueError: an unknown level, a module without neurons, or an unknown ``expand``.
    """
    if level not in ("neuron", "layer"):
        raise ValueError(f"collapse must be 'neuron', 'layer' or None, got {level!r}")
    layers, prefix = _layers(module)
    names: dict[tuple[str, ...], str] = {
        (f"L{i}", f"L{i}N{k}"): prefix.format(i=i) + f"neurons.{k}"
        for i, layer in enumerate(layers)
        for k in range(len(layer.neurons))
    }
    expanded = _expanded(names, expand)
    order = graph_nodes(list(roots))
    grouping = _Grouping(owners(order, module), expanded, level)
    params = {id(p) for p in module.parameters()}
    inputs = _network_inputs(order, params, grouping)
    outputs = _group_outputs(order, roots, grouping)
    built = _StandIns(params)
    if inputs and (level == "layer" or len(inputs) > MAX_INPUTS):
        built.merge(inputs)
    for n in order:  # parents first, so every parent already has its stand-in
        if id(n) in built.proxy:
            continue
        k = grouping.key(n)
        if k is None:
            built.copy(n)
            continue
        if k not in built.boxes:
            built.boxes[k] = _group_box(k, outputs.get(k, [n]), names, layers, level, prefix)
        built.join(n, k, grouping)
    note = built.note(level, expand, total=len(order))
    return [built.proxy[id(r)] for r in roots], built.drawn_params, note


def _layers(module: Any) -> tuple[list[Any], str]:
    """The module's layers, and how their neurons' names start (``"layers.{i}."``, or ``""``)."""
    layers = getattr(module, "layers", None)
    if layers is None and hasattr(module, "neurons"):
        return [module], ""
    if layers is None or not all(hasattr(layer, "neurons") for layer in layers):
        raise ValueError(
            "collapse works on scalar networks (nn.MLP, nn.Layer): their graphs have a node "
            f"per multiply; got {type(module).__name__} (a Tensor graph is already one node "
            "per layer)"
        )
    return list(layers), "layers.{i}."


def _expanded(names: dict[tuple[str, ...], str], expand: str | None) -> tuple[str, ...] | None:
    """The cluster path of the neuron ``expand`` names (None: no neuron is drawn in full)."""
    if expand is None:
        return None
    matches = [path for path, name in names.items() if name == expand]
    if not matches:
        example = next(iter(names.values()))
        raise ValueError(f"expand={expand!r} names no neuron of this network (e.g. {example!r})")
    return matches[0]


@dataclass(frozen=True)
class _Grouping:
    """Which box each node of the real graph is drawn in."""

    owner: dict[int, tuple[str, ...]]  # by id(node): its neuron's cluster path
    expanded: tuple[str, ...] | None  # the neuron drawn in full
    level: str  # "neuron" or "layer"

    def key(self, n: Any) -> tuple[str, ...] | None:
        """The box ``n`` goes in (a neuron's path, or its layer's); None: drawn as itself."""
        path = self.owner.get(id(n))
        if path is None or len(path) < 2:
            return None
        if path == self.expanded:
            return None
        return path if self.level == "neuron" else path[:1]


def _network_inputs(order: list[Any], params: set[int], grouping: _Grouping) -> list[Any]:
    """The network's inputs: labelled leaves (not parameters) that the boxed neurons read."""
    leaves = [
        n
        for n in order
        if not n._parents and id(n) not in params and id(n) not in grouping.owner and n.label
    ]
    feeding = {id(p) for n in order if grouping.key(n) is not None for p in n._parents}
    return [n for n in leaves if id(n) in feeding]


def _group_outputs(
    order: list[Any], roots: Sequence[Any], grouping: _Grouping
) -> dict[tuple[str, ...], list[Any]]:
    """Each box's outputs: its nodes used outside it (or drawn as roots), parents first."""
    children: dict[int, list[Any]] = {}
    for n in order:
        for p in n._parents:
            children.setdefault(id(p), []).append(n)
    root_ids = {id(r) for r in roots}
    outputs: dict[tuple[str, ...], list[Any]] = {}
    for n in order:
        k = grouping.key(n)
        if k is None:
            continue
        if id(n) in root_ids or any(grouping.key(c) != k for c in children.get(id(n), ())):
            outputs.setdefault(k, []).append(n)
    return outputs


class _StandIns:
    """The stand-in graph, built node by node: copies of real nodes, boxes, merged inputs."""

    def __init__(self, params: set[int]) -> None:
        self.params = params
        self.proxy: dict[int, Any] = {}  # by id(real node): what stands in for it
        self.boxes: dict[tuple[str, ...], Box] = {}
        self.drawn_params: list[Box] = []
        self.merged = 0  # how many inputs share one box

    def merge(self, inputs: list[Any]) -> None:
        """One box for all the inputs."""
        import numpy as np

        merged = Box(
            np.array([n.data for n in inputs]),
            np.array([n.grad for n in inputs]),
            f"inputs ({len(inputs)})",
        )
        for n in inputs:
            self.proxy[id(n)] = merged
        self.merged = len(inputs)

    def copy(self, n: Any) -> None:
        """``n`` drawn as itself, its parents replaced by their stand-ins."""
        copy = Box(n.data, n.grad, n.label, n._op, collapsed=False)
        parents = [self.proxy[id(p)] for p in n._parents]
        copy._parents = tuple(parents)
        # Local derivatives are kept only where every parent is still a real node's copy.
        if all(not getattr(p, "collapsed", False) for p in parents):
            copy._local = getattr(n, "_local", ())
        self.proxy[id(n)] = copy
        if id(n) in self.params:
            self.drawn_params.append(copy)

    def join(self, n: Any, k: tuple[str, ...], grouping: _Grouping) -> None:
        """``n`` drawn inside box ``k``: what feeds it from outside the box feeds the box."""
        box = self.boxes[k]
        self.proxy[id(n)] = box
        for p in n._parents:
            if grouping.key(p) != k and id(p) not in self.params:
                q = self.proxy[id(p)]
                if all(q is not r for r in box._parents):
                    box._parents = (*box._parents, q)

    def note(self, level: str, expand: str | None, total: int) -> str:
        """What was collapsed, for the caption."""
        what = f"{len(self.boxes)} {level}s drawn as boxes"
        if expand:
            what += f" ({expand} in full)"
        if self.merged:
            what += f", {self.merged} inputs as one box"
        hidden = len(self.params) - len(self.drawn_params)
        # Short lines: on one, the caption alone would be wider than a page column.
        return f"collapsed: {what};\n{hidden:,} parameters inside the boxes;\n{total:,} graph nodes"


def _group_box(
    k: tuple[str, ...],
    ends: list[Any],
    names: dict[tuple[str, ...], str],
    layers: list[Any],
    level: str,
    prefix: str,
) -> Box:
    """The box of neuron or layer ``k``, showing its output's (outputs') data and grad."""
    import numpy as np

    if level == "neuron":
        end = ends[-1]
        i = int(k[0][1:])
        act = layers[i].activation
        return Box(end.data, end.grad, names[k], f"w·x+b → {act}")
    i = int(k[0][1:])
    layer = layers[i]
    return Box(
        np.array([e.data for e in ends]),
        np.array([e.grad for e in ends]),
        prefix.format(i=i).rstrip(".") or "layer",
        f"W·x+b → {layer.activation}",
    )
