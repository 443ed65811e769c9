"""One MNIST training epoch: the Tensor engine vs hand-written NumPy, same math, one run.

Workloads (full 60,000-image training set, float32, one BLAS thread):

* ``3b1b``: 784-16-16-10, sigmoid everywhere, quadratic cost (sum over the 10
  outputs, mean over the batch) against one-hot targets, plain SGD; batch 10, 32
  and 128.
* ``ce``: 784-100-10, ReLU hidden layer, softmax cross-entropy from logits, plain
  SGD; batch 32 and 128.

Each is trained these ways from the same initial weights in the same shuffled order:

* **fused**: ``nn.TensorMLP`` + ``nn.mse`` / ``nn.cross_entropy`` + ``nn.SGD``;
* **natural**: the code a user writes from the docs and PyTorch habits, a
  ``nn.Sequential`` of ``Linear`` and activation modules and the loss written from
  ops (:func:`natural_3b1b_epoch`, :func:`natural_ce_epoch`);
* **compiled**: the same natural step (:func:`natural_step`) in
  ``autograd.compile``, traced once per workload before the rounds (:class:`Compiled`):
  its weights must equal the natural code's bit for bit, checked every round (else
  the row says WRONG RESULT and the script fails); a step compile refuses gets a row
  with the error instead of times;
* **torch**, **torch.compile**, **jax.jit** (``frameworks.py``): the same step in
  PyTorch and JAX, when installed (``pip install -e '.[bench]'``), else a row says
  "not installed"; no target, a point of reference;
* **numpy**: a hand-written NumPy forward/backward of the same math (what you would
  write without an autograd engine).

Each batch is gathered by index (``X[idx]``), never a shuffled copy of ``X``. The
engines alternate within every round (so a burst of load on a shared machine hits all
of them); the ratio engine / numpy is taken per round and we print its median over
the rounds, its spread (min-max), the target and ``ok``. ``max |dw|`` is how far
apart the weights of engine and numpy are after the same 20 mini-batches from the
same start (float32 round-off: the engine's float32 sigmoid is ``0.5 + 0.5
tanh(z/2)``, the hand-written one ``1 / (1 + exp(-z))``).

Then the cost of compiling: the first calls of a fresh compiled natural 3b1b step
(:func:`trace_times`: the trace, target < 50 ms, then what each next call did), and a
table of where an engine's time goes: microseconds of Python overhead per node
created, per backward step and per optimizer step, on one-element arrays (where
NumPy's own work is negligible), and the split of one natural-code step.

    MNIST_DIR=/path/to/mnist python benchmarks/mnist_epoch.py [--rounds 7] [--record]
    python benchmarks/mnist_epoch.py --rounds 1 --limit 3000 --batch 10 --only compiled

``--record`` writes the rows into ``benchmarks/results.json`` (see ``results.py``).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nn
from autograd import Tensor

Array = Any


def load_train(data_dir: str | None) -> tuple[Array, Array]:
    """Training images (60000, 784) float32 in [0, 1] and int64 labels (``None``: the
    folder every MNIST consumer uses: ``$MNIST_DIR``, else the cache)."""
    from nn.data import load_mnist

    d = load_mnist(data_dir, download=False, progress=False)
    return d[0], d[1]


# ------------------------------------------------------------ fused engine


def fused_epoch(
    model: Any, loss_fn: str, x: Array, t: Array, order: Array, bs: int, lr: float
) -> None:
    """One epoch with ``TensorMLP`` and the fused losses: forward, loss, backward(), step."""
    opt = nn.SGD(model.parameters(), lr=lr)
    loss = nn.mse if loss_fn == "mse" else nn.cross_entropy
    for start in range(0, len(order), bs):
        idx = order[start : start + bs]
        opt.zero_grad()
        loss(model(x[idx]), t[idx]).backward()
        opt.step()


# ----------------------------------------------------------- natural code


def natural_3b1b_epoch(
    model: Any, x: Array, onehot: Array, order: Array, bs: int, lr: float
) -> None:
    """The series' network as a user writes it: ``Sequential`` + the cost written from ops."""
    opt = nn.SGD(model.parameters(), lr=lr)
    for start in range(0, len(order), bs):
        idx = order[start : start + bs]
        out = model(Tensor(x[idx]))
        loss = ((out - Tensor(onehot[idx])) ** 2).sum() * (1.0 / len(idx))
        model.zero_grad()
        loss.backward()
        opt.step()


