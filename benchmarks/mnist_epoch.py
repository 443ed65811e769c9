"""One MNIST training epoch: the Tensor engine vs hand-written NumPy, same math, one run.

Workloads (full 60,000-image training set, float32, one BLAS thread):

* ``3b1b``: 784-16-16-10, sigmoid everywhere, quadratic cost (sum over the 10
  outputs, mean over the batch) against one-hot targets, plain SGD; batch 10 and 32.
* ``ce``: 784-100-10, ReLU hidden layer, softmax cross-entropy from logits, plain
  SGD; batch 32 and 128.

For each, the same initial weights and the same shuffled order are trained
with ``nn.TensorMLP`` + ``nn.mse``/``nn.cross_entropy`` + ``nn.SGD`` (the autograd
engine: graph, ``backward()``, optimizer) and with a hand-written NumPy
forward/backward of the same math (what you would write without an autograd
engine). Each batch is gathered by index (``X[idx]``), never a shuffled copy of
``X``. Rounds alternate between the two; we print medians, the ratio
engine / hand-written, the targets (<= 1.3x at batch >= 32, <= 1.6x at batch 10),
and ``max |dw|``: how far apart the weights of the two are after the same 20
mini-batches from the same start (float32 round-off: the engine's float32 sigmoid
is ``0.5 + 0.5 tanh(z/2)``, the hand-written one ``1 / (1 + exp(-z))``).

    MNIST_DIR=/path/to/mnist python benchmarks/mnist_epoch.py [--rounds 5] [--record]

``--record`` writes the rows into ``benchmarks/results.json`` (see ``results.py``).
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nn

Array = Any


def load_train(data_dir: str) -> tuple[Array, Array]:
    """Training images (60000, 784) float32 in [0, 1] and int64 labels."""
    try:
        from nn.data import load_mnist

        d = load_mnist(data_dir, download=False, progress=False)
        return d[0], d[1]
    except ImportError:  # pragma: no cover - a tiny IDX reader as a fallback
        pass

    def read(name: str, offset: int) -> Array:
        path = Path(data_dir) / name
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        return np.frombuffer(raw, dtype=np.uint8, offset=offset)

    x = read("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255.0
    y = read("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return x, y


# ------------------------------------------------------------------ engine


def engine_epoch(
    model: nn.TensorMLP, loss_fn: str, x: Array, t: Array, order: Array, bs: int, lr: float
) -> None:
    """One epoch with the autograd engine: forward, loss, backward(), optimizer step."""
    opt = nn.SGD(model.parameters(), lr=lr)
    loss = nn.mse if loss_fn == "mse" else nn.cross_entropy
    for start in range(0, len(order), bs):
        idx = order[start : start + bs]
        opt.zero_grad()
        loss(model(x[idx]), t[idx]).backward()
        opt.step()


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


# -------------------------------------------------------------------- main

CONFIGS = [
    # name, sizes, activation, output activation, loss, batch, lr, target ratio
    ("3b1b 784-16-16-10 sigmoid+mse", [16, 16, 10], "sigmoid", None, "mse", 10, 3.0, 1.6),
    ("3b1b 784-16-16-10 sigmoid+mse", [16, 16, 10], "sigmoid", None, "mse", 32, 3.0, 1.3),
    ("784-100-10 relu+cross-entropy", [100, 10], "relu", "linear", "ce", 32, 0.1, 1.3),
    ("784-100-10 relu+cross-entropy", [100, 10], "relu", "linear", "ce", 128, 0.1, 1.3),
]


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def timed(fn: Callable[[], None], clock: Callable[[], float]) -> float:
    t0 = clock()
    fn()
    return clock() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed epochs per engine")
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DIR"))
    parser.add_argument("--limit", type=int, default=None, help="use only the first N images")
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="cpu: process CPU time (default; steady on a shared machine, and equal to wall "
        "time on an idle one, since everything runs on one thread); wall: elapsed time",
    )
    parser.add_argument("--record", action="store_true", help="write the rows into results.json")
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("set MNIST_DIR or pass --data-dir (the folder with MNIST's four IDX files)")

    from threadpoolctl import threadpool_limits

    x, y = load_train(args.data_dir)
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    onehot = np.zeros((len(y), 10), dtype=np.float32)
    onehot[np.arange(len(y)), y] = 1.0
    order = np.random.default_rng(0).permutation(len(x))

    clock = CLOCKS[args.clock]
    print(
        f"MNIST train {x.shape} {x.dtype}; median of {args.rounds} epochs; "
        f"BLAS threads = 1; {args.clock} time"
    )
    header = (
        f"{'workload':32} {'batch':>5} {'engine s':>9} {'numpy s':>9} {'ratio':>6} {'target':>7}"
        f" {'':4} {'max |dw|':>9}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    rows = []
    with threadpool_limits(limits=1), np.errstate(over="ignore"):
        for name, nouts, act, out_act, loss_fn, bs, lr, target in CONFIGS:
            targets = onehot if loss_fn == "mse" else y
            init = nn.TensorMLP(784, nouts, activation=act, output_activation=out_act, seed=0)
            state0 = init.state_dict()
            hand = hand_3b1b_epoch if loss_fn == "mse" else hand_ce_epoch
            # Same math? Train 20 mini-batches each way from the same start and compare.
            ps = [state0[k].copy() for k in state0]
            engine_epoch(init, loss_fn, x, targets, order[: 20 * bs], bs, lr)
            hand(ps, x, targets, order[: 20 * bs], bs, lr)
            err = max(
                float(np.max(np.abs(p.data - q)))
                for p, q in zip(init.parameters(), ps, strict=True)
            )
            t_eng: list[float] = []
            t_hand: list[float] = []
            for r in range(args.rounds + 1):  # round 0 is a warm-up
                model = nn.TensorMLP(784, nouts, activation=act, output_activation=out_act)
                model.load_state_dict(state0)
                ps = [state0[k].copy() for k in state0]
                te = timed(partial(engine_epoch, model, loss_fn, x, targets, order, bs, lr), clock)
                th = timed(partial(hand, ps, x, targets, order, bs, lr), clock)
                if r:
                    t_eng.append(te)
                    t_hand.append(th)
            me, mh = statistics.median(t_eng), statistics.median(t_hand)
            ratio = me / mh
            ok &= ratio <= target
            flag = "ok" if ratio <= target else "MISS"
            print(
                f"{name:32} {bs:>5} {me:9.3f} {mh:9.3f} {ratio:6.2f} {'<=' + str(target):>7} "
                f"{flag:4} {err:9.1e}"
            )
            rows.append((name, bs, me, mh, ratio, target))
    if args.record:
        from results import Row, record

        unit = "CPU s" if args.clock == "cpu" else "s"
        record(
            "mnist_epoch",
            [
                Row(
                    f"one MNIST epoch, {name}, batch {bs}: Tensor engine vs hand-written NumPy",
                    f"{me:.2f} {unit} vs {mh:.2f} {unit}: **{ratio:.2f}x**",
                    f"<= {target:g}x",
                    ratio <= target,
                )
                for name, bs, me, mh, ratio, target in rows
            ],
            command="python benchmarks/mnist_epoch.py"
            + (f" --clock {args.clock}" if args.clock != "cpu" else ""),
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
