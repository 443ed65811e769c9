"""Pictures of a training run: learning curves, first-layer weights, confusion, mistakes.

Matplotlib is optional (the ``plot`` extra: ``pip install 'valuegrad[plot]'``) and is
imported only when a function here is called. Figures are drawn with
``matplotlib.figure.Figure`` directly (no ``pyplot``), so nothing here opens a
window, needs a display, or touches global plotting state. Every function writes a
PNG (any extension matplotlib knows works) and returns its path.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from autograd.pictures.files import TEXT_PX_KEY, write_atomic

__all__ = [
    "TEXT_PX_KEY",
    "confusion_matrix",
    "plot_confusion",
    "plot_history",
    "plot_misclassified",
    "plot_weights",
    "save_figure",
    "smallest_text_px",
]

PathLike = str | os.PathLike[str]


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "nn.pictures.plots needs matplotlib: pip install 'valuegrad[plot]' (or matplotlib)"
        ) from e
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig: Any, path: PathLike, dpi: float = 110) -> Path:
    """Save a matplotlib figure as ``path`` at ``dpi`` (its folder is created).

    A PNG records the size of its smallest visible text, in pixels of the file, under
    :data:`TEXT_PX_KEY`: a page showing it at scale ``s`` shows that text at ``s``
    times it, which the docs' tests check is at least 11 px.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fmt = p.suffix[1:].lower() or None  # as savefig would pick it from the file name
    metadata = {TEXT_PX_KEY: f"{smallest_text_px(fig, dpi):.2f}"} if fmt == "png" else None
    # Through the one atomic writer: a failed or interrupted save leaves the old picture.
    write_atomic(p, lambda f: fig.savefig(f, format=fmt, dpi=dpi, metadata=metadata))
    return p


def smallest_text_px(fig: Any, dpi: float) -> float:
    """The size in pixels, at ``dpi``, of the smallest visible text drawn inside ``fig``."""
    from matplotlib.text import Text

    fig.draw_without_rendering()
    whole = fig.bbox
    sizes = []
    for t in fig.findobj(Text):
        box = t.get_window_extent()
        inside = box.x1 > whole.x0 and box.x0 < whole.x1 and box.y1 > whole.y0 and box.y0 < whole.y1
        if t.get_visible() and t.get_text().strip() and inside:
            sizes.append(t.get_fontsize() * dpi / 72)
    return min(sizes, default=math.inf)


def _get(history: Any, key: str) -> list[float]:
    values = history[key] if isinstance(history, dict) else getattr(history, key, None)
    return [math.nan if v is None else float(v) for v in (values or [])]


def plot_history(
    history: Any,
    path: PathLike,
    title: str | None = None,
    train_label: str = "training set",
) -> Path:
    """Learning curves: loss (left) and train/test accuracy (right) per epoch.

    ``history`` is an :class:`nn.train.History` or its ``to_dict()``;
    ``train_label`` names the training-accuracy curve in the legend.
    """
    from matplotlib.ticker import MaxNLocator

    epochs = _get(history, "epoch")
    loss, test_loss = _get(history, "loss"), _get(history, "test_loss")
    train_acc, test_acc = _get(history, "train_acc"), _get(history, "test_acc")
    fig = _figure(8, 7.2)  # one above the other: readable in a page column
    ax_loss, ax_acc = fig.subplots(2, 1)
    ax_loss.plot(epochs, loss, "o-", ms=3, label="training (mean over the epoch)")
    if any(math.isfinite(v) for v in test_loss):
        ax_loss.plot(epochs, test_loss, "s-", ms=3, label="test (after the epoch)")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss (cost)")
    ax_loss.set_title("Loss")
    if loss and min(v for v in loss + test_loss if math.isfinite(v)) > 0:
        ax_loss.set_yscale("log")
    ax_loss.grid(True, which="both", alpha=0.3)
    ax_loss.legend()

    ax_acc.plot(epochs, [100 * v for v in train_acc], "o-", ms=3, label=train_label)
    if any(math.isfinite(v) for v in test_acc):
        ax_acc.plot(epochs, [100 * v for v in test_acc], "s-", ms=3, label="test set")
        finite = [(v, e) for v, e in zip(test_acc, epochs, strict=True) if math.isfinite(v)]
        last_acc, last_epoch = finite[-1]
        ax_acc.annotate(
            f"{100 * last_acc:.2f}%",
            (last_epoch, 100 * last_acc),
            textcoords="offset points",
            xytext=(-10, -16),
            ha="right",
            color="C1",
            fontweight="bold",
        )
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_title("Accuracy")
    values = [100 * v for v in train_acc + test_acc if math.isfinite(v)]
    if values:
        low = min(values)
        ax_acc.set_ylim(max(0.0, low - 0.1 * (100 - low) - 0.5), 100.0)
    ax_acc.grid(True, alpha=0.3)
    ax_acc.legend(loc="lower right")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def _grid(n: int) -> tuple[int, int]:
    cols = math.ceil(math.sqrt(n))
    return math.ceil(n / cols), cols


