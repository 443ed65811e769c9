"""The guided tour stays true: every ```python block in docs/ runs, and so do the
scripts that draw its figures and the notebooks.

* Each page's Python blocks run **in order, in one shared namespace**, with the
  working directory set to a fresh ``tmp_path`` (so a snippet that saves a picture
  writes it there). A failing block is reported with its page and line number.
* ``examples/tour/*.py`` run with their small ``--quick`` flags and must write
  the files they promise.
* ``examples/notebooks/*.py`` (jupytext percent scripts) are converted to
  notebooks and executed with nbclient, with ``VALUEGRAD_QUICK=1`` so that the
  MNIST notebook trains on a small slice.

MNIST comes from where every consumer finds it (``nn.data.find_data_dir``:
``$MNIST_DIR``, which CI sets, else the cache ``~/.cache/valuegrad/mnist``); what
needs MNIST is skipped if it is not there.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import pytest

from nn.data import mnist_available
from nn.text import shakespeare_available
from tests.tools import require

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TOUR = ROOT / "examples" / "tour"
NOTEBOOKS = ROOT / "examples" / "notebooks"


def _load_hook(name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, DOCS / "hooks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# The docs build's hook that runs each page's blocks and shows their output; the tests
# run the blocks the same way, and leave the outputs in its cache for the build.
OUTPUTS = _load_hook("outputs")


# Where every MNIST consumer looks: $MNIST_DIR, else the cache (None: not there).
MNIST_DIR = mnist_available()
# Tiny Shakespeare (chapter 6): $SHAKESPEARE_DIR, which CI sets, else the cache.
SHAKESPEARE_DIR = shakespeare_available()


def python_blocks(path: Path, skeletons: bool = False) -> list[tuple[int, str]]:
    """``(first line number, source)`` of every fenced ```python block in a Markdown file;
    with ``skeletons=True``, of every exercise block marked ``skeleton`` instead."""
    text = path.read_text(encoding="utf-8")
    return [(b.line, b.source) for b in OUTPUTS.python_blocks(text, skeletons)]


def doc_pages() -> list[Path]:
    pages = sorted(p for p in DOCS.rglob("*.md"))
    pages.append(ROOT / "README.md")  # the quick start must run too
    return [p for p in pages if python_blocks(p)]


@pytest.fixture
def docs_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("VALUEGRAD_QUICK", "1")
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    if MNIST_DIR is not None:
        monkeypatch.setenv("MNIST_DIR", str(MNIST_DIR))
    return tmp_path


def _needs_mnist(text: str) -> bool:
    return "load_mnist" in text or "MNIST_DIR" in text


# Everything that lays out or renders a graph runs Graphviz's `dot`: pictures, TikZ
# (`dot -Tjson`), films and the stepper (a pinned layout), the `valuegrad graph` command.
_DOT = re.compile(r"draw_graph|save_graph|write_stepper|tikz|backward_steps|valuegrad graph")


def _needs_dot(text: str) -> bool:
    """Code that draws a graph renders it with Graphviz's ``dot`` (or a notebook displays it)."""
    return _DOT.search(text) is not None


def test_every_chapter_has_code() -> None:
    """The six chapters (and 4b, after chapter 4) exist and each one has something to run."""
    chapters = sorted(DOCS.glob("0[1-6]*-*.md"))
    assert [p.name.split("-")[0] for p in chapters] == ["01", "02", "03", "04", "04b", "05", "06"]
    for p in chapters:
        assert python_blocks(p), f"{p.name} has no ```python block"


def test_skeleton_blocks_are_the_exercise_file() -> None:
    """Blocks marked ``skeleton`` are not run, but they must be valid Python and
    appear, as they are, in examples/exercises/my_value.py (the file learners edit)."""
    exercise = " ".join((ROOT / "examples" / "exercises" / "my_value.py").read_text().split())
    found = 0
    for page in doc_pages():
        for line, source in python_blocks(page, skeletons=True):
            compile(source, f"{page.name}:{line}", "exec")
            assert " ".join(source.split()) in exercise, f"{page.name}:{line} is not in my_value.py"
            found += 1
    assert found >= 3


