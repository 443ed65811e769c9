"""Colour themes for graph pictures: ``light`` (screens), ``dark`` (dark slides), ``print`` (paper).

A theme is the set of colours :func:`~autograd.draw_graph` uses. ``print`` is
greyscale-safe: roles differ by grey level and border, and gradient size is
shown by line width (arrows, grad-cell borders) as well as by grey level, so a
black-and-white photocopy keeps every distinction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["THEMES", "Theme", "get_theme", "theme_colors"]

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Theme:
    """The colours of one look. ``roles`` maps a node role to its (fill, border)."""

    name: str
    background: str
    text: str
    edge: str
    edge_cold: RGB
    edge_hot: RGB
    cell_cold: RGB
    cell_hot: RGB
    op_fill: str
    op_border: str
    op_hot: str
    highlight: str
    cluster_outer: tuple[str, str]
    cluster_inner: tuple[str, str]
    cluster_text: str
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: show gradient size by the grad cell's border width too (not by colour alone)
    widths: bool = False


LIGHT = Theme(
    name="light",
    background="white",
    text="black",
    edge="#64748b",
    edge_cold=(0xCB, 0xD5, 0xE1),
    edge_hot=(0xB9, 0x1C, 0x1C),
    cell_cold=(0xFF, 0xFF, 0xFF),
    cell_hot=(0xFC, 0x8E, 0x8E),
    op_fill="#fef9c3",
    op_border="#a16207",
    op_hot="#fcd34d",
    highlight="#d97706",
    cluster_outer=("#f8fafc", "#94a3b8"),
    cluster_inner=("#eef2ff", "#a5b4fc"),
    cluster_text="#334155",
    roles={
        "output": ("#dcfce7", "#15803d"),
        "parameter": ("#ffedd5", "#c2410c"),
        "input": ("#dbeafe", "#1d4ed8"),
        "leaf": ("#ede9fe", "#6d28d9"),
        "constant": ("#f3f4f6", "#9ca3af"),
        "intermediate": ("#ffffff", "#64748b"),
        "collapsed": ("#f1f5f9", "#475569"),
    },
)

DARK = Theme(
    name="dark",
    background="#0f172a",
    text="#e2e8f0",
    edge="#94a3b8",
    edge_cold=(0x47, 0x55, 0x69),
    edge_hot=(0xF8, 0x71, 0x71),
    cell_cold=(0x1E, 0x29, 0x3B),
    cell_hot=(0xB9, 0x1C, 0x1C),
    op_fill="#422006",
    op_border="#facc15",
    op_hot="#a16207",
    highlight="#fbbf24",
    cluster_outer=("#111827", "#475569"),
    cluster_inner=("#172554", "#6366f1"),
    cluster_text="#cbd5e1",
    roles={
        "output": ("#14532d", "#4ade80"),
        "parameter": ("#7c2d12", "#fb923c"),
        "input": ("#1e3a8a", "#60a5fa"),
        "leaf": ("#4c1d95", "#a78bfa"),
        "constant": ("#334155", "#94a3b8"),
        "intermediate": ("#1e293b", "#94a3b8"),
        "collapsed": ("#1f2937", "#cbd5e1"),
    },
)

PRINT = Theme(
    name="print",
    background="white",
    text="black",
    edge="#404040",
    edge_cold=(0xC0, 0xC0, 0xC0),
    edge_hot=(0x00, 0x00, 0x00),
    cell_cold=(0xFF, 0xFF, 0xFF),
    cell_hot=(0xA0, 0xA0, 0xA0),
    op_fill="#ffffff",
    op_border="#000000",
    op_hot="#d0d0d0",
    highlight="#000000",
    cluster_outer=("#fafafa", "#808080"),
    cluster_inner=("#f0f0f0", "#a0a0a0"),
    cluster_text="#000000",
    roles={
        "output": ("#e0e0e0", "#000000"),
        "parameter": ("#f0f0f0", "#000000"),
        "input": ("#ffffff", "#000000"),
        "leaf": ("#ffffff", "#000000"),
        "constant": ("#ffffff", "#909090"),
        "intermediate": ("#ffffff", "#606060"),
        "collapsed": ("#f5f5f5", "#000000"),
    },
    widths=True,
)

THEMES: dict[str, Theme] = {t.name: t for t in (LIGHT, DARK, PRINT)}


def get_theme(name: str | Theme) -> Theme:
    """The theme called ``name`` (``"light"``, ``"dark"`` or ``"print"``).

    Raises:
        ValueError: an unknown name (the message lists the known ones).
    """
    if isinstance(name, Theme):
        return name
    try:
        return THEMES[name]
    except (KeyError, TypeError):
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {name!r}") from None


def theme_colors(theme: str | Theme) -> dict[str, str]:
    """The background and text colours of a theme (for pictures composed around a graph).

    Raises:
        ValueError: an unknown theme name.
    """
    th = get_theme(theme)
    return {"background": th.background, "text": th.text}
