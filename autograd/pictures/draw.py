"""Pictures of computation graphs: :func:`draw_graph` turns a graph into a ``graphviz.Digraph``.

Each node of the graph (a :class:`~autograd.Value` or :class:`~autograd.Tensor`)
becomes a box showing its label, its data and its gradient; each op becomes a
small oval between its inputs and its result, so arrows run in the forward
direction, and backprop walks them backwards::

    x1 ─┐
        (×)─▶ x1w1 ─┐
    w1 ─┘          (+)─▶ n ─(tanh)─▶ o
                    ...

**Colours by role.** The root(s) you draw are the *output* (green). Leaves are
*parameters* (orange: weights and biases, the knobs training turns), *inputs*
(blue) or *constants* (grey: unlabelled numbers such as the ``1`` in ``1 - x``).
Which leaves are parameters is known when you pass ``params=`` or ``module=``;
for Tensors a leaf with ``requires_grad=True`` counts as a parameter; without
that information a labelled Value leaf is drawn as a plain *leaf* (violet).
Everything else is an *intermediate* result (white).

**Gradient shading.** After ``backward()`` (when ``show_grad`` is on and some
gradient is non-zero), each grad cell and each arrow is shaded by the size of
the gradient it carries, on a log scale spanning four decades below the
largest: red and thick for the largest, pale and thin for gradients 10,000x
smaller or zero. Vanishing gradients (saturated sigmoids, dead ReLUs) show up
as pale regions at a glance. An arrow into an op carries the gradient that
flows back along it: for a Value, ``|d out/d parent * out.grad|``.

**Clusters for networks.** ``draw_graph(out, module=mlp)`` groups the nodes of
each neuron (its weights, bias, products, sums, ``z`` and activation) into a
box, and neurons into one box per layer. Tensor modules get one box per layer.

Rendering (``.render()``, ``.pipe()``, notebook display) needs Graphviz's
``dot`` program; building the graph and its DOT source (``.source``) does not.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from autograd.pictures.captions import local_derivatives, local_formulas
from autograd.pictures.themes import LIGHT, Theme, get_theme

__all__ = ["DEFAULT_MAX_NODES", "ROLE_STYLES", "draw_graph", "theme_colors", "write_stepper"]

#: Largest graph :func:`draw_graph` draws unless told otherwise (graph nodes, not op ovals).
DEFAULT_MAX_NODES = 500

#: Fill and border colour of each role's boxes.
ROLE_STYLES: dict[str, tuple[str, str]] = LIGHT.roles

_OP_SYMBOLS = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "**": "^",
    "neg": "−x",
    "sigmoid": "σ",
    "relu": "ReLU",
    "matmul": "@",
    "@": "@",
}

_DECADES = 4.0  # gradient shading spans this many powers of ten below the largest


def draw_graph(
    root: Any,
    format: str = "svg",
    rankdir: str = "LR",
    show_grad: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    *,
    params: Iterable[Any] | None = None,
    module: Any = None,
    title: str | None = None,
    legend: bool = False,
    highlight: Iterable[Any] = (),
    pending: Iterable[Any] = (),
    theme: str | Theme = "light",
    edge_derivatives: bool = False,
    detail: str = "values",
    collapse: str | None = None,
    expand: str | None = None,
) -> Any:
    """Draw the graph that ``root`` was computed from, as a ``graphviz.Digraph``.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
    >>> y = (x * w).tanh(); y.label = "y"
    >>> y.backward()
    >>> g = draw_graph(y, params=[w])
    >>> g.render("neuron", cleanup=True)  # writes neuron.svg; needs dot  # doctest: +SKIP

    Args:
        root: a Value or Tensor, or a list of them (e.g. all outputs of an MLP);
            they are drawn as the *output*.
        format: output format used by ``render()`` / ``pipe()``: ``"svg"``, ``"png"``, ``"pdf"``...
        rankdir: ``"LR"`` (left to right, the default), ``"TB"``, ``"RL"`` or ``"BT"``.
            Top to bottom (``"TB"``, ``"BT"``), each box stacks its label, data and
            grad in a column, so a long chain stays narrow enough for a page.
        show_grad: show each node's gradient and shade by gradient magnitude.
        max_nodes: refuse graphs with more nodes than this (``None``: no limit),
            because a picture of thousands of boxes is unreadable.
        params: the leaves to colour as parameters.
        module: an :class:`nn.Module` whose ``parameters()`` are the parameters;
            its neurons and layers become clusters.
        title: a caption drawn above the graph.
        legend: add a key of the role colours present (and of the gradient
            shading) under the title; it adds no nodes to the graph.
        highlight: nodes to draw with a thick gold border (and their op ovals
            filled gold), e.g. the step being explained.
        pending: nodes whose gradient is not known yet: shown as ``grad ?`` and
            unshaded (used by :mod:`autograd.pictures.film` to show gradients filling in
            from the output back to the inputs).
        theme: ``"light"``, ``"dark"`` (for dark slides) or ``"print"``
            (greyscale; gradient size shown by line width too), see :mod:`autograd.pictures.themes`.
        edge_derivatives: label each arrow from a parent into an op with the
            local derivative ``∂out/∂parent`` and its number (Value graphs), so
            the picture reads as the chain rule: a node's grad is the sum over
            its outgoing arrows of (arrow's derivative × the result's grad).
        detail: with ``edge_derivatives``, ``"values"`` (``∂/∂w = 2.000``) or
            ``"formulas"``, the calculus next to the number (``∂/∂w = x = 2.000``).
        collapse: with ``module=`` a scalar ``nn.MLP``/``nn.Layer``: ``"neuron"``
            draws each neuron as one box (its output's data and grad), ``"layer"``
            each layer; many inputs become one box. What was collapsed, and the
            graph's size, are written under the title. See :mod:`autograd.pictures.collapse`.
        expand: with ``collapse``, one neuron to draw in full, e.g. ``"layers.1.neurons.3"``.

    Returns:
        a ``graphviz.Digraph``; ``.source`` is the DOT text, ``.render(path)`` writes
        the file, and a notebook displays it inline.

    Raises:
        ValueError: the graph has more than ``max_nodes`` nodes (the message
            suggests drawing a subgraph or a smaller network instead).
    """
    th = get_theme(theme)
    if detail not in ("values", "formulas"):
        raise ValueError(f"detail must be 'values' or 'formulas', got {detail!r}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError("draw_graph: nothing to draw (an empty list of roots)")
    for r in roots:
        if not hasattr(r, "_parents") or not hasattr(r, "data"):
            raise TypeError(
                f"draw_graph draws Values and Tensors (graph nodes), got {type(r).__name__}"
            )
    if collapse is not None:
        if module is None:
            raise ValueError("collapse needs module= (the nn network whose neurons to collapse)")
        from autograd.pictures.collapse import collapse_graph

        roots, params, note = collapse_graph(roots, module, collapse, expand)
        module = None
        limit = "no node limit" if max_nodes is None else f"max_nodes={max_nodes:,}"
        title = f"{title}\n{note} ({limit})" if title else f"{note} ({limit})"
    elif expand is not None:
        raise ValueError("expand names a neuron to draw in full inside collapse='neuron'|'layer'")
    order = _nodes(roots)
    if max_nodes is not None and len(order) > max_nodes:
        raise ValueError(_too_big_message(len(order), max_nodes, roots, module))

    # ------------------------------------------------------------- roles
    param_ids: set[int] = set()
    if params is not None:
        param_ids.update(id(p) for p in params)
    if module is not None:
        param_ids.update(id(p) for p in module.parameters())
    know_params = params is not None or module is not None
    root_ids = {id(r) for r in roots}
    roles = {id(n): _role(n, root_ids, param_ids, know_params) for n in order}

    # --------------------------------------------------- gradient shading
    mags = {id(n): _grad_magnitude(n) for n in order} if show_grad else {}
    top = max((m for m in mags.values() if m is not None), default=0.0)
    shade = show_grad and top > 0.0

    def heat(m: float | None) -> float:
        if not shade or m is None or m <= 0.0 or not math.isfinite(m):
            return 0.0
        return min(1.0, max(0.0, 1.0 + math.log10(m / top) / _DECADES))

    hot = {id(n) for n in highlight}
    unknown = {id(n) for n in pending}
    for k in unknown:
        mags[k] = None

    # ----------------------------------------------------------- clusters
    owner = _owners(order, module) if module is not None else {}

    Graph = _graph_class()
    g = Graph(
        name="graph",
        format=format,
        graph_attr={
            "rankdir": rankdir,
            "fontname": "Helvetica",
            "nodesep": "0.18",
            "ranksep": "0.32",
            "bgcolor": th.background,
            "fontcolor": th.text,
            "pad": "0.2",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "11", "fontcolor": th.text},
        edge_attr={
            "arrowsize": "0.6",
            "color": th.edge,
            "fontname": "Helvetica",
            "fontsize": "9",
            "fontcolor": th.text,
        },
    )
    if legend:
        present = [r for r in ROLE_STYLES if r in set(roles.values())]
        g.attr(label=_legend_label(title, present, shade, th), labelloc="t", labeljust="c")
    elif title:
        g.attr(label=title, labelloc="t", fontsize="16", fontname="Helvetica-Bold")

    ids = {id(n): f"n{i}" for i, n in enumerate(order)}
    # Statements per cluster path (() = top level); emitted as nested subgraphs below.
    placed: dict[tuple[str, ...], list[tuple[str, str, dict[str, str]]]] = {}

    def put(path: tuple[str, ...], name: str, label: str, attrs: dict[str, str]) -> None:
        placed.setdefault(path, []).append((name, label, attrs))

    for n in order:
        nid = ids[id(n)]
        role = roles[id(n)]
        path = owner.get(id(n), ())
        m = mags.get(id(n))
        put(
            path,
            nid,
            _node_label(
                n,
                role,
                show_grad,
                _mix(th.cell_cold, th.cell_hot, heat(m)) if shade else "",
                pending=id(n) in unknown,
                highlight=id(n) in hot,
                theme=th,
                heat=heat(m) if shade else 0.0,
                stacked=rankdir in ("TB", "BT"),
            ),
            {"shape": "plain"},
        )
        if n._parents:
            put(
                path,
                nid + "op",
                _op_symbol(n._op),
                {
                    "shape": "ellipse",
                    "style": "filled",
                    "fillcolor": th.op_hot if id(n) in hot else th.op_fill,
                    "color": th.op_border,
                    "fontsize": "11",
                    "width": "0.3",
                    "height": "0.3",
                    "margin": "0.03,0.01",
                },
            )

    _emit(g, placed, _cluster_labels(module) if module is not None else {}, th)

    for n in order:
        if not n._parents:
            continue
        nid = ids[id(n)]
        scalar = _is_value(n)
        locals_ = local_derivatives(n) if scalar else ()
        formulas = local_formulas(n) if scalar and edge_derivatives else ()
        out_grad = mags.get(id(n))
        for k, parent in enumerate(n._parents):
            flow: float | None
            if id(parent) in unknown or out_grad is None or roles[id(parent)] == "constant":
                flow = None
            elif shade and k < len(locals_):
                flow = abs(locals_[k] * float(_grad_data(n)))
            else:
                flow = mags.get(id(parent))
            style = _edge_style(heat(flow), shade, th)
            if k < len(formulas) and roles[id(parent)] != "constant":
                style["label"] = _edge_label(parent, formulas[k], locals_[k], detail)
            g.edge(ids[id(parent)], nid + "op", **style)
        g.edge(nid + "op", nid, **_edge_style(heat(out_grad), shade, th))

    return g


# --------------------------------------------------------------------------- walking


def _nodes(roots: Sequence[Any]) -> list[Any]:
    """Every node the roots depend on, each once, parents before children."""
    from autograd.backprop import topological_order

    if len(roots) == 1:
        return topological_order(roots[0])
    seen: set[int] = set()
    order: list[Any] = []
    for r in roots:
        for n in topological_order(r):
            if id(n) not in seen:
                seen.add(id(n))
                order.append(n)
    return order


def _too_big_message(count: int, max_nodes: int, roots: Sequence[Any], module: Any) -> str:
    hint = (
        "Draw a subgraph instead: one output (draw_graph(outputs[0])), one intermediate "
        "node such as a single neuron's activation, or the same network with fewer "
        "inputs/neurons (e.g. nn.MLP(2, [4, 4, 1]))"
    )
    if len(roots) > 1:
        hint = (
            "Draw a subgraph instead: one output at a time (draw_graph(outputs[0])), "
            "or a smaller network"
        )
    return (
        f"draw_graph: this graph has {count:,} nodes, more than max_nodes={max_nodes:,}; "
        f"a picture that big is unreadable. {hint}. "
        f"Or pass max_nodes=None (or a larger number) to draw it anyway."
    )


def _is_value(n: Any) -> bool:
    """A scalar Value (float data), as opposed to a Tensor (array data, even 0-d)."""
    return not hasattr(n.data, "shape")


def _role(n: Any, root_ids: set[int], param_ids: set[int], know_params: bool) -> str:
    if id(n) in root_ids:
        return "output"
    if getattr(n, "collapsed", False):
        return "collapsed"
    if n._parents:
        return "intermediate"
    if id(n) in param_ids:
        return "parameter"
    if _is_value(n):
        if not n.label:
            return "constant"
        return "input" if know_params else "leaf"
    if not know_params and getattr(n, "requires_grad", False):
        return "parameter"
    return "input"


def _grad_data(n: Any) -> Any:
    """``n.grad`` as a number or array: a gradient that is itself a graph node
    (``backward(create_graph=True)``) is shown by its data."""
    g = n.grad
    return g.data if hasattr(g, "_parents") else g


def _grad_magnitude(n: Any) -> float | None:
    """|grad| for a Value, root-mean-square of the grad array for a Tensor, None if no grad."""
    g = _grad_data(n)
    if g is None:
        return None
    if isinstance(g, (int, float)):
        return abs(float(g))
    import numpy as np

    arr = np.asarray(g, dtype=np.float64)
    return float(np.sqrt(np.mean(arr * arr))) if arr.size else 0.0


# --------------------------------------------------------------------------- labels


def _fmt(x: float) -> str:
    """4 significant digits, trailing zeros kept: 2.000, 0.5000, -1.234e-05."""
    return format(float(x), "#.4g").replace("e+0", "e+").replace("e-0", "e-")


def _fmt_array(a: Any) -> str:
    import numpy as np

    arr = np.asarray(a)
    if arr.ndim == 0:
        return _fmt(float(arr))
    formatter: Any = {"float_kind": _fmt, "int": str}
    return np.array2string(arr, separator=", ", formatter=formatter, max_line_width=80)


def _op_symbol(op: str) -> str:
    if op in _OP_SYMBOLS:
        return _OP_SYMBOLS[op]
    if op.startswith("**"):
        return "^" + op[2:]
    return op or "?"


def _cell(text: str, bg: str = "", bold: bool = False, border: int = 0) -> str:
    body = html.escape(text).replace("\n", '<BR ALIGN="LEFT"/>')
    if bold:
        body = f"<B>{body}</B>"
    attr = f' BGCOLOR="{bg}"' if bg else ""
    if border:
        attr += f' BORDER="{border}"'
    return f"<TD{attr}>{body}</TD>"


def _heat_border(theme: Theme, heat: float, pending: bool) -> int:
    """The grad cell's border width: by gradient size in themes that show it by width too."""
    if not theme.widths or pending:
        return 0
    return 1 + round(2 * heat)


def _edge_label(parent: Any, formula: str, local: float, detail: str) -> str:
    """``∂/∂w = 2.000``, or with the formula, ``∂/∂w = x = 2.000``."""
    from autograd.pictures.captions import node_name

    head = f"∂/∂{node_name(parent)}"
    number = _fmt(local)
    if detail == "formulas" and formula != number:
        return f"{head} = {formula} = {number}"
    return f"{head} = {number}"


def _node_label(
    n: Any,
    role: str,
    show_grad: bool,
    grad_bg: str,
    pending: bool = False,
    highlight: bool = False,
    theme: Theme = LIGHT,
    heat: float = 0.0,
    stacked: bool = False,
) -> str:
    fill, border = theme.roles[role]
    if pending:
        grad_bg = ""
    cells: list[str] = []
    if _is_value(n):
        if n.label:
            cells.append(_cell(n.label, bold=True))
        cells.append(_cell(f"data {_fmt(n.data)}"))
        if show_grad and role != "constant":
            text = "grad ?" if pending else f"grad {_fmt(_grad_data(n))}"
            cells.append(_cell(text, grad_bg, border=_heat_border(theme, heat, pending)))
    else:
        data = n.data
        shape = str(tuple(data.shape)) if data.shape else "scalar"
        if n.label:
            cells.append(_cell(n.label, bold=True))
        cells.append(_cell(f"{shape} {data.dtype}"))
        small = data.size <= 6
        if small:
            cells.append(_cell(f"data {_fmt_array(data)}"))
        if show_grad:
            g = _grad_data(n)
            if pending:
                text = "grad ?"
            elif g is None:
                text = "grad None"
            elif small:
                text = f"grad {_fmt_array(g)}"
            else:
                m = _grad_magnitude(n)
                text = f"grad rms {_fmt(m if m is not None else 0.0)}"
            cells.append(_cell(text, grad_bg, border=_heat_border(theme, heat, pending)))
    width = "3" if highlight else "2" if role == "output" else "1"
    if highlight:
        border = theme.highlight
    rows = "".join(f"<TR>{c}</TR>" for c in cells) if stacked else f"<TR>{''.join(cells)}</TR>"
    return (
        f'<<TABLE BORDER="{width}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
        f'BGCOLOR="{fill}" COLOR="{border}">{rows}</TABLE>>'
    )


def _legend_label(title: str | None, roles: list[str], shade: bool, theme: Theme = LIGHT) -> str:
    """The graph caption: the title, and under it one row of colour keys (no extra nodes)."""
    cells = [
        f'<TD BGCOLOR="{theme.roles[r][0]}" COLOR="{theme.roles[r][1]}">{_small(r)}</TD>'
        for r in roles
    ]
    if shade:
        hot = _mix(theme.cell_cold, theme.cell_hot, 1.0)
        warm = _mix(theme.cell_cold, theme.cell_hot, 0.3)
        cells.append(f'<TD BGCOLOR="{hot}">{_small("large |grad|")}</TD>')
        cells.append(f'<TD BGCOLOR="{warm}">{_small("small |grad|")}</TD>')
        cells.append(f'<TD COLOR="#cbd5e1">{_small("0 or < max/10⁴")}</TD>')
    head = ""
    if title:
        head = (
            f'<TR><TD BORDER="0" COLSPAN="{len(cells)}">'
            f'<FONT POINT-SIZE="16"><B>{html.escape(title)}</B></FONT></TD></TR>'
        )
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="3" CELLPADDING="3">'
        f"{head}<TR>{''.join(cells)}</TR></TABLE>>"
    )


