"""draw_graph: structure, labels, roles, shading, clusters, Tensor graphs, rendering."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Value, draw_graph
from autograd.backprop import topological_order
from autograd.pictures.draw import ROLE_STYLES

# Skipped, with the reason, without Graphviz (a failure when VALUEGRAD_REQUIRE names dot).
needs_dot = pytest.mark.usefixtures("dot")

NODE = re.compile(r"^\s*(n\d+(?:op)?) \[", re.M)
EDGE = re.compile(r"^\s*(n\d+(?:op)?) -> (n\d+(?:op)?)", re.M)


def neuron() -> tuple[Value, list[Value], list[Value]]:
    """micrograd's picture: o = tanh(x1*w1 + x2*w2 + b); returns (o, params, inputs)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [w1, w2, b], [x1, x2]


def node_line(source: str, label: str) -> str:
    """The DOT line of the node whose bold label is ``label``."""
    for line in source.splitlines():
        if f"<B>{label}</B>" in line:
            return line
    raise AssertionError(f"no node labelled {label!r}")


def test_counts_equal_the_graph() -> None:
    o, params, _ = neuron()
    o.backward()
    g = draw_graph(o, params=params)
    order = topological_order(o)
    ops = [v for v in order if v._parents]
    nodes = NODE.findall(g.source)
    edges = EDGE.findall(g.source)
    assert len(nodes) == len(order) + len(ops)
    assert len(edges) == sum(len(v._parents) for v in order) + len(ops)
    assert len(set(nodes)) == len(nodes)


def test_reused_node_gets_one_box_and_two_edges() -> None:
    x = Value(3.0, label="x")
    y = x * x
    g = draw_graph(y)
    assert len(NODE.findall(g.source)) == 3  # x, y, (*)
    assert EDGE.findall(g.source).count(("n0", "n1op")) == 2


def test_labels_carry_data_and_grad_4_significant_digits() -> None:
    o, params, _ = neuron()
    o.backward()
    src = draw_graph(o, params=params).source
    x1 = node_line(src, "x1")
    assert "data 2.000" in x1 and "grad -1.500" in x1
    assert "data -3.000" in node_line(src, "w1") and "grad 1.000" in node_line(src, "w1")
    assert "data 0.7071" in node_line(src, "o") and "grad 1.000" in node_line(src, "o")
    assert "data 6.881" in node_line(src, "b") and "grad 0.5000" in node_line(src, "b")
    assert 'label="×"' in src and 'label="+"' in src and "label=tanh" in src
    tiny = draw_graph(Value(1.234567e-7, label="t")).source
    assert "data 1.235e-7" in tiny


def test_roles_are_coloured() -> None:
    o, params, _ = neuron()
    src = draw_graph(o, params=params).source
    fill = {role: style[0] for role, style in ROLE_STYLES.items()}
    assert fill["parameter"] in node_line(src, "w1")
    assert fill["parameter"] in node_line(src, "b")
    assert fill["input"] in node_line(src, "x1")
    assert fill["output"] in node_line(src, "o")
    assert fill["intermediate"] in node_line(src, "n")
    # without params: labelled leaves are plain leaves; unlabelled numbers are constants
    src = draw_graph(o).source
    assert fill["leaf"] in node_line(src, "w1")
    c = Value(1.0, label="c")
    src = draw_graph(1 - c).source
    assert fill["constant"] in src and "data 1.000" in src


def test_gradient_shading_only_after_backward() -> None:
    o, params, _ = neuron()
    before = draw_graph(o, params=params).source
    assert "penwidth" not in before
    o.backward()
    after = draw_graph(o, params=params).source
    widths = [float(w) for w in re.findall(r"penwidth=([\d.]+)", after)]
    assert len(widths) == len(EDGE.findall(after))
    assert max(widths) == pytest.approx(3.0)
    # w2's gradient is 0 (x2 = 0): its edge is the thinnest, dashed
    w2_id = re.search(r"(n\d+) \[label=<.*<B>w2</B>", after)
    assert w2_id is not None
    line = next(ln for ln in after.splitlines() if ln.strip().startswith(w2_id.group(1) + " ->"))
    assert "dashed" in line and "penwidth=0.60" in line
    assert "penwidth" not in draw_graph(o, show_grad=False).source
    assert "grad" not in draw_graph(o, show_grad=False).source


def test_vanishing_gradient_is_pale() -> None:
    x = Value(12.0, label="x")  # sigmoid(12) is saturated: tiny gradient
    y = x.sigmoid()
    y.label = "y"
    y.backward()
    src = draw_graph(y).source
    assert 'BGCOLOR="#ffffff">grad 6.144e-6' in node_line(src, "x")  # ~5 decades down: no heat


