# ruff: noqa: E501  (one-line docstrings describe each problem)
"""Hostile tests of autograd.compile: the replay must equal the eager step, or refuse.

Each test runs the same step on two identical models, one eagerly and one through
``autograd.compile``, and compares the state bit for bit. Tests whose docstring
starts with "holds:" pass and pin down an edge case that works; the others fail
on the current code and describe the problem.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, TraceError
from autograd.compiler.record import Traced

RNG = np.random.default_rng(0)
X = RNG.normal(size=(5, 3)).astype(np.float32)
Y = RNG.normal(size=(5, 2)).astype(np.float32)


def model_and_opt(opt: str = "sgd", **kw: Any) -> tuple[Any, Any]:
    m = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1))
    o = (
        nn.SGD(m.parameters(), lr=0.1, **kw)
        if opt == "sgd"
        else nn.Adam(m.parameters(), lr=0.01, **kw)
    )
    return m, o


def plain_step(m: Any, o: Any, wrap: Any = None) -> Any:
    def step(x: Any, y: Any) -> Tensor:
        loss = nn.mse(m(wrap(x) if wrap else x), y)
        m.zero_grad()
        loss.backward()
        o.step()
        return loss

    return step


def twins(opt: str = "sgd", make: Any = plain_step, **kw: Any) -> Any:
    (ma, oa), (mb, ob) = model_and_opt(opt, **kw), model_and_opt(opt, **kw)
    return (ma, oa, make(ma, oa)), (mb, ob, autograd.compile(make(mb, ob)))


def state_bytes(m: Any, o: Any = None) -> list[bytes]:
    out = [p.data.tobytes() for p in m.parameters()]
    out += [b"None" if p.grad is None else np.asarray(p.grad).tobytes() for p in m.parameters()]
    for s in getattr(o, "state", []) or []:
        items = s if isinstance(s, tuple) else (s,)
        out += [np.asarray(i).tobytes() for i in items if i is not None]
    return out


def assert_same(a: Any, b: Any) -> None:
    (ma, oa), (mb, ob) = a, b
    assert state_bytes(ma, oa) == state_bytes(mb, ob), "compiled step's state differs from eager"
    for p in mb.parameters():
        assert not isinstance(p.data, Traced) and not isinstance(p.grad, Traced)


def run_mutating(opt: str, mutate: Any, kw: Any = None, before: int = 3, after: int = 3) -> None:
    (ma, oa, e), (mb, ob, c) = twins(opt, **(kw or {}))
    for _ in range(before):
        e(X, Y)
        c(X, Y)
    mutate(ma, oa)
    mutate(mb, ob)
    for _ in range(after):
        e(X, Y)
        c(X, Y)
    assert_same((ma, oa), (mb, ob))


# ------------------------------------------------- Python state changed between calls


@pytest.mark.parametrize(
    "opt,attr,value,kw",
    [
        ("sgd", "momentum", 0.5, {"momentum": 0.9}),
        ("sgd", "weight_decay", 0.1, {}),
        ("adam", "betas", (0.5, 0.6), {}),
        ("adam", "eps", 1e-2, {}),
        ("adam", "weight_decay", 0.1, {}),
    ],
)
def test_optimizer_setting_changed_between_calls(opt: str, attr: str, value: Any, kw: Any) -> None:
    """Silently wrong: a changed momentum/weight_decay/betas/eps is ignored by the replay (baked in as a constant)."""
    run_mutating(opt, lambda m, o: setattr(o, attr, value), kw)


def test_lr_changed_between_calls() -> None:
    """holds: a new lr is read anew by the replay (it is a live number)."""
    run_mutating("adam", lambda m, o: setattr(o, "lr", 0.5))


def test_parameter_replaced_by_new_tensor() -> None:
    """Silently wrong: model[0].weight replaced by a new Tensor; the replay keeps reading and training the old one."""

    def replace(m: Any, o: Any) -> None:
        m[0].weight = Tensor(np.full((4, 3), 0.1, np.float32), requires_grad=True)

    (ma, oa, e), (mb, ob, c) = twins()
    for _ in range(3):
        e(X, Y)
        c(X, Y)
    replace(ma, oa)
    replace(mb, ob)
    for _ in range(2):
        le, lc = e(X, Y), c(X, Y)
    assert le.data.tobytes() == lc.data.tobytes()
    assert ma[0].weight.grad.tobytes() == mb[0].weight.grad.tobytes()


def test_load_state_dict_between_calls() -> None:
    """holds: load_state_dict (writes into the same Tensors) is seen by the replay."""
    run_mutating(
        "adam", lambda m, o: m.load_state_dict({k: v * 0 + 0.05 for k, v in m.state_dict().items()})
    )


def test_requires_grad_turned_off_between_calls() -> None:
    """Silently wrong: after weight.requires_grad = False the replay still computes its gradient and updates it."""
    run_mutating("sgd", lambda m, o: setattr(m[0].weight, "requires_grad", False))


@pytest.mark.parametrize("opt,kw", [("sgd", {"momentum": 0.9}), ("adam", {})])
def test_optimizer_state_list_replaced(opt: str, kw: Any) -> None:
    """Silently wrong: opt.state replaced by a fresh list (a reset of the moments); the replay keeps the old list."""
    run_mutating(opt, lambda m, o: setattr(o, "state", [None] * len(o.params)), kw)


def test_param_added_to_optimizer() -> None:
    """holds: a parameter appended to opt.params (without a gradient) changes nothing, in both."""
    run_mutating(
        "sgd", lambda m, o: o.params.append(Tensor(np.ones(3, np.float32), requires_grad=True))
    )


# ------------------------------------------------- inputs baked in as constants


@pytest.mark.parametrize(
    "wrap",
    [np.array, lambda x: Tensor(x, dtype=np.float32), lambda x: np.ascontiguousarray(x.T).T],
    ids=["np.array", "Tensor(x, dtype)", "ascontiguousarray"],
)
def test_input_copied_inside_step_is_followed_or_refused(wrap: Any) -> None:
    """Was silently wrong: np.array(x) inside the step became a constant (the first
    replay was checked on the same x, so later batches trained on the first one). Now
    Tensor(x, dtype) is followed, and a copy compile cannot follow is refused, naming
    the argument, at the first call."""
    (ma, oa, e), (mb, ob, c) = twins(make=lambda m, o: plain_step(m, o, wrap))
    try:
        for xb in [X, X, X, X + 1, X * 2]:  # e.g. full-batch steps on X, then new data
            le, lc = e(xb, Y), c(xb, Y)
    except TraceError as err:
        assert "copies its argument 'x'" in str(err)
        return
    assert le.data.tobytes() == lc.data.tobytes()
    assert_same((ma, oa), (mb, ob))


@pytest.mark.parametrize(
    "wrap",
    [Tensor, np.asarray, lambda x: x.astype(np.float64)],
    ids=["Tensor", "asarray", "astype"],
)
def test_input_wrapped_inside_step(wrap: Any) -> None:
    """holds: Tensor(x), np.asarray(x), x.astype(...) inside the step follow the argument."""
    (ma, oa, e), (mb, ob, c) = twins(make=lambda m, o: plain_step(m, o, wrap))
    for xb in [X, X, X, X + 1, X * 2]:
        le, lc = e(xb, Y), c(xb, Y)
    assert le.data.tobytes() == lc.data.tobytes()
    assert_same((ma, oa), (mb, ob))


def test_input_mutated_in_place_by_step() -> None:
    """Wrong with on_refusal='eager': a step that does x *= 2 runs twice on the verifying call (replay, then eager), so x and the weights end up differing from eager."""
    (ma, oa, _), (mb, ob, _) = twins()

    def make(m: Any, o: Any) -> Any:
        def step(x: Any, y: Any) -> Tensor:
            x *= 2
            loss = nn.mse(m(x), y)
            m.zero_grad()
            loss.backward()
            o.step()
            return loss

        return step

    e, c = make(ma, oa), autograd.compile(make(mb, ob), on_refusal="eager")
    xa, xb = X.copy(), X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(4):
            e(xa, Y)
            c(xb, Y)
    assert xa.tobytes() == xb.tobytes()
    assert_same((ma, oa), (mb, ob))


# ------------------------------------------------- arrays of another dtype: crashes


def _fit(loss: Any, compile: bool) -> list[bytes]:
    m = nn.TensorMLP(3, [4, 3], seed=0)
    o = nn.Adam(m.parameters(), lr=0.01)
    x = np.random.default_rng(1).normal(size=(11, 3)).astype(np.float32)
    y = np.random.default_rng(2).integers(0, 3, size=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nn.fit(m, loss, o, x, y, epochs=2, batch_size=4, progress=False, compile=compile)
    return [p.data.tobytes() for p in m.parameters()]


def _one_hot_f64(y: Any) -> Any:
    return (y[:, None] == np.arange(3)).astype(np.float64)


@pytest.mark.parametrize(
    "loss",
    [
        lambda out, y: nn.mse(out, _one_hot_f64(y)),
        lambda out, y: (out.clip(-1, 1) - (y[:, None] == np.arange(3))).abs().max(),
        lambda out, y: ((out.softmax(axis=-1) - (y[:, None] == np.arange(3))) ** 2).sum(),
    ],
    ids=["mse-float64-target", "clip-abs-max-bool", "softmax-bool"],
)
def test_fit_custom_loss_with_array_of_other_dtype(loss: Any) -> None:
    """Crash: fit(compile=True) raises TraceError ('made by a NumPy operation compile does not follow') where fit(compile=False) trains; on_refusal='eager' is not honoured."""
    assert _fit(loss, True) == _fit(loss, False)


def test_float64_target_with_float32_model_on_refusal_eager() -> None:
    """Crash: nn.mse(model(x), y) with y float64 and a float32 model raises TraceError even with on_refusal='eager' (eager converts y silently)."""
    (ma, oa, e), (mb, ob, _) = twins()
    c = autograd.compile(plain_step(mb, ob), on_refusal="eager")
    y64 = Y.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            e(X, y64)
            c(X, y64)
    assert_same((ma, oa), (mb, ob))


def test_fit_custom_losses_hold() -> None:
    """holds: fit(compile=True) == fit(compile=False) for cross_entropy, mse, log_softmax indexing with labels, relu/reshape/.T/slicing."""
    for loss in [
        "cross_entropy",
        "mse",
        lambda out, y: -out.log_softmax(axis=-1)[np.arange(len(y)), y].mean(),
        lambda out, y: (out.relu().reshape(-1, 3).T[:, 1:] ** 2).mean(),
    ]:
        assert _fit(loss, True) == _fit(loss, False)


# ------------------------------------------------- Python state the step reads, changed between calls


def _configured(m: Any, o: Any, cfg: dict[str, Any]) -> Any:
    def step(x: Any, y: Any) -> Tensor:
        loss = nn.mse(m(x), y) * cfg["scale"]
        m.zero_grad()
        loss.backward()
        if cfg["stop"]:
            raise RuntimeError("stop requested")
        o.step()
        return loss

    return step


def test_closure_config_number_changed_between_calls() -> None:
    """Silently wrong: a loss scale read from a closure dict, changed between calls, is baked into the replay."""
    (ma, oa, _), (mb, ob, _) = twins()
    ca, cb = {"scale": 1.0, "stop": False}, {"scale": 1.0, "stop": False}
    e, c = _configured(ma, oa, ca), autograd.compile(_configured(mb, ob, cb))
    for _ in range(3):
        e(X, Y)
        c(X, Y)
    ca["scale"] = cb["scale"] = 3.0
    le, lc = e(X, Y), c(X, Y)
    assert le.data.tobytes() == lc.data.tobytes()
    assert_same((ma, oa), (mb, ob))


def test_closure_flag_that_raises_changed_between_calls() -> None:
    """Silently wrong: a Python flag that makes the step raise before opt.step() is ignored by the replay, which updates the weights."""
    (ma, oa, _), (mb, ob, _) = twins()
    ca, cb = {"scale": 1.0, "stop": False}, {"scale": 1.0, "stop": False}
    e, c = _configured(ma, oa, ca), autograd.compile(_configured(mb, ob, cb))
    for _ in range(3):
        e(X, Y)
        c(X, Y)
    ca["stop"] = cb["stop"] = True
    with pytest.raises(RuntimeError):
        e(X, Y)
    with pytest.raises(RuntimeError):
        c(X, Y)
    assert_same((ma, oa), (mb, ob))


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.modules.__setitem__(1, nn.ReLU()),
        lambda m: setattr(m.modules[0], "bias", None),
    ],
    ids=["activation-swapped", "bias-removed"],
)
def test_model_structure_changed_between_calls(change: Any) -> None:
    """Silently wrong: the model's layers changed between calls (Tanh -> ReLU, bias = None); the replay runs the old model."""
    run_mutating("sgd", lambda m, o: change(m))


