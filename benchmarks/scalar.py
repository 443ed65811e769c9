"""Scalar engine speed: valuegrad's ``Value`` vs micrograd's, same workload, one run.

Workload: a 2-16-16-1 ReLU MLP written neuron by neuron with each library's Value
class; forward over 100 points, squared-error loss, backward. Prints the median
CPU time of several rounds for each and the ratio (micrograd time / valuegrad time).

    python benchmarks/scalar.py [--rounds 7] [--points 100] [--record]

``--record`` writes the result into ``benchmarks/results.json`` (see ``results.py``).
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
from typing import Any

TARGET = 2.0  # valuegrad at least this many times faster than micrograd


def make_mlp(value_cls: Any, sizes: list[int], rng: random.Random) -> list[list[list[Any]]]:
    """Layers of neurons; each neuron is [w_1, ..., w_nin, b] as Values."""
    layers = []
    for nin, nout in itertools.pairwise(sizes):
        layers.append(
            [[value_cls(rng.uniform(-1, 1)) for _ in range(nin + 1)] for _ in range(nout)]
        )
    return layers


def forward(layers: list[list[list[Any]]], x: list[Any]) -> Any:
    for i, layer in enumerate(layers):
        out = []
        for neuron in layer:
            act = neuron[-1]
            for w, xi in zip(neuron[:-1], x, strict=True):
                act = act + w * xi
            out.append(act.relu() if i < len(layers) - 1 else act)
        x = out
    return x[0]


def step(
    value_cls: Any, layers: list[list[list[Any]]], data: list[tuple[list[float], float]]
) -> float:
    loss = value_cls(0.0)
    for x, y in data:
        diff = forward(layers, x) - y
        loss = loss + diff * diff
    loss.backward()
    return float(loss.data)


def time_library(value_cls: Any, rounds: int, points: int) -> tuple[float, float]:
    rng = random.Random(0)
    layers = make_mlp(value_cls, [2, 16, 16, 1], rng)
    data = [
        ([rng.uniform(-2, 2), rng.uniform(-2, 2)], rng.choice([-1.0, 1.0])) for _ in range(points)
    ]
    times, loss = [], 0.0
    for _ in range(rounds):
        t0 = time.process_time()
        loss = step(value_cls, layers, data)
        times.append(time.process_time() - t0)
    return statistics.median(times), loss


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--points", type=int, default=100)
    ap.add_argument("--record", action="store_true", help="write the row into results.json")
    args = ap.parse_args(argv)

    from micrograd.engine import Value as MicroValue

    from autograd import Value

    ours, loss_ours = time_library(Value, args.rounds, args.points)
    theirs, loss_theirs = time_library(MicroValue, args.rounds, args.points)
    print(
        f"workload: 2-16-16-1 ReLU MLP, {args.points} points, forward+loss+backward, "
        f"median of {args.rounds} rounds (Python {sys.version.split()[0]})"
    )
    print(f"valuegrad : {ours * 1e3:8.1f} ms   (loss {loss_ours:.6f})")
    print(f"micrograd : {theirs * 1e3:8.1f} ms   (loss {loss_theirs:.6f})")
    speedup = theirs / ours
    print(f"speed-up  : {speedup:8.2f}x  (target >= {TARGET:g}x)")
    if args.record:
        from results import Row, record

        row = Row(
            f"scalar engine vs micrograd: 2-16-16-1 MLP, {args.points} points, "
            "forward + loss + backward",
            f"{ours * 1e3:,.0f} ms vs {theirs * 1e3:,.0f} ms: **{speedup:.1f}x faster**",
            f">= {TARGET:g}x",
            speedup >= TARGET,
        )
        record("scalar", [row], command="python benchmarks/scalar.py")
    return 0 if speedup >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