def test_max_nodes_error_suggests_a_subgraph() -> None:
    mlp = nn.MLP(20, [10, 10, 1], seed=0)
    (out,) = mlp([0.1] * 20)
    with pytest.raises(ValueError, match=r"max_nodes=500.*subgraph") as e:
        draw_graph(out)
    assert "collapse='layer', with module=<the network>" in str(e.value)
    with pytest.raises(ValueError, match=r"collapse='neuron' or collapse='layer'\. "):
        draw_graph(out, module=mlp)
    with pytest.raises(ValueError, match="max_nodes=10"):
        draw_graph(out, max_nodes=10)
    assert draw_graph(out, max_nodes=None).source.count("->") > 500


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(Value(1.0), rankdir="XY")
    with pytest.raises(TypeError, match="Values and Tensors"):
        draw_graph(3.0)
    with pytest.raises(ValueError, match="nothing to draw"):
        draw_graph([])


def test_multiple_roots_title_legend_rankdir() -> None:
    mlp = nn.MLP(2, [2, 2], seed=0)
    outs = mlp([1.0, 2.0])
    g = draw_graph(outs, title="two outputs", legend=True, rankdir="TB")
    src = g.source
    assert src.count(ROLE_STYLES["output"][0]) >= 2
    assert "two outputs" in src and "rankdir=TB" in src
    assert ">output</FONT>" in src and ">intermediate</FONT>" in src  # the key, in the caption
    values = {id(v): v for r in outs for v in topological_order(r)}.values()
    ops = [v for v in values if v._parents]
    assert len(NODE.findall(src)) == len(values) + len(ops)  # the key adds no nodes


def test_mlp_clusters_group_neurons_and_layers() -> None:
    mlp = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
    out = mlp([1.0, -0.5])
    loss = nn.mse(out, [1.0])
    loss.backward()
    g = draw_graph(loss, module=mlp)
    src = g.source
    clusters = re.findall(r"subgraph (cluster_\w+)", src)
    assert sorted(clusters) == sorted(
        [f"cluster_L{i}" for i in range(3)]
        + [f"cluster_L{i}_L{i}N{k}" for i, n in enumerate([4, 4, 1]) for k in range(n)]
    )
    assert "layer 1: 2 → 4, tanh" in src and "neuron 3" in src

    # Which cluster each node is in: walk the DOT text, tracking the innermost cluster.
    where: dict[str, str] = {}
    stack: list[str] = []
    for line in src.splitlines():
        m = re.match(r"\s*subgraph (cluster_\w+)", line)
        if m:
            stack.append(m.group(1))
        elif line.strip() == "}":
            if stack:
                stack.pop()
        else:
            m = re.match(r"\s*(n\d+(?:op)?) \[", line)
            if m:
                where[m.group(1)] = stack[-1] if stack else ""
    ids = {id(v): f"n{i}" for i, v in enumerate(topological_order(loss))}
    neuron = mlp.layers[1].neurons[2]
    a = next(v for v in topological_order(loss) if v.label == "a2[2]")
    z = next(v for v in topological_order(loss) if v.label == "z2[2]")
    for v in [*neuron.w, neuron.b, z, a]:
        assert where[ids[id(v)]] == "cluster_L1_L1N2", v
    assert where[ids[id(a)] + "op"] == "cluster_L1_L1N2"
    assert where[ids[id(loss)]] == ""  # the cost is outside every neuron
    x0 = next(v for v in topological_order(loss) if v.label == "x[0]")
    assert where[ids[id(x0)]] == ""
    fill = ROLE_STYLES["parameter"][0]
    assert fill in node_line(src, "W1[0,0]")
    assert ROLE_STYLES["input"][0] in node_line(src, "x[0]")


def test_linear_output_and_standalone_modules_cluster() -> None:
    mlp = nn.MLP(2, [2, 2], activation="relu", output_activation="linear", seed=0)
    loss = nn.cross_entropy(mlp([1.0, 2.0]), 1)
    src = draw_graph(loss, module=mlp).source
    assert "cluster_L1_L1N1" in src
    layer = nn.Layer(2, 2, seed=0)
    assert "cluster_L0_L0N1" in draw_graph(layer([1.0, 2.0]), module=layer).source
    neuron = nn.Neuron(2, seed=0)
    assert "cluster_L0N0" in draw_graph(neuron([1.0, 2.0]), module=neuron).source


def test_highlight_and_pending() -> None:
    o, params, inputs = neuron()
    o.backward()
    src = draw_graph(o, params=params, highlight=[o], pending=inputs).source
    assert "grad ?" in node_line(src, "x1")
    assert 'BORDER="3"' in node_line(src, "o")


# ------------------------------------------------------------------ Tensor graphs

tensor = pytest.importorskip("autograd.tensor")


def test_tensor_graph_shows_shape_dtype_and_small_values() -> None:
    Tensor = tensor.Tensor
    w = Tensor(np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32), requires_grad=True, label="W")
    big = Tensor(np.ones((4, 5)), requires_grad=True, label="B")
    y = (w.sum() * 2.0 + big.sum()).tanh()
    y.label = "y"
    y.backward()
    g = draw_graph(y)
    src = g.source
    wline = node_line(src, "W")
    assert "(2, 2) float32" in wline
    assert "data [[1.000, -2.000]," in wline and "grad [[" in wline
    assert ROLE_STYLES["parameter"][0] in wline  # requires_grad leaf
    bline = node_line(src, "B")
    assert "(4, 5) float64" in bline and "grad rms" in bline and "data" not in bline
    assert "scalar float64" in node_line(src, "y")
    order = topological_order(y)
    assert len(NODE.findall(src)) == len(order) + sum(1 for v in order if v._parents)
    assert len(EDGE.findall(src)) == sum(len(v._parents) + 1 for v in order if v._parents)


