"""Depth: ``backward()`` through a chain of 1,000,000 scalar ``Value`` nodes.

The graph walk is iterative, so a chain this deep needs no raised recursion limit.
Prints the time to build the chain (forward) and to differentiate it (backward).

    python benchmarks/deep_chain.py [--nodes 1000000] [--record]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograd import Value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--nodes", type=int, default=1_000_000, help="chain length (%(default)s)")
    ap.add_argument("--record", action="store_true", help="write the row into results.json")
    args = ap.parse_args(argv)

    t0 = time.process_time()
    x = Value(1.0)
    y = x
    for _ in range(args.nodes):
        y = -y  # dy/dx = (-1) ** nodes
    t1 = time.process_time()
    y.backward()
    t2 = time.process_time()
    ok = x.grad == (-1.0) ** args.nodes
    print(
        f"{args.nodes:,}-node chain: forward {t1 - t0:.2f} CPU s, backward {t2 - t1:.2f} CPU s, "
        f"recursion limit {sys.getrecursionlimit()}, gradient {'right' if ok else 'WRONG'}"
    )
    if args.record:
        from results import Row, record

        row = Row(
            f"{args.nodes:,}-node chain, `backward()`",
            f"{t2 - t1:.1f} CPU s, default recursion limit ({sys.getrecursionlimit()})",
            "works",
            ok,
        )
        record("deep_chain", [row], command="python benchmarks/deep_chain.py")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