def _mosaic(
    tiles: npt.NDArray[Any], cols: int, gap: int, top: int, fill: float
) -> npt.NDArray[Any]:
    """Tiles ``(n, h, w)`` laid out in rows of ``cols``, ``gap`` pixels apart, with ``top``
    blank pixels above each tile for its caption; drawn as one image (one ``imshow``
    is many times faster than an axes per tile)."""
    n, h, w = tiles.shape
    rows = math.ceil(n / cols)
    cell_h, cell_w = top + h + gap, w + gap
    out = np.full((rows * cell_h + gap, cols * cell_w + gap), fill, dtype=np.float64)
    for k in range(n):
        r, c = divmod(k, cols)
        y0, x0 = r * cell_h + gap + top, c * cell_w + gap
        out[y0 : y0 + h, x0 : x0 + w] = tiles[k]
    return out


def _captions(
    ax: Any,
    captions: Sequence[str],
    cols: int,
    shape: tuple[int, int],
    gap: int,
    top: int,
    **kw: Any,
) -> None:
    h, w = shape
    for k, text in enumerate(captions):
        r, c = divmod(k, cols)
        x = c * (w + gap) + gap + w / 2
        y = r * (top + h + gap) + gap + top - 1
        ax.text(x, y, text, ha="center", va="bottom", **kw)