# ------------------------------------------------- crashes with unhelpful errors


def test_forward_under_no_grad_leaks_internal_changed() -> None:
    """Crash: a step traced under no_grad raises the internal, message-less compiler.source.Changed on its third call (the replay's check 'not _grad_on()' is inverted for a no_grad trace)."""
    (ma, _, _), (mb, _, _) = twins()
    e = lambda x: ma(x).sum()  # noqa: E731
    c = autograd.compile(lambda x: mb(x).sum())
    with autograd.no_grad():
        for xb in [X, X, X, X + 1]:
            assert e(xb).data.tobytes() == c(xb).data.tobytes()


@pytest.mark.parametrize(
    "expr",
    [
        lambda loss, s: loss * s,
        lambda loss, s: s * loss,
        lambda loss, s: loss / s,
        lambda loss, s: loss**s,
        lambda loss, s: loss.clip(0, s),
    ],
    ids=["loss*s", "s*loss", "loss/s", "loss**s", "clip(0,s)"],
)
def test_python_number_argument_with_tensor(expr: Any) -> None:
    """Crash: a Python number argument (documented: 'read anew on every call') becomes a Live that Tensor ops reject (TypeError 'unsupported operand type Live'; s*loss gives a Live with no backward)."""

    def make(m: Any, o: Any) -> Any:
        def step(x: Any, y: Any, s: float) -> Tensor:
            loss = expr(nn.mse(m(x), y), s)
            m.zero_grad()
            loss.backward()
            o.step()
            return loss

        return step

    (ma, oa, _), (mb, ob, _) = twins()
    e, c = make(ma, oa), autograd.compile(make(mb, ob))
    for s in [1.0, 1.0, 2.0, 0.5, 3]:
        le, lc = e(X, Y, s), c(X, Y, s)
        assert le.data.tobytes() == lc.data.tobytes()
    assert_same((ma, oa), (mb, ob))


