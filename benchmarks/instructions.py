"""CPU instructions per training step, counted by valgrind's cachegrind: load changes nothing.

Workloads (synthetic data: a fixed-seed float32 array in [0, 1] and one-hot targets,
so no MNIST files are needed; one BLAS thread):

* ``fused``: one MNIST step of the 3b1b net, 784-16-16-10 sigmoid, quadratic cost,
  batch 10, float32: ``nn.TensorMLP`` + ``nn.mse`` + ``nn.SGD(lr=3.0)``, as the fused
  engine of ``mnist_epoch.py`` does it (``zero_grad``, ``backward``, ``step``);
* ``natural``: the same step as a user writes it, as ``natural_3b1b_epoch`` in
  ``mnist_epoch.py`` does it: ``nn.Sequential`` of ``Linear`` and ``Sigmoid`` modules
  (holding the ``TensorMLP(seed=0)`` weights) and the cost written from ops;
* ``scalar``: one step of ``scalar.py``'s workload for valuegrad's ``Value``: a
  2-16-16-1 ReLU MLP written neuron by neuron, forward over 100 points, squared-error
  loss, backward (``scalar.py``'s own functions).

How: each workload runs in a child Python under ``valgrind --tool=cachegrind
--cache-sim=no`` twice, ``W`` warm-up steps then ``K`` steps, and ``W`` warm-up steps
then ``3K`` steps, with a full garbage collection after the warm-up and at the end of
each (so the steps pay for freeing their garbage). The difference of the two totals of
instructions executed (``Ir``, from the ``summary:`` line of cachegrind's output file),
divided by ``2K``, is the count per step: interpreter start-up, imports, set-up,
warm-up and exit are the same in both runs and cancel. The children run with
``PYTHONHASHSEED=0``, one BLAS/OpenMP thread, a small fixed environment and
``sys.path`` starting at the repo measured; the workloads' code is this script's (and
this folder's ``scalar.py``) whichever repo is measured, and the children's bytecode
is cached in a temporary folder (a native run fills it first), never in that repo.

Two repeats agree to within about 0.01 % (``--repeats 2`` prints the spread). The
scalar count also moves by up to about 0.1 % with the memory layout (set by anything
allocated before the steps: the environment, the paths, the modules imported), so
differences below a few tenths of a percent are noise. A count is of valgrind's CPU
(no AVX-512), so NumPy and BLAS may take other kernels than natively: compare counts
with counts, not with seconds. A run takes about 1.5 minutes per repo (2 cores).

    python benchmarks/instructions.py [--repo PATH] [--compare BASELINE] [--record]
        [--steps 40] [--scalar-steps 1] [--repeats 1] [--only fused|natural|scalar]

``--repo`` measures the code at ``PATH`` (default: the repo this script is in);
``--compare BASELINE`` measures ``BASELINE`` too, with the same harness, and prints
the ratio new / old (``--repo`` / ``BASELINE``) per workload against the target of
at most 3 % more (exit 1 if a workload misses it). ``--record`` (with ``--compare``)
writes those rows into ``benchmarks/results.json`` (see ``results.py``). Exit 2 if
valgrind is missing.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET = 1.03  # a workload may cost at most 3 % more instructions than the baseline
BATCH = 10
IMAGES = 600  # synthetic images; the steps walk through them in a fixed shuffled order
PINNED_ENV = {
    "PYTHONHASHSEED": "0",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
# How the child starts: this file is importable from its working directory (HERE).
CHILD = "import sys, instructions; sys.exit(instructions.child(sys.argv[1:]))"

Step = Callable[[], None]


@dataclass(frozen=True)
class Workload:
    """A workload: its name on the command line, what it is, warm-up steps ``W``, ``K``."""

    name: str
    what: str
    warmup: int
    steps: int


WORKLOADS = [
    Workload("fused", "fused MNIST step (TensorMLP, nn.mse, SGD; batch 10)", 20, 40),
    Workload("natural", "natural MNIST step (Sequential, loss from ops; batch 10)", 20, 40),
    Workload("scalar", "scalar step (Value 2-16-16-1 MLP, 100 points)", 1, 1),
]


# ------------------------------------------------------------ the child side


def synthetic_mnist() -> tuple[Any, Any, Any]:
    """Images (IMAGES, 784) float32 in [0, 1], one-hot float32 targets, a shuffled order."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.random((IMAGES, 784), dtype=np.float32)
    onehot = np.eye(10, dtype=np.float32)[rng.integers(0, 10, IMAGES)]
    return x, onehot, rng.permutation(IMAGES)


