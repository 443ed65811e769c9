"""How deep a graph can the engine differentiate? Chains of 10 ... 100,000 nodes,
each in a fresh interpreter with a time limit.

A recursive topological sort (micrograd's) stops near Python's recursion limit of
1,000 with a ``RecursionError``; a learner who raised the limit with
``sys.setrecursionlimit`` can instead crash the interpreter, and a slow walk can
take forever. A subprocess survives all three and reports which happened.

The chain is ``y = x; y = y + 1.0`` repeated ``n`` times, then ``y.backward()``:
``y.data`` must be ``x + n`` and ``x.grad`` exactly 1.

The subprocess runs :mod:`autograd.checking.conformance.depth_worker`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd.checking.conformance import depth_worker
from autograd.checking.conformance.adapter import Adapter
from autograd.checking.conformance.depth_worker import chain, describe
from autograd.checking.conformance.report import Check

__all__ = ["DEPTHS", "check_depth"]

DEPTHS: tuple[int, ...] = (10, 100, 1_000, 10_000, 100_000)


def _locate(obj: Any) -> str | None:
    """``"module:qualname"`` or ``"file.py:qualname"`` that a fresh interpreter can load."""
    qualname = getattr(obj, "__qualname__", "")
    if not qualname or "<" in qualname:
        return None
    module = sys.modules.get(getattr(obj, "__module__", ""))
    if module is None:
        return None
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if found is not obj:  # e.g. a class made by exec(): its module does not hold it
        return None
    name = module.__name__
    if name != "__main__" and not name.startswith("_conformance_"):
        return f"{name}:{qualname}"
    file = getattr(module, "__file__", None)
    return f"{file}:{qualname}" if file else None


def _verdict(
    events: list[dict[str, Any]], depths: Sequence[int], ending: str, adapter_name: str
) -> Check:
    done = [e for e in events if "depth" in e]
    worked = [e["depth"] for e in done if e["ok"]]
    broke = next((e for e in done if not e["ok"]), None)
    started = [e["start"] for e in events if "start" in e]
    best = max(worked) if worked else 0
    lines = [f"x = {adapter_name}(0.5)", "y = x", "for _ in range(n):", "    y = y + 1.0"]
    code = "\n".join([*lines, "y.backward()   # n = {n:,}"])
    if broke is None and len(worked) == len(depths):
        return Check(
            "depth",
            True,
            f"chains of {', '.join(f'{d:,}' for d in depths)} nodes differentiate correctly",
            group="depth",
        )
    if broke is not None:
        n, why = broke["depth"], broke["why"]
    else:
        n = started[-1] if started else depths[0]
        why = ending
    hint = ""
    if "RecursionError" in why or "recursion" in why:
        hint = (
            " The topological sort is recursive: make it iterative with an explicit stack"
            " (raising sys.setrecursionlimit only moves the crash)."
        )
    works = f"works up to {best:,} nodes" if best else "fails already"
    return Check(
        "depth",
        False,
        f"{works}; at {n:,} nodes: {why}.{hint}",
        example=code.format(n=n),
        group="depth",
    )


def check_depth(adapter: Adapter, depths: Sequence[int] = DEPTHS, timeout: float = 60.0) -> Check:
    """The largest chain depth in ``depths`` the engine differentiates, and how it broke.

    Runs in a subprocess with a ``timeout`` (seconds, for all depths together) when the
    engine class (and ``make``) can be imported by a fresh interpreter; otherwise, in
    this process (then a crash of the interpreter cannot be caught).
    """
    depths = sorted(depths)
    cls_at = _locate(adapter.cls)
    make_at = _locate(adapter.make) if adapter.make is not None else None
    if cls_at is None or (adapter.make is not None and make_at is None):
        return _in_process(adapter, depths)
    spec = {
        "cls": cls_at,
        "make": make_at,
        "data": adapter.data,
        "grad": adapter.grad,
        "backward_method": adapter.backward_method,
        "depths": depths,
    }
    cmd = [sys.executable, str(Path(depth_worker.__file__)), json.dumps(spec)]
    # The engine was importable here, so give the worker the same import path.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        out, err, code = proc.stdout, proc.stderr, proc.returncode
        ending = _exit_reason(code, err)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        ending = f"no result within the time limit ({time.monotonic() - start:.0f} s in all)"
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return _verdict(events, depths, ending, adapter.name)


def _exit_reason(code: int, err: str) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the interpreter crashed ({name}); was sys.setrecursionlimit raised?"
    last = err.strip().splitlines()[-1] if err.strip() else f"exit status {code}"
    return f"the worker stopped: {last}"


def _in_process(adapter: Adapter, depths: Sequence[int]) -> Check:
    events: list[dict[str, Any]] = []
    for n in depths:
        events.append({"start": n})
        try:
            ok, why = chain(adapter.leaf, n, adapter.data, adapter.grad, adapter.backward_method)
        except Exception as e:
            ok, why = False, describe(e)
        events.append({"depth": n, "ok": ok, "why": why})
        if not ok:
            break
    check = _verdict(events, depths, "", adapter.name)
    note = " (run in this process: the class cannot be imported by a fresh interpreter)"
    return Check(check.name, check.passed, check.message + note, check.example, group="depth")
