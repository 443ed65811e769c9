"""``valuegrad graph`` and ``autograd.save_graph``: every format, exit codes, determinism, TikZ."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value, draw_graph, save_graph
from autograd.pictures.cli import run
from autograd.pictures.film import example_neuron
from autograd.pictures.save import FORMATS
from tests.tools import require

NEURON = ["tanh(w*x + b)", "--at", "w=-3", "x=2", "b=1"]


def test_every_format_is_written_and_not_empty(tmp_path: Path) -> None:
    require("dot")
    magic = {".png": b"\x89PNG", ".pdf": b"%PDF", ".gif": b"GIF8", ".svg": b"<?xml"}
    for ext in FORMATS:
        out = tmp_path / f"neuron{ext}"
        assert run(["graph", *NEURON, "--backward", "-o", str(out)]) == 0, ext
        data = out.read_bytes()
        assert len(data) > 100, ext
        assert data.startswith(magic.get(ext, b"")), ext
    assert b"\\begin{tikzpicture}" in (tmp_path / "neuron.tex").read_bytes()
    assert b"<script" in (tmp_path / "neuron.html").read_bytes()
    assert b"digraph" in (tmp_path / "neuron.dot").read_bytes()


def test_module_entry_point_and_console_script(tmp_path: Path) -> None:
    out = tmp_path / "n.dot"
    cmd = [sys.executable, "-m", "autograd", "graph", *NEURON, "-o", str(out)]
    assert subprocess.run(cmd, capture_output=True, check=False).returncode == 0
    assert "digraph" in out.read_text()
    script = Path(sys.executable).with_name("valuegrad")
    if script.exists():  # installed by pip install -e .
        done = subprocess.run([str(script), "graph", "--help"], capture_output=True, check=False)
        assert done.returncode == 0 and b"--edge-derivatives" in done.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["graph", "__import__('os').system('touch x')"],
        ["graph", "x.real", "--at", "x=1"],
        ["graph", "tanh(w*x", "--at", "w=1", "x=2"],
        ["graph", "w*x", "--at", "w=1"],
        ["graph", "w*x", "--at", "w=1", "x=2", "q=3"],
        ["graph", "w*x", "--at", "w=1", "x=2", "--fps", "3"],
        ["graph", "--mlp", "2,3,1", "--input", "1,2,3"],
        ["graph", "--mlp", "2,x"],
        ["graph", "--mlp", "2,1.5"],
        ["graph"],
        ["graph", "w*x", "--at", "w=1", "x=2", "--theme", "neon"],
        ["graph", "w*x", "--at", "w=1", "x=2", "--rankdir", "XY"],
    ],
)
def test_usage_and_expression_errors_exit_2_and_write_nothing(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.svg"
    assert run([*argv, "-o", str(out)]) == 2
    assert list(tmp_path.iterdir()) == []
    assert "error" in capsys.readouterr().err


def test_unknown_extension_exits_2(tmp_path: Path) -> None:
    assert run(["graph", *NEURON, "-o", str(tmp_path / "n.jpeg")]) == 2
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="unknown format"):
        save_graph(Value(1.0), tmp_path / "n.bmp")


def test_rendering_failure_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` to be found
    out = tmp_path / "n.svg"
    assert run(["graph", *NEURON, "-o", str(out)]) == 1
    assert not out.exists()


def test_without_output_prints_dot(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["graph", *NEURON, "--title", "a neuron"]) == 0
    assert capsys.readouterr().out.startswith('digraph "graph"')


def test_mlp_graph(tmp_path: Path) -> None:
    require("dot")
    out = tmp_path / "mlp.svg"
    argv = ["graph", "--mlp", "2,3,1", "--seed", "0", "--input", "1,-1", "--backward", "-o"]
    assert run([*argv[:-1], "--collapse", "none", "-o", str(out)]) == 0
    assert out.read_text().count("cluster") >= 4  # 2 layers and 4 neurons as boxes


def test_mlp_graph_is_collapsed_to_fit_a_page_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every op of a 2-3-1 MLP is ~1,700 px wide: its text would be ~5 px in an 800 px
    # column. By default the CLI draws the finest picture whose text stays >= 11 px.
    require("dot")
    argv = ["graph", "--mlp", "2,3,1", "--input", "1,-1", "--target", "1", "--backward", "-o"]
    for name in ("mlp.svg", "mlp.html"):
        assert run([*argv, str(tmp_path / name)]) == 0
        assert "drawn with --collapse neuron" in capsys.readouterr().err
    svg = (tmp_path / "mlp.svg").read_text()
    width = float(re.search(r'viewBox="\S+ \S+ ([\d.]+)', svg).group(1)) * 4 / 3  # type: ignore[union-attr]
    smallest = min(float(f) for f in re.findall(r'font-size="([\d.]+)"', svg)) * 4 / 3
    assert smallest * min(1.0, 800 / width) >= 11.0
    assert run([*argv[:-1], "--collapse", "none", "-o", str(tmp_path / "all.svg")]) == 0
    assert "drawn with" not in capsys.readouterr().err
    assert run(["graph", "--mlp", "1,1", "--backward", "-o", str(tmp_path / "s.svg")]) == 0
    assert "drawn with" not in capsys.readouterr().err  # small enough in full


def test_mlp_collapsed_and_its_backward_pass(tmp_path: Path) -> None:
    require("dot")
    out = tmp_path / "big.dot"
    argv = ["graph", "--mlp", "30,8,2", "--target", "1,0", "--backward", "--collapse", "neuron"]
    assert run([*argv, "--expand", "layers.0.neurons.1", "-o", str(out)]) == 0
    text = out.read_text()
    assert "inputs (30)" in text and "layers.0.neurons.1 in full" in text
    assert run(["graph", "--mlp", "2,2,1", "--target", "1", "-o", str(tmp_path / "m.html")]) == 0
    assert run(["graph", "--mlp", "2,2", "-o", str(tmp_path / "two.gif")]) == 2  # two outputs
    assert not (tmp_path / "two.gif").exists()


def test_text_outputs_are_deterministic(tmp_path: Path) -> None:
    require("dot")
    for ext in (".dot", ".tex", ".svg"):
        first, second = tmp_path / f"a{ext}", tmp_path / f"b{ext}"
        for out in (first, second):
            argv = ["graph", *NEURON, "--backward", "--edge-derivatives", "-o", str(out)]
            assert run(argv) == 0
        assert first.read_bytes() == second.read_bytes(), ext


def test_edge_derivatives_label_each_input_arrow() -> None:
    cost = example_neuron()
    cost.backward()
    source = draw_graph(cost, edge_derivatives=True).source
    assert "∂/∂w1 = 2.000" in source  # d(x1*w1)/dw1 = x1
    assert "∂/∂z = 0.2425" in source  # sigmoid'(0.35)
    formulas = draw_graph(cost, edge_derivatives=True, detail="formulas").source
    assert "∂/∂w1 = x1 = 2.000" in formulas
    assert "∂/∂z = σ(1 − σ) = 0.2425" in formulas
    # The picture reads as the chain rule: w1's grad = its arrow's derivative x the result's grad.
    w1 = next(n for n in _nodes(cost) if n.label == "w1")
    x1w1 = next(n for n in _nodes(cost) if n.label == "x1*w1")
    assert w1.grad == 2.0 * x1w1.grad
    with pytest.raises(ValueError, match="detail"):
        draw_graph(cost, edge_derivatives=True, detail="everything")


def _nodes(root: Value) -> list[Value]:
    from autograd.backprop import topological_order

    return topological_order(root)


def test_themes() -> None:
    cost = example_neuron()
    cost.backward()
    dark = draw_graph(cost, theme="dark").source
    assert "#0f172a" in dark  # the dark background
    printed = draw_graph(cost, theme="print").source
    colours = {c.lower() for c in __import__("re").findall(r"#[0-9a-fA-F]{6}", printed)}
    assert all(c[1:3] == c[3:5] == c[5:7] for c in colours), colours  # greys only
    assert 'BORDER="3"' in printed  # the largest gradient also shown by line width
    with pytest.raises(ValueError, match="theme must be one of light, dark, print"):
        draw_graph(cost, theme="neon")


def test_tikz_compiles_and_keeps_the_labels(tmp_path: Path) -> None:
    require("dot")
    pdflatex = require("tex")
    cost = example_neuron()
    cost.backward()
    tex = save_graph(cost, tmp_path / "neuron.tex", edge_derivatives=True, detail="formulas")
    text = tex.read_text()
    for label in ("$x_{1}$", "$w_{1}$", "grad $-0.4010$", r"$\partial /\partial w_{1} = x_{1}"):
        assert label in text, label
    assert text.isascii()  # TeX math, not Unicode symbols: pdflatex needs no setup
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout.decode(errors="replace")[-2000:]
    assert (tmp_path / "neuron.pdf").read_bytes().startswith(b"%PDF")


def test_tikz_compiles_whatever_the_labels_say(tmp_path: Path) -> None:
    """TeX's special characters in labels are escaped, not passed to TeX raw."""
    require("dot")
    pdflatex = require("tex")
    x = Value(2.0, label="cost_% & #1 {x} ~ ^ \\ $ é")
    y = (x * x).tanh()
    y.label = "y^2 ∑ 50%"
    y.backward()
    tex = save_graph(y, tmp_path / "odd.tex", edge_derivatives=True, detail="formulas")
    assert r"cost\_\% \& \#" in tex.read_text()
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout.decode(errors="replace")[-2000:]


