"""Pictures of a language model: its loss curves and its attention weights.

Drawn like :mod:`nn.pictures.plots` (``Figure`` directly, no ``pyplot``; 8 inches wide
at 110 dpi, text >= 10 pt, so >= 11 px in a page column; :func:`~nn.pictures.plots.save_figure`
records the smallest text size).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from autograd import no_grad
from nn.pictures import plots
from nn.pictures.plots import PathLike

__all__ = ["plot_attention", "plot_lm_history", "shown_char"]

#: How characters that print as nothing are shown on the axes.
SHOWN = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5"}


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def shown_char(c: str) -> str:
    """A character as an axis label: a space as ``␣``, a newline as ``↵``."""
    return SHOWN.get(c, c)


def plot_lm_history(result: dict[str, Any], path: PathLike) -> Path:
    """Training and validation loss (nats/char) against the step, with the baselines.

    ``result`` holds ``history`` (``step``, ``train``, ``val_step``, ``val``), ``unigram``,
    ``bigram`` and ``val_loss`` (as ``examples/gpt.py`` records them).
    """
    h = result["history"]
    fig = _figure(8, 5)
    ax = fig.subplots()
    steps, train = np.asarray(h["step"]), np.asarray(h["train"])
    ax.plot(steps, train, color="C0", alpha=0.25, lw=0.8)
    k = max(1, len(train) // 50)  # a running mean over ~2 % of the run
    smooth = np.convolve(train, np.ones(k) / k, mode="valid")
    ax.plot(steps[k - 1 :], smooth, color="C0", label="training batches (running mean)")
    ax.plot(h["val_step"], h["val"], "s-", color="C1", ms=4, label="validation windows")
    middle = float(steps[len(steps) // 2])  # labels mid-way: clear of the legend and curves
    for name, style in (("unigram", ":"), ("bigram", "--")):
        ax.axhline(result[name], color="gray", ls=style, lw=1.2)
        ax.text(middle, result[name], f"{name} {result[name]:.2f}", ha="center", va="bottom")
    ax.axhline(result["val_loss"], color="C3", lw=1.2)
    ax.text(
        float(steps[len(steps) // 4]),
        result["val_loss"],
        f"whole validation split {result['val_loss']:.2f}",
        ha="center",
        va="top",
        color="C3",
    )
    low = min(result["val_loss"], result["bigram"], float(smooth.min()))
    ax.set_ylim(low - 0.2, result["unigram"] + 0.3)
    ax.set_xlabel("training step")
    ax.set_ylabel("loss (nats per character)")
    ax.set_title("A small GPT learns Shakespeare")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    return plots.save_figure(fig, path)  # looked up on each call (tests record saves)


def attention_weights(model: Any, ids: np.ndarray) -> list[np.ndarray]:
    """Each block's attention weights ``(H, T, T)`` for one sequence of token ids ``(T,)``."""
    with no_grad():
        model(ids[None])
    return [block.attn.last_attention[0] for block in model.blocks]


def plot_attention(model: Any, tokenizer: Any, text: str, path: PathLike, layer: int) -> Path:
    """One heatmap per head of block ``layer``: row ``t`` is where the character at
    ``t`` looks (its attention weights over the characters up to it), characters on
    both axes. Two heads a row."""
    ids = tokenizer.encode(text)
    weights = attention_weights(model, ids)[layer]
    heads = weights.shape[0]
    rows = math.ceil(heads / 2)
    fig = _figure(8, 4.1 * rows + 0.4)
    axes = np.atleast_1d(fig.subplots(rows, 2)).reshape(-1)
    labels = [shown_char(c) for c in text]
    n = len(text)
    for h, ax in enumerate(axes):
        if h >= heads:
            ax.set_visible(False)
            continue
        ax.imshow(weights[h], cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_xticks(range(n), labels, fontsize=10)
        ax.set_yticks(range(n), labels, fontsize=10)
        ax.tick_params(length=0, pad=2)
        ax.set_title(f"head {h + 1}", fontsize=11)
    fig.suptitle(f"Block {layer + 1}: where each character (row) looks (columns)", fontsize=12)
    return plots.save_figure(fig, path)  # looked up on each call (tests record saves)