def plot_weights(
    weights: npt.ArrayLike,
    path: PathLike,
    n: int = 16,
    title: str | None = None,
    image_shape: tuple[int, int] = (28, 28),
) -> Path:
    """The weights into the first ``n`` neurons of a layer, each as a 28x28 image.

    ``weights`` has shape ``(neurons, 784)`` (row ``k`` = weights into neuron ``k``,
    as in ``model.state_dict()["layers.0.weight"]``). Each picture shows what
    pattern of pixels excites the neuron: red = positive weight (a lit pixel there
    raises the neuron's input), blue = negative; the colour scale is symmetric
    around 0 for each neuron separately (the caption gives its largest ``|w|``).
    """
    w = np.asarray(weights, dtype=np.float64)
    size = image_shape[0] * image_shape[1]
    if w.ndim != 2 or w.shape[1] != size:
        raise ValueError(f"plot_weights: weights must have shape (neurons, {size}), got {w.shape}")
    n = min(n, len(w))
    w = w[:n]
    scale = np.abs(w).max(axis=1)
    scale[scale == 0] = 1.0
    tiles = (w / scale[:, None]).reshape(n, *image_shape)
    _, cols = _grid(n)
    rows = math.ceil(n / cols)
    gap, top = 3, 7
    mosaic = _mosaic(tiles, cols, gap, top, fill=np.nan)
    fig = _figure(1.45 * cols + 1.0, 1.55 * rows + 0.6)
    ax = fig.subplots()
    cmap = _cmap("RdBu_r")
    image = ax.imshow(mosaic, cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    _captions(
        ax,
        [f"neuron {k}  |w|≤{scale[k]:.2g}" for k in range(n)],
        cols,
        image_shape,
        gap,
        top,
        fontsize=9,  # >= 11 px on screen in a 688 px page column (tests/test_figures.py)
    )
    bar = fig.colorbar(image, ax=ax, shrink=0.5, ticks=[-1, 0, 1])
    bar.ax.set_yticklabels(["−max", "0", "+max"])
    fig.suptitle(title or f"First-layer weights of {n} hidden neurons")
    return save_figure(fig, path)


def _cmap(name: str) -> Any:
    """A copy of a colormap that draws NaN (the gaps between tiles) white."""
    import matplotlib

    return matplotlib.colormaps[name].with_extremes(bad="white")


def confusion_matrix(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, num_classes: int = 10
) -> npt.NDArray[np.int64]:
    """``C[i, j]`` = how many examples of true class ``i`` were predicted as ``j``."""
    t = np.asarray(y_true, dtype=np.int64)
    p = np.asarray(y_pred, dtype=np.int64)
    if t.shape != p.shape:
        raise ValueError(f"confusion_matrix: y_true {t.shape} and y_pred {p.shape} differ")
    c = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return c.reshape(num_classes, num_classes).astype(np.int64)


def plot_confusion(
    y_true: npt.ArrayLike,
    y_pred: npt.ArrayLike,
    path: PathLike,
    num_classes: int = 10,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
) -> Path:
    """Confusion matrix with counts in every cell; rows = true class, columns = predicted.

    Colours follow ``log(1 + count)`` so the few mistakes off the diagonal stay
    visible next to the ~1,000 correct answers per digit.
    """
    c = confusion_matrix(y_true, y_pred, num_classes)
    names = list(class_names) if class_names is not None else [str(i) for i in range(num_classes)]
    fig = _figure(7.5, 6.5)
    ax = fig.subplots()
    shade = np.log1p(c)
    ax.imshow(shade, cmap="Blues", interpolation="nearest")
    top = float(shade.max()) or 1.0
    for i in range(num_classes):
        for j in range(num_classes):
            if c[i, j] == 0:
                continue
            dark = shade[i, j] > 0.6 * top
            ax.text(
                j,
                i,
                str(c[i, j]),
                ha="center",
                va="center",
                fontsize=9,
                color="white" if dark else ("black" if i == j else "firebrick"),
                fontweight="bold" if i == j else "normal",
            )
    ax.set_xticks(range(num_classes), names, rotation=45 if class_names else 0)
    ax.set_yticks(range(num_classes), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    total = int(c.sum())
    acc = float(np.trace(c)) / total if total else math.nan
    ax.set_title(
        title
        or f"Confusion matrix: {total - int(np.trace(c)):,} mistakes in {total:,} "
        f"({100 * acc:.2f}% right)"
    )
    return save_figure(fig, path)


def plot_misclassified(
    images: npt.ArrayLike,
    y_true: npt.ArrayLike,
    y_pred: npt.ArrayLike,
    path: PathLike,
    n: int = 36,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
) -> Path:
    """A grid of the first ``n`` wrongly classified images, captioned predicted / true."""
    x = np.asarray(images)
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    wrong = np.flatnonzero(t != p)[:n]

    def name(k: Any) -> str:
        return class_names[int(k)] if class_names is not None else str(int(k))

    total_wrong = int(np.count_nonzero(t != p))
    shown = max(len(wrong), 1)
    _, cols = _grid(shown)
    rows = math.ceil(shown / cols)
    two_lines = class_names is not None  # long names: "said Coat" over "is Shirt"
    gap, top = 3, (14 if two_lines else 8)
    tiles = x[wrong].reshape(len(wrong), 28, 28) if len(wrong) else np.zeros((1, 28, 28))
    mosaic = _mosaic(tiles, cols, gap, top, fill=np.nan)
    fig = _figure(1.25 * cols + 0.3, (1.65 if two_lines else 1.4) * rows + 0.6)
    ax = fig.subplots()
    # White ink on black, as MNIST stores them (0 black, 1 white) and chapter 1 draws them.
    ax.imshow(mosaic, cmap=_cmap("gray"), vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    sep = "\n" if two_lines else ", "
    captions = [f"said {name(p[i])}{sep}is {name(t[i])}" for i in wrong] or ["no mistakes"]
    _captions(ax, captions, cols, (28, 28), gap, top, fontsize=9.5, color="firebrick")
    fig.suptitle(
        title or f"Misclassified test images: first {len(wrong)} of {total_wrong:,} (index order)"
    )
    return save_figure(fig, path)
