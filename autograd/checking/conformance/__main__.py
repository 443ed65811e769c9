"""``python -m autograd.conformance package.module:Value`` prints the report;
``python -m autograd.conformance --track my_value.py`` says which exercise is next.

Exit status: 0 when every check passes, 1 when one fails, 2 for a usage error
(bad arguments, an engine that cannot be loaded).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autograd.checking.conformance.adapter import SEMANTICS, EngineError, load_engine
from autograd.checking.conformance.depth import DEPTHS
from autograd.checking.conformance.suite import GROUPS, run
from autograd.checking.conformance.track import run_track
from autograd.checking.strategies import OPS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m autograd.conformance",
        description="Property-based conformance checks for a micrograd-style scalar "
        "autodiff engine. Exit status 0: all checks pass; 1: a check fails; 2: usage error.",
    )
    p.add_argument(
        "engine",
        nargs="?",
        help="the node class, as package.module:Class or path/to/file.py:Class",
    )
    p.add_argument(
        "--track",
        metavar="FILE",
        help="run the 'build your own Value' exercise track on FILE[:Class] and say "
        "what to fix next",
    )
    p.add_argument(
        "--backward",
        choices=SEMANTICS,
        default="accumulate",
        help="the semantics of a repeated backward() the engine promises (default: %(default)s)",
    )
    p.add_argument(
        "--ops",
        nargs="+",
        choices=OPS,
        metavar="OP",
        help=f"the ops the engine has (default: find out); any of {' '.join(OPS)}",
    )
    p.add_argument(
        "--only",
        nargs="+",
        choices=GROUPS,
        default=GROUPS,
        metavar="GROUP",
        help=f"run only these groups of checks; any of: {', '.join(GROUPS)}",
    )
    p.add_argument("--data", default="data", help="attribute holding a node's value")
    p.add_argument("--grad", default="grad", help="attribute holding a node's gradient")
    p.add_argument(
        "--max-examples",
        type=int,
        default=None,
        help="random examples per property (default: 100, 50 for --track)",
    )
    p.add_argument(
        "--max-depth",
        type=int,
        default=DEPTHS[-1],
        help="largest chain for the depth check (default: %(default)s)",
    )
    p.add_argument(
        "--timeout", type=float, default=60.0, help="seconds for the depth check's subprocess"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if (args.engine is None) == (args.track is None):
        parser.print_usage(sys.stderr)
        print("give either an engine (module:Class) or --track FILE", file=sys.stderr)
        return 2
    if args.max_examples is not None and args.max_examples < 1:
        print("--max-examples must be at least 1", file=sys.stderr)
        return 2
    depths = tuple(d for d in DEPTHS if d <= args.max_depth) or (args.max_depth,)
    try:
        if args.track is not None:
            track = run_track(
                args.track,
                max_examples=args.max_examples or 50,
                depths=depths,
                timeout=args.timeout,
            )
            print(track)
            return 0 if track.passed else 1
        cls = load_engine(args.engine)
        report = run(
            cls,
            max_examples=args.max_examples or 100,
            depths=depths,
            timeout=args.timeout,
            only=args.only,
            backward=args.backward,
            ops=args.ops,
            data=args.data,
            grad=args.grad,
        )
    except EngineError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except TimeoutError as e:  # the engine hangs: a failure of the engine, not of the usage
        print(f"FAIL  {e}")
        return 1
    print(report)
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