def natural_ce_epoch(model: Any, x: Array, labels: Array, order: Array, bs: int, lr: float) -> None:
    """784-100-10 as a user writes it: the negative log-likelihood from ``log_softmax``."""
    opt = nn.SGD(model.parameters(), lr=lr)
    for start in range(0, len(order), bs):
        idx = order[start : start + bs]
        n = len(idx)
        out = model(Tensor(x[idx]))
        loss = -(out.log_softmax()[np.arange(n), labels[idx]].mean())
        model.zero_grad()
        loss.backward()
        opt.step()


# ---------------------------------------------------------- compiled code


def natural_step(model: Any, opt: Any, loss: str) -> Any:
    """The natural step as a function of one batch, for :func:`autograd.compile`.

    The same ops, in the same order, as :func:`natural_3b1b_epoch` and
    :func:`natural_ce_epoch` (so the compiled weights equal the eager ones bit for
    bit). The compiled step's ``eager_calls`` counts the calls that ran this Python
    (the trace, the checked first replay, and any fallback to eager).
    """
    if loss == "mse":

        def step_3b1b(x: Array, y: Array) -> Any:
            out = model(Tensor(x))
            loss = ((out - Tensor(y)) ** 2).sum() * (1.0 / len(x))
            model.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return step_3b1b

    def step_ce(x: Array, labels: Array) -> Any:
        n = len(x)
        out = model(Tensor(x))
        loss = -(out.log_softmax()[np.arange(n), labels].mean())
        model.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step_ce


class Compiled:
    """The natural step in ``autograd.compile``: one model, traced once, reset every epoch.

    Built on the first call, outside any timing: the step is called on three
    different batches of each batch size of the epoch (a fresh model's first call
    traces, its second traces again since the gradients now exist, its third is the
    replay checked against the eager step), then the weights are set back to
    ``state``. Each call trains one epoch from ``state`` by replay and returns the
    parameters. What tracing costs is its own row (:func:`trace_times`).
    """

    def __init__(self, net: Net, state: dict[str, Array], x: Array, t: Array, bs: int) -> None:
        self.net, self.state, self.x, self.t, self.bs = net, state, x, t, bs
        self.step: Any = None
        self.built_at = 0

    def build(self, order: Array) -> None:
        import autograd

        self.model = natural_model(self.net, self.state)
        self.opt = nn.SGD(self.model.parameters(), lr=self.net.lr)
        self.step = autograd.compile(natural_step(self.model, self.opt, self.net.loss))
        sizes = sorted({len(order[s : s + self.bs]) for s in range(0, len(order), self.bs)})
        for j in range(3):
            for n in sizes:
                idx = np.roll(order, -j * n)[:n]  # another batch each time
                self.step(self.x[idx], self.t[idx])
        self.built_at = self.step.eager_calls

    def fallbacks(self) -> int:
        """Steps since :meth:`build` that ran eagerly (a fallback or a new trace), not replayed."""
        return int(self.step.eager_calls) - self.built_at

    def __call__(self, order: Array) -> list[Array]:
        if self.step is None:
            self.build(order)
        for p, w in zip(self.model.parameters(), self.state.values(), strict=True):
            np.copyto(p.data, w)
        step, x, t, bs = self.step, self.x, self.t, self.bs
        for start in range(0, len(order), bs):
            idx = order[start : start + bs]
            step(x[idx], t[idx])
        return [p.data.copy() for p in self.model.parameters()]


# ------------------------------------------------------------- hand-written


