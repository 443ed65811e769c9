"""The whole battery, in the order a learner should fix things: ops, the backward
walk, fan-out, depth, repeated ``backward()``, domain edges."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from autograd.checking.conformance.adapter import Adapter
from autograd.checking.conformance.checks import (
    check_chains,
    check_construct,
    check_dags,
    check_domain,
    check_fan_out,
    check_op,
    check_repeated_backward,
)
from autograd.checking.conformance.depth import DEPTHS, check_depth
from autograd.checking.conformance.report import Check, ConformanceError, ConformanceReport

__all__ = ["GROUPS", "assert_conforms", "plan", "run", "start"]

_T = TypeVar("_T")

_REQUIRED = ("+", "*")  # graphs are built (and summed) with these

GROUPS: tuple[str, ...] = ("ops", "walk", "fan-out", "depth", "repeated", "domain")
"""The parts of an engine the checks test, in the order they run (``only=`` picks some)."""

_GROUP_OF = {
    "chain rule: chains": "walk",
    "chain rule: random DAGs": "fan-out",
    "fan-out": "fan-out",
    "depth": "depth",
    "repeated backward": "repeated",
    "domain edges": "domain",
}


def plan(
    adapter: Adapter,
    ops: Sequence[str],
    max_examples: int = 100,
    depths: Sequence[int] = DEPTHS,
    timeout: float = 60.0,
) -> list[tuple[str, Callable[[], Check]]]:
    """Every check after ``construct``, in order, as (name, a function that runs it)."""
    steps: list[tuple[str, Callable[[], Check]]] = [
        (f"op {op}", partial(check_op, adapter, op, max_examples)) for op in ops
    ]
    steps += [
        ("chain rule: chains", partial(check_chains, adapter, ops, max_examples)),
        ("chain rule: random DAGs", partial(check_dags, adapter, ops, max_examples)),
        ("fan-out", partial(check_fan_out, adapter, ops, max_examples)),
        ("depth", partial(check_depth, adapter, depths, timeout)),
        ("repeated backward", partial(check_repeated_backward, adapter, ops, max_examples)),
        ("domain edges", partial(check_domain, adapter, ops)),
    ]
    return steps


def start(cls: type[Any], **adapter_options: Any) -> tuple[Adapter, ConformanceReport]:
    """The adapter and a report holding the ``construct`` check (the others need it)."""
    adapter = Adapter(cls, **adapter_options)
    ops, missing = adapter.supported_ops()
    engine = f"{cls.__module__}.{cls.__qualname__}"
    report = ConformanceReport(engine, adapter.backward, ops, missing)
    check = check_construct(adapter)
    lacking = [op for op in _REQUIRED if op not in ops]
    if check.passed and lacking:
        why = "; ".join(f"{op} ({missing.get(op, '?')})" for op in lacking)
        check = Check(
            "construct",
            False,
            f"the suite needs the ops {' '.join(_REQUIRED)}; missing: {why}",
            group="ops",
        )
    report.checks.append(check)
    return adapter, report


def run(
    cls: type[Any],
    *,
    max_examples: int = 100,
    depths: Sequence[int] = DEPTHS,
    timeout: float = 60.0,
    only: Sequence[str] = GROUPS,
    **adapter_options: Any,
) -> ConformanceReport:
    """Check a micrograd-style scalar engine; ``print(report)`` explains what is wrong.

    Args:
        cls: the engine's node class (``Value``).
        max_examples: random examples per property check (hypothesis), 100 by default.
        depths: chain lengths for the depth check (largest that works is reported).
        timeout: seconds the depth check's subprocess may take in all, and
            each other check (a check that takes longer raises TimeoutError).
        only: run only these groups of checks, some of :data:`GROUPS`
            (``("ops",)``: just each op's value and derivative).
        **adapter_options: how to talk to the engine, see :class:`Adapter`:
            ``make``, ``data``, ``grad``, ``backward_method``, ``ops``, ``methods``,
            ``backward`` (``"accumulate"``, the default, or ``"micrograd"``),
            ``parents`` and ``local``.

    Returns:
        A :class:`ConformanceReport`: ``.passed``, ``.checks``; ``str()`` is the report.

    Raises:
        ValueError, TypeError: bad options (a usage error, not a failed check).

    >>> from autograd import Value
    >>> run(Value, max_examples=5, depths=(10,)).passed
    True
    """
    unknown = [g for g in only if g not in GROUPS]
    if unknown or not only:
        raise ValueError(f"only= takes some of {GROUPS}, got {only!r}")
    adapter, report = _within(timeout, "construct", lambda: start(cls, **adapter_options))
    if report.checks[0].passed:
        for name, check in plan(adapter, report.ops, max_examples, depths, timeout):
            if _GROUP_OF.get(name, "ops") in only:
                # depth runs in a subprocess with its own limit, and reports it as a failed check
                report.checks.append(check() if name == "depth" else _within(timeout, name, check))
    return report


class _TimeUp(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` in a check or in
    hypothesis mistakes it for the engine's own error and carries on."""


def _within(timeout: float, name: str, fn: Callable[[], _T]) -> _T:
    """``fn()``, stopped after ``timeout`` seconds (an engine whose ``backward`` never
    returns would hang the suite) by SIGALRM where there is one, in the main thread."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        return fn()

    def alarm(signum: int, frame: Any) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn()
    except _TimeUp:
        raise TimeoutError(
            f"conformance check {name!r} took longer than timeout={timeout:g} s: does the "
            "engine's backward() (or an op) ever return? A loop over the graph that never "
            "ends, e.g. a topological sort that revisits nodes, looks like this."
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_conforms(cls: type[Any], **options: Any) -> ConformanceReport:
    """:func:`run`, raising :class:`ConformanceError` (an ``AssertionError`` whose
    message is the report) unless every check passes. For a learner's own pytest::

        def test_my_engine():
            assert_conforms(MyValue, max_examples=50)
    """
    report = run(cls, **options)
    if not report.passed:
        raise ConformanceError(str(report))
    return report
