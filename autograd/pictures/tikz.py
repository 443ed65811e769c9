r"""TikZ pictures of graphs, for Beamer slides and printed handouts: :func:`tikz_picture`.

The layout is Graphviz's: ``dot`` computes where every box, oval, arrow and
label goes (``dot -Tjson``, whose ``_draw_`` operations are the drawing as
shapes: polygons, ellipses, Bézier curves, text at a point), and each shape
becomes one TikZ command at the same place, in Graphviz's units (big points,
``x=1bp``). Text is typeset by TeX, with mathematics as mathematics: ``∂/∂w``
becomes ``$\partial/\partial w$``, ``x1`` becomes ``$x_{1}$``, numbers and
minus signs are set in math mode; so pdflatex compiles it with no Unicode
setup, and the picture matches the SVG's layout.

(The ``dot2tex`` package converts DOT to TikZ by re-typesetting each label,
which suits plain-text labels; our node boxes are HTML-like tables of cells,
so we translate Graphviz's own drawing of them instead: the same layout,
every cell where the SVG has it, and no extra dependency.)
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["tex_text", "tikz_document", "tikz_picture"]

# Unicode in our labels -> TeX math.
_MATH_SYMBOLS = {
    "∂": r"\partial ",
    "×": r"\times ",
    "÷": r"\div ",
    "−": "-",
    "·": r"\cdot ",
    "→": r"\to ",
    "≤": r"\le ",
    "≥": r"\ge ",
    "√": r"\surd ",
    "σ": r"\sigma ",
    "α": r"\alpha ",
    "β": r"\beta ",
    "η": r"\eta ",
    "λ": r"\lambda ",
    "Σ": r"\Sigma ",
    "∑": r"\sum ",
    "ᵀ": "^{T}",
    "*": r"\ast ",
    "+": "+",
    "-": "-",
    "/": "/",
    "=": "=",
    "<": "<",
    ">": ">",
    "^": r"\wedge ",  # a lone caret; a power (^2, ^n) is its own token below
    "'": "'",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-", strict=True))
_FUNCTIONS = {"tanh": r"\tanh ", "exp": r"\exp ", "log": r"\log ", "ln": r"\ln ", "ReLU": "ReLU"}
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # TeX's default text font draws | < > " as other glyphs and joins -- `` !` into one:
    "|": r"\textbar{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    '"': r"{\ttfamily\char34}",
    "-": "{-}",
    "`": "{`}",
    "'": "{'}",
}
_TOKEN = re.compile(
    r"\^(?P<pow>-?\d+(?:\.\d+)?|[A-Za-z]\w*)"
    r"|(?P<num>\d+(?:\.\d+)?(?:e[+-]?\d+)?)"
    r"|(?P<word>[A-Za-z]+)(?P<digits>\d*)"
    r"|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)"
)


def tex_text(text: str) -> str:
    r"""A label in TeX: words as text, symbols, names and numbers as math.

    >>> tex_text("∂/∂w1 = x = -2.000")
    '$\\partial /\\partial w_{1} = x = -2.000$'
    >>> tex_text("grad 1 − tanh²")
    'grad $1 - \\tanh ^{2}$'
    """
    parts: list[tuple[bool, str]] = []  # (is math, TeX)

    def put(math: bool, tex: str) -> None:
        if parts and parts[-1][0] == math:
            parts[-1] = (math, parts[-1][1] + tex)
        else:
            parts.append((math, tex))

    for m in _TOKEN.finditer(text):
        in_math = bool(parts) and parts[-1][0]
        if m.group("pow") is not None:
            put(True, "^{" + m.group("pow") + "}")
        elif m.group("num") is not None:
            put(True, m.group("num"))
        elif m.group("word") is not None:
            word, digits = m.group("word"), m.group("digits")
            if word in _FUNCTIONS:
                put(True, _FUNCTIONS[word] if word != "ReLU" else r"\mathrm{ReLU}")
                if digits:
                    put(True, digits)
            elif len(word) == 1:
                put(True, word + (f"_{{{digits}}}" if digits else ""))
            else:
                put(False, word + digits)
        elif m.group("sup") is not None:
            put(True, "^{" + "".join(_SUPERSCRIPTS[c] for c in m.group("sup")) + "}")
        elif m.group("space") is not None:
            put(in_math, " ")
        else:
            c = m.group("other")
            if c in _MATH_SYMBOLS:
                put(True, _MATH_SYMBOLS[c])
            elif c in "()[],.:;!|" or c.isascii():
                put(in_math, _TEXT_ESCAPES.get(c, c) if not in_math else _math_char(c))
            elif c.isalpha() and "\u00c0" <= c <= "\u00ff":
                put(False, c)  # é, ü, ß...: pdflatex's default UTF-8 input has them (as text)
            else:
                put(in_math, "?")  # a character TeX's standard fonts have no form for
    out: list[str] = []
    for math, tex in parts:
        if math:
            stripped = tex.strip()
            lead = " " if tex[:1] == " " and out else ""
            trail = " " if tex[-1:] == " " else ""
            out.append(f"{lead}${stripped}${trail}" if stripped else tex)
        else:
            out.append(tex)
    return "".join(out).strip()


def _math_char(c: str) -> str:
    escapes = {"{": r"\{", "}": r"\}", "%": r"\%", "#": r"\#", "&": r"\&", "_": r"\_"}
    escapes.update({"$": r"\$", "\\": r"\backslash ", "~": r"\sim ", "`": "{`}"})
    return escapes.get(c, c)


# --------------------------------------------------------------------------- drawing


def _color(spec: str) -> str | None:
    """A TikZ colour for Graphviz's ``#rrggbb[aa]`` or name; None when fully transparent."""
    names = {"white": "#ffffff", "black": "#000000", "transparent": "#ffffff00", "none": ""}
    spec = names.get(spec, spec)
    if not spec:
        return None
    if not spec.startswith("#") or len(spec) not in (7, 9):
        return "black"
    if len(spec) == 9 and spec[7:] == "00":
        return None
    r, g, b = (int(spec[i : i + 2], 16) for i in (1, 3, 5))
    return f"{{rgb,255:red,{r};green,{g};blue,{b}}}"