def test_at_may_be_given_more_than_once(tmp_path: Path) -> None:
    """``--at w=-3 --at x=2`` gives both values (argparse's default kept only the last)."""
    out = tmp_path / "n.dot"
    assert (
        run(["graph", "tanh(w*x + b)", "--at", "w=-3", "--at", "x=2", "b=1", "-o", str(out)]) == 0
    )
    assert "digraph" in out.read_text()


@pytest.mark.parametrize("where", ["missing/n.svg", "folder.svg", "folder.svg/"])
def test_output_that_cannot_be_written_exits_2_before_rendering(
    tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "folder.svg").mkdir()
    assert run(["graph", *NEURON, "-o", str(tmp_path / where)]) == 2
    err = capsys.readouterr().err
    assert ("does not exist" in err or "is a folder" in err) and ".tmp" not in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["folder.svg"]


def test_save_graph_names_the_path_it_could_not_write(tmp_path: Path) -> None:
    y = Value(2.0, label="x") * 3.0
    with pytest.raises(FileNotFoundError, match=r"the folder .*missing does not exist"):
        save_graph(y, tmp_path / "missing" / "y.dot")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        (tmp_path / "d.dot").mkdir()
        save_graph(y, tmp_path / "d.dot")


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.metadata

    assert run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"valuegrad {importlib.metadata.version('valuegrad')}"
    )