def hand_3b1b_epoch(ps: list[Array], x: Array, t: Array, order: Array, bs: int, lr: float) -> None:
    """784-16-16-10 sigmoid + quadratic cost, forward and backward written out by hand."""
    w1, b1, w2, b2, w3, b3 = ps
    for start in range(0, len(order), bs):
        idx = order[start : start + bs]
        xb, yb = x[idx], t[idx]
        n = len(idx)
        a1 = 1.0 / (1.0 + np.exp(-(xb @ w1.T + b1)))
        a2 = 1.0 / (1.0 + np.exp(-(a1 @ w2.T + b2)))
        a3 = 1.0 / (1.0 + np.exp(-(a2 @ w3.T + b3)))
        diff = a3 - yb
        flat = diff.reshape(-1)
        _loss = np.dot(flat, flat) / n
        d3 = diff * (2.0 / n) * (a3 * (1 - a3))
        d2 = (d3 @ w3) * (a2 * (1 - a2))
        d1 = (d2 @ w2) * (a1 * (1 - a1))
        w3 -= lr * (d3.T @ a2)
        b3 -= lr * d3.sum(axis=0)
        w2 -= lr * (d2.T @ a1)
        b2 -= lr * d2.sum(axis=0)
        w1 -= lr * (d1.T @ xb)
        b1 -= lr * d1.sum(axis=0)


def hand_ce_epoch(ps: list[Array], x: Array, t: Array, order: Array, bs: int, lr: float) -> None:
    """784-100-10 ReLU + softmax cross-entropy, forward and backward written out by hand."""
    w1, b1, w2, b2 = ps
    for start in range(0, len(order), bs):
        idx = order[start : start + bs]
        xb, yb = x[idx], t[idx]
        n = len(idx)
        rows = np.arange(n)
        z1 = xb @ w1.T + b1
        h = np.maximum(z1, 0)
        z2 = h @ w2.T + b2
        shifted = z2 - z2.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        _loss = (np.log(s).sum() - shifted[rows, yb].sum()) / n
        d2 = e / s
        d2[rows, yb] -= 1
        d2 *= 1.0 / n
        d1 = (d2 @ w2) * (z1 > 0)
        w2 -= lr * (d2.T @ h)
        b2 -= lr * d2.sum(axis=0)
        w1 -= lr * (d1.T @ xb)
        b1 -= lr * d1.sum(axis=0)


# ---------------------------------------------------------------- workloads


@dataclass(frozen=True)
class Net:
    """A network of the benchmark: its layer widths, activations, loss and learning rate."""

    name: str
    nouts: tuple[int, ...]
    act: str
    out_act: str | None
    loss: str  # "mse" (one-hot targets) or "ce" (int labels)
    lr: float


NET_3B1B = Net("3b1b 784-16-16-10 sigmoid+mse", (16, 16, 10), "sigmoid", None, "mse", 3.0)
NET_CE = Net("784-100-10 relu+cross-entropy", (100, 10), "relu", "linear", "ce", 0.1)

# (net, batch, {engine: target ratio to hand-written NumPy}); issues 4, 9 and 18 (compiled).
# 3b1b at batch 128 came with issue 18, which set a target for the compiled step only;
# the eager engines keep their batch-32 targets there (a larger batch only lowers overhead).
CONFIGS: list[tuple[Net, int, dict[str, float]]] = [
    (NET_3B1B, 10, {"fused": 1.2, "natural": 1.6, "compiled": 1.15}),
    (NET_3B1B, 32, {"fused": 1.15, "natural": 1.3, "compiled": 1.05}),
    (NET_3B1B, 128, {"fused": 1.15, "natural": 1.3, "compiled": 1.05}),
    (NET_CE, 32, {"fused": 1.3, "natural": 1.3, "compiled": 1.05}),
    (NET_CE, 128, {"fused": 1.3, "natural": 1.15, "compiled": 1.05}),
]

ENGINES = {
    "fused": "`TensorMLP` + fused loss",
    "natural": "natural code (`Sequential`, loss from ops)",
    "compiled": "natural code in `autograd.compile` (replays; traced before the rounds)",
}
# Other frameworks on the same steps, when installed (pip install -e '.[bench]'): no
# target, a point of reference.
REFERENCES = {
    "torch": "PyTorch eager, the same natural code",
    "torch.compile": "PyTorch, the same step in `torch.compile`",
    "jax.jit": "JAX, the same step in `jax.jit`",
}
TRACE_TARGET_MS = 50.0

_MODULES = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}


