"""A griffe extension: render the reST bits of our docstrings as Markdown.

The package's docstrings are Google style (``Args:``, ``Returns:``...) but use a
few reStructuredText conventions that read well in ``help()`` and in the source:
Sphinx roles (``:class:`~autograd.Value```), math (``:math:`...``` and
``.. math::`` blocks), ``::`` literal blocks and ``>>>`` doctests. mkdocstrings
renders docstrings as Markdown, so this extension rewrites those bits before
they are parsed:

* ``:class:`~a.B``` (and ``func``, ``meth``, ``mod``, ``attr``, ``data``,
  ``exc``, ``obj``) becomes the code span ``B`` (the full path without ``~``);
* ``:math:`x``` becomes ``$x$`` and a ``.. math::`` block a ``$$ ... $$`` block
  (in an ``aligned`` environment when it aligns with ``&``), both typeset by
  MathJax through ``pymdownx.arithmatex``;
* a paragraph ending in ``::`` ends in ``:`` and the indented block after it
  becomes a fenced code block; a run of ``>>>`` lines with their output becomes
  a fenced ``pycon`` block;
* ``\\ `` (reST's "no space here") is dropped.

Used by mkdocs.yml (``extensions:`` of the python handler); not part of the site.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):`(~?)([^`]+)`")
MATH_ROLE = re.compile(r":math:`([^`]+)`", re.DOTALL)


def _role(m: re.Match[str]) -> str:
    tilde, target = m.group(1), m.group(2).strip()
    if "<" in target and target.endswith(">"):  # :class:`text <target>`
        target = target.split("<", 1)[0].strip()
    shown = target.rsplit(".", 1)[-1] if tilde else target
    return f"`{shown}`"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _block_after(lines: list[str], i: int, base: int) -> int:
    """Index just past the indented block that starts after line ``i``."""
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > base):
        j += 1
    while j > i + 1 and not lines[j - 1].strip():  # leave trailing blank lines outside
        j -= 1
    return j


def _math_block(body: list[str], pad: str) -> list[str]:
    text = "\n".join(ln.strip() for ln in body if ln.strip())
    if "&" in text or "\\\\" in text:
        text = "\\begin{aligned}\n" + text + "\n\\end{aligned}"
    return [f"{pad}$$", *(f"{pad}{ln}" for ln in text.splitlines()), f"{pad}$$"]


def convert(text: str) -> str:
    """The docstring ``text`` with its reST conventions turned into Markdown."""
    text = text.replace("\\ ", "")
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    in_fence = False
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        pad = line[: _indent(line)]
        if stripped.startswith("```"):
            in_fence = not in_fence
            out.append(line)
            i += 1
            continue
        if in_fence:
            out.append(line)
            i += 1
            continue
        if stripped.startswith(".. math::"):
            first = stripped[len(".. math::") :]
            end = _block_after(lines, i, _indent(line))
            out.extend(["", *_math_block([first, *lines[i + 1 : end]], pad), ""])
            i = end
            continue
        if stripped.startswith(">>>"):
            j = i
            while j < len(lines) and lines[j].strip() and _indent(lines[j]) >= len(pad):
                j += 1
            body = [ln[len(pad) :] for ln in lines[i:j]]
            out.extend([f"{pad}```pycon", *(pad + b for b in body), f"{pad}```"])
            i = j
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            end = _block_after(lines, i, _indent(line))
            body = lines[i + 1 : end]
            if any(b.strip() for b in body):
                head = line.rstrip()[:-2].rstrip()
                if head.strip():
                    out.append(head + ":")
                code = list(body)
                while code and not code[0].strip():
                    code.pop(0)
                inner = min(_indent(b) for b in code if b.strip())
                out.extend(["", f"{pad}```", *(pad + b[inner:] for b in code), f"{pad}```"])
                i = end
                continue
        out.append(line)
        i += 1
    text = "\n".join(out)
    text = MATH_ROLE.sub(lambda m: "$" + " ".join(m.group(1).split()) + "$", text)
    return ROLE.sub(_role, text)


class RstToMarkdown(griffe.Extension):
    """Rewrite every docstring with :func:`convert` as griffe loads it."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value)
