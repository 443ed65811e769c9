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

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd.pictures.captions import local_derivatives, local_formulas, node_name
from autograd.pictures.clusters import Placed, cluster_labels, emit_clusters, owners
from autograd.pictures.collapse import collapse_graph
from autograd.pictures.digraph import graph_class
from autograd.pictures.nodes import (
    four_digits,
    grad_data,
    grad_magnitude,
    graph_nodes,
    is_value,
    op_symbol,
)
from autograd.pictures.text import dot_html, dot_label
from autograd.pictures.themes import LIGHT, Theme, get_theme, theme_colors

# theme_colors is the themes' now; still importable from here, where it was first.
__all__ = ["DEFAULT_MAX_NODES", "ROLE_STYLES", "draw_graph", "theme_colors"]

#: Largest graph :func:`draw_graph` draws unless told otherwise (graph nodes, not op ovals).
DEFAULT_MAX_NODES = 500

#: Fill and border colour of each role's boxes.
ROLE_STYLES: dict[str, tuple[str, str]] = LIGHT.roles

_DECADES = 4.0  # gradient shading spans this many powers of ten below the largest


def draw_graph(
    root: Any,
    format: str = "svg",
    rankdir: str = "TB",
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
        root: a Value or Tensor, or a list of them (all outputs of an MLP): the *output*.
        format: what ``render()`` / ``pipe()`` write: ``"svg"``, ``"png"``, ``"pdf"``...
        rankdir: ``"TB"`` (top to bottom, the default), ``"LR"`` (left to right),
            ``"BT"`` or ``"RL"``. Top to bottom, each box stacks its label, data and
            grad, so a chain fits a page column with its text at full size; left to
            right, a chain of more than one op is wider than a page.
        show_grad: show each node's gradient and shade by gradient magnitude.
        max_nodes: refuse graphs with more nodes (``None``: no limit): a picture of
            thousands of boxes is unreadable.
        params: the leaves to colour as parameters.
        module: an :class:`nn.Module` whose ``parameters()`` are the parameters;
            its neurons and layers become clusters.
        title: a caption drawn above the graph.
        legend: a key of the role colours present (and of the gradient shading)
            under the title; it adds no nodes to the graph.
        highlight: nodes drawn with a thick gold border (and gold op ovals).
        pending: nodes whose gradient is not known yet, drawn ``grad ?`` and
            unshaded (the frames of :mod:`autograd.pictures.film`).
        theme: ``"light"``, ``"dark"`` (dark slides) or ``"print"`` (greyscale, gradient
            size as line width too); see :mod:`autograd.pictures.themes`.
        edge_derivatives: label each arrow into an op with the local derivative
            ``∂out/∂parent`` and its number (Value graphs): a node's grad is the sum
            over its outgoing arrows of (arrow's derivative × the result's grad).
        detail: with ``edge_derivatives``, ``"values"`` (``∂/∂w = 2.000``) or
            ``"formulas"``, the calculus next to the number (``∂/∂w = x = 2.000``).
        collapse: with ``module=`` a scalar ``nn.MLP``/``nn.Layer``, ``"neuron"`` draws
            each neuron as one box (its output's data and grad), ``"layer"`` each layer,
            many inputs as one box; the title says what was collapsed and the graph's
            size. See :mod:`autograd.pictures.collapse`.
        expand: with ``collapse``, one neuron to draw in full, e.g. ``"layers.1.neurons.3"``.

    Returns:
        a ``graphviz.Digraph``; ``.source`` is the DOT text, ``.render(path)`` writes
        the file, and a notebook displays it inline.

    Raises:
        ValueError: more than ``max_nodes`` nodes (the message suggests a subgraph or a
            smaller network), an unknown option value, or ``collapse``/``expand`` misused.
        TypeError: ``root`` is not a Value or Tensor (nor a list of them).
    """
    look = _Look.choose(theme, rankdir, detail, show_grad, edge_derivatives, highlight, pending)
    subject = _subject(root, params, module, title, collapse, expand, max_nodes)
    heat = _Heat.measure(subject.order, look)
    g = _new_graph(format, rankdir, look.theme)
    _add_title(g, subject, legend, heat.on, look.theme)
    emit_clusters(g, _boxes(subject, heat, look), subject.clusters, look.theme)
    _add_arrows(g, subject, heat, look)
    return g


# --------------------------------------------------------------------------- what is drawn


@dataclass(frozen=True)
class _Look:
    """How the picture shows the graph: the options of :func:`draw_graph` that style it."""

    theme: Theme
    show_grad: bool
    stacked: bool  # top to bottom: each box stacks its label, data and grad in a column
    edge_derivatives: bool
    detail: str
    hot: frozenset[int]  # ids of the nodes highlighted
    pending: frozenset[int]  # ids of the nodes whose gradient is not known yet

    @classmethod
    def choose(
        cls,
        theme: str | Theme,
        rankdir: str,
        detail: str,
        show_grad: bool,
        edge_derivatives: bool,
        highlight: Iterable[Any],
        pending: Iterable[Any],
    ) -> _Look:
        """The look asked for, once its names are checked (``ValueError`` for an unknown one)."""
        th = get_theme(theme)
        if detail not in ("values", "formulas"):
            raise ValueError(f"detail must be 'values' or 'formulas', got {detail!r}")
        if rankdir not in ("LR", "RL", "TB", "BT"):
            raise ValueError(f"rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
        stacked = rankdir in ("TB", "BT")
        hot = frozenset(id(n) for n in highlight)
        unknown = frozenset(id(n) for n in pending)
        return cls(th, show_grad, stacked, edge_derivatives, detail, hot, unknown)


@dataclass(frozen=True)
class _Subject:
    """What the picture shows: every node (parents first), its DOT name, role and cluster."""

    order: list[Any]
    names: dict[int, str]  # by id(node): "n0", "n1", ...; its op oval is name + "op"
    roles: dict[int, str]  # by id(node): "output", "parameter", "input", ...
    owner: dict[int, tuple[str, ...]]  # by id(node): the cluster path; {} without module=
    clusters: dict[tuple[str, ...], str]  # each cluster's caption
    title: str | None


def _subject(
    root: Any,
    params: Iterable[Any] | None,
    module: Any,
    title: str | None,
    collapse: str | None,
    expand: str | None,
    max_nodes: int | None,
) -> _Subject:
    """The nodes to draw, after collapsing and the size check (see :func:`draw_graph`)."""
    roots = _as_roots(root)
    if collapse is not None:
        roots, params, title = _collapse(roots, module, collapse, expand, title, max_nodes)
        module = None  # its neurons are boxes now: there is nothing left to cluster
    elif expand is not None:
        raise ValueError("expand names a neuron to draw in full inside collapse='neuron'|'layer'")
    order = graph_nodes(roots)
    if max_nodes is not None and len(order) > max_nodes:
        raise ValueError(_too_big_message(len(order), max_nodes, roots, module))
    return _Subject(
        order=order,
        names={id(n): f"n{i}" for i, n in enumerate(order)},
        roles=_roles(order, roots, params, module),
        owner=owners(order, module) if module is not None else {},
        clusters=cluster_labels(module) if module is not None else {},
        title=title,
    )


def _as_roots(root: Any) -> list[Any]:
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError("draw_graph: nothing to draw (an empty list of roots)")
    for r in roots:
        if not hasattr(r, "_parents") or not hasattr(r, "data"):
            raise TypeError(
                f"draw_graph draws Values and Tensors (graph nodes), got {type(r).__name__}"
            )
    return roots


def _collapse(
    roots: list[Any],
    module: Any,
    level: str,
    expand: str | None,
    title: str | None,
    max_nodes: int | None,
) -> tuple[list[Any], list[Any], str]:
    """The stand-in graph of ``collapse=``: its roots, its parameters, the title and its note."""
    if module is None:
        raise ValueError("collapse needs module= (the nn network whose neurons to collapse)")
    roots, params, note = collapse_graph(roots, module, level, expand)
    limit = "no node limit" if max_nodes is None else f"max_nodes={max_nodes:,}"
    return roots, params, f"{title}\n{note} ({limit})" if title else f"{note} ({limit})"


def _too_big_message(count: int, max_nodes: int, roots: Sequence[Any], module: Any) -> str:
    hint = (
        "Draw a subgraph instead: one output (draw_graph(outputs[0])), one intermediate "
        "node such as a single neuron's activation, or the same network with fewer "
        "inputs/neurons (e.g. nn.MLP(2, [4, 4, 1]))"
    )
    with_module = "" if module is not None else ", with module=<the network>"
    collapse = (
        "Or draw each neuron or layer of the network as one box: "
        f"collapse='neuron' or collapse='layer'{with_module}. "
    )
    if len(roots) > 1:
        hint = (
            "Draw a subgraph instead: one output at a time (draw_graph(outputs[0])), "
            "or a smaller network"
        )
    return (
        f"draw_graph: this graph has {count:,} nodes, more than max_nodes={max_nodes:,}; "
        f"a picture that big is unreadable. {hint}. {collapse}"
        f"Or pass max_nodes=None (or a larger number) to draw it anyway."
    )


def _roles(
    order: list[Any], roots: list[Any], params: Iterable[Any] | None, module: Any
) -> dict[int, str]:
    """Each node's role (its colour), by id."""
    param_ids: set[int] = set()
    if params is not None:
        param_ids.update(id(p) for p in params)
    if module is not None:
        param_ids.update(id(p) for p in module.parameters())
    know_params = params is not None or module is not None
    root_ids = {id(r) for r in roots}
    return {id(n): _role(n, root_ids, param_ids, know_params) for n in order}


def _role(n: Any, root_ids: set[int], param_ids: set[int], know_params: bool) -> str:
    if id(n) in root_ids:
        return "output"
    if getattr(n, "collapsed", False):
        return "collapsed"
    if n._parents:
        return "intermediate"
    if id(n) in param_ids:
        return "parameter"
    if is_value(n):
        if not n.label:
            return "constant"
        return "input" if know_params else "leaf"
    if not know_params and getattr(n, "requires_grad", False):
        return "parameter"
    return "input"


@dataclass(frozen=True)
class _Heat:
    """Gradient sizes, and how hot each is drawn: 1 for the largest, 0 for four decades below."""

    sizes: dict[int, float | None]  # by id(node): |grad| (rms for a Tensor); None: unknown
    top: float  # the largest size
    on: bool  # shading is drawn: show_grad, and some gradient is not zero

    @classmethod
    def measure(cls, order: list[Any], look: _Look) -> _Heat:
        sizes = {id(n): grad_magnitude(n) for n in order} if look.show_grad else {}
        top = max((m for m in sizes.values() if m is not None), default=0.0)
        for k in look.pending:
            sizes[k] = None
        return cls(sizes, top, look.show_grad and top > 0.0)

    def of(self, size: float | None) -> float:
        """0 (cold) .. 1 (hot) on a log scale; 0 for no, zero or unknown gradient."""
        if not self.on or size is None or size <= 0.0 or not math.isfinite(size):
            return 0.0
        return min(1.0, max(0.0, 1.0 + math.log10(size / self.top) / _DECADES))


# --------------------------------------------------------------------------- the picture


def _new_graph(format: str, rankdir: str, theme: Theme) -> Any:
    return graph_class()(
        name="graph",
        format=format,
        graph_attr={
            "rankdir": rankdir,
            "fontname": "Helvetica",
            "nodesep": "0.18",
            "ranksep": "0.32",
            "bgcolor": theme.background,
            "fontcolor": theme.text,
            "pad": "0.2",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "11", "fontcolor": theme.text},
        edge_attr={
            "arrowsize": "0.6",
            "color": theme.edge,
            "fontname": "Helvetica",
            "fontsize": "9",
            "fontcolor": theme.text,
        },
    )


def _add_title(g: Any, subject: _Subject, legend: bool, shade: bool, theme: Theme) -> None:
    """The title above the graph, with the legend's colour keys under it when asked."""
    if legend:
        present = [r for r in ROLE_STYLES if r in set(subject.roles.values())]
        label = _legend_label(subject.title, present, shade, theme)
        g.attr(label=label, labelloc="t", labeljust="c")
    elif subject.title:
        g.attr(
            label=dot_label(subject.title), labelloc="t", fontsize="16", fontname="Helvetica-Bold"
        )


def _boxes(subject: _Subject, heat: _Heat, look: _Look) -> Placed:
    """Each node's box, and the op oval of each result, filed under the cluster it belongs to."""
    placed: Placed = {}
    for n in subject.order:
        name = subject.names[id(n)]
        statements = placed.setdefault(subject.owner.get(id(n), ()), [])
        label = _box_label(n, subject.roles[id(n)], heat.of(heat.sizes.get(id(n))), heat.on, look)
        statements.append((name, label, {"shape": "plain"}))
        if n._parents:
            statements.append((name + "op", op_symbol(n._op), _oval(id(n) in look.hot, look)))
    return placed


def _oval(hot: bool, look: _Look) -> dict[str, str]:
    return {
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": look.theme.op_hot if hot else look.theme.op_fill,
        "color": look.theme.op_border,
        "fontsize": "11",
        "width": "0.3",
        "height": "0.3",
        "margin": "0.03,0.01",
    }


def _add_arrows(g: Any, subject: _Subject, heat: _Heat, look: _Look) -> None:
    """Parents into each op oval, each oval into its result; shaded by the gradient they carry."""
    for n in subject.order:
        if not n._parents:
            continue
        name = subject.names[id(n)]
        scalar = is_value(n)
        locals_ = local_derivatives(n) if scalar else ()
        formulas = local_formulas(n) if scalar and look.edge_derivatives else ()
        for k, parent in enumerate(n._parents):
            flow = _flow(n, k, locals_, subject, heat, look)
            style = _edge_style(heat.of(flow), heat.on, look.theme)
            # A stand-in's copy of an expanded neuron keeps no numbers to put on the label.
            if k < len(formulas) and k < len(locals_) and subject.roles[id(parent)] != "constant":
                style["label"] = _edge_label(parent, formulas[k], locals_[k], look.detail)
            g.edge(subject.names[id(parent)], name + "op", **style)
        out_grad = heat.sizes.get(id(n))
        g.edge(name + "op", name, **_edge_style(heat.of(out_grad), heat.on, look.theme))


def _flow(
    n: Any, k: int, locals_: Sequence[float], subject: _Subject, heat: _Heat, look: _Look
) -> float | None:
    """The size of the gradient the arrow from ``n``'s parent ``k`` carries back (None: unknown).

    For a Value it is ``|d n/d parent · n.grad|``, what this arrow adds to the
    parent's grad; otherwise the parent's own gradient size stands in.
    """
    parent = n._parents[k]
    unknown = id(parent) in look.pending or heat.sizes.get(id(n)) is None
    if unknown or subject.roles[id(parent)] == "constant":
        return None
    if heat.on and k < len(locals_):
        return abs(locals_[k] * float(grad_data(n)))
    return heat.sizes.get(id(parent))


# --------------------------------------------------------------------------- labels


def _fmt_array(a: Any) -> str:
    import numpy as np

    arr = np.asarray(a)
    if arr.ndim == 0:
        return four_digits(float(arr))
    formatter: Any = {"float_kind": four_digits, "int": str}
    return np.array2string(arr, separator=", ", formatter=formatter, max_line_width=80)


def _cell(text: str, bg: str = "", bold: bool = False, border: int = 0) -> str:
    body = dot_html(text, newline='<BR ALIGN="LEFT"/>')
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
    head = f"∂/∂{node_name(parent)}"
    number = four_digits(local)
    if detail == "formulas" and formula != number:
        return f"{head} = {formula} = {number}"
    return f"{head} = {number}"


def _box_label(n: Any, role: str, heat: float, shade: bool, look: _Look) -> str:
    """A node's box: a table of its label, data and grad, in a row (a column when stacked)."""
    pending = id(n) in look.pending
    if is_value(n):
        cells, grad = _value_cells(n, role, look.show_grad, pending)
    else:
        cells, grad = _tensor_cells(n, look.show_grad, pending)
    theme = look.theme
    if grad is not None:
        grad_bg = _mix(theme.cell_cold, theme.cell_hot, heat) if shade and not pending else ""
        cells.append(_cell(grad, grad_bg, border=_heat_border(theme, heat, pending)))
    fill, border = theme.roles[role]
    highlight = id(n) in look.hot
    width = "3" if highlight else "2" if role == "output" else "1"
    if highlight:
        border = theme.highlight
    rows = "".join(f"<TR>{c}</TR>" for c in cells) if look.stacked else f"<TR>{''.join(cells)}</TR>"
    return (
        f'<<TABLE BORDER="{width}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
        f'BGCOLOR="{fill}" COLOR="{border}">{rows}</TABLE>>'
    )


def _value_cells(n: Any, role: str, show_grad: bool, pending: bool) -> tuple[list[str], str | None]:
    """A Value's cells (label, data) and its grad's text (None: no grad cell, as for constants)."""
    cells = [_cell(n.label, bold=True)] if n.label else []
    cells.append(_cell(f"data {four_digits(n.data)}"))
    if not show_grad or role == "constant":
        return cells, None
    if pending:
        return cells, "grad ?"
    g = grad_data(n)  # None after zero_grad(): no gradient computed (as for a Tensor)
    return cells, "grad None" if g is None else f"grad {four_digits(g)}"


def _tensor_cells(n: Any, show_grad: bool, pending: bool) -> tuple[list[str], str | None]:
    """A Tensor's cells (label, shape and dtype, data if small) and its grad's text (rms if big)."""
    data = n.data
    shape = str(tuple(data.shape)) if data.shape else "scalar"
    cells = [_cell(n.label, bold=True)] if n.label else []
    cells.append(_cell(f"{shape} {data.dtype}"))
    small = data.size <= 6
    if small:
        cells.append(_cell(f"data {_fmt_array(data)}"))
    if not show_grad:
        return cells, None
    g = grad_data(n)
    if pending:
        return cells, "grad ?"
    if g is None:
        return cells, "grad None"
    if small:
        return cells, f"grad {_fmt_array(g)}"
    m = grad_magnitude(n)
    return cells, f"grad rms {four_digits(m if m is not None else 0.0)}"


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
            f'<FONT POINT-SIZE="16"><B>{dot_html(title)}</B></FONT></TD></TR>'
        )
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="3" CELLPADDING="3">'
        f"{head}<TR>{''.join(cells)}</TR></TABLE>>"
    )


def _small(text: str) -> str:
    return f'<FONT POINT-SIZE="11">{dot_html(text)}</FONT>'


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


# --------------------------------------------------------------------------- notebooks


def notebook_bundle(node: Any, include: Any = None, exclude: Any = None) -> dict[str, str]:
    """What Jupyter shows for a Value or Tensor: its graph, or its repr when it can't.

    A graph over ``max_nodes`` (say, the loss of a whole MNIST batch) or a machine
    without ``dot`` falls back to the plain ``repr`` instead of a traceback.
    """
    try:
        return draw_graph(node)._repr_mimebundle_(include, exclude)  # type: ignore[no-any-return]
    except (ValueError, OSError, RuntimeError):  # too big, or no `dot` to render with
        return {"text/plain": repr(node)}