def natural_model(net: Net, state: dict[str, Array]) -> Any:
    """``Sequential(Linear, act, Linear, act, ...)`` holding the weights of ``state``."""
    sizes = [784, *net.nouts]
    modules: list[Any] = []
    renamed = {}
    for i in range(len(net.nouts)):
        renamed[f"{len(modules)}.weight"] = state[f"layers.{i}.weight"]
        renamed[f"{len(modules)}.bias"] = state[f"layers.{i}.bias"]
        modules.append(nn.Linear(sizes[i], sizes[i + 1]))
        act = net.act if i < len(net.nouts) - 1 else (net.out_act or net.act)
        if act != "linear":
            modules.append(_MODULES[act]())
    model = nn.Sequential(*modules)
    model.load_state_dict(renamed)
    return model


def runners(
    net: Net,
    state: dict[str, Array],
    x: Array,
    t: Array,
    order: Array,
    bs: int,
    engines: tuple[str, ...] = ("fused", "natural", "compiled", "numpy"),
) -> dict[str, Callable[[], Any]]:
    """Fresh models from ``state`` and one epoch over ``order`` for each engine.

    Returns ``{engine: epoch}``; each ``epoch()`` trains and returns the final
    parameters as arrays (in the order of ``TensorMLP``'s state dict). ``compiled``,
    ``torch``, ``torch.compile`` and ``jax.jit`` keep one model (and its compiled
    step), built on the first call, and start each epoch from ``state`` again; a
    framework that is not installed raises ``frameworks.Unavailable`` there.
    """
    import frameworks

    def fused() -> Any:
        model = nn.TensorMLP(
            784, list(net.nouts), activation=net.act, output_activation=net.out_act
        )
        model.load_state_dict(state)
        fused_epoch(model, net.loss, x, t, order, bs, net.lr)
        return [p.data for p in model.parameters()]

    def natural() -> Any:
        model = natural_model(net, state)
        epoch = natural_3b1b_epoch if net.loss == "mse" else natural_ce_epoch
        epoch(model, x, t, order, bs, net.lr)
        return [p.data for p in model.parameters()]

    def numpy() -> Any:
        ps = [state[k].copy() for k in state]
        (hand_3b1b_epoch if net.loss == "mse" else hand_ce_epoch)(ps, x, t, order, bs, net.lr)
        return ps

    made: dict[str, Callable[[Array], Any]] = {
        "compiled": Compiled(net, state, x, t, bs),
        "torch": frameworks.TorchRunner(net, state, x, t, bs, compiled=False),
        "torch.compile": frameworks.TorchRunner(net, state, x, t, bs, compiled=True),
        "jax.jit": frameworks.JaxRunner(net, state, x, t, bs),
    }
    run: dict[str, Callable[[], Any]] = {"fused": fused, "natural": natural, "numpy": numpy}
    for name, runner in made.items():
        run[name] = functools.partial(runner, order)
    return {e: run[e] for e in engines}


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def timed(fn: Callable[[], Any], clock: Callable[[], float]) -> float:
    t0 = clock()
    fn()
    return clock() - t0


def spread(xs: list[float]) -> str:
    return f"{min(xs):.2f}-{max(xs):.2f}"


# --------------------------------------------------------- overhead table


