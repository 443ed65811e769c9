"""Test accuracy and training time of ``make mnist``'s presets, over a few seeds.

Runs ``examples/mnist.py --preset P --seed S --no-plots`` for each preset and seed
(each in its own process, pictures skipped) and prints the test accuracy and training
CPU time of each run. The headline figure is seed 0's (what ``make mnist`` runs); the
other seeds show how much a run varies. On one machine a seed gives the same
accuracy bit for bit; another CPU, BLAS or NumPy rounds differently, which moves
the result about as much as changing the seed does.

    MNIST_DIR=/path/to/mnist python benchmarks/accuracy.py [--preset 3b1b] [--seeds 0 1 2]
    python benchmarks/accuracy.py --record   # both presets, their default seeds, into results.json

Each preset is its own section of ``results.json`` (``accuracy-3b1b``, ``accuracy-best``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# preset -> (seeds run by default, target test accuracy in %)
PRESETS = {"3b1b": ((0, 1, 2, 3, 4), 95.0), "best": ((0, 1), 98.0)}


def run(preset: str, seed: int, data_dir: str | None) -> dict[str, float]:
    """One run of ``make mnist`` in a child process: test accuracy (%) and its CPU seconds.

    CPU time (user + system, of the whole run: start-up, loading MNIST, training,
    evaluation) rather than elapsed time, which on a busy machine measures the others.
    """
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "examples/mnist.py", "--preset", preset, "--seed", str(seed)]
        cmd += ["--out", out, "--no-plots", "--no-progress"]
        if data_dir:
            cmd += ["--data-dir", data_dir]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(cmd)} failed")
        summary = json.loads((Path(out) / "history.json").read_text())
    return {"acc": 100 * summary["test_accuracy"], "time": usage.ru_utime + usage.ru_stime}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        action="append",
        help="a preset to run (repeatable); default: all of them",
    )
    ap.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        help="seeds to run; default: 0-4 for 3b1b, 0-1 for best (the first is the headline)",
    )
    ap.add_argument("--data-dir", default=None, help="default: $MNIST_DIR, else the cache")
    ap.add_argument("--record", action="store_true", help="write the rows into results.json")
    args = ap.parse_args(argv)

    ok = True
    for preset in args.preset or list(PRESETS):
        default_seeds, target = PRESETS[preset]
        seeds = args.seeds or list(default_seeds)
        runs = []
        for seed in seeds:
            r = run(preset, seed, args.data_dir)
            print(f"{preset:5} seed {seed}: test accuracy {r['acc']:.2f} %, {r['time']:.0f} CPU s")
            runs.append(r)
        head = runs[0]
        accs = [r["acc"] for r in runs]
        spread = ""
        if len(runs) > 1:
            spread = (
                f" (seeds {seeds[0]}-{seeds[-1]}: {min(accs):.2f}-{max(accs):.2f} %)"
                if seeds == list(range(seeds[0], seeds[-1] + 1))
                else f" ({len(runs)} seeds: {min(accs):.2f}-{max(accs):.2f} %)"
            )
        command = "make mnist" + ("" if preset == "3b1b" else f" PRESET={preset}")
        ok &= head["acc"] >= target
        if args.record:
            from results import Row, record

            row = Row(
                f"`{command}` (seed {seeds[0]}): test accuracy, CPU time of the run",
                f"**{head['acc']:.2f} %**, {head['time']:.0f} s{spread}",
                f">= {target:.1f} %",
                head["acc"] >= target,
            )
            seed_args = "" if args.seeds is None else " --seeds " + " ".join(map(str, seeds))
            record(
                f"accuracy-{preset}",
                [row],
                command=f"python benchmarks/accuracy.py --preset {preset}{seed_args}",
            )
    # Recorded, a missed target is a result (the table's "met" column), not a failed run.
    return 0 if ok or args.record else 1


if __name__ == "__main__":
    sys.exit(main())