# ------------------------------------------------- fit


def _fit_with_callback(compile: bool, attr: str, value: Any) -> list[bytes]:
    m = nn.TensorMLP(3, [4, 3], seed=0)
    o = nn.SGD(m.parameters(), lr=0.1, momentum=0.9)
    x = np.random.default_rng(1).normal(size=(12, 3)).astype(np.float32)
    y = np.random.default_rng(2).integers(0, 3, size=12)
    cb = lambda epoch, history: setattr(o, attr, value)  # noqa: E731
    nn.fit(
        m,
        "cross_entropy",
        o,
        x,
        y,
        epochs=3,
        batch_size=4,
        progress=False,
        compile=compile,
        callback=cb,
    )
    return [p.data.tobytes() for p in m.parameters()]


@pytest.mark.parametrize("attr,value", [("momentum", 0.0), ("weight_decay", 0.5)])
def test_fit_callback_changes_optimizer_setting(attr: str, value: Any) -> None:
    """Silently wrong: fit(compile=True) != fit(compile=False) when a callback changes opt.momentum / opt.weight_decay after an epoch."""
    assert _fit_with_callback(True, attr, value) == _fit_with_callback(False, attr, value)


def test_fit_callback_changes_lr() -> None:
    """holds: fit(compile=True) == fit(compile=False) when a callback changes opt.lr."""
    assert _fit_with_callback(True, "lr", 0.03) == _fit_with_callback(False, "lr", 0.03)


