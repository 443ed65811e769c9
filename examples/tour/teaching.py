"""The pictures of the docs page "Graphs for teaching": every output format of ``save_graph``.

Usage::

    python examples/tour/teaching.py --out docs/images

writes ``teaching-neuron.svg`` (edge derivatives with formulas), ``teaching-dark.svg``
and ``teaching-print.svg`` (themes), ``teaching-film.gif`` (the backward pass),
``teaching-neuron.tex`` (TikZ) and, when ``pdflatex`` is installed,
``teaching-neuron-tex.png``: that TikZ picture compiled and rendered, and
``teaching-mlp.svg``: the series' 784-16-16-10 network, one box per layer.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import graphviz

import nn
from autograd import Value, save_graph
from autograd.pictures.files import TEXT_PX_KEY
from autograd.pictures.film import example_neuron


def render_tex(tex: Path, png: Path) -> bool:
    """Compile ``tex`` with pdflatex and render its page as ``png``; False without pdflatex."""
    if shutil.which("pdflatex") is None:
        print("pdflatex not installed: skipping the compiled TikZ picture")
        return False
    import pypdfium2
    from PIL.PngImagePlugin import PngInfo

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(tex, Path(tmp) / "picture.tex")
        subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "picture.tex"],
            cwd=tmp,
            check=True,
            capture_output=True,
        )
        pdf = pypdfium2.PdfDocument(str(Path(tmp) / "picture.pdf"))
        # scale=2: 2 px per point; the picture's smallest \fontsize (in bp) says its text.
        smallest = min(float(s) for s in re.findall(r"\\fontsize\{([\d.]+)bp", tex.read_text()))
        info = PngInfo()
        info.add_text(TEXT_PX_KEY, f"{2 * smallest:.2f}")
        pdf[0].render(scale=2).to_pil().save(png, pnginfo=info)
        pdf.close()
    return True


def series_network() -> tuple[list[Value], nn.MLP]:
    """The 784-16-16-10 network's 10 outputs on one made-up example, after the cost's
    backward() (the picture is the network; the cost's 30 nodes would be wider than it)."""
    mlp = nn.MLP(784, [16, 16, 10], activation="sigmoid", seed=0)
    pixels = [((i * 37) % 101) / 100 for i in range(784)]
    outs = mlp([Value(p, label=f"x{i}") for i, p in enumerate(pixels)])
    cost = nn.mse(outs, [1.0 if k == 3 else 0.0 for k in range(10)])
    cost.backward()
    return outs, mlp


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path("out/tour"), help="output folder (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    cost = example_neuron()
    cost.backward()
    written = [
        save_graph(
            cost,
            args.out / "teaching-neuron.svg",
            edge_derivatives=True,
            detail="formulas",
            title="C = (σ(w1 x1 + w2 x2 + b) − y)², y = 1,\nafter C.backward()",
        ),
        save_graph(cost, args.out / "teaching-dark.svg", theme="dark", edge_derivatives=True),
        save_graph(cost, args.out / "teaching-print.svg", theme="print", edge_derivatives=True),
        save_graph(example_neuron(), args.out / "teaching-film.gif", fps=1),
        save_graph(cost, args.out / "teaching-neuron.tex", edge_derivatives=True),
    ]
    png = args.out / "teaching-neuron-tex.png"
    if render_tex(written[-1], png):
        written.append(png)
    big, mlp = series_network()
    written.append(save_graph(big, args.out / "teaching-mlp.svg", module=mlp, collapse="layer"))
    for path in written:
        print(f"wrote {path}")
    return written


if __name__ == "__main__":
    try:
        main()
    except graphviz.ExecutableNotFound as err:  # no `dot`: the message says how to install it
        raise SystemExit(f"teaching.py: {err}") from None