def test_tensor_graph_before_backward_says_grad_none() -> None:
    Tensor = tensor.Tensor
    w = Tensor(np.ones(3), requires_grad=True, label="w")
    y = (w * 2.0).sum()
    assert "grad None" in node_line(draw_graph(y).source, "w")


def test_tensor_module_clusters_by_layer() -> None:
    tmlp = getattr(nn, "TensorMLP", None)
    if tmlp is None:
        pytest.skip("nn.TensorMLP not available yet")
    model = tmlp(3, [4, 2], seed=0)
    out = model(tensor.Tensor(np.ones((1, 3))))
    loss = out.sum()
    loss.backward()
    src = draw_graph(loss, module=model).source
    assert "subgraph cluster_layers_0" in src and "subgraph cluster_layers_1" in src


# ------------------------------------------------------------------ rendering


@needs_dot
def test_render_svg_with_dot_contains_labels(tmp_path: Path) -> None:
    o, params, _ = neuron()
    o.backward()
    g = draw_graph(o, params=params, title="neuron")
    path = g.render(tmp_path / "neuron", format="svg", cleanup=True)
    svg = html.unescape(Path(path).read_text())  # dot writes "-" as "&#45;"
    assert svg.startswith("<?xml")
    for text in ["x1", "w1", "data 2.000", "grad -1.500", "data 0.7071", "grad 1.000", "tanh"]:
        assert f">{text}<" in svg, text
    assert b"PNG" in g.pipe(format="png")[:8]


@needs_dot
def test_value_displays_in_notebooks() -> None:
    """In IPython (as in Jupyter) a node shows as its graph after a plain `import autograd`."""
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "import autograd\n"
        "x = autograd.Value(0.5, label='x')\n"
        "t = autograd.Tensor([1.0, 2.0], requires_grad=True).sum()\n"
        "for node in (x.tanh(), t):\n"
        "    data, _ = shell.display_formatter.format(node)\n"
        "    print('image/svg+xml' in data, '<svg' in data.get('image/svg+xml', ''))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True"] * 4, done.stdout + done.stderr


def test_missing_dot_error_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    o, params, _ = neuron()
    g = draw_graph(o, params=params)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    assert "digraph" in g.source  # building the DOT text needs no dot
    import graphviz

    with pytest.raises(graphviz.ExecutableNotFound, match="apt-get install graphviz") as e:
        g.pipe(format="svg")
    assert "brew install graphviz" in str(e.value)
    with pytest.raises(RuntimeError, match="conda install"):
        g.render(tmp_path / "x", format="png")


def test_graphviz_is_not_imported_at_package_import() -> None:
    code = "import sys, autograd, nn; print('graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_same_expression_same_dot_in_two_processes() -> None:
    """The DOT text depends only on the graph: no ids, addresses or hash order leak in."""
    code = (
        "import sys\n"
        "sys.path.insert(0, 'examples')\n"
        "from neuron import build\n"
        "from autograd import draw_graph\n"
        "a, params = build(1.0)\n"
        "a.backward()\n"
        "print(draw_graph(a, rankdir='TB', params=params, title='t', legend=True).source)\n"
    )
    root = Path(__file__).resolve().parents[1]
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert "digraph" in runs[0] and "grad" in runs[0]
    assert runs[0] == runs[1]


def test_top_to_bottom_boxes_stack_their_cells() -> None:
    x = Value(2.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    wide = draw_graph(y, rankdir="LR").source
    tall = draw_graph(y, rankdir="TB").source
    assert "<TR><TD><B>x</B></TD><TD>data 2.000</TD>" in wide
    assert "<TR><TD><B>x</B></TD></TR><TR><TD>data 2.000</TD></TR>" in tall


@needs_dot
@pytest.mark.parametrize(
    ("script", "names"),
    [
        ("examples/neuron.py", ["neuron.svg", "neuron_cost.svg"]),
        ("examples/tour/chain_graph.py", ["chain.svg"]),
    ],
)
def test_committed_graph_figures_regenerate_identically(
    script: str, names: list[str], tmp_path: Path
) -> None:
    """``make figures`` leaves a clean ``git diff`` for the graphs (same Graphviz version)."""
    root = Path(__file__).resolve().parents[1]
    version = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr
    made_with = re.search(
        r"graphviz version ([\d.]+)", (root / "docs/images" / names[0]).read_text()
    )
    assert made_with, "the committed SVG does not say which Graphviz made it"
    if made_with.group(1) not in version:
        pytest.skip(f"committed with Graphviz {made_with.group(1)}, this is {version.strip()}")
    subprocess.run(
        [sys.executable, script, "--out", str(tmp_path)], cwd=root, check=True, capture_output=True
    )
    for name in names:
        assert (tmp_path / name).read_bytes() == (root / "docs/images" / name).read_bytes(), name
