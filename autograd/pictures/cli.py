"""The ``valuegrad`` command: pictures of graphs from the command line, for teachers.

::

    valuegrad graph "tanh(w*x + b)" --at w=-3 x=2 b=1 --backward -o neuron.svg
    valuegrad graph "z = w*x + b; tanh(z) * z" --at w=-3 x=2 b=1 -o fanout.gif
    valuegrad graph --mlp 2,3,1 --seed 0 --input 1,-1 --target 1 --backward -o mlp.pdf
    python -m autograd graph ...        # the same

The format follows the extension of ``-o`` (see :data:`autograd.pictures.save.FORMATS`);
without ``-o`` the DOT source is printed. Exit status: 0 on success, 2 for a
usage or expression error (nothing is written), 1 when rendering fails.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd.pictures.expr import FUNCTIONS, ExpressionError, parse, parse_assignments
from autograd.pictures.save import FORMATS

__all__ = ["main"]

EXIT_OK, EXIT_RENDER, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    """A bad command line: exit status 2, nothing written."""


def _version() -> str:
    """The installed distribution's version (``valuegrad 0.1.0``), or why there is none."""
    try:
        return importlib.metadata.version("valuegrad")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed: run pip install -e . for its version)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="valuegrad", description="valuegrad's command-line tools."
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {_version()}", help="print the version"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    g = sub.add_parser(
        "graph",
        help="draw the computation graph of an expression or a small MLP",
        description=(
            "Draw the computation graph of EXPR (Python syntax over + - * / **, unary minus, "
            f"{', '.join(FUNCTIONS)}; 'name = ...;' reuses a node) or of a small MLP. "
            f"The output format follows -o's extension: {' '.join(FORMATS)}."
        ),
        epilog='example: valuegrad graph "tanh(w*x + b)" --at w=-3 x=2 b=1 --backward -o n.svg',
    )
    g.add_argument("expr", nargs="?", help='the expression, e.g. "tanh(w*x + b)"')
    g.add_argument(
        "--at",
        nargs="+",
        action="extend",  # --at w=1 --at x=2 gives both (the default keeps the last only)
        default=[],
        metavar="NAME=VALUE",
        help="variable values",
    )
    g.add_argument("--backward", action="store_true", help="run backward() before drawing")
    g.add_argument("-o", "--output", type=Path, help="file to write (default: DOT on stdout)")
    g.add_argument(
        "--rankdir",
        default="TB",
        choices=["TB", "LR", "BT", "RL"],
        help="direction of the arrows: TB top to bottom (default: fits a page), LR left to right",
    )
    g.add_argument("--no-grad", action="store_true", help="do not show gradients")
    g.add_argument("--title", help="caption drawn above the graph")
    g.add_argument(
        "--edge-derivatives", action="store_true", help="label arrows with local derivatives"
    )
    g.add_argument(
        "--detail",
        default="values",
        choices=["values", "formulas"],
        help="with --edge-derivatives: label arrows with numbers (values) or formulas",
    )
    g.add_argument(
        "--theme",
        default="light",
        choices=["light", "dark", "print"],
        help="colours: light (default), dark (for slides), print (greys, for paper)",
    )
    g.add_argument("--fps", type=float, help="frames (steps) per second for .gif and .html")
    g.add_argument("--mlp", metavar="SIZES", help="an MLP instead of EXPR: sizes, e.g. 2,3,1")
    g.add_argument("--seed", type=int, default=0, help="MLP weight seed (default 0)")
    g.add_argument("--input", metavar="X", help="MLP input, e.g. 1,-1 (default: all 1.0)")
    g.add_argument("--target", metavar="Y", help="MLP desired output: draw the cost (a-y)²")
    g.add_argument("--activation", default="tanh", help="MLP activation (default tanh)")
    g.add_argument(
        "--collapse",
        choices=["none", "neuron", "layer"],
        help="MLP: one box per neuron or layer, or none (every op); by default every op "
        "if that fits a page (about 800 px wide), else the finest that fits",
    )
    g.add_argument("--expand", help="MLP with --collapse: a neuron to draw in full")
    return parser