def batches(order: Any) -> Callable[[], Any]:
    """The next batch's indices at every call, cycling through ``order``."""
    starts = range(0, len(order), BATCH)
    i = 0

    def next_batch() -> Any:
        nonlocal i
        start = starts[i % len(starts)]
        i += 1
        return order[start : start + BATCH]

    return next_batch


def fused_step() -> Step:
    """``mnist_epoch.fused_epoch``'s step for the 3b1b net."""
    import nn

    x, onehot, order = synthetic_mnist()
    model = nn.TensorMLP(784, [16, 16, 10], activation="sigmoid", seed=0)
    opt = nn.SGD(model.parameters(), lr=3.0)
    next_batch = batches(order)

    def step() -> None:
        idx = next_batch()
        opt.zero_grad()
        nn.mse(model(x[idx]), onehot[idx]).backward()
        opt.step()

    return step


def natural_step() -> Step:
    """``mnist_epoch.natural_3b1b_epoch``'s step, on ``TensorMLP(seed=0)``'s weights."""
    import nn
    from autograd import Tensor

    x, onehot, order = synthetic_mnist()
    state = nn.TensorMLP(784, [16, 16, 10], activation="sigmoid", seed=0).state_dict()
    model = nn.Sequential(
        *[m for a, b in [(784, 16), (16, 16), (16, 10)] for m in (nn.Linear(a, b), nn.Sigmoid())]
    )
    model.load_state_dict(
        {
            f"{2 * i}.{kind}": state[f"layers.{i}.{kind}"]
            for i in range(3)
            for kind in ("weight", "bias")
        }
    )
    opt = nn.SGD(model.parameters(), lr=3.0)
    next_batch = batches(order)

    def step() -> None:
        idx = next_batch()
        out = model(Tensor(x[idx]))
        loss = ((out - Tensor(onehot[idx])) ** 2).sum() * (1.0 / len(idx))
        model.zero_grad()
        loss.backward()
        opt.step()

    return step


def scalar_step() -> Step:
    """``scalar.py``'s workload (its own ``setup`` and ``step``) for valuegrad's ``Value``."""
    import scalar

    from autograd import Value

    layers, data = scalar.setup(Value, 100)

    def step() -> None:
        scalar.step(Value, layers, data)

    return step


BUILDERS: dict[str, Callable[[], Step]] = {
    "fused": fused_step,
    "natural": natural_step,
    "scalar": scalar_step,
}


def child(argv: list[str]) -> int:
    """In the child: build ``workload`` from ``repo``, run ``warmup`` then ``steps`` steps."""
    workload, warmup, steps, repo = argv[0], int(argv[1]), int(argv[2]), argv[3]
    sys.path.insert(0, repo)
    step = BUILDERS[workload]()
    for name in ("autograd", "nn"):
        module = sys.modules.get(name)
        if module is None:
            continue
        where = Path(module.__file__ or "").resolve()
        if not where.is_relative_to(Path(repo).resolve()):
            print(f"{module.__name__} was imported from {where}, not from {repo}", file=sys.stderr)
            return 3
    for _ in range(warmup):
        step()
    gc.collect()
    for _ in range(steps):
        step()
    gc.collect()
    return 0


# ----------------------------------------------------------- the parent side


def parse_cachegrind(text: str) -> dict[str, int]:
    """The totals of a cachegrind output file: ``{event: count}`` from ``events:``/``summary:``."""
    events: list[str] = []
    totals: list[int] = []
    for line in text.splitlines():
        if line.startswith("events:"):
            events = line.split(":", 1)[1].split()
        elif line.startswith("summary:"):
            totals = [int(n) for n in line.split(":", 1)[1].split()]
    if not events or len(totals) != len(events):
        raise ValueError("not a cachegrind output: no 'events:' line or no matching 'summary:'")
    return dict(zip(events, totals, strict=True))


def per_step(short: int, long: int, short_steps: int, long_steps: int) -> float:
    """Instructions per step from the totals of a short run and a long one."""
    if long_steps <= short_steps:
        raise ValueError("the long run must take more steps than the short one")
    return (long - short) / (long_steps - short_steps)


