"""The depth check's worker: differentiate chains of growing length, in a fresh
interpreter, printing one JSON line per event.

Run as ``python depth_worker.py SPEC`` (by path, so the package, and with it
numpy and hypothesis, is not imported): ``SPEC`` is JSON with the engine's class
(``"cls"``, a :mod:`~autograd.checking.conformance.loader` name), an optional ``"make"``,
the attribute names ``"data"``, ``"grad"``, ``"backward_method"`` and ``"depths"``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__:
    from autograd.checking.conformance.loader import load_object
else:  # run as a script: import the loader beside this file, not the package
    sys.path.insert(0, str(Path(__file__).parent))
    from loader import load_object  # type: ignore[import-not-found, no-redef]


def chain(
    make: Callable[[float], Any], n: int, data: str, grad: str, backward_method: str
) -> tuple[bool, str]:
    """``y = x + 1.0 + 1.0 ...`` (``n`` additions), then backward: (right?, what was wrong)."""
    x = make(0.5)
    y = x
    for _ in range(n):
        y = y + 1.0
    getattr(y, backward_method)()
    g, d = getattr(x, grad), getattr(y, data)
    if g == 1.0 and abs(d - (0.5 + n)) <= 1e-9 * n:
        return True, ""
    return (
        False,
        f"wrong result: y.data = {d!r} (expected {0.5 + n!r}), x.grad = {g!r} (expected 1.0)",
    )


def describe(e: BaseException) -> str:
    text = str(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def main(spec: dict[str, Any]) -> None:
    make = load_object(spec["make"] or spec["cls"])
    for n in spec["depths"]:
        print(json.dumps({"start": n}), flush=True)
        try:
            ok, why = chain(make, n, spec["data"], spec["grad"], spec["backward_method"])
        except BaseException as e:
            print(json.dumps({"depth": n, "ok": False, "why": describe(e)}), flush=True)
            return
        print(json.dumps({"depth": n, "ok": ok, "why": why}), flush=True)
        if not ok:
            return


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
