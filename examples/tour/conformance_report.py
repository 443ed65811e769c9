"""The reports the "Build your own Value" appendix shows, from real runs.

Writes ``micrograd-conformance.txt`` (the conformance suite run on micrograd, the
PyPI package, with the default settings) and ``track-skeleton.txt`` (the exercise
track run on the untouched ``examples/exercises/my_value.py``).

Usage::

    python examples/tour/conformance_report.py --out docs/reports
    python examples/tour/conformance_report.py --quick --out /tmp/tour   # seconds
"""

from __future__ import annotations

import argparse
from pathlib import Path

import micrograd.engine

from autograd.conformance import run, run_track
from autograd.pictures.files import write_atomic

SKELETON = Path(__file__).resolve().parents[1] / "exercises" / "my_value.py"


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path("out/tour"), help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="few examples and chains up to 1,000 nodes, a smoke test (default: off)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    few = {"max_examples": 10, "depths": (10, 100, 1_000)} if args.quick else {}
    report = run(micrograd.engine.Value, **few)
    path = args.out / "micrograd-conformance.txt"
    write_atomic(path, (str(report) + "\n").encode("utf-8"))
    print(f"wrote {path}")
    # The path as a learner types it, whatever folder this runs from.
    track = run_track(SKELETON, **few)
    track.path = "examples/exercises/my_value.py"
    write_atomic(args.out / "track-skeleton.txt", (str(track) + "\n").encode("utf-8"))
    print(f"wrote {args.out / 'track-skeleton.txt'}")
    return path


if __name__ == "__main__":
    main()
