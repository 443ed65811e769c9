"""Scalar engine speed: valuegrad's ``Value`` vs micrograd's, same workload, one run.

Workload: a 2-16-16-1 ReLU MLP written neuron by neuron with each library's Value
class; forward over 100 points, squared-error loss, backward. The two libraries
alternate within every round (so a burst of load on a shared machine hits both),
each paying for freeing its own graph (garbage collection included); we print the
median CPU time of each, and the speed-up (micrograd time /
valuegrad time) as the median of the per-round ratios with its spread (min-max).

    python benchmarks/scalar.py [--rounds 9] [--points 100] [--record]

``--record`` writes the result into ``benchmarks/results.json`` (see ``results.py``).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import statistics
import sys
import time
from typing import Any

TARGET = 6.0  # issue 9: >= 6x micrograd, with per-thread grad mode included


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


def setup(value_cls: Any, points: int) -> tuple[Any, Any]:
    """The same network and data for either library (same seed)."""
    rng = random.Random(0)
    layers = make_mlp(value_cls, [2, 16, 16, 1], rng)
    data = [
        ([rng.uniform(-2, 2), rng.uniform(-2, 2)], rng.choice([-1.0, 1.0])) for _ in range(points)
    ]
    return layers, data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rounds", type=int, default=9, help="timed rounds per library (>= 5)")
    ap.add_argument("--points", type=int, default=100)
    ap.add_argument("--target", type=float, default=TARGET, help="minimum speed-up")
    ap.add_argument("--record", action="store_true", help="write the row into results.json")
    args = ap.parse_args(argv)

    from micrograd.engine import Value as MicroValue

    from autograd import Value

    libs = {"valuegrad": Value, "micrograd": MicroValue}
    nets = {name: setup(cls, args.points) for name, cls in libs.items()}
    times: dict[str, list[float]] = {name: [] for name in libs}
    losses: dict[str, float] = {}
    for r in range(args.rounds + 1):  # round 0 is a warm-up; the two alternate in every round
        for name, cls in libs.items():
            # Each library pays for freeing its own graph, and only its own: micrograd's
            # closures make reference cycles, which only the cyclic garbage collector
            # frees, so we collect before the clock starts (the other library's garbage)
            # and before it stops (this round's).
            gc.collect()
            t0 = time.process_time()
            losses[name] = step(cls, *nets[name])
            gc.collect()
            if r:
                times[name].append(time.process_time() - t0)
    ratios = [m / v for m, v in zip(times["micrograd"], times["valuegrad"], strict=True)]
    speedup = statistics.median(ratios)
    print(
        f"workload: 2-16-16-1 ReLU MLP, {args.points} points, forward+loss+backward; "
        f"{args.rounds} rounds, the two libraries alternating; CPU time "
        f"(Python {sys.version.split()[0]})"
    )
    for name in libs:
        print(
            f"{name:10}: {statistics.median(times[name]) * 1e3:8.1f} ms median   "
            f"(loss {losses[name]:.6f})"
        )
    ok = speedup >= args.target
    print(
        f"speed-up  : {speedup:8.2f}x  median of the per-round ratios, spread "
        f"{min(ratios):.2f}-{max(ratios):.2f}x  (target >= {args.target:g}x: "
        f"{'ok' if ok else 'MISS'})"
    )
    if args.record:
        from results import Row, record

        row = Row(
            f"scalar engine vs micrograd: 2-16-16-1 MLP, {args.points} points, "
            "forward + loss + backward (CPU time, rounds interleaved)",
            f"{statistics.median(times['valuegrad']) * 1e3:,.0f} ms vs "
            f"{statistics.median(times['micrograd']) * 1e3:,.0f} ms: **{speedup:.1f}x faster** "
            f"(rounds {min(ratios):.1f}-{max(ratios):.1f}x)",
            f">= {args.target:g}x",
            ok,
        )
        record("scalar", [row], command="python benchmarks/scalar.py")
    # Recorded, a missed target is a result (the table's "met" column), not a failed run.
    return 0 if ok or args.record else 1


if __name__ == "__main__":
    raise SystemExit(main())