# ------------------------------------------------- library checks as guards


@pytest.mark.parametrize("opt,kw", [("sgd", {}), ("sgd", {"momentum": 0.9}), ("adam", {})])
def test_non_finite_input_with_accumulated_gradients(opt: str, kw: Any) -> None:
    """holds: an inf input after verified calls (gradients accumulated, no zero_grad) raises FloatingPointError in both, state equal."""

    def make(m: Any, o: Any) -> Any:
        def step(x: Any, y: Any) -> Tensor:
            loss = nn.mse(m(x), y)
            loss.backward()
            o.step()
            return loss

        return step

    (ma, oa, _), (mb, ob, _) = twins(opt, **kw)
    e, c = make(ma, oa), autograd.compile(make(mb, ob))
    for _ in range(4):
        e(X, Y)
        c(X, Y)
    bad = X.copy()
    bad[0, 0] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(FloatingPointError):
            e(bad, Y)
        with pytest.raises(FloatingPointError):
            c(bad, Y)
    for p, q in zip(ma.parameters(), mb.parameters(), strict=True):
        assert p.data.tobytes() == q.data.tobytes()
        assert np.array_equal(p.grad, q.grad, equal_nan=True)
        assert type(q.grad) is np.ndarray


def test_batch_sizes_and_views_hold() -> None:
    """holds: Adam's first steps, batch sizes 5/1/2/3 interleaved, strided and Fortran-order views as inputs."""
    (ma, oa, e), (mb, ob, c) = twins("adam")
    big = np.asfortranarray(np.random.default_rng(5).normal(size=(10, 3)).astype(np.float32))
    for xb, yb in [
        (X, Y),
        (X, Y),
        (X[:1], Y[:1]),
        (X[:1], Y[:1]),
        (X[:1], Y[:1]),
        (X[:2], Y[:2]),
        (big[::2], Y),
        (big[1::2], Y),
        (X[::-1], Y),
        (X[:3], Y[:3]),
        (X, Y),
    ]:
        assert e(xb, yb).data.tobytes() == c(xb, yb).data.tobytes()
    assert_same((ma, oa), (mb, ob))