def _pt(p: list[float]) -> str:
    return f"({p[0]:.2f},{p[1]:.2f})"


class _Pen:
    """Graphviz's drawing state while reading ``_draw_`` operations."""

    def __init__(self) -> None:
        self.pen: str | None = "black"
        self.fill: str | None = "black"
        self.width = 1.0
        self.dash = ""
        self.size = 14.0
        self.bold = False
        self.widest = 0.0  # the widest line drawn: half of it lies outside Graphviz's box

    def draw_opts(self, filled: bool) -> str:
        opts = []
        if filled and self.fill:
            opts.append(f"fill={self.fill}")
        if self.pen:
            opts.append(f"draw={self.pen}")
            opts.append(f"line width={self.width:.2f}bp")
            self.widest = max(self.widest, self.width)
            if self.dash:
                opts.append(self.dash)
        return ", ".join(opts)


def _ops_to_tikz(ops: list[dict[str, Any]], pen: _Pen, out: list[str]) -> None:
    for op in ops:
        kind = op["op"]
        if kind == "c":
            pen.pen = _color(op["color"])
        elif kind == "C":
            pen.fill = _color(op["color"])
        elif kind == "S":
            style = op["style"]
            if style.startswith("setlinewidth("):
                pen.width = float(style[len("setlinewidth(") : -1])
            elif style in ("dashed", "dotted"):
                pen.dash = style
            elif style == "solid":
                pen.dash = ""
            elif style == "bold":
                pen.width = 2.0
        elif kind == "F":
            pen.size = float(op["size"])
        elif kind == "t":
            pen.bold = bool(int(op["fontchar"]) & 1)
        elif kind in ("P", "p", "L", "B", "b"):
            filled = kind in ("P", "B")
            opts = pen.draw_opts(filled)
            if not opts or (filled and not pen.fill and not pen.pen):
                continue
            pts = op["points"]
            if kind in ("B", "b"):
                path = _pt(pts[0]) + "".join(
                    f" .. controls {_pt(pts[i])} and {_pt(pts[i + 1])} .. {_pt(pts[i + 2])}"
                    for i in range(1, len(pts) - 2, 3)
                )
            else:
                path = " -- ".join(_pt(p) for p in pts)
            closed = " -- cycle" if kind in ("P", "p") or (kind == "B") else ""
            cmd = "\\path" if (filled or pen.pen) else "\\draw"
            out.append(f"{cmd}[{opts}] {path}{closed};")
        elif kind in ("E", "e"):
            opts = pen.draw_opts(kind == "E")
            if not opts:
                continue
            x, y, rx, ry = op["rect"]
            out.append(
                f"\\path[{opts}] ({x:.2f},{y:.2f}) ellipse [x radius={rx:.2f}, y radius={ry:.2f}];"
            )
        elif kind == "T":
            anchor = {"l": "base west", "c": "base", "r": "base east"}[op["align"]]
            x, y = op["pt"]
            size = pen.size
            font = f"\\fontsize{{{size:.1f}bp}}{{{size * 1.2:.1f}bp}}\\selectfont"
            if pen.bold:
                font += "\\bfseries\\boldmath"
            color = f", text={pen.pen}" if pen.pen else ""
            out.append(
                f"\\node[anchor={anchor}, inner sep=0pt, font={{{font}}}{color}] "
                f"at ({x:.2f},{y:.2f}) {{{tex_text(op['text'])}}};"
            )