@pytest.mark.parametrize(
    ("expr", "at", "column"),
    [
        ("x/y", ["x=1", "y=0"], 1),  # the "/", not the x
        ("(x + 1) / (y*0)", ["x=1", "y=0"], 8),
        ("z = x*2; z / y", ["x=1", "y=0"], 11),
        ("x ** -1 + y", ["x=0", "y=1"], 2),
    ],
)
def test_an_operator_error_points_at_the_operator(
    expr: str, at: list[str], column: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["graph", expr, "--at", *at]) == 2
    err = capsys.readouterr().err
    assert f"column {column + 1})" in err
    source, caret = err.rstrip("\n").splitlines()[-2:]
    assert caret.index("^") - 4 == column and source[4 + column] in "/*"


def test_tikz_bounding_box_holds_every_line_whole() -> None:
    """Issue 20: the compiled page clipped the border of the nodes on its edge. The box
    must cover every drawn point plus half the width of its line (ellipses: their radii)."""
    require("dot")
    from autograd.pictures.tikz import tikz_document

    cost = example_neuron()
    cost.backward()
    tex = tikz_document(cost, edge_derivatives=True)
    num = r"(-?[\d.]+)"
    box = re.search(rf"boundingbox \({num},{num}\) rectangle \({num},{num}\)", tex)
    assert box is not None
    bx0, by0, bx1, by1 = (float(v) for v in box.groups())
    paper = re.search(rf"\\paperwidth={num}bp \\paperheight={num}bp", tex)
    assert paper is not None
    assert (float(paper[1]), float(paper[2])) == pytest.approx((bx1 - bx0, by1 - by0))
    checked = 0
    for line in tex.splitlines():
        width = re.search(rf"line width={num}bp", line)
        if width is None:
            continue
        half = float(width[1]) / 2
        ellipse = re.search(rf"\({num},{num}\) ellipse \[x radius={num}, y radius={num}\]", line)
        if ellipse:
            x, y, rx, ry = (float(v) for v in ellipse.groups())
            points = [(x - rx, y - ry), (x + rx, y + ry)]
        else:  # the points a path goes through (a curve's control points excepted)
            path = re.sub(r"controls \([^)]*\) and \([^)]*\)", "", line.split("]", 1)[1])
            points = [(float(a), float(b)) for a, b in re.findall(rf"\({num},{num}\)", path)]
        for x, y in points:
            assert bx0 <= x - half and x + half <= bx1, (line, bx0, bx1)
            assert by0 <= y - half and y + half <= by1, (line, by0, by1)
            checked += 1
    assert checked > 50


