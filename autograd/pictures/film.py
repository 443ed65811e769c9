"""The backward pass, one chain-rule step at a time: the model behind the GIF and the HTML stepper.

Backprop visits the graph in reverse topological order (:func:`autograd.backprop.backward`).
At each node with parents it hands the node's gradient on,
``parent.grad += d(node)/d(parent) · node.grad``. :func:`backward_steps` replays
exactly that walk, without touching the graph, and records each step: which node,
which parents, the arithmetic with numbers
(``dC/dw1 += x1 · dC/d(x1*w1) = 2.0 · -0.2005``) and every gradient known after it.

:func:`write_gif` draws one frame per step (the graph laid out once, so nothing
jumps; every frame one size; the active op highlighted; the arithmetic as a
caption) and :mod:`autograd.pictures.stepper` turns the same steps into a web page.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd.backprop import topological_order
from autograd.pictures.captions import factor, local_derivatives, local_formulas, node_names
from autograd.pictures.captions import number as _num
from autograd.pictures.digraph import graph_class
from autograd.pictures.draw import draw_graph
from autograd.pictures.files import TEXT_PX_KEY, smallest_svg_text_px, write_atomic
from autograd.pictures.layout import PinnedLayout
from autograd.pictures.nodes import op_symbol
from autograd.pictures.text import dot_html
from autograd.pictures.themes import theme_colors

__all__ = [
    "BackwardStep",
    "ChainTerm",
    "backward_steps",
    "example_neuron",
    "frame_sources",
    "gif_frames",
    "write_gif",
]


@dataclass(frozen=True)
class ChainTerm:
    """One ``+=`` of the chain rule: ``parent.grad += local · upstream``.

    Attributes:
        parent: the node receiving gradient.
        local: ``d node / d parent`` (a number).
        upstream: ``d root / d node`` at that moment.
        text: ``dC/dw1 += x1 · dC/d(x1*w1) = 2.0 · -0.2005``.
    """

    parent: Any
    local: float
    upstream: float
    text: str


@dataclass(frozen=True)
class BackwardStep:
    """One step of the backward pass (step 0 is the seed ``d root/d root = 1``).

    Attributes:
        index: 0 for the seed, then 1, 2, ... in the engine's order.
        node: the node handing its gradient on (the root for the seed).
        terms: one :class:`ChainTerm` per parent (constants included).
        caption: a one-line summary, e.g. ``step 3/7: through × at x1*w1``.
        grads: ``d root / d n`` of every node reached so far, by ``id(n)``;
            a node not in it has no gradient yet.
    """

    index: int
    node: Any
    terms: tuple[ChainTerm, ...]
    caption: str
    grads: dict[int, float]

    @property
    def active(self) -> list[Any]:
        """The node and the parents it hands gradient to (what a picture highlights)."""
        return [self.node, *(t.parent for t in self.terms)]

    @property
    def lines(self) -> list[str]:
        """The arithmetic, one line per term that reaches a variable or an intermediate node."""
        shown = [t.text for t in self.terms if t.parent._parents or t.parent.label]
        return shown or [t.text for t in self.terms]


def backward_steps(root: Any) -> list[BackwardStep]:
    """Replay ``root.backward()`` step by step, without changing any ``.grad``.

    The order is the engine's (reverse topological order), so the gradients after
    the last step are exactly what ``root.backward()`` gives on fresh leaves.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
    >>> y = x * w; y.label = "y"
    >>> steps = backward_steps(y)
    >>> [s.caption for s in steps]
    ['step 0/1: seed dy/dy = 1', 'step 1/1: through × at y']
    >>> steps[1].lines
    ['dy/dx += w · dy/dy = -3.0 · 1.0', 'dy/dw += x · dy/dy = 2.0 · 1.0']

    Args:
        root: a scalar :class:`~autograd.Value` (the output the pass starts from).

    Raises:
        TypeError: ``root`` is not a Value (Tensor graphs store functions, not
            numbers, as local derivatives).
    """
    if not hasattr(root, "_parents") or hasattr(root.data, "shape"):
        raise TypeError(f"backward_steps needs a scalar Value, got {type(root).__name__}")
    order = topological_order(root)
    names = node_names(order)
    r = names[id(root)] = names[id(root)] if root.label else "L"  # dL/dL, not d[+]/d[+]
    grads: dict[int, float] = {id(root): 1.0}
    work = [n for n in reversed(order) if n._parents]
    total = len(work)
    steps = [BackwardStep(0, root, (), f"step 0/{total}: seed d{r}/d{r} = 1", dict(grads))]
    for i, node in enumerate(work, start=1):
        g = grads.get(id(node), 0.0)
        me = names[id(node)]
        terms = []
        for parent, local, formula in zip(
            node._parents, local_derivatives(node), local_formulas(node, names), strict=True
        ):
            grads[id(parent)] = grads.get(id(parent), 0.0) + local * g
            text = (
                f"d{r}/d{names[id(parent)]} += {factor(formula)} · d{r}/d{me}"
                f" = {_num(local)} · {_num(g)}"
            )
            terms.append(ChainTerm(parent, local, g, text))
        caption = f"step {i}/{total}: through {op_symbol(node._op)} at {me}"
        steps.append(BackwardStep(i, node, tuple(terms), caption, dict(grads)))
    return steps


@contextmanager
def showing(order: Sequence[Any], grads: dict[int, float]) -> Iterator[None]:
    """Temporarily set ``.grad`` of every node in ``order`` from ``grads`` (0.0 if missing)."""
    saved = [n.grad for n in order]
    try:
        for n in order:
            n.grad = grads.get(id(n), 0.0)
        yield
    finally:
        for n, g in zip(order, saved, strict=True):
            n.grad = g


def example_neuron() -> Any:
    """The series' chapter-4 neuron and its cost, ``C = (σ(w1 x1 + w2 x2 + b) - y)²``, y = 1.

    Returns the cost Value (labelled ``C``); its leaves are labelled
    ``x1 x2 w1 w2 b``. Used as the default picture of the stepper and the film.
    """
    from autograd.value import Value

    x1, x2 = Value(2.0, label="x1"), Value(0.5, label="x2")
    w1, w2, b = Value(-0.6, label="w1"), Value(1.5, label="w2"), Value(0.8, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1w1 + x2w2"
    z = s + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    d = a - 1.0
    d.label = "a - y"
    cost = d**2
    cost.label = "C"
    return cost


# --------------------------------------------------------------------------- frames


def frame_sources(
    root: Any, steps: Sequence[BackwardStep] | None = None, **options: Any
) -> tuple[Any, list[str]]:
    """The DOT source of one frame per backward step, and the layout they are all pinned to.

    Each frame is :func:`~autograd.draw_graph` of ``root`` with the gradients
    known at that step (the others read ``grad ?``) and the step's node and
    parents highlighted. Render one with ``layout.render(source, format)``:
    every frame has the same size and every node the same place. (Captions are
    not part of the frame: a graph label would resize the picture.)

    Raises:
        graphviz.ExecutableNotFound: Graphviz's ``dot`` computes the layout.
    """
    steps = list(steps) if steps is not None else backward_steps(root)
    order = topological_order(root)
    for key in ("title", "legend", "format", "highlight", "pending"):
        options.pop(key, None)
    # The template has every node highlighted (the thickest border), so no frame's
    # box is bigger than the template's and every frame keeps the template's size.
    with showing(order, steps[-1].grads):
        layout = PinnedLayout(draw_graph(root, highlight=order, **options))
    sources = []
    for step in steps:
        pending = [n for n in order if id(n) not in step.grads]
        with showing(order, step.grads):
            g = draw_graph(root, highlight=step.active, pending=pending, **options)
        sources.append(g.source)
    return layout, sources


def gif_frames(root: Any, steps: Sequence[BackwardStep] | None = None, **options: Any) -> list[Any]:
    """One PIL image per backward step: its caption over its frame, every image one size.

    ``options`` go to :func:`~autograd.draw_graph` (``params``, ``module``,
    ``rankdir``, ``theme``, ``edge_derivatives``...); a ``title`` is written
    above every caption.

    Raises:
        ImportError: Pillow is missing (``pip install pillow``).
        graphviz.ExecutableNotFound: Graphviz's ``dot`` is missing.
    """
    Image = _pillow()
    steps = list(steps) if steps is not None else backward_steps(root)
    title = options.get("title")
    theme = options.get("theme", "light")
    layout, sources = frame_sources(root, steps, **options)
    from tqdm.auto import tqdm

    # Each frame is one Graphviz run (~0.1 s): show progress for films of many steps.
    graphs = [
        Image.open(io.BytesIO(layout.render(source, format="png"))).convert("RGB")
        for source in tqdm(sources, desc="frames", unit="frame", disable=len(sources) < 30)
    ]
    captions = [
        _caption([*([title] if title else []), s.caption, *s.lines], theme, bool(title))
        for s in steps
    ]
    width = max(im.width for im in graphs + captions)
    graph_h = max(im.height for im in graphs)
    height = graph_h + max(im.height for im in captions)
    frames = []
    for picture, caption in zip(graphs, captions, strict=True):
        canvas = Image.new("RGB", (width, height), theme_colors(theme)["background"])
        canvas.paste(caption, (0, 0))
        canvas.paste(picture, ((width - picture.width) // 2, height - graph_h))
        frames.append(canvas)
    return frames


def _caption(lines: list[str], theme: Any, has_title: bool) -> Any:
    """Caption lines drawn by Graphviz (its fonts have ∂, σ and ·), as a PIL image."""
    colors = theme_colors(theme)
    rows = []
    for k, line in enumerate(lines):
        text = dot_html(line)
        if k == 0 or (has_title and k == 1):
            text = f"<B>{text}</B>"
        rows.append(f'<TR><TD ALIGN="LEFT">{text}</TD></TR>')
    label = f'<<TABLE BORDER="0" CELLPADDING="1" CELLSPACING="0">{"".join(rows)}</TABLE>>'
    g = graph_class()(
        graph_attr={"bgcolor": colors["background"], "pad": "0.15"},
        node_attr={
            "shape": "plain",
            "fontname": "Helvetica",
            "fontsize": "13",
            "fontcolor": colors["text"],
        },
    )
    g.node("caption", label)
    return _pillow().open(io.BytesIO(g.pipe(format="png"))).convert("RGB")


def write_gif(
    root: Any, path: str | os.PathLike[str], *, fps: float = 1.0, hold: float = 3.0, **options: Any
) -> Path:
    """Write an animated GIF of the backward pass of ``root``, one frame per chain-rule step.

    The first frame (the seed) and the last (every gradient known) stay on
    screen ``hold`` seconds; the others ``1/fps`` seconds. Frame durations are
    written per frame (GIF writers merge identical frames, so repeating a frame
    would not hold it). Other ``options`` go to :func:`~autograd.draw_graph`.

    Returns:
        the path written (atomically: a failure leaves no partial file).

    Raises:
        ValueError: ``fps`` or ``hold`` is not a positive number.
    """
    if not (isinstance(fps, (int, float)) and math.isfinite(fps) and fps > 0):
        raise ValueError(f"write_gif: fps must be a positive number, got {fps!r}")
    if not (isinstance(hold, (int, float)) and math.isfinite(hold) and hold > 0):
        raise ValueError(f"write_gif: hold must be a positive number of seconds, got {hold!r}")
    frames, text_px = gif_frames(root, **options), _smallest_text_px(root, options)
    step_ms = max(20, round(1000 / fps))
    hold_ms = max(step_ms, round(1000 * hold))
    durations = [step_ms] * len(frames)
    durations[0] = durations[-1] = hold_ms
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        optimize=False,
        comment=f"{TEXT_PX_KEY}={text_px:.2f}".encode(),
    )
    return write_atomic(path, buffer.getvalue())


def _smallest_text_px(root: Any, options: dict[str, Any]) -> float:
    """The smallest text of the film's frames, in their pixels: Graphviz draws the graph
    at 96 dpi and the captions at 13 pt (:func:`_caption`)."""
    drop = ("title", "legend", "format", "highlight", "pending", "fps", "hold")
    options = {k: v for k, v in options.items() if k not in drop}
    svg = draw_graph(root, **options).pipe(format="svg").decode("utf-8")
    return min(smallest_svg_text_px(svg), 13 * 96 / 72)


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("GIF output needs Pillow: pip install pillow (or valuegrad[plot])") from e
    return Image