@pytest.mark.parametrize("page", doc_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_snippets_run(page: Path, docs_env: Path) -> None:
    """Run a page's ```python blocks top to bottom, like a reader would.

    What they print is saved for the docs build, which shows it under each block.
    """
    blocks = OUTPUTS.python_blocks(page.read_text(encoding="utf-8"))
    text = "".join(b.source for b in blocks)
    if _needs_dot(text):
        require("dot")
    if _needs_mnist(text) and MNIST_DIR is None:
        pytest.skip("MNIST not found in $MNIST_DIR or the cache ~/.cache/valuegrad/mnist")
    if OUTPUTS.needs_shakespeare(text) and SHAKESPEARE_DIR is None:
        pytest.skip("Tiny Shakespeare not found in $SHAKESPEARE_DIR or the cache")
    where = str(page.relative_to(ROOT))
    try:
        outputs = OUTPUTS.run_blocks(blocks, where, docs_env)
    except RuntimeError as err:
        raise AssertionError(str(err)) from err.__cause__
    if page.is_relative_to(DOCS):
        OUTPUTS.save(page.relative_to(DOCS).as_posix(), blocks, outputs)


def test_outputs_are_inserted_after_the_blocks_that_print() -> None:
    text = (
        "# t\n\n```python\nprint('hi')\nx = 1\n```\n\n!!! note\n\n    ```python\n"
        "    y = x + 1\n    ```\n\n    ```python\n    print(y)\n    ```\nend\n"
    )
    blocks = OUTPUTS.python_blocks(text)
    assert [b.line for b in blocks] == [4, 11, 15]
    with tempfile.TemporaryDirectory() as tmp:
        outputs = OUTPUTS.run_blocks(blocks, "t.md", Path(tmp))
    assert outputs == ["hi\n", "", "2\n"]
    shown = OUTPUTS.insert_outputs(text, blocks, outputs)
    first = 'x = 1\n```\n\n```text title="Output"\nhi\n```\n'
    second = 'print(y)\n    ```\n\n    ```text title="Output"\n    2\n    ```\n'
    expected = text.replace("x = 1\n```\n", first).replace("print(y)\n    ```\n", second)
    assert shown == expected
    with pytest.raises(RuntimeError, match=r"t\.md:2 failed: NameError"):
        OUTPUTS.run_blocks(OUTPUTS.python_blocks("```python\nprint(nope)\n```\n"), "t.md", ROOT)


# ---------------------------------------------------------------- tour scripts

# script -> (quick flags, files it must write into --out)
TOUR_SCRIPTS: dict[str, tuple[list[str], list[str]]] = {
    "gradient_magnitudes.py": (["--quick"], ["gradient-magnitudes.png"]),
    "desires.py": (["--quick"], ["desires.png"]),
    "sgd_vs_gd.py": (["--quick"], ["sgd-vs-gd.png"]),
    "attention.py": (["--quick"], ["attention.png"]),
    "chain_graph.py": ([], ["chain.svg"]),
    "derivatives.py": (["--quick"], ["tanh-derivatives.png", "newton-vs-gd.png"]),
    "conformance_report.py": (["--quick"], ["micrograd-conformance.txt", "track-skeleton.txt"]),
    "teaching.py": (
        [],
        [
            "teaching-neuron.svg",
            "teaching-dark.svg",
            "teaching-print.svg",
            "teaching-film.gif",
            "teaching-neuron.tex",
            "teaching-neuron-tex.png",
            "teaching-mlp.svg",
        ],
    ),
}


def test_every_tour_script_is_tested() -> None:
    assert sorted(p.name for p in TOUR.glob("*.py")) == sorted(TOUR_SCRIPTS)


@pytest.mark.parametrize("script", sorted(TOUR_SCRIPTS))
def test_tour_script(script: str, docs_env: Path) -> None:
    flags, outputs = TOUR_SCRIPTS[script]
    text = (TOUR / script).read_text(encoding="utf-8")
    if _needs_dot(text):
        require("dot")
    if _needs_mnist(text) and MNIST_DIR is None:
        pytest.skip("MNIST not found in $MNIST_DIR or the cache ~/.cache/valuegrad/mnist")
    out = docs_env / "out"
    proc = subprocess.run(
        [sys.executable, str(TOUR / script), *flags, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=docs_env,
        env={**os.environ},
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout}\n{proc.stderr}"
    for name in outputs:
        f = out / name
        minimum = 200 if name.endswith(".txt") else 1000  # a report, or a picture
        assert f.exists() and f.stat().st_size > minimum, f"{script} did not write {name}"


# ------------------------------------------------------------------- notebooks


def notebook_scripts() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.py"))


def test_notebooks_exist() -> None:
    names = {p.stem for p in notebook_scripts()}
    assert {"build_a_neuron", "mnist"} <= names


@pytest.mark.parametrize("script", notebook_scripts(), ids=lambda p: p.name)
def test_notebook_executes(script: Path, docs_env: Path) -> None:
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    if _needs_dot(script.read_text(encoding="utf-8")):
        require("dot")
    if _needs_mnist(script.read_text(encoding="utf-8")) and MNIST_DIR is None:
        pytest.skip("MNIST not found in $MNIST_DIR or the cache ~/.cache/valuegrad/mnist")
    nb = jupytext.read(script)
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(docs_env)}},
    )
    client.execute()
    outputs = [
        out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    ]
    errors = [out for out in outputs if out.get("output_type") == "error"]
    assert not errors, errors
    # What a cell shows is meant: no stray reprs of matplotlib objects and the like.
    stray = [
        out["data"]["text/plain"]
        for out in outputs
        if out.get("output_type") == "execute_result"
        and set(out["data"]) == {"text/plain"}
        and STRAY_REPR.match(out["data"]["text/plain"])
    ]
    assert not stray, f"{script.name}: cells end in an expression whose repr is shown: {stray}"
    warnings = [
        out["text"]
        for out in outputs
        if out.get("name") == "stderr" and re.search(r"Warning|IProgress", out["text"])
    ]
    assert not warnings, f"{script.name}: warnings in the output: {warnings}"