def best_us(fn: Callable[[], Any], repeat: int, number: int) -> float:
    """Microseconds per call of ``fn``: the best of ``repeat`` CPU-timed loops of ``number``."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, time.process_time() - t0)
    return best / number * 1e6


def overhead_table(x: Array, onehot: Array) -> list[tuple[str, float, str]]:
    """(what, engine microseconds, the NumPy work inside it) rows: where an engine's time goes.

    The first rows use one-element arrays, where NumPy's own work is small, so the
    figure is mostly the engine's Python overhead; the last ones split one step of
    the natural 3b1b code at batch 10 into its phases.
    """
    rows: list[tuple[str, float, str]] = []
    a_np = np.ones(1, np.float32)
    a = Tensor(a_np, requires_grad=True)
    b = Tensor(a_np * 2, requires_grad=True)
    rows.append(("node created (a * b)", best_us(lambda: a * b, 5, 20000), _np(a_np.__mul__, a_np)))

    # Backward: a chain of k one-element products; per node, its two VJP products.
    k = 200
    chain = a
    for _ in range(k):
        chain = chain * b
    loss = chain.sum()
    vjps = best_us(lambda: (a_np * a_np, a_np * a_np), 5, 20000)
    rows.append(
        ("backward step (per node)", best_us(loss.backward, 5, 20) / (k + 1), f"{vjps:.2f}")
    )

    params = [Tensor(np.ones(1, np.float32), requires_grad=True) for _ in range(100)]
    for p in params:
        p.grad = np.ones(1, np.float32)
    opt = nn.SGD(params, lr=1e-9)
    by_hand = best_us(lambda: [p.data.__isub__(1e-9 * p.grad) for p in params], 5, 200) / 100
    rows.append(
        ("optimizer step (SGD, per parameter)", best_us(opt.step, 5, 200) / 100, f"{by_hand:.2f}")
    )
    rows.append(("zero_grad (per parameter)", best_us(opt.zero_grad, 5, 200) / 100, "-"))

    # One natural-code step of the 3b1b net at batch 10, split into its phases.
    state = nn.TensorMLP(784, [16, 16, 10], seed=0).state_dict()
    model = natural_model(NET_3B1B, state)
    opt3 = nn.SGD(model.parameters(), lr=1e-9)
    xb, yb = x[:10], onehot[:10]
    holder: dict[str, Any] = {}

    def forward() -> None:
        out = model(Tensor(xb))
        holder["loss"] = ((out - Tensor(yb)) ** 2).sum() * 0.1

    forward()
    n_nodes = _count_nodes(holder["loss"])
    ps = [state[k].copy() for k in state]
    hand = best_us(lambda: hand_3b1b_epoch(ps, x, onehot, np.arange(10), 10, 1e-9), 5, 500)
    rows.append(
        (f"natural 3b1b step, batch 10: forward ({n_nodes} nodes)", best_us(forward, 5, 500), "")
    )
    rows.append(("  backward()", best_us(lambda: holder["loss"].backward(), 5, 500), ""))
    rows.append(
        (
            "  model.zero_grad() + opt.step()",
            best_us(model.zero_grad, 5, 500) + best_us(opt3.step, 5, 500),
            "",
        )
    )
    rows.append(("  the whole step, written by hand in NumPy", hand, ""))
    try:
        import autograd

        model_c = natural_model(NET_3B1B, state)
        opt_c = nn.SGD(model_c.parameters(), lr=1e-9)
        step = autograd.compile(natural_step(model_c, opt_c, "mse"))
        for _ in range(3):  # trace, trace again (the gradients now exist), checked replay
            step(xb, yb)
        replay = best_us(lambda: step(xb, yb), 5, 500)
        rows.append(("  the natural step in autograd.compile (a replay)", replay, ""))
    except Exception as err:  # a compile failure is a finding, printed, not a crash
        print(f"  autograd.compile failed on the natural 3b1b step: {err!r}")
    return rows


CALLS = 4  # calls of a fresh compiled step timed by trace_times


def trace_times(
    x: Array, onehot: Array, bs: int = 10, reps: int = 7
) -> tuple[list[float], list[str], float, float]:
    """CPU milliseconds of the first calls of a fresh ``autograd.compile``d natural 3b1b step.

    ``reps`` times (after one more, ``cold``: the first trace in the process when this
    runs first, as in :func:`main`), a fresh model and a fresh compiled step take
    ``CALLS`` different batches. Returns the median milliseconds of each call, what
    each call did (``trace``: the eager step recorded and its code generated;
    ``check``: a replay on a copy of the state and the eager step, compared bit for
    bit; ``replay``), the cold first call, and one eager natural step for scale.
    """
    import autograd

    state = nn.TensorMLP(784, [16, 16, 10], seed=0).state_dict()
    batches = [(x[i * bs : (i + 1) * bs], onehot[i * bs : (i + 1) * bs]) for i in range(CALLS)]
    ms: list[list[float]] = [[] for _ in range(CALLS)]
    eager_ms: list[float] = []
    did: list[str] = []
    cold = 0.0
    for r in range(reps + 1):
        model = natural_model(NET_3B1B, state)
        opt = nn.SGD(model.parameters(), lr=NET_3B1B.lr)
        step = autograd.compile(natural_step(model, opt, "mse"))
        did = []
        for i, batch in enumerate(batches):
            before, latest = step.eager_calls, step.latest
            t0 = time.process_time()
            step(*batch)
            ms[i].append((time.process_time() - t0) * 1e3)
            if step.latest is not latest:
                did.append("trace")
            else:
                did.append("check" if step.eager_calls > before else "replay")
        t0 = time.process_time()
        natural_step(model, opt, "mse")(*batches[0])
        eager_ms.append((time.process_time() - t0) * 1e3)
        if r == 0:
            cold = ms[0][0]
            for m in ms:
                m.clear()
            eager_ms.clear()
    return [statistics.median(m) for m in ms], did, cold, statistics.median(eager_ms)


def _np(fn: Callable[[Any], Any], arg: Any) -> str:
    return f"{best_us(lambda: fn(arg), 5, 20000):.2f}"


def _count_nodes(root: Any) -> int:
    from autograd.backprop import topological_order

    return sum(1 for n in topological_order(root) if n._parents)


# -------------------------------------------------------------------- main


@dataclass
class Result:
    """One engine on one workload: its times, or why it was not timed."""

    engine: str
    error: float = float("nan")  # max |dw| vs numpy after the short run
    times: list[float] | None = None
    ratios: list[float] | None = None
    problem: str = ""  # not installed, refused by compile, failed, ...
    wrong: str = ""  # compiled only: differs from the eager natural code
    fallbacks: int = 0  # compiled only: steps that ran eagerly besides trace + check


def check_same_math(
    net: Net, state: dict[str, Array], x: Array, t: Array, order: Array, bs: int, engines: list[str]
) -> dict[str, Result]:
    """Train 20 mini-batches each way from the same start; compare with the NumPy.

    The compiled step must give the eager natural code's weights bit for bit; an
    engine that cannot run (not installed, compile refused the step, ...) gets its
    reason and is left out of the timing.
    """
    from frameworks import Unavailable

    short = runners(net, state, x, t, order[: 20 * bs], bs, (*engines, "numpy"))
    ref = short["numpy"]()
    got: dict[str, Any] = {}
    results: dict[str, Result] = {}
    for e in engines:
        res = results[e] = Result(e)
        try:
            got[e] = [np.array(p) for p in short[e]()]
        except Unavailable as err:
            res.problem = str(err)
            continue
        except Exception as err:  # e.g. autograd.compile's TraceError: a finding, shown
            who = "autograd.compile" if e == "compiled" else e
            res.problem = f"{who} failed: {type(err).__name__}: {err}"
            continue
        res.error = max(float(np.max(np.abs(p - q))) for p, q in zip(got[e], ref, strict=True))
    if "compiled" in got:
        if "natural" not in got:
            got["natural"] = runners(net, state, x, t, order[: 20 * bs], bs, ("natural",))[
                "natural"
            ]()
        results["compiled"].wrong = differs(got["compiled"], got["natural"])
        results["compiled"].fallbacks = short["compiled"].func.fallbacks()  # type: ignore[attr-defined]
    return results


def differs(got: list[Array], want: list[Array]) -> str:
    """'' if the parameters are equal bit for bit, else how far apart they are."""
    if all(np.array_equal(g, w) for g, w in zip(got, want, strict=True)):
        return ""
    far = max(float(np.max(np.abs(g - w))) for g, w in zip(got, want, strict=True))
    return f"weights differ from the eager natural code's (max |dw| {far:.1e})"


def describe(res: Result) -> str:
    """What the table says instead of times for an engine that was not timed."""
    text = f"WRONG RESULT: {res.wrong}" if res.wrong else res.problem
    return " ".join(text.split())  # one line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed epochs per engine (>= 5)")
    parser.add_argument(
        "--data-dir", default=None, help="MNIST folder (default: $MNIST_DIR, else the cache)"
    )
    parser.add_argument("--limit", type=int, default=None, help="use only the first N images")
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="cpu: process CPU time (default; steadier on a shared machine, and equal to wall "
        "time on an idle one, since everything runs on one thread); wall: elapsed time",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[*ENGINES, *REFERENCES],
        default=None,
        help="time only these engines (and the NumPy); default: all",
    )
    parser.add_argument(
        "--batch", type=int, nargs="+", default=None, help="only the workloads of these batches"
    )
    parser.add_argument("--record", action="store_true", help="write the rows into results.json")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    x, y = load_train(args.data_dir)
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    onehot = np.zeros((len(y), 10), dtype=np.float32)
    onehot[np.arange(len(y)), y] = 1.0
    order = np.random.default_rng(0).permutation(len(x))

    clock = CLOCKS[args.clock]
    print(
        f"MNIST train {x.shape} {x.dtype}; {args.rounds} rounds, engines interleaved in each; "
        f"BLAS threads = 1; {args.clock} time; ratio = engine / numpy, median (min-max) over "
        "rounds; max |dw|: weights vs numpy after 20 batches"
    )
    header = (
        f"{'workload':30} {'engine':13} {'batch':>5} {'engine s':>9} {'numpy s':>8} {'ratio':>6}"
        f" {'spread':>9} {'target':>7} {'':4} {'max |dw|':>8}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    wrong = False
    rows: list[Any] = []
    with threadpool_limits(limits=1), np.errstate(over="ignore"):
        tt = trace_times(x, onehot)  # first: its first trace is the first in the process
        for net, bs, targets in CONFIGS:
            if args.batch and bs not in args.batch:
                continue
            engines = [e for e in [*targets, *REFERENCES] if args.only is None or e in args.only]
            t = onehot if net.loss == "mse" else y
            state = nn.TensorMLP(
                784, list(net.nouts), activation=net.act, output_activation=net.out_act, seed=0
            ).state_dict()
            results = check_same_math(net, state, x, t, order, bs, engines)
            timed_engines = [e for e in engines if not describe(results[e])]
            run = runners(net, state, x, t, order, bs, (*timed_engines, "numpy"))
            times: dict[str, list[float]] = {e: [] for e in [*timed_engines, "numpy"]}
            for r in range(args.rounds + 1):  # round 0 is a warm-up (and compiles)
                weights = {}
                for e in list(times):
                    try:
                        t0 = clock()
                        weights[e] = run[e]()
                        dt = clock() - t0
                    except Exception as err:  # a failure the short check did not meet
                        who = "autograd.compile" if e == "compiled" else e
                        results[e].problem = f"{who} failed: {type(err).__name__}: {err}"
                        del times[e]
                        continue
                    if r:
                        times[e].append(dt)
                if "compiled" in weights and "natural" in weights:
                    # The premise of the compiled row: the same weights as the eager code.
                    results["compiled"].wrong = differs(weights["compiled"], weights["natural"])
                    if results["compiled"].wrong:
                        del times["compiled"]
            if "compiled" in times:
                comp = run["compiled"].func  # type: ignore[attr-defined]
                results["compiled"].fallbacks = comp.fallbacks()
            th = statistics.median(times["numpy"]) if times["numpy"] else float("nan")
            for e in engines:
                res = results[e]
                target = targets.get(e)
                why = describe(res)
                if why or e not in times:
                    wrong |= bool(res.wrong)
                    if target is not None:
                        ok = False
                    print(f"{net.name:30} {e:13} {bs:>5} {'-':>9} {th:8.3f}  {why}")
                    rows.append((net.name, e, bs, None, th, None, "", target, why, 0))
                    continue
                res.ratios = [a / b for a, b in zip(times[e], times["numpy"], strict=True)]
                ratio = statistics.median(res.ratios)
                te = statistics.median(times[e])
                met = target is None or ratio <= target
                ok &= met
                flag = ("ok" if met else "MISS") if target is not None else ""
                note = ""
                if e == "compiled":
                    note = f" {100 * (ratio - 1):+.0f}% vs 1.0x; bit for bit = natural"
                    if res.fallbacks:
                        note += f"; {res.fallbacks} step(s) fell back to eager"
                print(
                    f"{net.name:30} {e:13} {bs:>5} {te:9.3f} {th:8.3f} "
                    f"{ratio:6.2f} {spread(res.ratios):>9} "
                    f"{'<=' + str(target) if target else '-':>7} {flag:4} "
                    f"{res.error:8.1e}{note}"
                )
                rows.append(
                    (net.name, e, bs, te, th, ratio, spread(res.ratios), target, "", res.fallbacks)
                )
        print()
        calls_ms, did, cold, eager_ms = tt
        trace_ok = did[0] == "trace" and calls_ms[0] < TRACE_TARGET_MS
        ok &= trace_ok
        print("autograd.compile, natural 3b1b step, batch 10: the first calls of a fresh step")
        print("(CPU ms, median of 7 fresh models and compiles, each call on another batch):")
        for i, (m, what) in enumerate(zip(calls_ms, did, strict=True)):
            extra = ""
            if i == 0:
                extra = (
                    f"   target < {TRACE_TARGET_MS:g} ms: {'ok' if trace_ok else 'MISS'}; "
                    f"the first in the process: {cold:.2f}"
                )
            print(f"  call {i + 1}: {what:7} {m:8.2f}{extra}")
        print(f"  one eager natural step {eager_ms:7.2f}")
        print()
        print("Where the time goes (CPU microseconds per call, best of 5 loops):")
        print(f"  {'':52} {'engine':>8}  {'NumPy work in it':>16}")
        for what, us, numpy_us in overhead_table(x, onehot):
            print(f"  {what:52} {us:8.2f}  {numpy_us:>16}")
    if wrong:
        print(
            "autograd.compile gave other weights than the eager natural code (WRONG RESULT "
            "above): the compiled rows are not comparable; nothing recorded",
            file=sys.stderr,
        )
        return 2
    if args.record and args.only is None and args.batch is None and not args.limit:
        from results import record

        unit = "CPU s" if args.clock == "cpu" else "s"
        record(
            "mnist_epoch",
            [*epoch_rows(rows, unit), trace_row(tt)],
            command="python benchmarks/mnist_epoch.py"
            + (f" --clock {args.clock}" if args.clock != "cpu" else ""),
        )
    elif args.record:
        print("--record needs the full data set and every engine and batch", file=sys.stderr)
    # Recorded, a missed target is a result (the table's "met" column), not a failed run.
    return 0 if ok or args.record else 1


def epoch_rows(rows: list[Any], unit: str) -> list[Any]:
    """The results rows; a framework not installed is one row, not one per workload."""
    from frameworks import INSTALL
    from results import Row

    out = []
    for e in REFERENCES:
        if any(r[1] == e for r in rows) and all(r[8] == INSTALL for r in rows if r[1] == e):
            out.append(Row(f"one MNIST epoch: {REFERENCES[e]}", INSTALL, "- (reference)", None))
    said = {r.what.split(": ", 1)[1] for r in out}
    out[:0] = [epoch_row(*r, unit=unit) for r in rows if REFERENCES.get(r[1]) not in said]
    return out


def epoch_row(
    name: str,
    e: str,
    bs: int,
    te: float | None,
    th: float,
    ratio: float | None,
    sp: str,
    target: float | None,
    why: str,
    fallbacks: int,
    *,
    unit: str,
) -> Any:
    """The results row of one engine on one workload (``target`` None: a reference row)."""
    from results import Row

    engine = ENGINES.get(e) or REFERENCES[e]
    what = f"one MNIST epoch, {name}, batch {bs}: {engine} vs hand-written NumPy"
    want = f"<= {target:g}x" if target is not None else "- (reference)"
    if te is None or ratio is None:
        if len(why) > 200:  # the whole message is in the printed table
            why = why[:199] + "…"
        return Row(what, why.replace("|", "/"), want, False if target is not None else None)
    figure = f"{te:.2f} {unit} vs {th:.2f} {unit}: **{ratio:.2f}x** (rounds {sp}x)"
    if e == "compiled":
        below = (1 - ratio) * 100
        figure += f", {abs(below):.0f}% {'below' if below >= 0 else 'above'} 1.0x"
        if fallbacks:
            figure += f"; {fallbacks} step(s) fell back to eager"
    return Row(what, figure, want, ratio <= target if target is not None else None)


def trace_row(tt: tuple[list[float], list[str], float, float]) -> Any:
    """The results row of :func:`trace_times`: the target is on the first call, the trace."""
    from results import Row

    calls_ms, did, cold, eager_ms = tt
    rest = ", ".join(
        f"{i + 2} ({what}) {m:.1f} ms"
        for i, (m, what) in enumerate(zip(calls_ms[1:], did[1:], strict=True))
    )
    return Row(
        "`autograd.compile`, natural 3b1b step, batch 10: first call (trace + code generation)",
        f"**{calls_ms[0]:.1f} ms** CPU (the first in the process: {cold:.1f} ms); "
        f"calls {rest}; an eager step {eager_ms:.2f} ms",
        f"< {TRACE_TARGET_MS:g} ms",
        did[0] == "trace" and calls_ms[0] < TRACE_TARGET_MS,
    )


if __name__ == "__main__":
    sys.exit(main())