def test_returned_loss_is_like_eager() -> None:
    """Inconsistent result: the compiled step's loss.data is a NumPy scalar (np.float32) after verification, a 0-d ndarray before, and requires_grad flips True only on the verifying call; eager always returns a 0-d ndarray with requires_grad."""
    (_ma, _oa, e), (_mb, _ob, c) = twins()
    kinds = []
    for _ in range(5):
        le, lc = e(X, Y), c(X, Y)
        kinds.append((type(lc.data), lc.requires_grad))
        assert type(lc.data) is type(le.data)
    assert len(set(kinds)) == 1


# ------------------------------------------------- traced arrays leaking into user state


def _traced_tensors(objs: Any) -> list[Any]:
    return [t for t in objs if isinstance(t, Tensor) and isinstance(t.data, Traced)]


def test_cache_filled_on_first_call_leaks_traced_and_crashes() -> None:
    """Leak + crash: a Tensor cached on the first call (documented as fine) keeps Traced data; the third call crashes with IndexError in compile's own _copy, and using the cached Tensor later crashes too."""
    m, o = model_and_opt()
    cache: dict[str, Any] = {}

    def step(x: Any, y: Any) -> Tensor:
        out = m(x)
        if "first" not in cache:
            cache["first"] = out
        loss = nn.mse(out, y)
        m.zero_grad()
        loss.backward()
        o.step()
        return loss

    c = autograd.compile(step)
    for _ in range(5):
        c(X, Y)
    assert not isinstance(cache["first"].data, Traced)
    assert np.isfinite((cache["first"].data + 1).sum())


@pytest.mark.parametrize("on_refusal", ["raise", "eager"])
def test_refused_step_leaks_traced_into_closure_list(on_refusal: str) -> None:
    """Leak: a step that appends its loss to a closure list is refused, but the list keeps loss Tensors whose .data is a Traced array (unusable outside a trace)."""
    m, o = model_and_opt()
    history: list[Any] = []

    def step(x: Any, y: Any) -> Tensor:
        loss = nn.mse(m(x), y)
        m.zero_grad()
        loss.backward()
        o.step()
        history.append(loss)
        return loss

    c = autograd.compile(step, on_refusal=on_refusal)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            with contextlib.suppress(TraceError):
                c(X, Y)
    assert _traced_tensors(history) == []


# ------------------------------------------------- Tensor arguments


def test_tensor_argument_without_grad_is_an_input() -> None:
    """step(Tensor(xb), yb): the Tensor's array is the input, read on every call."""
    (ma, oa, e), (mb, ob, c) = twins()
    for i in range(5):
        ta, tb = Tensor(X + i), Tensor(X + i)
        assert e(ta, Y).data.tobytes() == c(tb, Y).data.tobytes()
    assert_same((ma, oa), (mb, ob))


def test_tensor_argument_that_requires_grad_is_refused() -> None:
    """Our choice: a replay writes gradients to the parameters it found, so an argument
    that requires grad is refused, naming it, before anything runs."""
    _, (mb, _ob, c) = twins()
    with pytest.raises(TraceError, match="argument 'x' is a Tensor that requires grad"):
        c(Tensor(X, requires_grad=True), Y)
    assert all(p.grad is None for p in mb.parameters())


# ------------------------------------------------- NumPy error state inside the library


def _scaled_step(m: Any, o: Any) -> Any:
    def step(x: Any, s: Any) -> Tensor:
        loss = (m(x) * s).sum()
        m.zero_grad()
        loss.backward()
        o.step()
        return loss

    return step


def _overflowing_twins() -> Any:
    (ma, oa, _), (mb, ob, _) = twins("adam")
    e, c = _scaled_step(ma, oa), autograd.compile(_scaled_step(mb, ob))
    one = np.ones((), np.float32)
    for _ in range(4):
        e(X, one)
        c(X, one)
    return (ma, oa, e), (mb, ob, c)


BIG = np.array(1e30, np.float32)  # Adam's g * g overflows float32: silenced by Adam.step's errstate


def test_fit_nan_input_holds() -> None:
    """holds: a NaN input in epoch 2 makes fit(compile=True) raise the same FloatingPointError as fit(compile=False), same weights."""

    def run(compile: bool) -> tuple[str, list[bytes]]:
        m = nn.TensorMLP(3, [4, 3], seed=0)
        o = nn.Adam(m.parameters(), lr=0.01)
        x = np.random.default_rng(1).normal(size=(16, 3)).astype(np.float32)
        x[9, 1] = np.nan
        y = np.random.default_rng(2).integers(0, 3, size=16)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(FloatingPointError) as err:
                nn.fit(
                    m,
                    "cross_entropy",
                    o,
                    x,
                    y,
                    epochs=3,
                    batch_size=2,
                    progress=False,
                    compile=compile,
                )
        return str(err.value), [p.data.tobytes() for p in m.parameters()]

    assert run(True) == run(False)


