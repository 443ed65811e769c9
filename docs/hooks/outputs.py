"""MkDocs hook: show under each ```python block what it prints, by running it.

A page's Python blocks run in order in one namespace (as a reader would run them),
in a temporary working directory; whatever a block prints is inserted after it as a
``text`` block titled "Output". Nothing is typed by hand.

Running a page can take seconds (chapter 5 trains on MNIST), so outputs are cached
in ``.cache/docs-outputs/``, keyed by the page's code: an edit to any block of a page
runs that page again. The test suite (``tests/test_docs.py``) runs every page anyway
and fills the same cache, so ``make docs`` after ``make test`` runs nothing.
A page that needs MNIST or Tiny Shakespeare when no copy is found (``MNIST_DIR`` /
``SHAKESPEARE_DIR`` or the cache; the build never downloads), or whose code draws a
graph when Graphviz's ``dot`` is not installed, is shown with a note instead of its
outputs; the build still succeeds and says once, at its end, what was not drawn and how
to install Graphviz.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "docs-outputs"
SKELETON = "skeleton"  # in a fence line: an exercise block, not finished code to run
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[^\s`]*)[^\n]*$")

log = logging.getLogger("mkdocs.hooks.outputs")

#: Pages whose outputs were not shown in this build because ``dot`` is missing.
NOT_DRAWN: list[str] = []
GRAPHVIZ_HINT = (
    "install Graphviz (`sudo apt-get install graphviz`, `brew install graphviz`, "
    "or https://graphviz.org/download/) and run `make docs` again"
)


@dataclass(frozen=True)
class Block:
    """A fenced ```python block: its first code line (1-based), closing fence index, code."""

    line: int
    end: int  # index (0-based) of the closing ``` line
    indent: str
    source: str


def python_blocks(text: str, skeletons: bool = False) -> list[Block]:
    """Every fenced ```python block of a Markdown text, dedented (admonitions, lists).

    A block whose fence line says ``skeleton`` (```` ```python title="my_value.py
    (skeleton)" ````) is an exercise left for the reader, not finished code: it is
    left out, and with ``skeletons=True`` only such blocks are returned.
    """
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang = m.group("indent"), m.group("lang")
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        if lang in {"python", "py"} and (SKELETON in lines[i]) == skeletons:
            body = [ln[len(indent) :] if ln.startswith(indent) else ln for ln in lines[i + 1 : j]]
            blocks.append(Block(i + 2, j, indent, textwrap.dedent("\n".join(body)) + "\n"))
        i = j + 1
    return blocks


def needs_mnist(code: str) -> bool:
    return "load_mnist" in code or "MNIST_DIR" in code


def needs_shakespeare(code: str) -> bool:
    return "load_shakespeare" in code or "SHAKESPEARE_DIR" in code


def shakespeare_available() -> bool:
    """Whether Tiny Shakespeare is where every consumer looks (``nn.text``)."""
    from nn.text import shakespeare_available as found

    return found() is not None


def run_blocks(blocks: list[Block], where: str, cwd: Path) -> list[str]:
    """Run the blocks in order in one namespace with ``cwd`` as working directory.

    Returns what each block printed. A failing block raises ``RuntimeError`` naming
    ``where`` and its line.
    """
    import matplotlib

    matplotlib.use("Agg")
    namespace: dict[str, Any] = {"__name__": "docs_" + re.sub(r"\W", "_", Path(where).stem)}
    outputs = []
    old = Path.cwd()
    os.chdir(cwd)
    try:
        for b in blocks:
            buffer = io.StringIO()
            try:
                code = compile(b.source, f"{where}:{b.line}", "exec")
                with contextlib.redirect_stdout(buffer):
                    exec(code, namespace)
            except Exception as exc:
                raise RuntimeError(
                    f"code block at {where}:{b.line} failed: {exc!r}\n\n{b.source}"
                ) from exc
            outputs.append(buffer.getvalue())
    finally:
        os.chdir(old)
        import matplotlib.pyplot as plt

        plt.close("all")
    return outputs


def cache_key(blocks: list[Block]) -> str:
    return hashlib.sha256("\0".join(b.source for b in blocks).encode()).hexdigest()


def cache_path(page: str) -> Path:
    return CACHE / (page.replace("/", "__") + ".json")


