"""User text stays text wherever it lands (issue 19, item 6).

Random strings go in as labels, titles and class names, through every output the
package writes: Graphviz (SVG; PNG, PDF and DOT share its labels), the HTML pages
(stepper, explorer) in Chromium, and TikZ through pdflatex. Each is read back from
the rendered result and must be found as written: never markup of that format,
never a broken page or document, never a local file read in.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value
from autograd.pictures.draw import draw_graph
from autograd.pictures.stepper import write_stepper
from autograd.pictures.text import visible
from autograd.pictures.tikz import tikz_document
from tests.tools import require

# What users have broken outputs with: each format's markup, Graphviz's escapes, TeX.
NASTY = [
    "<!--<script>",
    "</script><b>x",
    "<<>>",
    '<IMG SRC="/etc/hostname"/>',
    "\\N \\G \\E \\L \\\\",
    "\\input{canary}",
    "$x$ % & # ^ ~ _ { }",
    "]]> &amp; \"q\" 's'",
    "tab\there",
    "ü∂ß ✓ 名",
]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=16)


def tiny_graph(label: str) -> Value:
    x, w = Value(2.0, label=label), Value(-3.0, label="w")
    y = (x * w).tanh()
    y.label = label
    y.backward()
    return y


def squeeze(text: str) -> str:
    return unicodedata.normalize("NFC", re.sub(r"\s+", "", text.replace("\xa0", " ")))


def svg_text(svg: str) -> str:
    return "".join(html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S))


@settings(max_examples=40, deadline=None)
@given(label=st.one_of(st.sampled_from(NASTY), TEXT))
def test_graphviz_shows_any_label_and_title_as_written(label: str) -> None:
    require("dot")
    svg = draw_graph(tiny_graph(label), title=label).pipe(format="svg").decode()
    shown = squeeze(svg_text(svg))
    assert shown.count(squeeze(visible(label))) >= 3  # the title, x's box and y's box
    assert "hostname" not in shown.replace(squeeze(visible(label)), "")


def test_control_characters_show_as_their_pictures() -> None:
    assert visible("a\tb\x07c\x7f\nd") == "a b\u2407c\u2421\nd"


@pytest.mark.parametrize("label", NASTY)
def test_the_stepper_page_shows_labels_as_text_and_its_script_runs(
    page: Any, tmp_path: Path, label: str
) -> None:
    require("dot")  # the stepper's layout
    path = tmp_path / "s.html"
    write_stepper(tiny_graph(label), path, title=label)
    page.goto(path.resolve().as_uri())
    assert page.title() == visible(label)
    # The script ran (it writes "grad ?" on nodes not reached yet); the label is text.
    page.wait_for_function("() => document.body.innerText.includes('grad ?')")
    assert squeeze(visible(label)) in squeeze(page.inner_text("body") + page.content())
    assert page.console_errors == []


def test_the_explorer_page_shows_class_names_as_text_and_its_script_runs(
    page: Any, tmp_path: Path
) -> None:
    names = [*NASTY[:9], "nine"]
    model = nn.TensorMLP(784, [10], activation="sigmoid", seed=0)
    path = tmp_path / "e.html"
    nn.write_explorer(model, path, class_names=names, title=NASTY[0])
    page.goto(path.resolve().as_uri())
    page.wait_for_function("() => window.explorer !== undefined")  # the script ran
    assert page.title().startswith(visible(NASTY[0]))
    body = squeeze(page.inner_text("body"))
    for name in names:
        assert squeeze(visible(name)) in body, name
    assert page.console_errors == []


# TikZ: TeX's standard fonts draw ASCII and Latin-1 letters (others become "?", said in
# tex_text), and tex_text sets "x^2" as a power, x². pdftotext reads math glyphs as
# their look-alikes, mapped back here; an underscore is a rule in TeX's fonts,
# invisible to pdftotext, so it is not compared.
TEX_TEXT = st.text(
    st.sampled_from([chr(c) for c in range(32, 127)] + list("éüßÇøñ")), min_size=1, max_size=14
)
LOOKALIKES = str.maketrans(
    {
        "−": "-",
        "′": "'",
        "∼": "~",
        "∧": "^",
        "”": '"',
        "“": '"',
        "’": "'",
        "‘": "`",
        "∗": "*",
        "˜": "~",
    }
)


@settings(max_examples=8, deadline=None)
@given(label=st.one_of(st.sampled_from(NASTY[:-1]), TEX_TEXT))
def test_tikz_compiles_and_shows_the_label_as_written(tmp_path_factory: Any, label: str) -> None:
    require("dot")  # TikZ takes its layout from `dot -Tjson`
    pdflatex, pdftotext = require("tex"), require("pdftotext")
    where = tmp_path_factory.mktemp("tex")
    (where / "canary.tex").write_text("CANARY-READ")
    (where / "g.tex").write_text(tikz_document(tiny_graph(label), title=label))
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-no-shell-escape", "g.tex"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    text = subprocess.run([pdftotext, "g.pdf", "-"], cwd=where, capture_output=True, text=True)
    shown = squeeze(text.stdout.translate(LOOKALIKES))
    assert "CANARY" not in shown
    want = re.sub(r"\^(?=-?\w)", "", squeeze(visible(label)))  # a power: no caret shown
    assert want.replace("_", "") in shown.replace("_", "")