def child_command(workload: str, warmup: int, steps: int, repo: Path) -> list[str]:
    return [sys.executable, "-c", CHILD, workload, str(warmup), str(steps), str(repo)]


def child_env(cache: Path) -> dict[str, str]:
    """A small fixed environment: ``PINNED_ENV``, the bytecode cache in ``cache``, and little else.

    Not a copy of ours: the environment's size moves the heap, and the scalar workload's
    count with it (by up to 0.1 %), so a venv activated or not would change the figure.
    """
    env = {k: v for k, v in os.environ.items() if k in ("HOME", "TMPDIR", "VALGRIND_LIB")}
    env.update(PINNED_ENV, PATH=os.defpath, LC_ALL="C.UTF-8", PYTHONPYCACHEPREFIX=str(cache))
    return env


def run(cmd: list[str], env: dict[str, str], what: str) -> None:
    """Run ``cmd`` from this directory; on failure, show its stderr and stop."""
    proc = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}")


def count(valgrind: str, cmd: list[str], env: dict[str, str], tmp: Path) -> int:
    """Instructions (``Ir``) executed by ``cmd`` under cachegrind."""
    out = tmp / "cachegrind.out"
    vg = [valgrind, "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}"]
    run([*vg, *cmd], env, "valgrind")
    ir = parse_cachegrind(out.read_text())["Ir"]
    out.unlink()
    return ir


@dataclass
class Measured:
    """Instructions per step of one workload on one repo (one figure per repeat)."""

    workload: Workload
    warmup: int
    steps: int
    counts: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.counts)

    @property
    def spread(self) -> str:
        """(max - min) / median over the repeats, or ``-`` for a single one."""
        if len(self.counts) < 2:
            return "-"
        return f"{(max(self.counts) - min(self.counts)) / self.median:.4%}"


def measure(
    valgrind: str, w: Workload, repo: Path, steps: int, repeats: int, tmp: Path
) -> Measured:
    """``w``'s instructions per step on ``repo``: ``repeats`` pairs of runs, W+K and W+3K steps."""
    env = child_env(tmp / "pycache")
    # A native run first: it stops at once on broken code, and fills the bytecode cache
    # so that every run under valgrind starts the same way.
    run(child_command(w.name, 0, 1, repo), env, f"{w.name} on {repo}, natively")
    counts = []
    for _ in range(repeats):
        short = count(valgrind, child_command(w.name, w.warmup, steps, repo), env, tmp)
        long = count(valgrind, child_command(w.name, w.warmup, 3 * steps, repo), env, tmp)
        counts.append(per_step(short, long, steps, 3 * steps))
        print(
            f"  {w.name} on {repo}: Ir {short:,} (W+K) and {long:,} (W+3K): "
            f"{counts[-1]:,.0f} per step",
            file=sys.stderr,
        )
    return Measured(w, w.warmup, steps, counts)


# ------------------------------------------------------------------ output


def commit(repo: Path) -> str:
    """``repo``'s short commit hash, or ``?`` (read-only: no lock, no index refresh)."""
    proc = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        check=False,
    )
    return proc.stdout.strip() or "?"


def setting(valgrind: str, repeats: int) -> str:
    """The lines that say how the counts were taken."""
    from importlib.metadata import version

    vg = subprocess.run([valgrind, "--version"], capture_output=True, text=True, check=False)
    pinned = ", ".join(f"{k}={v}" for k, v in PINNED_ENV.items())
    return (
        f"instructions per step: {vg.stdout.strip()} cachegrind (Ir), Python "
        f"{sys.version.split()[0]}, NumPy {version('numpy')}; {pinned}\n"
        "per step = (Ir of W + 3K steps - Ir of W + K steps) / 2K, median of "
        f"{repeats} repeat(s); spread = (max - min) / median"
    )


def print_single(repo: Path, results: list[Measured]) -> None:
    print(f"repo: {repo} ({commit(repo)})")
    header = f"{'workload':58} {'W':>3} {'K':>3} {'instructions/step':>18} {'spread':>8}"
    print(header)
    print("-" * len(header))
    for m in results:
        print(f"{m.workload.what:58} {m.warmup:>3} {m.steps:>3} {m.median:18,.0f} {m.spread:>8}")