# <matplotlib.legend.Legend at 0x...>, [<matplotlib.lines.Line2D ...>], Text(0.5, 1.0, '...')
STRAY_REPR = re.compile(r"^\[?<[\w.]+ (at|object at) 0x|^\[<|^(Text|Line2D)\(")


# ------------------------------------------------------- reference and figures


def test_reference_covers_the_public_api() -> None:
    """Every name in ``autograd.__all__`` and ``nn.__all__`` has an API reference entry."""
    import autograd
    import nn

    text = "\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "reference").glob("*.md"))
    documented: set[int] = set()
    modules: set[str] = set()
    for ident in re.findall(r"^::: ([\w.]+)", text, flags=re.MULTILINE):
        parts = ident.split(".")
        obj = importlib.import_module(parts[0])
        for i, part in enumerate(parts[1:], start=2):
            if not hasattr(obj, part):  # a submodule not imported yet
                importlib.import_module(".".join(parts[:i]))
            obj = getattr(obj, part)
        documented.add(id(obj))
        if isinstance(obj, types.ModuleType):
            modules.add(obj.__name__)
    missing = [
        f"{pkg.__name__}.{name}"
        for pkg in (autograd, nn)
        for name in pkg.__all__
        if id(getattr(pkg, name)) not in documented
        and getattr(getattr(pkg, name), "__module__", None) not in modules
    ]
    assert not missing, f"add these to docs/reference/: {missing}"


IMAGE = re.compile(r"!\[[^\]]*\]\((images/[^)\s]+)\)")


def test_every_figure_exists_and_names_its_command() -> None:
    """Each picture in the tour is committed and followed by the command that makes it."""
    for page in sorted(DOCS.glob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            for target in IMAGE.findall(line):
                assert (DOCS / target).is_file(), f"{page.name}: {target} is missing"
                rest = lines[i:]
                end = next((j for j, ln in enumerate(rest) if ln.startswith("## ")), len(rest))
                after = "\n".join(rest[:end])  # the rest of the section
                assert re.search(r"[Mm]ade with", after), (
                    f"{page.name}: say which command makes {target}"
                )


def test_rst_docstrings_become_markdown() -> None:
    """The griffe extension used by the API reference (docs/hooks/rst_docstrings.py)."""
    pytest.importorskip("griffe")
    module = _load_hook("rst_docstrings")
    text = (
        "See :class:`~autograd.Value` and :func:`nn.mse`, :math:`a_j`.\n\n"
        ".. math::\n\n    a &= b \\\\\n    c &= d\n\n"
        "Like this::\n\n    y = f(x)\n\n"
        ">>> 1 + 1\n2\n"
    )
    md = module.convert(text)
    assert "`Value`" in md and "`nn.mse`" in md and "$a_j$" in md
    assert "$$\n\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}\n$$" in md
    assert "Like this:\n\n```\ny = f(x)\n```" in md
    assert "```pycon\n>>> 1 + 1\n2\n```" in md


def test_the_reference_shows_every_value_op_from_the_registry() -> None:
    """Issue 20: the API reference hid Value's operators; the table is generated from
    ``autograd.value.OPS`` (so a new op appears in it) with its formulas as TeX."""
    from autograd.value import OPS

    hook = _load_hook("operators")
    page = (DOCS / "reference" / "autograd.md").read_text(encoding="utf-8")
    assert hook.MARKER in page
    table = hook.on_page_markdown(page, None)
    assert hook.MARKER not in table
    for name in OPS:
        assert f"| `{name}` |" in table, name
    assert r"| `/` | `a / b` | $1/b$ | $-a/b^2$ |" in table
    assert r"$b \cdot a^{b-1}$" in table and r"$\operatorname{sign}(a)$" in table
    assert "·" not in table and "−" not in table  # no Unicode left for MathJax