# ------------------------------------------------- globals rebound between calls (a notebook re-run)

g_model: Any = None
g_opt: Any = None


def g_step(x: Any, y: Any) -> Tensor:
    loss = nn.mse(g_model(x), y)
    g_model.zero_grad()
    loss.backward()
    g_opt.step()
    return loss


def test_global_model_rebound_between_calls() -> None:
    """Silently wrong: the step names a global model/optimizer; rebinding the globals to a new model (re-running a notebook cell) leaves the replay training the old model, and the new one is untouched."""
    global g_model, g_opt
    g_model, g_opt = model_and_opt()
    c = autograd.compile(g_step)
    for _ in range(3):
        c(X, Y)
    g_model, g_opt = model_and_opt()
    fresh, fresh_opt = model_and_opt()
    e = plain_step(fresh, fresh_opt)
    for _ in range(2):
        assert e(X, Y).data.tobytes() == c(X, Y).data.tobytes()
    assert_same((fresh, fresh_opt), (g_model, g_opt))


def test_module_attribute_array_rebound_between_calls() -> None:
    """Silently wrong: an array read as a module attribute (cfg.W; modules are not walked) is baked in as a constant, so rebinding cfg.W between calls is ignored by the replay."""
    import types

    cfg = types.ModuleType("cfg")
    cfg.W = np.ones((5, 2), np.float32)  # type: ignore[attr-defined]

    def make(m: Any, o: Any) -> Any:
        def step(x: Any, y: Any) -> Tensor:
            loss = (((m(x) - y) ** 2) * cfg.W).sum()  # type: ignore[attr-defined]
            m.zero_grad()
            loss.backward()
            o.step()
            return loss

        return step

    (ma, oa, _), (mb, ob, _) = twins()
    e, c = make(ma, oa), autograd.compile(make(mb, ob))
    for _ in range(3):
        e(X, Y)
        c(X, Y)
    cfg.W = np.full((5, 2), 3.0, np.float32)  # type: ignore[attr-defined]
    assert e(X, Y).data.tobytes() == c(X, Y).data.tobytes()
    assert_same((ma, oa), (mb, ob))


def test_step_raising_midway_on_some_shapes_holds() -> None:
    """holds: a step that raises after backward() for batches of 4 (a shape decision) raises in both, every time, and leaves equal plain state."""

    def make(m: Any, o: Any) -> Any:
        def step(x: Any, y: Any) -> Tensor:
            loss = nn.mse(m(x), y)
            m.zero_grad()
            loss.backward()
            if y.shape[0] == 4:
                raise ValueError("four")
            o.step()
            return loss

        return step

    (ma, oa, _), (mb, ob, _) = twins("adam")
    e, c = make(ma, oa), autograd.compile(make(mb, ob))
    for n in [4, 5, 4, 5, 5, 4, 5, 5]:
        outcomes = []
        for f in (e, c):
            try:
                f(X[:n], Y[:n])
                outcomes.append("ok")
            except ValueError:
                outcomes.append("raised")
        assert outcomes[0] == outcomes[1]
    assert_same((ma, oa), (mb, ob))


# ------------------------------------------------- the first-replay check can be fooled


# ------------------------------------------------- ways of writing the step


def test_keyword_arguments() -> None:
    """Crash: step(x=xb, y=yb) raises TypeError (Compiled.__call__ takes no keyword arguments) where the eager step works."""
    (_ma, _oa, e), (_mb, _ob, c) = twins()
    for _ in range(4):
        assert e(x=X, y=Y).data.tobytes() == c(x=X, y=Y).data.tobytes()


def test_default_argument_left_out() -> None:
    """Crash: a step with a default parameter (def step(x, y, scale=2.0)) called without it fails with TypeError 'missing 1 required positional argument' from the generated replay."""

    def make(m: Any, o: Any) -> Any:
        def step(x: Any, y: Any, scale: float = 2.0) -> Tensor:
            loss = nn.mse(m(x), y)
            m.zero_grad()
            loss.backward()
            o.step()
            return loss

        return step

    (ma, oa, _), (mb, ob, _) = twins()
    e, c = make(ma, oa), autograd.compile(make(mb, ob))
    for i in range(4):
        assert e(X + i, Y).data.tobytes() == c(X + i, Y).data.tobytes()
    assert_same((ma, oa), (mb, ob))


