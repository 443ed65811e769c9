"""Peak memory (max resident set size) of a full ``3b1b`` MNIST training run.

Runs ``examples/mnist.py --preset 3b1b`` (all 30 epochs, pictures and checkpoint
included) in a child process and reads the child's peak RSS from the kernel
(``os.wait4`` rusage, ``ru_maxrss``), next to two reference points measured the
same way: the interpreter with the packages imported, and the same plus the
MNIST arrays loaded. Target: below 600 MB.

The run is made twice: as ``make mnist`` runs it (``fit`` compiles its step with
``autograd.compile``, the default) and with ``fit(..., compile=False)`` (eagerly);
both through the same small launcher, which sets ``compile`` and then runs the
script. Target: the compiled run's peak no higher than the eager one's.

    MNIST_DIR=/path/to/mnist python benchmarks/memory.py [--epochs 30] [--no-plots] [--record]

``--record`` writes the result into ``benchmarks/results.json`` (see ``results.py``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 600.0


def peak_rss_mb(cmd: list[str]) -> tuple[float, float, int, str]:
    """Run ``cmd``; return (peak RSS in MB, seconds, exit status, its stderr) of that child."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - t0
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    scale = 1.0 if sys.platform == "darwin" else 1024.0
    return usage.ru_maxrss * scale / 1e6, elapsed, proc.returncode, stderr


# The training script, with fit's ``compile`` set: the same launcher for both runs.
LAUNCH = (
    "import functools, runpy, sys; import nn.train as t; "
    "t.fit = functools.partial(t.fit, compile={compile}); "
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=None, help="default: the preset's (30)")
    ap.add_argument("--no-plots", action="store_true", help="skip the pictures (no matplotlib)")
    ap.add_argument("--data-dir", default=None, help="default: $MNIST_DIR, else the cache")
    ap.add_argument("--record", action="store_true", help="write the row into results.json")
    args = ap.parse_args(argv)
    from nn.data import find_data_dir

    data_dir = str(find_data_dir(args.data_dir))  # where every MNIST consumer looks

    py = sys.executable
    load = (
        "import nn; from nn.data import load_mnist; "
        f"d = load_mnist({data_dir!r}, download=False, progress=False)"
    )
    rows = [
        ("python + import nn, numpy", [py, "-c", "import nn, numpy"]),
        ("... + MNIST arrays loaded", [py, "-c", load]),
    ]
    with tempfile.TemporaryDirectory() as out:
        run = [
            "examples/mnist.py",
            "--preset",
            "3b1b",
            "--out",
            out,
            "--data-dir",
            data_dir,
            "--no-progress",
        ]
        if args.epochs is not None:
            run += ["--epochs", str(args.epochs)]
        if args.no_plots:
            run.append("--no-plots")
        epochs = args.epochs if args.epochs is not None else "30 (preset)"
        rows.append(
            (
                f"full 3b1b run, {epochs} epochs, compiled",
                [py, "-c", LAUNCH.format(compile=True), *run],
            )
        )
        rows.append(
            ("... the same, compile=False (eager)", [py, "-c", LAUNCH.format(compile=False), *run])
        )
        print(f"{'process':40} {'peak RSS MB':>12} {'seconds':>8}")
        mbs = []
        for name, cmd in rows:
            mb, secs, rc, stderr = peak_rss_mb(cmd)
            sys.stderr.write(stderr)
            if rc != 0:
                print(f"{name}: exited with status {rc}: {' '.join(cmd)}", file=sys.stderr)
                return 2
            if "runs eagerly" in stderr and "compiled" in name:  # fit's fallback warning
                print(f"{name}: fit did not compile its step (above)", file=sys.stderr)
                return 2
            print(f"{name:40} {mb:12.1f} {secs:8.1f}")
            mbs.append(mb)
    data_mb, peak, eager = mbs[1:]
    ok = peak < TARGET_MB
    not_higher = peak <= eager
    print(
        f"peak of the training run: {peak:.0f} MB (target < {TARGET_MB:.0f} MB): "
        f"{'ok' if ok else 'MISS'}"
    )
    print(
        f"compiled vs eager: {peak:.1f} MB vs {eager:.1f} MB (target: no higher): "
        f"{'ok' if not_higher else 'MISS'}"
    )
    if args.record:
        from results import Row, record

        what = "full `3b1b` training run (30 epochs, pictures, checkpoint)"
        if args.epochs is not None or args.no_plots:
            what = (
                f"`3b1b` training run ({epochs} epochs{', no pictures' if args.no_plots else ''})"
            )
        row = Row(
            f"peak memory, {what}",
            f"**{peak:.0f} MB** (interpreter + MNIST arrays alone: {data_mb:.0f} MB)",
            f"< {TARGET_MB:.0f} MB",
            ok,
        )
        vs_eager = Row(
            f"peak memory, {what}: compiled step (`fit`'s default) vs `compile=False`",
            f"**{peak:.1f} MB** vs {eager:.1f} MB ({peak - eager:+.1f} MB)",
            "no higher than eager",
            not_higher,
        )
        record("memory", [row, vs_eager], command="python benchmarks/memory.py")
    # Recorded, a missed target is a result (the table's "met" column), not a failed run.
    return 0 if (ok and not_higher) or args.record else 1


if __name__ == "__main__":
    sys.exit(main())
