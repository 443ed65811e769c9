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
from typing import Any

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
    import numpy as np

    from autograd.pictures.draw import _nodes, _owners

    if level not in ("neuron", "layer"):
        raise ValueError(f"collapse must be 'neuron', 'layer' or None, got {level!r}")
    layers = getattr(module, "layers", None)
    if layers is None and hasattr(module, "neurons"):
        layers = [module]
        prefix = ""
    else:
        prefix = "layers.{i}."
    if layers is None or not all(hasattr(layer, "neurons") for layer in layers):
        raise ValueError(
            "collapse works on scalar networks (nn.MLP, nn.Layer): their graphs have a node "
            f"per multiply; got {type(module).__name__} (a Tensor graph is already one node "
            "per layer)"
        )
    names = {
        (f"L{i}", f"L{i}N{k}"): prefix.format(i=i) + f"neurons.{k}"
        for i, layer in enumerate(layers)
        for k in range(len(layer.neurons))
    }
    expanded: tuple[str, ...] | None = None
    if expand is not None:
        matches = [path for path, name in names.items() if name == expand]
        if not matches:
            example = next(iter(names.values()))
            raise ValueError(
                f"expand={expand!r} names no neuron of this network (e.g. {example!r})"
            )
        expanded = matches[0]

    order = _nodes(list(roots))
    owner = _owners(order, module)
    params = {id(p) for p in module.parameters()}
    children: dict[int, list[Any]] = {}
    for n in order:
        for p in n._parents:
            children.setdefault(id(p), []).append(n)

    def key(n: Any) -> tuple[str, ...] | str | None:
        path = owner.get(id(n))
        if path is None or len(path) < 2:
            return None
        if path == expanded:
            return None
        return path if level == "neuron" else path[:1]

    # The network's inputs: leaves (not parameters) that neurons read.
    inputs = [
        n
        for n in order
        if not n._parents and id(n) not in params and id(n) not in owner and n.label
    ]
    feeding = {id(p) for n in order if key(n) is not None for p in n._parents}
    inputs = [n for n in inputs if id(n) in feeding]
    merge_inputs = level == "layer" or len(inputs) > MAX_INPUTS

    # Each group's output nodes: owned nodes used outside the group (or drawn as roots).
    root_ids = {id(r) for r in roots}
    outputs: dict[Any, list[Any]] = {}
    for n in order:
        k = key(n)
        if k is None:
            continue
        outside = id(n) in root_ids or any(key(c) != k for c in children.get(id(n), ()))
        if outside:
            outputs.setdefault(k, []).append(n)

    proxy: dict[int, Any] = {}
    boxes: dict[Any, Box] = {}
    drawn_params = []
    if merge_inputs and inputs:
        merged = Box(
            np.array([n.data for n in inputs]),
            np.array([n.grad for n in inputs]),
            f"inputs ({len(inputs)})",
        )
        for n in inputs:
            proxy[id(n)] = merged
    for n in order:
        if id(n) in proxy:
            continue
        k = key(n)
        if k is None:
            copy = Box(n.data, n.grad, n.label, n._op, collapsed=False)
            parents = [proxy[id(p)] for p in n._parents]
            copy._parents = tuple(parents)
            if all(not getattr(p, "collapsed", False) for p in parents):
                copy._local = getattr(n, "_local", ())
            proxy[id(n)] = copy
            if id(n) in params:
                drawn_params.append(copy)
            continue
        box = boxes.get(k)
        if box is None:
            box = boxes[k] = _group_box(k, outputs.get(k, [n]), names, layers, level, prefix)
        proxy[id(n)] = box
        for p in n._parents:
            if key(p) != k and id(p) not in params:
                q = proxy[id(p)]
                if all(q is not r for r in box._parents):
                    box._parents = (*box._parents, q)
    total = len(order)
    what = f"{len(boxes)} {level}s drawn as boxes"
    if expand:
        what += f" ({expand} in full)"
    if merge_inputs and inputs:
        what += f", {len(inputs)} inputs as one box"
    hidden = len(params) - len(drawn_params)
    note = f"collapsed: {what}; {hidden:,} parameters inside the boxes; {total:,} graph nodes"
    return [proxy[id(r)] for r in roots], drawn_params, note


def _group_box(
    k: Any,
    ends: list[Any],
    names: dict[Any, str],
    layers: Any,
    level: str,
    prefix: str,
) -> Box:
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