# ------------------------------------------------- the documented commands' pictures
DOCUMENTED = [
    line.split("#")[0].strip().removeprefix("$ ")
    for page in ("README.md", "docs/teaching.md")
    for line in (Path(__file__).resolve().parents[1] / page).read_text().splitlines()
    if line.strip().removeprefix("$ ").startswith("valuegrad graph") and " -o " in line
]


def smallest_shown_px(svg: str, column: float) -> float:
    """The smallest text of a Graphviz SVG shown in a ``column`` px wide column (never
    enlarged): font size (points) times 4/3 px, times the shrink to fit."""
    width = float(re.search(r'viewBox="\S+ \S+ ([\d.]+)', svg).group(1)) * 4 / 3  # type: ignore[union-attr]
    smallest = min(float(f) for f in re.findall(r'font-size="([\d.]+)"', svg)) * 4 / 3
    return smallest * min(1.0, column / width)


@pytest.mark.parametrize("command", DOCUMENTED)
def test_documented_commands_draw_readable_pictures(command: str, tmp_path: Path) -> None:
    """Every `valuegrad graph ... -o FILE` of the README and the teaching page draws text
    of at least 11 px in an 800 and a 1280 px column: the picture (as SVG, the same
    layout as .png, .pdf and .tex), the GIF (its recorded text size) and the stepper
    page (its inline SVG, in the page's padding)."""
    require("dot")
    import shlex

    from PIL import Image

    from autograd.pictures.files import TEXT_PX_KEY

    argv = shlex.split(command)[1:]
    out = Path(argv[argv.index("-o") + 1])
    argv[argv.index("-o") + 1] = str(tmp_path / out.with_suffix(".svg").name)
    motion = [a for a in argv if a != "--backward"]  # a film replays backward itself
    assert run(argv if out.suffix not in (".gif", ".html") else motion) == 0
    svg = (tmp_path / out.with_suffix(".svg").name).read_text()
    for column in (800, 1280):
        assert smallest_shown_px(svg, column) >= 11.0, (command, column)
    if out.suffix in (".gif", ".html"):
        argv[argv.index("-o") + 1] = str(tmp_path / out.name)
        assert run(argv) == 0
    if out.suffix == ".gif":
        with Image.open(tmp_path / out.name) as gif:
            recorded = float(gif.info["comment"].decode().partition(f"{TEXT_PX_KEY}=")[2])
            assert recorded * min(1.0, 800 / gif.width) >= 11.0
    if out.suffix == ".html":
        page = (tmp_path / out.name).read_text()
        inline = page[page.index("<svg") : page.index("</svg>")]
        assert smallest_shown_px(inline, 800 - 32) >= 11.0  # the page's 16 px padding