def test_varargs_step_is_refused_when_compiled() -> None:
    """Our choice: a step's arguments are named (the replay is a function of them)."""

    def step(*batch: Any) -> Any:
        return batch

    with pytest.raises(TypeError, match=r"no \*args"):
        autograd.compile(step)


class Trainer:
    def __init__(self, model: Any, opt: Any) -> None:
        self.model, self.opt = model, opt

    def step(self, x: Any, y: Any) -> Tensor:
        loss = nn.mse(self.model(x), y)
        self.model.zero_grad()
        loss.backward()
        self.opt.step()
        return loss


def test_bound_method_step() -> None:
    """Crash: autograd.compile(trainer.step) raises a misleading TraceError ('written into an array made outside the trace'): the method's self (model, optimizer) is never walked."""
    (ma, oa, _), (mb, ob, _) = twins()
    e, c = Trainer(ma, oa).step, autograd.compile(Trainer(mb, ob).step)
    for i in range(4):
        assert e(X + i, Y).data.tobytes() == c(X + i, Y).data.tobytes()
    assert_same((ma, oa), (mb, ob))


def test_functools_partial_is_refused_with_what_to_do() -> None:
    """Our choice: compile takes a function or a bound method; the message says how."""
    import functools

    def step(m: Any, x: Any) -> Any:
        return m(x)

    with pytest.raises(TypeError, match="lambda"):
        autograd.compile(functools.partial(step, None))  # type: ignore[arg-type]


def test_ops_manual_updates_and_tied_weights_hold() -> None:
    """holds: abs/max/clip/relu/softmax/reshape/slices/.T/sigmoid/log/pow losses, manual p.data -= lr * p.grad updates, and a tied weight (w and w.T) replay bit for bit."""

    def ops_step(m: Any, o: Any) -> Any:
        def step(x: Any, y: Any) -> Tensor:
            out = m(x)
            loss = (
                out.abs().max(axis=0).sum()
                + out.clip(-0.5, 0.5).relu().sum()
                + out.softmax(axis=-1)[:, 1:].sum()
                + out.reshape(10)[::3].exp().sum()
                + (out.T[0] * out[:, 1]).sum()
                + out.sigmoid().log().mean()
                + (out**3).sum()
                + out.max()
            )
            m.zero_grad()
            loss.backward()
            for p in m.parameters():
                p.data -= 0.01 * p.grad
            return loss

        return step

    (ma, oa, _), (mb, ob, _) = twins()
    e, c = ops_step(ma, oa), autograd.compile(ops_step(mb, ob))
    for xb in [X, X + 1, X + 2, -X * 10, np.zeros_like(X), X]:
        assert e(xb, Y).data.tobytes() == c(xb, Y).data.tobytes()
    assert_same((ma, oa), (mb, ob))

    ws = [
        Tensor(np.random.default_rng(0).normal(size=(3, 3)).astype(np.float32), requires_grad=True)
        for _ in range(2)
    ]
    opts = [nn.Adam([w], lr=0.01) for w in ws]

    def tied(w: Any, o: Any) -> Any:
        def step(x: Any) -> Tensor:
            loss = ((((x @ w).tanh() @ w.T) - x) ** 2).mean()
            o.zero_grad()
            loss.backward()
            o.step()
            return loss

        return step

    e2, c2 = tied(ws[0], opts[0]), autograd.compile(tied(ws[1], opts[1]))
    for i in range(5):
        e2(X + i)
        c2(X + i)
    assert ws[0].data.tobytes() == ws[1].data.tobytes()


def test_fit_with_one_hot_in_loss_holds() -> None:
    """holds: fit(compile=True) == fit(compile=False) with nn.data.one_hot(y) or (y[:, None] == arange).astype inside the loss, batch sizes 1 and 4."""
    from nn.data import one_hot

    def run(compile: bool, loss: Any, bs: int) -> list[bytes]:
        m = nn.TensorMLP(3, [4, 3], seed=0)
        o = nn.SGD(m.parameters(), lr=0.1)
        y = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2])
        x = np.random.default_rng(1).normal(size=(len(y), 3)).astype(np.float32)
        nn.fit(m, loss, o, x, y, epochs=2, batch_size=bs, progress=False, compile=compile)
        return [p.data.tobytes() for p in m.parameters()]

    for loss in [
        lambda out, y: nn.mse(out, one_hot(y, 3)),
        lambda out, y: nn.mse(out, (y[:, None] == np.arange(3)).astype(np.float32)),
    ]:
        for bs in (1, 4):
            assert run(True, loss, bs) == run(False, loss, bs)


class CallCounter:
    calls = 0


