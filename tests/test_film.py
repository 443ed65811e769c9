"""The backward pass step by step (pictures.film): the steps model, the GIF and the HTML stepper."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from autograd import Value
from autograd.backprop import topological_order
from autograd.pictures.expr import parse
from autograd.pictures.film import backward_steps, example_neuron, gif_frames, write_gif
from autograd.pictures.stepper import write_stepper
from tests.tools import require


def test_steps_follow_the_engine_and_end_at_its_gradients() -> None:
    cost = example_neuron()
    steps = backward_steps(cost)
    order = topological_order(cost)
    assert [s.node for s in steps[1:]] == [n for n in reversed(order) if n._parents]
    assert all(n.grad == 0.0 for n in order)  # replaying touched no .grad
    cost.backward()
    assert steps[-1].grads == {id(n): n.grad for n in order}  # exactly the engine's numbers
    w1 = next(n for n in order if n.label == "w1")
    assert "dC/dw1 += x1 · dC/d(x1*w1) = 2.0 · -0.2005" in steps[6].lines
    assert w1.grad == pytest.approx(2.0 * -0.20052, abs=1e-4)


def test_fan_out_accumulates_over_steps() -> None:
    y = parse("z = w*x; tanh(z) * z", {"w": 0.5, "x": 2.0})
    steps = backward_steps(y)
    z = next(n for n in topological_order(y) if n.label == "z")
    reached = [s.grads.get(id(z)) for s in steps]
    # z gets its gradient in two parts: from the product, then through tanh.
    assert len({g for g in reached if g is not None}) == 2
    y.backward()
    assert reached[-1] == z.grad


def test_backward_steps_refuses_tensors() -> None:
    from autograd import Tensor

    with pytest.raises(TypeError, match="scalar Value"):
        backward_steps(Tensor([1.0, 2.0]).sum())


def test_gif_has_a_frame_per_step_all_one_size(tmp_path: Path) -> None:
    require("dot")
    from PIL import Image, ImageSequence

    cost = example_neuron()
    steps = backward_steps(cost)
    frames = gif_frames(cost, edge_derivatives=True)
    assert len(frames) == len(steps) == 8
    assert len({f.size for f in frames}) == 1
    path = write_gif(cost, tmp_path / "film.gif", fps=2, hold=2.5, edge_derivatives=True)
    with Image.open(path) as gif:
        shown = list(ImageSequence.Iterator(gif))
        assert len(shown) >= len(steps)
        assert {f.size for f in shown} == {frames[0].size}
        durations = [f.info["duration"] for f in ImageSequence.Iterator(gif)]
    assert durations[0] == durations[-1] == 2500 and set(durations[1:-1]) == {500}
    with pytest.raises(ValueError, match="fps"):
        write_gif(cost, tmp_path / "bad.gif", fps=0)
    assert not (tmp_path / "bad.gif").exists()


def test_stepper_page_steps_through_the_backward_pass(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    require("dot")
    cost = example_neuron()
    steps = backward_steps(cost)
    path = write_stepper(cost, tmp_path / "stepper.html")
    text = path.read_text()
    assert "http://" not in text.replace("http://www.w3.org", "")  # nothing from the network
    page.goto(path.as_uri())
    assert page.evaluate("stepper.count") == len(steps)
    boxes = page.evaluate(_BOXES)
    first = page.evaluate("stepper.state()")
    assert first["caption"] == "step 0/7: seed dC/dC = 1"
    assert first["grads"]["n12"] == "grad 1.000" and first["grads"]["n5"] == "grad ?"
    faded = "document.querySelectorAll('#graph g.edge.pending').length"
    assert page.evaluate(faded) == 18  # every arrow but the last one, into C
    page.click("#next")
    page.click("#next")
    state = page.evaluate("stepper.state()")
    assert state["index"] == 2 and state["caption"] == steps[2].caption
    assert state["lines"] == steps[2].lines
    assert sorted(state["active"]) == ["n11", "n11op"]
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("stepper.index()") == 1
    page.evaluate("stepper.go(6)")
    assert "dC/dw1 += x1 · dC/d(x1*w1) = 2.0 · -0.2005" in page.evaluate("stepper.state().lines")
    page.evaluate(f"stepper.go({len(steps) - 1})")
    cost.backward()
    last = page.evaluate("stepper.state()")
    names = {f"n{i}": n for i, n in enumerate(topological_order(cost))}
    for name, shown in last["grads"].items():
        assert shown == f"grad {names[name].grad:#.4g}", name
    assert page.evaluate(_BOXES) == boxes  # laid out once: nothing moved
    assert page.evaluate(faded) == 0
    page.click("#play")
    page.wait_for_timeout(50)
    assert page.evaluate("stepper.index()") == 0  # play from the end restarts
    assert page.console_errors == [] and page.blocked == []


def test_stepper_default_is_the_chapter_4_neuron(tmp_path: Path) -> None:
    require("dot")
    text = html.unescape(write_stepper(path=tmp_path / "s.html").read_text())
    assert "Backpropagation through C" in text and "x1*w1" in text
    dark = write_stepper(path=tmp_path / "d.html", theme="dark", fps=4).read_text()
    assert '<body class="theme-dark">' in dark and '"fps":4' in dark
    with pytest.raises(ValueError, match="fps"):
        write_stepper(path=tmp_path / "bad.html", fps=-1)
    assert not (tmp_path / "bad.html").exists()


def test_steps_of_a_leaf_alone() -> None:
    x = Value(3.0, label="x")
    steps = backward_steps(x)
    assert len(steps) == 1 and steps[0].grads == {id(x): 1.0}


_BOXES = """[...document.querySelectorAll('#graph g.node')].map(g => {
  const b = g.getBBox(); return [g.querySelector('title').textContent, b.x, b.y];
})"""