def tikz_picture(root: Any, **options: Any) -> str:
    r"""The graph of ``root`` as a ``tikzpicture`` environment (needs ``\usepackage{tikz}``).

    ``options`` go to :func:`~autograd.draw_graph`. The picture keeps Graphviz's
    layout and colours; its size is Graphviz's, in big points.

    Raises:
        graphviz.ExecutableNotFound: Graphviz's ``dot`` computes the layout.
    """
    from autograd.pictures.draw import draw_graph

    options.pop("format", None)
    laid = json.loads(draw_graph(root, **options).pipe(format="json").decode("utf-8"))
    x0, y0, x1, y1 = (float(v) for v in laid["bb"].split(","))
    pen = _Pen()
    body: list[str] = []
    keys = ("_draw_", "_ldraw_", "_hdraw_", "_tdraw_", "_hldraw_", "_tldraw_")
    items = [laid, *laid.get("objects", []), *laid.get("edges", [])]
    for item in items:
        for key in keys:
            if key in item:
                _ops_to_tikz(item[key], pen, body)
    # Graphviz's box holds the lines' centres: a border on it is half outside, so the
    # box grows by half the widest line (rounded up) on every side, or the page clips it.
    m = -(-pen.widest * 50 // 1) / 100  # ceil to 0.01 bp
    body.insert(
        0,
        f"\\useasboundingbox ({-m:.2f},{-m:.2f}) rectangle ({x1 - x0 + m:.2f},{y1 - y0 + m:.2f});",
    )
    header = "\\begin{tikzpicture}[x=1bp, y=1bp, line join=round, line cap=round]"
    if x0 or y0:
        body.insert(0, f"\\begin{{scope}}[shift={{({-x0:.2f},{-y0:.2f})}}]")
        body.append("\\end{scope}")
    return "\n".join([header, *("  " + line for line in body), "\\end{tikzpicture}"]) + "\n"


def tikz_document(root: Any, **options: Any) -> str:
    r"""A LaTeX document whose one page is exactly the picture of :func:`tikz_picture`.

    Compile with ``pdflatex`` (a stock TeX installation: ``tikz`` is the only
    package). For slides, copy the ``tikzpicture`` into a Beamer frame; scale it
    with ``\resizebox{\linewidth}{!}{...}``.
    """
    picture = tikz_picture(root, **options)
    box = re.search(
        r"boundingbox \((-?[\d.]+),(-?[\d.]+)\) rectangle \(([\d.]+),([\d.]+)\)", picture
    )
    assert box is not None, "tikz_picture always writes its bounding box"
    x0, y0, x1, y1 = (float(v) for v in box.groups())
    width, height = f"{x1 - x0:.2f}", f"{y1 - y0:.2f}"
    return "\n".join(
        [
            "% A computation graph drawn by valuegrad (autograd.pictures.tikz), laid out by dot.",
            "% The picture is everything from \\begin{tikzpicture} to \\end{tikzpicture}:",
            "% paste it into a Beamer frame or a handout whose preamble has \\usepackage{tikz}.",
            "\\documentclass{article}",
            "\\usepackage{tikz}",
            "\\pagestyle{empty}",
            # LaTeX sets the PDF page size from these (pdflatex, xelatex and lualatex alike).
            f"\\paperwidth={width}bp \\paperheight={height}bp",
            "\\hoffset=-1in \\voffset=-1in \\oddsidemargin=0pt \\evensidemargin=0pt",
            "\\topmargin=0pt \\headheight=0pt \\headsep=0pt \\parindent=0pt",
            f"\\textwidth={width}bp \\textheight={height}bp",
            "\\begin{document}",
            picture.rstrip("\n"),
            "\\end{document}",
            "",
        ]
    )