def _floats(text: str, what: str) -> list[float]:
    try:
        return [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise _UsageError(f"{what} wants comma-separated numbers, got {text!r}") from None


def _build(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The root to draw and the draw options that come with it (params, module)."""
    if args.mlp is not None:
        if args.expr is not None or args.at:
            raise _UsageError("give either EXPR (with --at) or --mlp, not both")
        return _build_mlp(args)
    if args.expr is None:
        raise _UsageError('nothing to draw: give an expression, e.g. "tanh(w*x + b)", or --mlp')
    for flag in ("input", "target", "collapse", "expand"):
        if getattr(args, flag) is not None:
            raise _UsageError(f"--{flag} goes with --mlp")
    root = parse(args.expr, parse_assignments(args.at))
    _name_intermediates(root)
    return root, {}


def _build_mlp(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    import nn

    numbers = _floats(args.mlp, "--mlp")
    if len(numbers) < 2 or any(s < 1 or not s.is_integer() for s in numbers):
        raise _UsageError(f"--mlp wants two or more whole sizes >= 1, e.g. 2,3,1; got {args.mlp!r}")
    sizes = [int(s) for s in numbers]
    x = _floats(args.input, "--input") if args.input else [1.0] * sizes[0]
    if len(x) != sizes[0]:
        raise _UsageError(f"--input has {len(x)} numbers but the MLP has {sizes[0]} inputs")
    try:
        mlp = nn.MLP(sizes[0], sizes[1:], activation=args.activation, seed=args.seed)
    except ValueError as e:
        raise _UsageError(str(e)) from None
    from autograd.value import Value

    outs = mlp([Value(v, label=f"x{i + 1}") for i, v in enumerate(x)])
    options: dict[str, Any] = {"module": mlp}
    if args.collapse and args.collapse != "none":
        options["collapse"] = args.collapse
        if args.expand:
            options["expand"] = args.expand
    elif args.expand:
        raise _UsageError("--expand goes with --collapse")
    if args.target is None:
        return (outs[0] if len(outs) == 1 else outs), options
    y = _floats(args.target, "--target")
    if len(y) != len(outs):
        raise _UsageError(f"--target has {len(y)} numbers but the MLP has {len(outs)} outputs")
    cost = nn.mse(outs, y)
    cost.label = "C"
    return cost, options


def _name_intermediates(root: Any) -> None:
    """Label unlabelled op results with their expression (``w*x``), so captions can name them."""
    from autograd.backprop import topological_order
    from autograd.pictures.expr import print_expression

    for n in topological_order(root):
        if n._parents and not n.label:
            text = print_expression(n)[0].rsplit("; ", 1)[-1]
            n.label = text if len(text) <= 24 else ""


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module docstring)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        return int(e.code or 0)
    try:
        root, options = _build(args)
        if args.output is not None and args.output.suffix.lower() not in FORMATS:
            raise _UsageError(
                f"-o {args.output}: unknown format; the extension must be one of "
                + " ".join(FORMATS)
            )
        if args.output is not None:
            _check_writable(args.output)
        motion = args.output is not None and args.output.suffix.lower() in (".gif", ".html")
        if args.fps is not None and not motion:
            raise _UsageError("--fps applies to .gif and .html output only")
        if motion and isinstance(root, list):
            raise _UsageError("a .gif or .html shows one output's backward pass: add --target")
        if args.backward:
            if isinstance(root, list):
                raise _UsageError("--backward needs one output: add --target (or one output)")
            root.backward()
        options.update(
            rankdir=args.rankdir,
            show_grad=not args.no_grad,
            title=args.title,
            theme=args.theme,
            edge_derivatives=args.edge_derivatives,
            detail=args.detail,
        )
        if args.fps is not None:
            options["fps"] = args.fps
    except (_UsageError, ExpressionError) as e:
        print(f"valuegrad graph: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    fit = args.mlp is not None and args.collapse is None and args.output is not None
    return _write(root, args.output, options, fit)


def _check_writable(output: Path) -> None:
    """Refuse before any rendering an output that cannot be written where it names."""
    folder = output.parent
    if output.is_dir():
        raise _UsageError(
            f"-o {output}: is a folder; give a file name, e.g. {output / 'graph.svg'}"
        )
    if not folder.is_dir():
        raise _UsageError(f"-o {output}: the folder {folder} does not exist")


def _write(root: Any, output: Path | None, options: dict[str, Any], fit: bool) -> int:
    from autograd.pictures.draw import draw_graph
    from autograd.pictures.save import save_graph

    try:
        if output is None:
            options.pop("fps", None)
            sys.stdout.write(draw_graph(root, **options).source)
            return EXIT_OK
        if fit:
            options = _fitting(root, options)
        path = save_graph(root, output, **options)
    except (ValueError, TypeError) as e:  # a graph too big, an option that does not apply
        print(f"valuegrad graph: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, RuntimeError, ImportError, subprocess.CalledProcessError) as e:
        # no dot, dot failed, a full disk, no Pillow
        print(f"valuegrad graph: rendering failed: {e}", file=sys.stderr)
        return EXIT_RENDER
    print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK


#: A page column (px) and the smallest text (px) a picture may show in it.
PAGE_PX, MIN_TEXT_PX = 800, 11.0


def _fitting(root: Any, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with the finest ``collapse`` (none, neuron, layer) whose smallest text
    is at least :data:`MIN_TEXT_PX` when the picture is shrunk to a :data:`PAGE_PX`
    column; says on stderr when it collapsed."""
    from autograd.pictures.draw import draw_graph
    from autograd.pictures.files import smallest_svg_text_px

    drawing = {k: v for k, v in options.items() if k != "fps"}
    widths = []
    for level in (None, "neuron", "layer"):
        svg = draw_graph(root, collapse=level, **drawing).pipe(format="svg").decode()
        width = float(re.search(r'viewBox="\S+ \S+ ([\d.]+)', svg).group(1)) * 4 / 3  # type: ignore[union-attr]
        smallest = smallest_svg_text_px(svg)  # points at 96 dpi: 4/3 px each
        widths.append(width)
        if smallest * min(1.0, PAGE_PX / width) >= MIN_TEXT_PX:
            break
    if level is not None:
        print(
            f"valuegrad graph: with every op drawn, this MLP is {widths[0]:.0f} px wide: its "
            f"text would be under {MIN_TEXT_PX:g} px in a {PAGE_PX} px column; drawn with "
            f"--collapse {level} (--collapse none: every op)",
            file=sys.stderr,
        )
    return {**options, "collapse": level}


def main() -> None:
    """Console-script entry point (``valuegrad``)."""
    raise SystemExit(run())
