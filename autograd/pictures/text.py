"""User text (labels, titles, names) into each output format, as the same visible text.

A string a user gives must land as text, never as markup of the format it lands in:
``<`` is not a tag in SVG or HTML, ``\\N`` is not Graphviz's "node name", ``</script>``
or ``<!--`` does not end or break a page's script, ``\\input`` is not a TeX command
(that one is :func:`autograd.pictures.tikz.tex_text`). Each format's rule lives here,
once. Characters that are not visible (control characters) are shown as their Unicode
control pictures (``␇``); a tab becomes a space.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

__all__ = ["dot_html", "dot_label", "html_text", "script_json", "visible"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def visible(text: str) -> str:
    """``text`` with a tab as a space and other control characters (not newline) as
    their control pictures: U+2400 + code (U+2421 for DEL)."""
    text = text.replace("\t", " ")
    return _CONTROL.sub(
        lambda m: chr(0x2421 if m.group() == "\x7f" else 0x2400 + ord(m.group())), text
    )


def html_text(text: str) -> str:
    """Text for an HTML or XML text node or attribute value."""
    return html.escape(visible(text))


def dot_html(text: str, newline: str = "<BR/>") -> str:
    """Text inside a Graphviz HTML-like label.

    Besides HTML's escapes, Graphviz reads ``\\N``, ``\\G``, ``\\E``, ``\\L`` in labels
    (node, graph, edge names, justification) and ``\\\\`` as one backslash, in every
    label: so each backslash is doubled. Its HTML lexer also fails on a ``]`` right
    after a tag (``<B>]</B>``), so a ``]`` that starts a line is a character reference.
    """
    text = re.sub(r"(^|\n)\]", r"\1&#93;", html_text(text))
    return text.replace("\\", "\\\\").replace("\n", newline)


def dot_label(text: str) -> str:
    """A whole Graphviz label showing ``text`` (an HTML-like one, so no quoting rules)."""
    return f"<{dot_html(text)}>"


def script_json(data: Any) -> str:
    """``data`` as JSON to put inside an HTML ``<script>`` element.

    ``</script>`` would end the element and ``<!--`` (with ``<script``) switch the
    parser into a state where it never ends, so every ``<``, ``>`` and ``&`` is
    written as a JSON escape (``\\u003c``...): the same string to ``JSON.parse``.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for c in "<>&\u2028\u2029":
        text = text.replace(c, f"\\u{ord(c):04x}")
    return text