def save(page: str, blocks: list[Block], outputs: list[str]) -> None:
    """Remember a page's outputs for the docs build."""
    CACHE.mkdir(parents=True, exist_ok=True)
    data = {"key": cache_key(blocks), "outputs": outputs}
    tmp = cache_path(page).with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=0))
    tmp.replace(cache_path(page))


def cached(page: str, blocks: list[Block]) -> list[str] | None:
    try:
        data = json.loads(cache_path(page).read_text())
    except (OSError, ValueError):
        return None
    if data.get("key") != cache_key(blocks) or len(data.get("outputs", ())) != len(blocks):
        return None
    return list(data["outputs"])


def mnist_available() -> bool:
    """Whether MNIST is where every consumer looks (``nn.data.mnist_available``)."""
    from nn.data import mnist_available as found

    return found() is not None


def dot_missing(err: BaseException) -> bool:
    """Whether ``err`` (or what caused it) is graphviz's "``dot`` not found"."""
    import graphviz

    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, graphviz.ExecutableNotFound):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def insert_outputs(text: str, blocks: list[Block], outputs: list[str]) -> str:
    """The Markdown with an "Output" block after every block that printed something."""
    lines = text.splitlines()
    for b, out in sorted(zip(blocks, outputs, strict=True), key=lambda p: -p[0].end):
        if not out.strip():
            continue
        body = [b.indent + ln if ln else ln for ln in out.rstrip("\n").split("\n")]
        fence = "````" if "```" in out else "```"
        lines[b.end + 1 : b.end + 1] = [
            "",
            f'{b.indent}{fence}text title="Output"',
            *body,
            f"{b.indent}{fence}",
        ]
    return "\n".join(lines) + "\n"


MNIST_NOTE = (
    '!!! note "Outputs not shown"\n    This page needs MNIST, which was not found '
    "when the site was built: set `MNIST_DIR` (or run `make mnist` once, which "
    "downloads it) and build again to see what each block prints.\n\n"
)
SHAKESPEARE_NOTE = (
    '!!! note "Outputs not shown"\n    This page needs Tiny Shakespeare, which was not '
    "found when the site was built: set `SHAKESPEARE_DIR` (or run `make gpt` once, which "
    "downloads it) and build again to see what each block prints.\n\n"
)
DOT_NOTE = (
    '!!! note "Outputs not shown"\n    This page draws graphs with Graphviz\'s `dot`, '
    "which was not installed when the site was built: install Graphviz and build "
    "again to see what each block prints.\n\n"
)


def outputs_for(page: str, text: str) -> list[str] | str:
    """The outputs of a page's blocks: cached, else run now; a note if it cannot run here."""
    blocks = python_blocks(text)
    found = cached(page, blocks)
    if found is not None:
        return found
    if needs_mnist("".join(b.source for b in blocks)) and not mnist_available():
        return MNIST_NOTE
    if needs_shakespeare("".join(b.source for b in blocks)) and not shakespeare_available():
        return SHAKESPEARE_NOTE
    log.info("running the code of %s to show its output", page)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            outputs = run_blocks(blocks, page, Path(tmp))
    except RuntimeError as err:
        if not dot_missing(err):
            raise
        NOT_DRAWN.append(page)
        return DOT_NOTE
    save(page, blocks, outputs)
    return outputs


# ------------------------------------------------------------------ MkDocs events


def on_pre_build(config: Any) -> None:
    NOT_DRAWN.clear()  # `mkdocs serve` builds again in the same process


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    blocks = python_blocks(markdown)
    if not blocks:
        return markdown
    from mkdocs.exceptions import PluginError

    try:
        outputs = outputs_for(page.file.src_uri, markdown)
    except RuntimeError as err:
        raise PluginError(str(err)) from err
    if isinstance(outputs, str):
        return outputs + markdown
    return insert_outputs(markdown, blocks, outputs)


def on_post_build(config: Any) -> None:
    """Say once what was not drawn because Graphviz's ``dot`` is missing (not a failure:
    the site is built, with a note on each such page)."""
    if shutil.which("dot") is not None and not NOT_DRAWN:
        return
    missing = [f"the outputs of {', '.join(NOT_DRAWN)}"] if NOT_DRAWN else []
    # docs/hooks/embedded_pages.py writes a placeholder for the stepper without dot.
    missing.append("the backprop stepper (backprop-stepper.html)")
    log.info(
        "Graphviz's `dot` was not found on PATH, so the site was built without %s. "
        "To draw them, %s.",
        " and ".join(missing),
        GRAPHVIZ_HINT,
    )