def _small(text: str) -> str:
    return f'<FONT POINT-SIZE="11">{html.escape(text)}</FONT>'


def _mix(cold: tuple[int, int, int], hot: tuple[int, int, int], t: float) -> str:
    r, g, b = (round(c + (h - c) * t) for c, h in zip(cold, hot, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _edge_style(t: float, shade: bool, theme: Theme = LIGHT) -> dict[str, str]:
    if not shade:
        return {}
    style = {"color": _mix(theme.edge_cold, theme.edge_hot, t), "penwidth": f"{0.6 + 2.4 * t:.2f}"}
    if t == 0.0:
        style["style"] = "dashed"
    return style


# --------------------------------------------------------------------------- clusters


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


def _cluster_labels(module: Any) -> dict[tuple[str, ...], str]:
    """Captions: ``layer 1: 2 → 4, tanh`` and ``neuron a1[0]``."""
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


def _owners(order: list[Any], module: Any) -> dict[int, tuple[str, ...]]:
    """Which cluster each node belongs to.

    Parameters belong to their neuron/layer. An op result belongs to group G when
    every parent that belongs to any group belongs to G (leaves such as inputs
    are neutral) and at least one does. Ownership stops at a group's *end*: the
    node that adds its bias (``z``), or, when the group has an activation, that
    activation applied to ``z``. So ``w*x`` products, partial sums, ``z`` and
    ``a`` are inside the neuron; whatever consumes ``a`` (the next layer, the
    loss) is not.
    """
    groups = _groups(module)
    owner: dict[int, _Group] = {}
    for grp in groups:
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


def _emit(
    g: Any,
    placed: dict[tuple[str, ...], list[tuple[str, str, dict[str, str]]]],
    owner_labels: dict[tuple[str, ...], str],
    theme: Theme = LIGHT,
) -> None:
    """Add nodes to ``g``, nesting clusters by path prefix."""
    for name, label, attrs in placed.get((), []):
        g.node(name, label, **attrs)
    paths = sorted(p for p in placed if p)
    tops = sorted({p[:1] for p in paths})
    for top in tops:
        _emit_cluster(g, top, placed, paths, owner_labels, theme)


def _emit_cluster(
    parent: Any,
    path: tuple[str, ...],
    placed: dict[tuple[str, ...], list[tuple[str, str, dict[str, str]]]],
    paths: list[tuple[str, ...]],
    labels: dict[tuple[str, ...], str],
    theme: Theme = LIGHT,
) -> None:
    depth = len(path)
    with parent.subgraph(name="cluster_" + re.sub(r"\W", "_", "_".join(path))) as c:
        outer = depth == 1 and any(len(p) > 1 and p[:1] == path for p in paths)
        c.attr(
            label=labels.get(path, path[-1]),
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


# --------------------------------------------------------------------------- rendering


_INSTALL_HINT = (
    "Rendering a graph needs Graphviz's `dot` program, which was not found on PATH. "
    "Install it with your system's package manager: `sudo apt-get install graphviz` "
    "(Debian/Ubuntu), `brew install graphviz` (macOS), `conda install -c conda-forge "
    "graphviz`, or from https://graphviz.org/download/ (Windows). Building the graph "
    "and its DOT text (`.source`) works without it."
)


@cache
def _graph_class() -> Any:
    """A ``graphviz.Digraph`` whose rendering errors say how to install ``dot``."""
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
        """A ``graphviz.Digraph`` from :func:`draw_graph`."""

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


def notebook_bundle(node: Any, include: Any = None, exclude: Any = None) -> dict[str, str]:
    """What Jupyter shows for a Value or Tensor: its graph, or its repr when it can't.

    A graph over ``max_nodes`` (say, the loss of a whole MNIST batch) or a machine
    without ``dot`` falls back to the plain ``repr`` instead of a traceback.
    """
    try:
        return draw_graph(node)._repr_mimebundle_(include, exclude)  # type: ignore[no-any-return]
    except (ValueError, OSError, RuntimeError):  # too big, or no `dot` to render with
        return {"text/plain": repr(node)}


def theme_colors(theme: str | Theme) -> dict[str, str]:
    """The background and text colours of a theme (for pictures composed around a graph)."""
    th = get_theme(theme)
    return {"background": th.background, "text": th.text}


def write_stepper(root: Any = None, path: Any = "stepper.html", **draw_graph_options: Any) -> Any:
    """Write a page that steps through ``root``'s backward pass (:mod:`autograd.pictures.stepper`).

    ``root`` is a scalar Value (default: the chapter-4 neuron and its cost);
    returns the ``Path`` written. The options go to :func:`draw_graph`, plus
    ``fps`` (steps per second when playing).
    """
    from autograd.pictures.stepper import write_stepper as write

    return write(root, path, **draw_graph_options)