def test_python_state_changed_every_call_on_class_or_module() -> None:
    """Was silently wrong: a step counting its calls on a class or a module attribute
    (neither was walked) was not refused; after 6 calls the counters read 3."""
    import types

    stats = types.ModuleType("stats")
    stats.calls = 0  # type: ignore[attr-defined]
    CallCounter.calls = 0
    m, o = model_and_opt()
    inner = plain_step(m, o)

    def step(x: Any, y: Any) -> Tensor:
        loss = inner(x, y)
        stats.calls += 1  # type: ignore[attr-defined]
        CallCounter.calls += 1
        return loss

    c = autograd.compile(step)
    c(X, Y)  # traced (a cache filled on first use would be fine)
    with pytest.raises(TraceError, match="changes Python state"):
        c(X, Y)  # traced again, changed again: refused (this call ran eagerly)
    assert (stats.calls, CallCounter.calls) == (2, 2)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "read",
    [
        lambda loss: float(str(loss).split("(")[1].split(",")[0]) > 50,
        lambda loss: float(str(loss.data)) > 50,
        lambda loss: np.frombuffer(loss.data.tobytes(), np.float32)[0] > 50,
    ],
    ids=["str(tensor)", "str(array)", "tobytes"],
)
def test_value_read_not_refused(read: Any) -> None:
    """Silently wrong: a step deciding on its loss through str()/tobytes() (value reads the trace does not see) is not refused; its replay never raises where eager does and keeps updating."""

    def make(m: Any, o: Any) -> Any:
        def step(x: Any, y: Any) -> Tensor:
            loss = nn.mse(m(x), y)
            if read(loss):
                raise ValueError("loss too big: skip this batch")
            m.zero_grad()
            loss.backward()
            o.step()
            return loss

        return step

    (ma, oa, _), (mb, ob, _) = twins()
    e, c = make(ma, oa), autograd.compile(make(mb, ob))
    for s in [1, 1, 1, 1, 100]:
        outcomes = []
        for f in (e, c):
            try:
                f(X, Y * s)
                outcomes.append("ok")
            except TraceError:
                return  # refused: fine
            except ValueError:
                outcomes.append("raised")
        assert outcomes[0] == outcomes[1]
    assert_same((ma, oa), (mb, ob))


def test_optimizer_params_replaced_by_subset() -> None:
    """Silently wrong: opt.params = opt.params[2:] (freezing the first layer) between calls; the replay still updates the first layer."""

    def freeze(m: Any, o: Any) -> None:
        o.params, o.state = o.params[2:], o.state[2:]

    run_mutating("sgd", freeze)


def test_optimizer_params_deleted_in_place() -> None:
    """Crash: del opt.params[0:2]; del opt.state[0:2] between calls makes the replay's generated _check_kinds raise IndexError: list index out of range."""

    def freeze(m: Any, o: Any) -> None:
        del o.params[0:2]
        del o.state[0:2]

    run_mutating("sgd", freeze)


def test_create_graph_step() -> None:
    """Unhelpful refusal: a step with backward(create_graph=True) is refused blaming 'random numbers ... np.eye(10)[y]' (the replay writes arrays where eager's .grad are Tensors); it should replay or name create_graph."""
    (ma, oa, _), (mb, ob, _) = twins()

    def make(m: Any, o: Any) -> Any:
        def step(x: Any, y: Any) -> Tensor:
            loss = nn.mse(m(x), y)
            m.zero_grad()
            loss.backward(create_graph=True)
            o.step()
            return loss

        return step

    e, c = make(ma, oa), autograd.compile(make(mb, ob))
    try:
        for i in range(4):
            assert e(X + i, Y).data.tobytes() == c(X + i, Y).data.tobytes()
    except TraceError as err:
        assert "create_graph" in str(err), str(err)


def test_float64_model_with_float32_targets() -> None:
    """Crash: a float64 model trained on float32 targets with nn.mse raises TraceError ('made by a NumPy operation compile does not follow', naming the user's mse line) where eager converts the targets."""
    ms = [
        nn.Sequential(
            nn.Linear(3, 4, seed=0, dtype=np.float64),
            nn.Sigmoid(),
            nn.Linear(4, 2, seed=1, dtype=np.float64),
        )
        for _ in range(2)
    ]
    opts = [nn.Adam(m.parameters(), lr=0.01) for m in ms]
    e, c = plain_step(ms[0], opts[0]), autograd.compile(plain_step(ms[1], opts[1]))
    for i in range(4):
        assert e(X + i, Y).data.tobytes() == c(X + i, Y).data.tobytes()
    assert_same((ms[0], opts[0]), (ms[1], opts[1]))