def print_compare(new: tuple[Path, list[Measured]], old: tuple[Path, list[Measured]]) -> bool:
    """The table new (``--repo``) vs old (``--compare``); whether all are within ``TARGET``."""
    print(f"new: {new[0]} ({commit(new[0])})\nold: {old[0]} ({commit(old[0])})")
    header = (
        f"{'workload':58} {'new/step':>12} {'spread':>8} {'old/step':>12} {'spread':>8}"
        f" {'new/old':>8} {'<= 1.03':>7}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for n, o in zip(new[1], old[1], strict=True):
        ratio = n.median / o.median
        ok &= ratio <= TARGET
        print(
            f"{n.workload.what:58} {n.median:12,.0f} {n.spread:>8} {o.median:12,.0f} "
            f"{o.spread:>8} {ratio:8.4f} {'yes' if ratio <= TARGET else 'NO':>7}"
        )
    return ok


def record_compare(new: list[Measured], old: tuple[Path, list[Measured]], command: str) -> None:
    """Write the comparison into ``results.json`` (section ``instructions``)."""
    sys.path.insert(0, str(HERE))
    from results import Row, record

    rows = []
    for n, o in zip(new, old[1], strict=True):
        ratio = n.median / o.median
        rows.append(
            Row(
                f"instructions per step (cachegrind), {n.workload.what}: this code vs "
                f"`{commit(old[0])}`",
                f"{n.median:,.0f} vs {o.median:,.0f}: **{ratio:.3f}x**",
                f"<= {TARGET:g}x",
                ratio <= TARGET,
            )
        )
    record("instructions", rows, command=command)


# -------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--repo", type=Path, default=ROOT, help="the code to measure (default: %(default)s)"
    )
    ap.add_argument(
        "--compare", type=Path, metavar="BASELINE", help="measure this code too; print new/old"
    )
    ap.add_argument(
        "--steps",
        type=int,
        default=WORKLOADS[0].steps,
        help="K of the MNIST workloads (default: %(default)s)",
    )
    ap.add_argument(
        "--scalar-steps",
        type=int,
        default=WORKLOADS[2].steps,
        help="K of the scalar workload (default: %(default)s)",
    )
    ap.add_argument(
        "--repeats", type=int, default=1, help="pairs of runs per workload (default: %(default)s)"
    )
    ap.add_argument(
        "--only",
        choices=[w.name for w in WORKLOADS],
        action="append",
        help="measure only this workload (repeatable)",
    )
    ap.add_argument(
        "--record", action="store_true", help="with --compare: write the rows into results.json"
    )
    args = ap.parse_args(argv)
    for repo in [args.repo, args.compare]:
        if repo is not None and not (repo / "autograd" / "__init__.py").is_file():
            ap.error(f"{repo} is not a valuegrad checkout (no autograd/__init__.py)")
    if min(args.steps, args.scalar_steps, args.repeats) < 1:
        ap.error("--steps, --scalar-steps and --repeats must be at least 1")
    if args.record and (args.compare is None or args.only):
        ap.error("--record needs --compare BASELINE (the rows are ratios to it) and all workloads")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print(
            "instructions.py: valgrind not found on PATH; install it (e.g. `apt-get install "
            "valgrind`): the counts come from its cachegrind tool",
            file=sys.stderr,
        )
        return 2
    workloads = [w for w in WORKLOADS if args.only is None or w.name in args.only]
    repos = [args.repo.resolve()] + ([args.compare.resolve()] if args.compare else [])
    print(setting(valgrind, args.repeats), flush=True)
    t0 = time.perf_counter()
    results: list[tuple[Path, list[Measured]]] = []
    with tempfile.TemporaryDirectory(prefix="instructions-") as tmp:
        for repo in repos:
            results.append((repo, []))
            for w in workloads:
                k = args.scalar_steps if w.name == "scalar" else args.steps
                results[-1][1].append(measure(valgrind, w, repo, k, args.repeats, Path(tmp)))
                print(f"  {w.name} on {repo}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.compare is None:
        print_single(*results[0])
        ok = True
    else:
        ok = print_compare(results[0], results[1])
    print(f"(took {time.perf_counter() - t0:.0f} s)")
    if args.record:
        # The baseline is a checkout of its commit (named in each row), wherever it lies.
        command = "python benchmarks/instructions.py --compare BASELINE"
        record_compare(results[0][1], results[1], command)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
