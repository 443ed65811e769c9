"""autograd.compile: the replay equals the eager step bit for bit, or the step is refused.

Each test builds the same model twice from one state dict, trains one eagerly and
one through ``autograd.compile`` on the same batches, and compares losses,
gradients, weights and optimizer state exactly (``tobytes``).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor, TraceError, no_grad

# ---------------------------------------------------------------- the steps

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh, "none": nn.Identity}


def build(sizes: list[int], acts: list[str], dtype: Any, seed: int) -> nn.Sequential:
    layers: list[Any] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers += [nn.Linear(a, b, dtype=dtype, seed=seed + i), ACTIVATIONS[acts[i]]()]
    return nn.Sequential(*layers)


def make_optimizer(kind: str, params: Any) -> Any:
    if kind == "sgd":
        return nn.SGD(params, lr=0.5)
    if kind == "momentum":
        return nn.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-3)
    return nn.Adam(params, lr=1e-2, weight_decay=1e-4)


def loss_of(kind: str, out: Tensor, labels: Any, target: Any) -> Tensor:
    """Losses written the ways people write them: from ops, and the fused ones."""
    n = len(labels)
    if kind == "squares":  # the series' cost, against one-hot rows made outside the step
        return ((out - target) ** 2).sum() / (2 * n)
    if kind == "mse":
        return nn.mse(out, target)
    if kind == "log_softmax":
        return -out.log_softmax(axis=-1)[np.arange(n), labels].mean()
    return nn.cross_entropy(out, labels)


def twins(sizes: list[int], acts: list[str], dtype: Any, opt: str, loss: str) -> Any:
    """An eager step and a compiled step of two copies of one model."""
    models = [build(sizes, acts, dtype, seed=3) for _ in range(2)]
    models[1].load_state_dict(models[0].state_dict())
    opts = [make_optimizer(opt, m.parameters()) for m in models]

    def stepper(model: Any, optimizer: Any) -> Any:
        def step(x: Any, labels: Any, target: Any) -> Tensor:
            value = loss_of(loss, model(x), labels, target)
            model.zero_grad()
            value.backward()
            optimizer.step()
            return value

        return step

    return (
        models,
        opts,
        stepper(models[0], opts[0]),
        autograd.compile(stepper(*models[1:], opts[1])),
    )


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.asarray(a).tobytes() == np.asarray(b).tobytes())


def assert_same_state(models: list[Any], opts: list[Any]) -> None:
    for p, q in zip(models[0].parameters(), models[1].parameters()):  # noqa: B905
        assert same(p.data, q.data) and same(p.grad, q.grad)
    for s, t in zip(opts[0].state, opts[1].state):  # noqa: B905
        for a, b in zip(s or (), t or ()) if isinstance(s, tuple) else [(s, t)]:  # noqa: B905
            assert same(a, b) if isinstance(a, np.ndarray) else a == b


@settings(max_examples=20, deadline=None)
@given(
    depth=st.integers(1, 3),
    width=st.integers(1, 6),
    acts=st.lists(st.sampled_from(sorted(ACTIVATIONS)), min_size=3, max_size=3),
    dtype=st.sampled_from([np.float32, np.float64]),
    opt=st.sampled_from(["sgd", "momentum", "adam"]),
    loss=st.sampled_from(["squares", "mse", "log_softmax", "cross_entropy"]),
    batches=st.lists(st.integers(1, 5), min_size=4, max_size=7),
    seed=st.integers(0, 2**16),
)
def test_replay_equals_eager_bit_for_bit(
    depth: int, width: int, acts: list[str], dtype: Any, opt: str, loss: str,
    batches: list[int], seed: int,
) -> None:  # fmt: skip
    """Random layer stacks, losses, dtypes, optimizers and batch sizes (a new size
    traces again); the learning rate changes every step (read on every call)."""
    sizes = [4] + [width] * (depth - 1) + [3]
    models, opts, eager, compiled = twins(sizes, acts, dtype, opt, loss)
    rng = np.random.default_rng(seed)
    for n in batches + batches:  # every size at least twice: traced, checked, replayed
        x = rng.normal(size=(n, 4)).astype(dtype)
        labels = rng.integers(0, 3, n)
        target = np.eye(3, dtype=dtype)[labels]
        opts[0].lr = opts[1].lr = opts[0].lr * 0.9
        try:
            expected = eager(x, labels, target)
        except FloatingPointError:  # training diverged: refused the same way, unchanged
            with pytest.raises(FloatingPointError):
                compiled(x, labels, target)
            assert_same_state(models, opts)
            return
        assert same(expected.data, compiled(x, labels, target).data)
        assert_same_state(models, opts)
    assert len(compiled.programs) >= len(set(batches))


def step_3b1b() -> Any:
    models, opts, eager, compiled = twins([6, 5, 4], ["sigmoid"] * 2, np.float32, "sgd", "squares")
    return models, opts, eager, compiled


def batch(rng: Any, n: int = 4) -> tuple[Any, Any, Any]:
    labels = rng.integers(0, 4, n)
    return rng.random((n, 6), dtype=np.float32), labels, np.eye(4, dtype=np.float32)[labels]


def test_the_source_is_forward_backward_update_with_names() -> None:
    _, _, _, compiled = step_3b1b()
    rng = np.random.default_rng(0)
    for _ in range(3):
        compiled(*batch(rng))
    src = compiled.source
    for section in ("# forward", "# backward", "# update"):
        assert section in src
    assert src.index("# forward") < src.index("# backward") < src.index("# update")
    assert "x @ " in src and "0_weight" in src and ".grad = " in src
    assert "backward of" in src and "SGD.step" in src
    compile(src, "<replay>", "exec")  # plain Python


def test_every_returned_value_is_an_array_of_its_own() -> None:
    """``losses.append(step(x, y))`` keeps every value; a gradient read after a step
    is not overwritten by the next."""
    models, _, eager, compiled = step_3b1b()
    rng = np.random.default_rng(1)
    losses, grads, expected = [], [], []
    for _ in range(6):
        x, y, t = batch(rng)
        expected.append(float(eager(x, y, t).data))
        losses.append(compiled(x, y, t))
        grads.append(models[1].parameters()[0].grad)
    assert [float(v.data) for v in losses] == expected
    assert len({id(g) for g in grads}) == len(grads)
    assert len({float(v.data) for v in losses}) == len(losses)


def test_changes_made_outside_the_step_are_seen() -> None:
    """``load_state_dict`` (new arrays) and an in-place update under no_grad."""
    models, opts, eager, compiled = step_3b1b()
    rng = np.random.default_rng(2)
    for _ in range(3):
        x, y, t = batch(rng)
        eager(x, y, t), compiled(x, y, t)
    other = build([6, 5, 4], ["sigmoid"] * 2, np.float32, seed=11).state_dict()
    for m in models:
        m.load_state_dict(other)
        with no_grad():
            w = m.parameters()[0]
            w -= 0.25
    for _ in range(2):
        x, y, t = batch(rng)
        assert same(eager(x, y, t).data, compiled(x, y, t).data)
        assert_same_state(models, opts)


def test_a_non_finite_update_is_refused_as_eagerly() -> None:
    """A guard (is every update finite?) sees another answer: the call runs eagerly,
    which raises and changes nothing."""
    models, _, _, compiled = step_3b1b()
    rng = np.random.default_rng(3)
    for _ in range(3):
        compiled(*batch(rng))
    before = [p.data.copy() for p in models[1].parameters()]
    x, y, t = batch(rng)
    x[0, 0] = np.nan
    with pytest.raises(FloatingPointError, match="NaN or infinite"):
        compiled(x, y, t)
    assert all(same(b, p.data) for b, p in zip(before, models[1].parameters()))  # noqa: B905
    compiled(*batch(rng))  # and it goes on replaying


def test_reading_a_value_in_the_step_is_refused_naming_the_line() -> None:
    w = Tensor(np.ones((3, 2)), requires_grad=True)

    @autograd.compile
    def step(x: Any) -> Tensor:
        y = (x @ w).sum()
        if y.data > 0:  # a decision the replay would not redo
            y = y * 2
        return y

    with pytest.raises(TraceError, match=r"test_compile.py, line \d+: the step reads a value"):
        step(np.ones((2, 3)))

    @autograd.compile
    def item(x: Any) -> float:
        return (x @ w).sum().item()

    with pytest.raises(TraceError, match="item"):
        item(np.ones((2, 3)))


def test_random_numbers_inside_the_step_are_caught_by_the_check() -> None:
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    rng = np.random.default_rng(0)

    @autograd.compile
    def noisy(x: Any) -> Tensor:
        return ((x * rng.normal(size=x.shape)) @ w).sum()

    noisy(np.ones((2, 3)))
    with pytest.raises(TraceError, match="differs from the eager step"):
        noisy(np.ones((2, 3)))


def test_a_plain_array_indexed_inside_the_step_is_caught_by_the_check() -> None:
    """``np.eye(10)[y]`` inside the step: NumPy indexes the plain array without telling
    the trace, so the one-hot rows of the first batch would be replayed: refused."""
    rng = np.random.default_rng(7)
    w = Tensor(rng.normal(size=(3, 4)), requires_grad=True)

    @autograd.compile
    def step(x: Any, labels: Any) -> Tensor:
        return ((x @ w - np.eye(4)[labels]) ** 2).sum()

    step(rng.random((5, 3)), rng.integers(0, 4, 5))
    with pytest.raises(TraceError, match=r"np.eye\(10\)\[y\]"):
        step(rng.random((5, 3)), rng.integers(0, 4, 5))


def test_a_value_step_is_refused() -> None:
    v = autograd.Value(2.0)

    @autograd.compile
    def step(x: Any) -> Any:
        return (v * 3).tanh()

    with pytest.raises(TraceError, match="Value"):
        step(np.ones(2))


def test_create_graph_inside_a_step_matches_eager() -> None:
    """A gradient penalty: backward(create_graph=True), then backward of the penalty."""
    rng = np.random.default_rng(4)
    ws = [Tensor(rng.normal(size=(3, 2)), requires_grad=True) for _ in range(2)]
    ws[1].data[...] = ws[0].data
    opts = [nn.SGD([w], lr=0.1) for w in ws]

    def make(w: Tensor, opt: Any) -> Any:
        def step(x: Any) -> Tensor:
            y = ((x @ w).tanh() ** 2).sum()
            w.grad = None
            y.backward(create_graph=True)
            penalty = (w.grad**2).sum()
            w.grad = None
            penalty.backward()
            opt.step()
            return penalty

        return step

    eager, compiled = make(ws[0], opts[0]), autograd.compile(make(ws[1], opts[1]))
    for _ in range(4):
        x = rng.normal(size=(4, 3))
        assert same(eager(x).data, compiled(x).data)
        assert same(ws[0].data, ws[1].data)


def test_fit_compiled_equals_fit_eager() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.random((50, 6), dtype=np.float32), rng.integers(0, 4, 50)
    results = []
    for flag in (False, True):
        model = nn.TensorMLP(6, [5, 4], seed=0)
        opt = nn.SGD(model.parameters(), lr=1.0, momentum=0.5)
        history = nn.fit(
            model, "mse", opt, x, y, epochs=3, batch_size=8, progress=False,
            lr_schedule=0.5, compile=flag,
        )  # fmt: skip
        results.append((history.loss, [p.data.tobytes() for p in model.parameters()]))
    assert results[0] == results[1]


def test_fit_stops_on_a_nan_loss_before_the_step_when_compiled() -> None:
    """The loss check is a guard of the replay: a NaN in epoch 2 (replayed steps)
    stops fit with the last good weights and names the epoch and batch."""
    rng = np.random.default_rng(6)
    x, y = rng.random((40, 6), dtype=np.float32), rng.integers(0, 4, 40)
    calls = [0]

    def poison(xb: Any, rng: Any) -> Any:
        calls[0] += 1
        return xb * np.nan if calls[0] == 15 else xb

    model = nn.TensorMLP(6, [5, 4], seed=0)
    opt = nn.SGD(model.parameters(), lr=1.0)
    good: list[Any] = []
    with pytest.raises(FloatingPointError, match="epoch 2, batch 5, before this batch's step"):
        nn.fit(
            model, "mse", opt, x, y, epochs=2, batch_size=4, progress=False, augment=poison,
            callback=lambda e, h: good.append(1),
        )  # fmt: skip
    assert all(np.isfinite(p.data).all() for p in model.parameters())


def test_chapter_4_quotes_the_code_compile_writes(capsys: Any) -> None:
    """Chapter 4 reads the generated backward pass line by line: each line it quotes
    is in the source its own code block prints."""
    page = (Path(__file__).parents[1] / "docs" / "04-backprop-calculus.md").read_text()
    section = page.split("## The chain rule, written out by the machine")[1].split("\nNext:")[0]
    code = section.split("```python\n")[1].split("```")[0]
    exec(code, {"__name__": "chapter4"})
    source = capsys.readouterr().out
    prose = re.sub(r"```.*?```", "", section, flags=re.S)
    quoted = [q for q in re.findall(r"`([^`]+)`", prose) if " = " in q]
    assert len(quoted) >= 4
    for line in quoted:
        assert line in source, line


def test_python_state_the_step_changes_on_every_call_is_refused() -> None:
    """A list appended to inside the step: the replay would not append (traced once more
    in case it was a cache filled on first use, then refused)."""
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    seen: list[float] = []

    @autograd.compile
    def step(x: Any) -> Tensor:
        y = (x @ w).sum()
        seen.append(1.0)
        return y

    step(np.ones((2, 3)))
    with pytest.raises(TraceError, match="seen"):
        step(np.ones((2, 3)))


def test_a_cache_filled_on_the_first_call_is_traced_again_and_kept() -> None:
    class Scaled:
        def __init__(self) -> None:
            self.w = Tensor(np.ones((3, 2)), requires_grad=True)
            self.scale: float | None = None

        def __call__(self, x: Any) -> Tensor:
            if self.scale is None:
                self.scale = 0.5  # filled once
            return (x @ self.w * self.scale).sum()

    model = Scaled()
    step = autograd.compile(lambda x: model(x))
    rng = np.random.default_rng(8)
    values = [float(step(rng.random((2, 3))).data) for _ in range(4)]
    assert len(set(values)) == 4 and step.latest is not None and step.latest.verified


def test_a_check_after_the_first_update_is_refused() -> None:
    """Two updates in one step: the second update's finiteness check comes after the
    first wrote the weights, so a replay could not run that call eagerly instead
    without applying the first update twice: refused at trace time."""
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    opt = nn.SGD([w], lr=0.1)

    @autograd.compile
    def two_steps(x: Any) -> Tensor:
        for _ in range(2):
            loss = (x @ w).sum()
            w.grad = None
            loss.backward()
            opt.step()
        return loss

    with pytest.raises(TraceError, match="after it has written its parameters"):
        two_steps(np.ones((2, 3)))
